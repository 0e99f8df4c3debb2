"""Route samples of the service desk (region A, person PA0001): a complaint of PA0001, a consultation, a knowledge
entry, a survey with PA0001 as its respondent, a suggestion, a message template."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.route_samples import register


@register("service:", "api:service-")
def samples(name: str, world: dict[str, Any]) -> dict[str, str]:
    from dae.service import actions
    from dae.service.models import Case, Consultation, KnowledgeEntry, MessageTemplate, Respondent, Survey

    desk = world["users"]["service"]
    if "case" in name:
        case = Case.objects.filter(psn_no="PA0001").first() or actions.do_receive_case(
            desk, kind="complaint", region_code="220282", category="delay", channel="phone", subject="样例投诉",
            psn_no="PA0001", contact_name="张三", received_on=dt.date(2026, 11, 2))
        return {"pk": str(case.pk)}
    if "consultation" in name:
        c = Consultation.objects.first() or actions.do_register_consultation(
            desk, region_code="220282", channel="phone", question="样例咨询", psn_no="PA0001", needs_check=True)
        return {"pk": str(c.pk)}
    if "knowledge" in name:
        k = KnowledgeEntry.objects.first() or actions.do_save_knowledge(desk, category="policy", question="样例",
                                                                        answer="样例答复")
        return {"pk": str(k.pk)}
    if "template" in name:
        t = MessageTemplate.objects.first() or actions.do_save_template(desk, code="x", name="样例", body="{姓名}您好")
        return {"pk": str(t.pk)}
    survey = Survey.objects.first() or actions.do_create_survey(
        desk, region_code="220282", title="样例调查", period_from="2026-01-01", period_to="2026-12-31", sample_size=5,
        seed="sample")
    if "respondent" in name:
        return {"pk": str(Respondent.objects.get(survey=survey, psn_no="PA0001").pk)}
    if "suggestion" in name:
        s = survey.suggestions.first() or actions.do_add_suggestion(
            world["users"]["manager"], survey, text_value="缩短回访间隔", assignee=desk, due_on="2026-12-31")
        return {"pk": str(s.pk)}
    return {"pk": str(survey.pk), "fmt": "xlsx"}
