"""The approval mechanism: an action above its kind's threshold (or of a kind that always needs one) is kept as a
``PendingAction`` in the approver's work list and takes effect only when a second person of the named post
approves it; the approver is never the person who acted. Every request, approval and refusal is an event.

An action asks ``require(...)`` before its own transaction: below the threshold it goes on; above, the pending
action is stored and ``ApprovalPending`` (202) tells the actor who must approve. On approval, the kind's *effect*
runs the action again as the person who acted, inside the approval's transaction, and ``require`` lets exactly
that action through.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from dae.accounts.posts import Post
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, DaeError, InvalidInput, NotFound, PermissionDenied
from dae.core.events import jsonable, record_event
from dae.core.money import D

from .codes import Code
from .models import PendingAction, Threshold


class ApprovalPending(DaeError):
    code = Code.PENDING
    status = 202
    default_message = "已提交审批，审批通过后生效"

    def __init__(self, pending: PendingAction) -> None:
        post = Post(pending.approver_post).label
        amount = f"（{pending.amount} 元）" if pending.amount is not None else ""
        super().__init__(f"{pending.summary}{amount}须经{post}审批，已提交，审批通过后生效",
                         details={"pending": pending.pk, "approver_post": pending.approver_post})
        self.pending = pending


@dataclass(frozen=True)
class Kind:
    key: str
    label: str
    effect: Callable[[PendingAction], Any]
    always_post: str | None = None  # needs this post's approval whatever the amount (a grant of a post)


KINDS: dict[str, Kind] = {}
_applying: ContextVar[PendingAction | None] = ContextVar("dae_approval_applying", default=None)


def register(key: str, label: str, *, always_post: str | None = None) -> Callable[[Callable[[PendingAction], Any]],
                                                                               Callable[[PendingAction], Any]]:
    def wrap(effect: Callable[[PendingAction], Any]) -> Callable[[PendingAction], Any]:
        KINDS[key] = Kind(key, label, effect, always_post)
        return effect

    return wrap


def threshold_for(kind: str, region_id: str | None, day: dt.date | None = None) -> Threshold | None:
    """The threshold in force on ``day``: the region's own latest, else the latest for every region."""
    day = day or timezone.localdate()
    rows = Threshold.objects.filter(kind=kind, effective_from__lte=day).order_by("-effective_from", "-id")
    own = rows.filter(region_id=region_id).first() if region_id else None
    return own or rows.filter(region__isnull=True).first()


def approver_for(kind: str, amount: Decimal | None, region_id: str | None, day: dt.date | None = None) -> str | None:
    spec = KINDS.get(kind)
    if spec is None:
        raise InvalidInput(f"未知的审批事项：{kind}", code=Code.UNKNOWN_KIND)
    if spec.always_post:
        return spec.always_post
    row = threshold_for(kind, region_id, day)
    if row is None or (amount is not None and amount <= row.amount):
        return None
    return row.approver_post  # an action without an amount (a publication) needs it whenever a row is in force


def request_approval(actor: Any, kind: str, *, approver_post: str, target: tuple[str, Any], summary: str,
                     payload: dict[str, Any], amount: Decimal | None = None,
                     region_id: str | None = None) -> PendingAction:
    """Store the pending action in the caller's transaction (or a new one), with its event; an earlier pending
    one for the same object is replaced by this request."""
    with transaction.atomic():
        object_type, object_id = target[0], str(target[1])
        PendingAction.objects.filter(kind=kind, object_type=object_type, object_id=object_id,
                                     status=PendingAction.Status.PENDING).update(
            status=PendingAction.Status.REFUSED, decided_at=timezone.now(), reason="被新的申请取代")
        pending = PendingAction.objects.create(
            kind=kind, region_id=region_id, amount=amount, object_type=object_type, object_id=object_id,
            summary=summary[:300], payload=jsonable(payload), approver_post=approver_post, requested_by=actor)
        record_event(actor, "approvals.requested", pending, region_id=region_id,
                     after={"kind": kind, "amount": amount, "object": f"{object_type}:{object_id}",
                            "approver_post": approver_post})
    return pending


