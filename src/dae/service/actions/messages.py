"""Message templates (短信模板) and publicity / reminder campaigns (宣传与提醒).

A template is a versioned text with ``{变量}`` placeholders; a new version is a draft until a second person (the
manager) approves it, and only an approved version is used. A campaign picks an audience of the region, fills the
template for each person and queues one SMS each through ``notices.actions.dispatch.do_queue_sms`` (key
``campaign:<id>:<psn_no>``: never queued twice; the per-person daily limit applies), so what each person was sent
is the outbox.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Max, Sum
from django.utils import timezone

from dae.accounts.posts import Post
from dae.claims.models import Settlement
from dae.claims.payout import COUNTING, book_for_region
from dae.core import inputs
from dae.core.errors import Conflict, InvalidInput, PermissionDenied
from dae.core.events import record_event, user_or_none
from dae.core.models import Region
from dae.core.money import fmt_yuan
from dae.enrollment.models import ContributionYear, Person
from dae.notices.actions.dispatch import do_queue_sms

from ..codes import Code
from ..models import Campaign, MessageTemplate
from .common import choice, region, text

#: The variables a template may use, and what each is filled with.
VARIABLES = {"姓名": "参保人姓名", "年度": "本年度", "统筹区": "统筹区名称", "金额": "与提醒有关的金额（元）"}
PLACEHOLDER = re.compile(r"\{([^{}]{1,10})\}")
#: Near the threshold: the year's in-scope amount has reached this share of the entry threshold.
NEAR_SHARE = Decimal("0.8")


def variables_of(body: str) -> list[str]:
    return PLACEHOLDER.findall(body)


def render(body: str, values: dict[str, str]) -> str:
    """The text for one person (a preview uses sample values)."""
    return PLACEHOLDER.sub(lambda m: values.get(m.group(1), ""), body)


def preview(body: str) -> str:
    return render(body, {"姓名": "李明", "年度": str(timezone.localdate().year), "统筹区": "桦甸市",
                         "金额": "12,345.60"})


def do_save_template(actor: Any, *, code: Any, name: Any, body: Any) -> MessageTemplate:
    """A new version of a template (a draft until approved)."""
    code_text = text(code, "code", "模板代码", 30)
    name_text = text(name, "name", "模板名称", 100)
    body_text = text(body, "body", "短信内容", 300)
    unknown = [v for v in variables_of(body_text) if v not in VARIABLES]
    if unknown:
        raise InvalidInput(f"未知的变量：{'、'.join(unknown)}（可用：{'、'.join(VARIABLES)}）",
                           code=Code.UNKNOWN_VARIABLE, details=[{"path": "body", "message": "未知的变量"}])
    with transaction.atomic():
        top = MessageTemplate.objects.filter(code=code_text).aggregate(v=Max("version"))["v"] or 0
        template = MessageTemplate.objects.create(code=code_text, version=top + 1, name=name_text, body=body_text,
                                                  created_by=user_or_none(actor))
        record_event(actor, "service.template_saved", template,
                     after={"code": code_text, "version": top + 1, "body": body_text})
    return template


def do_approve_template(actor: Any, template: MessageTemplate) -> MessageTemplate:
    """审核: the manager approves a draft; never the person who wrote it."""
    user = user_or_none(actor)
    if user is None or user.post != Post.MANAGER:
        raise PermissionDenied("短信模板须由管理岗审核", code=Code.SELF_APPROVAL)
    with transaction.atomic():
        locked = MessageTemplate.objects.select_for_update().get(pk=template.pk)
        if locked.created_by_id == user.pk:
            raise PermissionDenied("编写人不能审核自己的模板", code=Code.SELF_APPROVAL)
        if locked.status == MessageTemplate.Status.APPROVED:
            raise Conflict("该模板已审核", code=Code.WRONG_STATE)
        locked.status, locked.approved_by, locked.approved_at = MessageTemplate.Status.APPROVED, user, timezone.now()
        locked.save(update_fields=["status", "approved_by", "approved_at"])
        record_event(actor, "service.template_approved", locked, after={"code": locked.code,
                                                                        "version": locked.version})
    return locked


def audience(region_code: str, kind: str, today: dt.date) -> list[tuple[str, str, Decimal | None]]:
    """(psn_no, name, amount) of the audience, each read with one query.

    - ``lapsed``: enrolled persons of the region with no fully paid contribution for this year;
    - ``near_threshold``: this year's in-scope amount of counted settlements between 80% and 100% of the entry
      threshold in force (amount: what is left to the threshold);
    - ``paid``: persons whose settlement was paid in the last 30 days (amount: the payout).
    """
    year = today.year
    if kind == Campaign.Audience.LAPSED:
        paid = ContributionYear.objects.filter(year=year, status="1").values("person_id")
        rows = Person.objects.filter(region_id=region_code).exclude(pk__in=paid).order_by("psn_no")
        return [(p.psn_no, p.psn_name, None) for p in rows.only("psn_no", "psn_name")]
    if kind == Campaign.Audience.NEAR_THRESHOLD:
        rules = book_for_region(region_code).version_for(today)
        if rules is None:
            return []
        threshold = rules.entry_threshold
        sums = (Settlement.objects.filter(region_id=region_code, state__in=COUNTING, setl_time__year=year)
                .values("psn_no", "person__psn_name").annotate(total=Sum("inscp_scp_amt")).order_by("psn_no")
                .filter(total__gte=threshold * NEAR_SHARE, total__lt=threshold))
        return [(r["psn_no"], r["person__psn_name"], threshold - r["total"]) for r in sums]
    if kind == Campaign.Audience.PAID:
        rows = (Settlement.objects.filter(region_id=region_code, state="paid",
                                          paid_on__gte=today - dt.timedelta(days=30))
                .values("psn_no", "person__psn_name").annotate(total=Sum("hifob_pay")).order_by("psn_no"))
        return [(r["psn_no"], r["person__psn_name"], r["total"]) for r in rows]
    raise InvalidInput("请选择发送对象", code=Code.UNKNOWN_AUDIENCE,
                       details=[{"path": "audience", "message": "发送对象不正确"}])


def _template(value: Any) -> MessageTemplate:
    if isinstance(value, MessageTemplate):
        return value
    pk = inputs.whole(value if value not in (None, "") else "0", field="template", label="短信模板", minimum=0,
                      maximum=2**63 - 1)
    found = MessageTemplate.objects.filter(pk=pk).first()
    if found is None:
        raise InvalidInput("请选择已审核的短信模板", code=Code.TEMPLATE_NOT_APPROVED,
                           details=[{"path": "template", "message": "请选择模板"}])
    return found


def do_run_campaign(actor: Any, *, region_code: Any, name: Any, template: Any, audience_kind: Any,
                    today: dt.date | None = None) -> Campaign:
    """发起宣传/提醒: one SMS per person of the audience through the outbox (limits and keys applied)."""
    code = region(actor, region_code)
    template = _template(template)
    title = text(name, "name", "活动名称", 100)
    kind = choice(audience_kind, Campaign.Audience, "audience", "发送对象")
    if template.status != MessageTemplate.Status.APPROVED:
        raise Conflict("模板尚未审核，不能使用", code=Code.TEMPLATE_NOT_APPROVED)
    day = today or timezone.localdate()
    people = audience(code, kind, day)

    region_name = Region.objects.get(pk=code).name
    with transaction.atomic():
        campaign = Campaign.objects.create(region_id=code, name=title, template=template, audience=kind,
                                           audience_size=len(people), created_by=user_or_none(actor))
        queued = over = 0
        for psn_no, person_name, amount in people:
            body = render(template.body, {"姓名": person_name, "年度": str(day.year), "统筹区": region_name,
                                          "金额": "" if amount is None else fmt_yuan(amount)})
            message = do_queue_sms(actor, psn_no=psn_no, region_id=code, text=body, key=f"campaign:{campaign.pk}:{psn_no}")
            if message is None:
                over += 1
            else:
                queued += 1
        campaign.queued, campaign.over_limit = queued, over
        campaign.save(update_fields=["queued", "over_limit"])
        record_event(actor, "service.campaign_run", campaign, region_id=code,
                     after={"name": title, "template": f"{template.code}v{template.version}", "audience": kind,
                            "audience_size": len(people), "queued": queued, "over_limit": over})
    return campaign
