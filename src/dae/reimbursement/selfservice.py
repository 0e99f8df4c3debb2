"""The insured person's view of their own claims: manual claims, settlements, notices, and each payout's
explanation. Everything starts from ``for_user`` (an insured user sees only rows with their own ``psn_no``)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from dae.benefits.engine.explain import format_trace_zh
from dae.benefits.engine.trial_io import settlement_doc
from dae.claims.models import Settlement
from dae.claims.payout import explain
from dae.core.errors import DaeError
from dae.notices.models import Notice
from dae.service.plain import explain_for_person

from .clock import PERIOD
from .models import ManualClaim


@dataclass(frozen=True)
class Explanation:
    text: str  # format_trace_zh (staff), or the reason there is none
    payout: Any = None
    version_id: str = ""
    available: bool = True
    plain: tuple[str, ...] = ()  # the same in plain Chinese for the insured person (service.plain)


def plain_for_claim(claim: ManualClaim) -> tuple[str, ...]:
    """The claim's stored computation in plain Chinese (the insured person's notice and self-service)."""
    doc = (claim.explanation or {}).get("result")
    if not doc:
        return ()
    return tuple(explain_for_person(doc, place_category=claim.place_category))


def explain_settlement(settlement: Settlement) -> Explanation:
    """The settlement's computation as the engine gives it today (a manual claim's stored one for its own)."""
    claim = ManualClaim.objects.filter(settlement=settlement).first()
    if claim is not None and claim.explanation_text:
        return Explanation(claim.explanation_text, claim.computed_pay, claim.version_id,
                           plain=plain_for_claim(claim))
    try:
        result = explain(settlement)
    except DaeError as error:
        return Explanation(f"暂时无法给出计算依据：{error.message}", available=False)
    if result is None:
        return Explanation("该结算不计入大额补助年度累计（已撤销或已拒付），没有计算依据", available=False)
    return Explanation(format_trace_zh(result), result.payout, result.version_id,
                       plain=tuple(explain_for_person(settlement_doc(result, trace=True),
                                                      place_category=settlement.place_category)))


def claim_status_text(claim: ManualClaim) -> str:
    if claim.state in ("rejected", "cancelled"):
        return f"{claim.get_state_display()}：{claim.close_reason}"
    if claim.state == "paid":
        return f"已于 {claim.paid_on} 支付"
    if claim.due_date is None:
        return f"材料不全，时限暂停（材料补齐之日起 {PERIOD} 个工作日内办结）"
    return f"预计 {claim.due_date} 前办结"


def my_overview(user: Any) -> dict[str, Any]:
    claims = list(ManualClaim.objects.for_user(user).select_related("hospital").order_by("-received_on", "-id"))
    settlements = list(Settlement.objects.for_user(user).filter(manual_claim__isnull=True)
                       .select_related("hospital", "declaration").order_by("-setl_time", "-id"))
    notices = list(Notice.objects.for_user(user).order_by("-created_at", "-id"))
    return {"claims": [(c, claim_status_text(c), plain_for_claim(c)) for c in claims], "settlements": settlements, "notices": notices,
            "unread": sum(1 for n in notices if not n.is_read)}