def require(actor: Any, kind: str, *, amount: Decimal | None, region_id: str | None, target: tuple[str, Any],
            summary: str, payload: dict[str, Any]) -> None:
    """Go on when no approval is needed or this is the approved action taking effect; otherwise store the
    pending action and raise ``ApprovalPending``. Call it before the action's own transaction."""
    current = _applying.get()
    if current is not None and current.kind == kind and (current.object_type, current.object_id) == (
            target[0], str(target[1])):
        return
    post = approver_for(kind, amount, region_id)
    if post is None:
        return
    raise ApprovalPending(request_approval(actor, kind, approver_post=post, target=target, summary=summary,
                                           payload=payload, amount=amount, region_id=region_id))


def pending_for(user: Any) -> Any:
    """The approver's work list: pending actions for their post in their scope, not their own."""
    return (PendingAction.objects.for_user(user)
            .filter(status=PendingAction.Status.PENDING, approver_post=getattr(user, "post", ""))
            .exclude(Q(requested_by=user) | Q(object_type="accounts.user", object_id=str(user.pk))))


def do_decide(approver: Any, pending_id: Any, *, approve: bool, reason: str = "") -> PendingAction:
    """Approve (the action takes effect now, in this transaction) or refuse (nothing happens; a reason is
    required). Never by the person who acted, nor — for a grant — by the person it is about."""
    from dae.core.inputs import object_id

    pk = object_id(pending_id)
    reason = (reason or "").strip()[:300]
    if not approve and len(reason) < 2:
        raise InvalidInput("拒绝时请填写原因", code=CoreCode.REASON_REQUIRED,
                           details=[{"path": "reason", "message": "请填写原因"}])
    with transaction.atomic():
        pending = PendingAction.objects.for_user(approver).select_for_update().filter(pk=pk).first()
        if pending is None:
            raise NotFound()
        if pending.status != PendingAction.Status.PENDING:
            raise Conflict("该事项已审批", code=Code.DECIDED)
        if pending.requested_by_id == approver.pk or (
                pending.object_type == "accounts.user" and pending.object_id == str(approver.pk)):
            raise PermissionDenied("经办人不能审批自己提交的事项", code=Code.SELF_APPROVAL)
        if approver.post != pending.approver_post:
            raise PermissionDenied(f"该事项须由{Post(pending.approver_post).label}审批", code=Code.WRONG_POST)
        pending.status = PendingAction.Status.APPROVED if approve else PendingAction.Status.REFUSED
        pending.decided_by, pending.decided_at, pending.reason = approver, timezone.now(), reason
        pending.save(update_fields=["status", "decided_by", "decided_at", "reason"])
        record_event(approver, "approvals.approved" if approve else "approvals.refused", pending,
                     region_id=pending.region_id, after={"kind": pending.kind, "reason": reason,
                                                         "object": f"{pending.object_type}:{pending.object_id}"})
        if approve:
            token = _applying.set(pending)
            try:
                KINDS[pending.kind].effect(pending)
            finally:
                _applying.reset(token)
    return pending


def do_set_threshold(actor: Any, *, kind: str, amount: Any, approver_post: str, effective_from: dt.date,
                     region_id: str | None = None) -> Threshold:
    if kind not in KINDS or KINDS[kind].always_post:
        raise InvalidInput(f"未知的审批事项：{kind}", code=Code.UNKNOWN_KIND)
    if approver_post not in Post.values:
        raise InvalidInput("请选择审批岗位", details=[{"path": "approver_post", "message": "required"}])
    value = D(amount)
    with transaction.atomic():
        row = Threshold.objects.create(kind=kind, region_id=region_id, amount=value, approver_post=approver_post,
                                       effective_from=effective_from, created_by=actor)
        record_event(actor, "approvals.threshold_set", row, region_id=region_id,
                     after={"kind": kind, "amount": value, "approver_post": approver_post,
                            "effective_from": effective_from})
    return row
