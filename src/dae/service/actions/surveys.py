"""Satisfaction surveys (满意度调查): the questionnaires as data, the seeded stratified sample, answers entered by
staff on a call or by the insured online, closing, and improvement suggestions tracked to done."""

from __future__ import annotations

import datetime as dt
import secrets
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from dae.claims.models import Settlement
from dae.claims.payout import COUNTING
from dae.core import inputs
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, PermissionDenied
from dae.core.events import record_event, user_or_none
from dae.enrollment.models import Person

from .. import sampling
from ..codes import Code
from ..models import Answer, Questionnaire, Respondent, Suggestion, Survey
from .common import region, staff_user, text

DEFAULTS = Path(__file__).resolve().parent.parent / "data" / "questionnaires.yaml"
MAX_SAMPLE = 5000


def default_documents() -> list[dict[str, Any]]:
    with DEFAULTS.open(encoding="utf-8") as handle:
        return list(yaml.safe_load(handle))


def ensure_default_questionnaires() -> list[Questionnaire]:
    """The latest version of each shipped questionnaire, installing version 1 of any that is missing (idempotent;
    caller's transaction)."""
    found = []
    for doc in default_documents():
        latest = Questionnaire.objects.filter(code=doc["code"]).order_by("-version").first()
        if latest is None:
            latest = Questionnaire.objects.create(code=doc["code"], version=1, title=doc["title"],
                                                  questions=doc["questions"])
        found.append(latest)
    return found


def do_save_questionnaire(actor: Any, *, code: Any, title: Any, questions: Any) -> Questionnaire:
    """A new version of a questionnaire (versions are never edited; surveys keep the version they used)."""
    code_text = text(code, "code", "问卷代码", 20)
    title_text = text(title, "title", "问卷名称", 100)
    if not isinstance(questions, list) or not questions:
        raise InvalidInput("请至少填写一道题目", code=Code.INVALID_QUESTIONS, details=[{"path": "questions",
                                                                                   "message": "题目为空"}])
    seen: set[str] = set()
    for i, q in enumerate(questions):
        if not isinstance(q, dict) or q.get("kind") not in ("scale", "choice", "number", "text") or not q.get(
                "code") or not q.get("text") or q["code"] in seen:
            raise InvalidInput(f"第 {i + 1} 题不完整或代码重复", code=Code.INVALID_QUESTIONS,
                               details=[{"path": f"questions[{i}]", "message": "题目不完整"}])
        seen.add(q["code"])
    with transaction.atomic():
        top = Questionnaire.objects.filter(code=code_text).aggregate(v=Max("version"))["v"] or 0
        q = Questionnaire.objects.create(code=code_text, version=top + 1, title=title_text, questions=questions)
        record_event(actor, "service.questionnaire_saved", q, after={"code": code_text, "version": top + 1,
                                                                     "questions": len(questions)})
    return q


def claimants(region_code: str, start: dt.date, end: dt.date) -> list[sampling.Claimant]:
    """The period's claimants (settlements that count, settled in ``[start, end]``), one per person with the
    hospital of their latest settlement; one query."""
    rows = (Settlement.objects.filter(region_id=region_code, state__in=COUNTING, setl_time__date__gte=start,
                                      setl_time__date__lte=end)
            .order_by("psn_no", "-setl_time", "-id").values_list("psn_no", "hospital_id"))
    latest: dict[str, int] = {}
    for psn_no, hospital_id in rows:
        latest.setdefault(psn_no, hospital_id)
    return [sampling.Claimant(region_code, hospital, psn) for psn, hospital in latest.items()]


def do_create_survey(actor: Any, *, region_code: Any, title: Any, period_from: Any, period_to: Any,
                     sample_size: Any, seed: Any = "", target_rate: Any = "90") -> Survey:
    """开展调查: draw the sample of the period's claimants (seeded, stratified by region and hospital) and open the
    survey with the latest version of the four questionnaires."""
    code = region(actor, region_code)
    name = text(title, "title", "调查名称", 100)
    start, end = inputs.period(period_from, period_to, field="period_from", label="结算期间")
    size = inputs.whole(sample_size, field="sample_size", label="样本量", minimum=1, maximum=MAX_SAMPLE)
    seed_text = text(seed, "seed", "随机种子", 64, required=False) or secrets.token_hex(8)
    target = inputs.percent(target_rate, field="target_rate", label="满意率目标")
    people = claimants(code, start, end)
    if not people:
        raise InvalidInput("该期间没有报销人员，无法抽样", code=CoreCode.EMPTY_POPULATION,
                           details=[{"path": "period_from", "message": "期间内没有报销人员"}])
    chosen = sampling.draw(people, size, seed_text)

    names = dict(Person.objects.filter(psn_no__in=[c.psn_no for c in chosen]).values_list("psn_no", "psn_name"))
    with transaction.atomic():
        forms = ensure_default_questionnaires()
        survey = Survey.objects.create(region_id=code, title=name, period_from=start, period_to=end,
                                       sample_size=len(chosen), seed=seed_text, target_rate=target,
                                       created_by=user_or_none(actor))
        survey.questionnaires.set(forms)
        Respondent.objects.bulk_create([
            Respondent(survey=survey, region_id=c.region, psn_no=c.psn_no, psn_name=names.get(c.psn_no, ""),
                       hospital_id=c.hospital) for c in chosen])
        record_event(actor, "service.survey_created", survey, region_id=code,
                     after={"title": name, "period_from": start, "period_to": end, "population": len(people),
                            "sample_size": len(chosen), "seed": seed_text,
                            "questionnaires": [f"{q.code}v{q.version}" for q in forms]})
    return survey


