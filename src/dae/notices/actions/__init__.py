"""Writing notices: ``notify_claim`` (called by the claim workflows), ``remember_phone``, ``do_mark_read``.

``notify_claim`` runs inside the caller's transaction (it refuses to run outside one): the notice, its SMS and the
event are written with the approval or payment that caused them, or not at all. Delivery to a real gateway
happens after commit (``sms.schedule_delivery``).
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core.errors import InvalidInput
from dae.core.events import record_event, user_or_none
from dae.core.money import D, fmt_yuan, round_fen

from ..codes import Code
from ..models import Contact, Notice, SmsMessage
from ..sms import backend_path, schedule_delivery

PHONE_RE = re.compile(r"^1[3-9]\d{9}$")
#: Longest SMS text stored (a long text is split by the gateway into several billed parts; keep it short).
SMS_MAX = 200

KIND_WORDS = {Notice.Kind.APPROVED: "已审批通过", Notice.Kind.PAID: "已支付"}


def check_phone(phone: str) -> str:
    """A mainland mobile number of 11 digits, or ``InvalidInput``."""
    phone = (phone or "").strip().replace(" ", "").replace("-", "")
    if not PHONE_RE.match(phone):
        raise InvalidInput("手机号码应为 11 位数字，以 1 开头", code=Code.BAD_PHONE,
                           details=[{"path": "phone", "message": "手机号码应为 11 位数字，以 1 开头"}])
    return phone


def remember_phone(*, psn_no: str, phone: str, region_id: str, source: str) -> Contact:
    """Keep ``phone`` as the person's number for notices (the latest given wins). Caller's transaction."""
    phone = check_phone(phone)
    contact, created = Contact.objects.get_or_create(
        psn_no=psn_no, defaults={"phone": phone, "region_id": region_id, "source": source[:100]})
    if not created and contact.phone != phone:
        contact.phone, contact.region_id, contact.source = phone, region_id, source[:100]
        contact.updated_at = timezone.now()
        contact.save(update_fields=["phone", "region", "source", "updated_at"])
    return contact


def sms_text(*, claim_ref: str, kind: str, amount: Decimal, summary: str) -> str:
    word = KIND_WORDS[Notice.Kind(kind)]
    text = (f"【大额医疗费用补助】您的业务 {claim_ref} {word}，大额补助金额 {fmt_yuan(amount)} 元。"
            f"计算依据：{summary}。详情请登录参保人自助查询。")
    if len(text) > SMS_MAX:
        keep = SMS_MAX - len(text) + len(summary) - 1
        text = text.replace(summary, summary[:max(keep, 0)] + "…")
    return text


def default_summary(basis_text: str) -> str:
    """The first line of a calculation basis (the engine's one-line summary), as the SMS's short basis."""
    first = (basis_text or "").strip().splitlines()[0] if (basis_text or "").strip() else "见自助查询"
    return first.rstrip("。.")


def notify_claim(*, psn_no: str, claim_ref: str, kind: str, amount: Decimal, basis_text: str, region_id: str,
                 actor: Any, phone: str | None = None, sms_summary: str | None = None) -> Notice:
    """Write the notice to the insured person and queue its SMS, in the caller's transaction.

    ``kind`` is ``"approved"`` or ``"paid"``; ``amount`` the 大额 payout (Decimal); ``basis_text`` the calculation
    basis shown in self-service (e.g. ``format_trace_zh(result)``). ``phone`` defaults to the person's
    ``Contact``; with no number the SMS is stored as failed (未登记手机号码). ``sms_summary`` is the short basis
    put into the SMS (default: the first line of ``basis_text``). Idempotent per (psn_no, claim_ref, kind): a
    second call returns the first notice and writes nothing.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify_claim must be called inside the caller's transaction.atomic()")
    if kind not in Notice.Kind.values:
        raise InvalidInput(f"未知的通知类型：{kind}", code=Code.BAD_NOTICE_KIND)
    amount = round_fen(D(amount))
    existing = Notice.objects.filter(psn_no=psn_no, claim_ref=claim_ref, kind=kind).first()
    if existing is not None:
        return existing
    notice = Notice.objects.create(psn_no=psn_no, region_id=region_id, claim_ref=claim_ref, kind=kind,
                                   amount=amount, basis_text=basis_text, created_by=user_or_none(actor))
    number = phone if phone else Contact.objects.filter(psn_no=psn_no).values_list("phone", flat=True).first()
    text = sms_text(claim_ref=claim_ref, kind=kind, amount=amount,
                    summary=sms_summary if sms_summary is not None else default_summary(basis_text))
    sms = SmsMessage.objects.create(
        psn_no=psn_no, phone=number or "", text=text, notice=notice, region_id=region_id, backend=backend_path(),
        status=SmsMessage.Status.QUEUED if number else SmsMessage.Status.FAILED,
        error="" if number else "未登记手机号码")
    record_event(actor, f"notice.{kind}", notice, region_id=region_id,
                 after={"psn_no": psn_no, "claim_ref": claim_ref, "amount": amount, "sms": sms.pk,
                        "sms_status": sms.status})
    if number:
        schedule_delivery([sms.pk])
    return notice


def do_mark_read(user: Any, notice: Notice) -> Notice:
    """The insured person has read the notice (no event: reading one's own notice changes no business data)."""
    if not notice.is_read:
        with transaction.atomic():
            notice.is_read, notice.read_at = True, timezone.now()
            notice.save(update_fields=["is_read", "read_at"])
    return notice

