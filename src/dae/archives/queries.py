"""Reads of the archives: the access check per object kind, catalogue search, what is waiting to be archived,
holds, the appraisal list, the loan register's statistics and the anchors of the log chains."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.http import HttpRequest
from django.utils import timezone

from dae.auditing.models import OPEN_STATUSES, Finding
from dae.core.errors import NotFound
from dae.core.inputs import object_id
from dae.core.scoping import access_by_id
from dae.inspection.models import Investigation

from .models import DestructionList, Hold, Item, Loan
from .registry import ItemKind, iter_kinds

LOG_ANCHOR = "log_anchor"


def access_item_by_id(request: HttpRequest, pk: Any) -> Item:
    return access_by_id(Item, request, pk)


def access_loan_by_id(request: HttpRequest, pk: Any) -> Loan:
    """A loan: the archivists' and approvers' regions see it; a borrower always sees their own."""
    own = Loan.objects.filter(pk=object_id(pk), borrower_id=getattr(request.user, "pk", None)).first()
    if own is not None:
        return own
    try:
        return access_by_id(Loan, request, pk)
    except NotFound:
        raise NotFound() from None


def access_destruction_by_id(request: HttpRequest, pk: Any) -> DestructionList:
    return access_by_id(DestructionList, request, pk)


def access_hold_by_id(request: HttpRequest, pk: Any) -> Hold:
    return access_by_id(Hold, request, pk)


def search(qs: QuerySet[Item], text: str) -> QuerySet[Item]:
    """Full-text search over titles, codes and metadata: every word given must occur (any order)."""
    for word in text.split()[:8]:
        qs = qs.filter(search_text__icontains=word[:50])
    return qs


def pending(kind_keys: Iterable[str] | None = None) -> list[tuple[ItemKind, list[Any]]]:
    """Per kind, the ids of closed objects that have no item yet (the sweep's work)."""
    out = []
    for kind in iter_kinds(kind_keys):
        if kind.closed is None:
            continue
        done = set(Item.objects.filter(kind=kind.key).values_list("object_id", flat=True))
        ids = [pk for pk in kind.closed().order_by("pk").values_list("pk", flat=True) if str(pk) not in done]
        if ids:
            out.append((kind, ids))
    return out


def holds_of(item: Item) -> list[str]:
    """Why ``item`` may not be destroyed now: the archivist's holds, an open remote investigation of the same
    person or settlement, an audit finding of the person still disputed (申诉中/待确认)."""
    reasons = [f"冻结：{h.reason}" + (f"（{h.reference}）" if h.reference else "")
               for h in item.holds.filter(released_at__isnull=True)]
    if item.psn_no:
        open_inv = (Investigation.objects.filter(psn_no=item.psn_no)
                    .exclude(status=Investigation.Status.CLOSED).order_by("pk").first())
        if open_inv is not None:
            reasons.append(f"异地协查 {open_inv.number} 尚未办结")
        disputed = (Finding.objects.filter(psn_no=item.psn_no, status__in=OPEN_STATUSES)
                    .exclude(status=Finding.Status.OPEN).order_by("pk").first())
        if disputed is not None:
            reasons.append(f"审核疑点 {disputed.rule_name}（{disputed.get_status_display()}）尚未办结")
    return reasons


def due_for_appraisal(qs: QuerySet[Item], today: dt.date | None = None) -> QuerySet[Item]:
    """Archived items whose retention has ended (鉴定): permanent items never appear."""
    day = today or timezone.localdate()
    return qs.filter(status=Item.Status.ARCHIVED, expires_on__isnull=False, expires_on__lte=day)


def loan_stats(qs: QuerySet[Loan], today: dt.date | None = None) -> dict[str, Any]:
    day = today or timezone.localdate()
    by_status = dict(qs.values_list("status").annotate(n=Count("id")).order_by())
    overdue = qs.filter(Q(status=Loan.Status.EXPIRED) | Q(status=Loan.Status.APPROVED, due_on__lt=day)).count()
    months = [(m.strftime("%Y-%m"), n) for m, n in qs.annotate(m=TruncMonth("requested_at")).values_list("m")
              .annotate(n=Count("id")).order_by("m") if m is not None]
    return {"total": sum(by_status.values()), "by_status": [(s.label, by_status.get(s.value, 0)) for s in Loan.Status],
            "overdue": overdue, "active": qs.filter(status=Loan.Status.APPROVED, due_on__gte=day).count(),
            "months": months}


def anchors(chain_key: str) -> list[tuple[int, str, str]]:
    """The day-end hashes kept as archival items for ``chain_key`` (for ``dae verify_logs``)."""
    out = []
    for item in Item.objects.filter(kind=LOG_ANCHOR, status=Item.Status.ARCHIVED, metadata__record__chain=chain_key):
        record = item.metadata.get("record", {})
        if record.get("last_seq"):
            out.append((int(record["last_seq"]), str(record["last_hash"]), f"{item.code} {record.get('day')} 日末行"))
    return out