def _value(question: dict[str, Any], raw: Any, path: str) -> tuple[int | None, str]:
    kind = question.get("kind")
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None, ""
    if kind == "scale":
        return inputs.whole(raw, field=path, label=question["text"], minimum=1, maximum=5), ""
    if kind == "number":
        return None, str(inputs.whole(raw, field=path, label=question["text"], minimum=0, maximum=150))
    value = text(raw, path, question["text"], 1000)
    if kind == "choice" and value not in question.get("options", ()):
        raise InvalidInput(f"{question['text']}：请在选项中选择", code=CoreCode.INVALID_CHOICE,
                           details=[{"path": path, "message": "不是选项之一"}])
    return None, value


def do_record_answers(actor: Any, respondent: Respondent, *, answers: dict[str, Any], via: str = "call") -> Respondent:
    """录入答卷: ``answers`` maps ``<questionnaire code>.<question code>`` to the answer. Staff enter it on a call;
    the insured person fills in their own online. Unanswered questions are left out; a respondent answers once."""
    user = user_or_none(actor)
    online = user is not None and user.scope_kind == "insured"
    if online and user.psn_no != respondent.psn_no:
        raise PermissionDenied("只能填写本人的问卷", code=Code.NOT_RESPONDENT)
    rows: list[Answer] = []
    forms = list(respondent.survey.questionnaires.all())
    for form in forms:
        for question in form.questions:
            path = f"{form.code}.{question['code']}"
            score, value = _value(question, answers.get(path), path)
            if score is not None or value:
                rows.append(Answer(respondent=respondent, questionnaire=form, question=question["code"],
                                   score=score, text=value))
    if not any(a.score is not None for a in rows):
        raise InvalidInput("请至少回答一道满意度评分题", code=Code.EMPTY_ANSWERS,
                           details=[{"path": "answers", "message": "没有评分"}])
    with transaction.atomic():
        locked = Respondent.objects.select_for_update().select_related("survey").get(pk=respondent.pk)
        if locked.survey.status != Survey.Status.OPEN:
            raise Conflict("调查已结束", code=Code.SURVEY_STATE)
        if locked.status == Respondent.Status.ANSWERED:
            raise Conflict("该调查对象已回答", code=Code.SURVEY_STATE)
        Answer.objects.bulk_create(rows)
        locked.status, locked.answered_at = Respondent.Status.ANSWERED, timezone.now()
        locked.via = Respondent.Via.ONLINE if online else Respondent.Via.CALL
        locked.entered_by = None if online else user
        locked.save(update_fields=["status", "answered_at", "via", "entered_by"])
        record_event(actor, "service.survey_answered", locked, region_id=locked.region_id,
                     after={"survey": locked.survey_id, "via": locked.via, "answers": len(rows)})
    return locked


def do_mark_unreachable(actor: Any, respondent: Respondent) -> Respondent:
    with transaction.atomic():
        locked = Respondent.objects.select_for_update().get(pk=respondent.pk)
        if locked.status != Respondent.Status.PENDING:
            raise Conflict("该调查对象已处理", code=Code.SURVEY_STATE)
        locked.status = Respondent.Status.UNREACHABLE
        locked.save(update_fields=["status"])
        record_event(actor, "service.survey_unreachable", locked, region_id=locked.region_id,
                     after={"survey": locked.survey_id})
    return locked


def do_close_survey(actor: Any, survey: Survey) -> Survey:
    with transaction.atomic():
        locked = Survey.objects.select_for_update().get(pk=survey.pk)
        if locked.status != Survey.Status.OPEN:
            raise Conflict("调查已结束", code=Code.SURVEY_STATE)
        locked.status, locked.closed_on = Survey.Status.CLOSED, timezone.localdate()
        locked.save(update_fields=["status", "closed_on"])
        record_event(actor, "service.survey_closed", locked, region_id=locked.region_id,
                     after={"status": locked.status, "closed_on": locked.closed_on})
    return locked


def do_add_suggestion(actor: Any, survey: Survey, *, text_value: Any, assignee: Any, due_on: Any) -> Suggestion:
    """改进建议: recorded from the analysis, assigned to a person with a due date."""
    words = text(text_value, "text", "改进建议", 1000)
    user = staff_user(assignee, survey.region_id)
    if user is None:
        raise InvalidInput("请选择责任人", code=Code.UNKNOWN_ASSIGNEE,
                           details=[{"path": "assignee", "message": "请选择责任人"}])
    due = inputs.date(due_on, field="due_on", label="完成期限")
    with transaction.atomic():
        s = Suggestion.objects.create(survey=survey, text=words, assignee=user, due_on=due)
        record_event(actor, "service.suggestion_added", s, region_id=survey.region_id,
                     after={"survey": survey.pk, "text": words, "assignee": user.pk, "due_on": due})
    return s


def do_complete_suggestion(actor: Any, suggestion: Suggestion, *, note: Any) -> Suggestion:
    words = text(note, "note", "完成情况", 1000)
    with transaction.atomic():
        locked = Suggestion.objects.select_for_update().select_related("survey").get(pk=suggestion.pk)
        if locked.status == Suggestion.Status.DONE:
            raise Conflict("该建议已完成", code=Code.WRONG_STATE)
        locked.status, locked.done_note, locked.done_on = Suggestion.Status.DONE, words, timezone.localdate()
        locked.save(update_fields=["status", "done_note", "done_on"])
        record_event(actor, "service.suggestion_done", locked, region_id=locked.survey.region_id,
                     after={"status": locked.status, "note": words})
    return locked
