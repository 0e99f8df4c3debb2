"""Every write of the archives, each one transaction with its event.

Archiving an object (``do_archive``): its kind builds the record; the record is rendered to PDF; the four checks
run (authenticity, integrity and usability on the built files; safety by writing them to the archive storage and
reading them back). An item that fails is kept out of the archive (status ``failed``, no code, its files removed)
with the reasons for the archivist; one that passes gets the next item number of its year, retention and category
(a locked counter: no gaps), its archival code, the metadata document, and the event ``archives.item_archived``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.core.chain import canonical
from dae.core.errors import Conflict, InvalidInput, PermissionDenied, require_reason
from dae.core.events import record_event, user_or_none
from dae.core.logchain import CHAINS, describe, verify_all
from dae.core.models import Event

from . import checks, queries, storage
from .codes import Code
from .kinds.logs import ChainDay
from .models import (
    Counter,
    DestructionEntry,
    DestructionList,
    Hold,
    Item,
    ItemCheck,
    ItemFile,
    Loan,
    Retention,
    RetentionRule,
    expiry,
)
from .package import build_package
from .registry import ItemKind, Record, get_kind
from .render import record_pdf

MAX_LOAN_DAYS = 30


def fonds() -> str:
    """全宗号 of this office's archive (setting ``ARCHIVE_FONDS``)."""
    return str(getattr(settings, "ARCHIVE_FONDS", "D001"))


def archival_code(year: int, retention: str, category: str, number: int) -> str:
    """档号 全宗号-年度-保管期限-类别-件号 (DA/T 22-2015), e.g. ``D001-2025-D30-LP-0007``."""
    return f"{fonds()}-{year}-{retention}-{category}-{number:04d}"


# -- archiving -------------------------------------------------------------------------------------------------


def _events_of(record: Record, kind: ItemKind, key: str) -> list[Event]:
    if record.event_ids:
        return list(Event.objects.filter(pk__in=record.event_ids).order_by("seq"))
    pairs = list(record.events) or [(kind.object_type, key)]
    found: list[Event] = []
    for object_type, object_id in pairs:
        found.extend(Event.objects.filter(object_type=object_type, object_id=object_id).order_by("seq"))
    return sorted(found, key=lambda e: e.seq)


def _contents(record: Record, kind: ItemKind) -> list[checks.Content]:
    files = [checks.Content("record", f"{kind.label}记录", "record.pdf", "application/pdf",
                            record_pdf(record.template, {**record.context, "record": record, "kind": kind}))]
    for doc in record.documents:
        data = doc.content()
        if data is not None:
            files.append(checks.Content(doc.code, str(doc.label), doc.name, doc.media_type, data))
    return files


def _flatten(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _flatten(v)
    elif isinstance(value, list | tuple):
        for v in value:
            yield from _flatten(v)
    elif value is not None and value != "":
        yield str(value)


def _metadata(kind: ItemKind, key: str, record: Record, retention: str, events: list[Event]) -> dict[str, Any]:
    return {
        "fonds": fonds(), "kind": kind.key, "kind_label": str(kind.label), "category": kind.category,
        "object_type": kind.object_type, "object_id": key, "title": record.title, "year": record.year,
        "date_from": record.date_from.isoformat(), "date_to": record.date_to.isoformat(),
        "retention": retention, "responsible_post": kind.post, "region": record.region_id,
        "psn_no": record.psn_no, "record": record.metadata,
        "events": [{"seq": e.seq, "action": e.action, "at": e.at.isoformat(), "row_hash": e.row_hash}
                   for e in events],
    }


def retention_of(kind: ItemKind) -> str:
    rule = RetentionRule.objects.filter(kind=kind.key).order_by("-version").first()
    return rule.retention if rule is not None else kind.retention


def do_archive(kind_key: str, obj: Any, *, actor: Any = None) -> Item:
    """Archive one closed object (or record why it cannot be archived). Idempotent: an archived object is
    returned as it is."""
    kind = get_kind(kind_key)
    key = kind.key_of(obj)
    existing = Item.objects.filter(kind=kind.key, object_id=key).first()
    if existing is not None and existing.status != Item.Status.FAILED:
        return existing
    record = kind.build(obj)
    retention = retention_of(kind)
    events = _events_of(record, kind, key)
    files = _contents(record, kind)
    metadata = _metadata(kind, key, record, retention, events)
    results = [checks.authenticity(events, files), checks.integrity(record.required, files, metadata),
               checks.usability(files)]
    storage_key = storage.new_key(record.year)
    written: list[tuple[checks.Content, str]] = []
    if all(r.passed for r in results):
        written = [(f, storage.write(storage_key, f"{i:02d}-{f.name}", f.data)[1]) for i, f in enumerate(files, 1)]
        results.append(checks.safety(written))
    else:
        results.append(checks.Result(checks.SAFETY, False, checks.SKIPPED))
    passed = all(r.passed for r in results)
    try:
        with transaction.atomic():
            item = _save_item(kind, key, record, retention, metadata, results, passed, storage_key, written, actor)
    except BaseException:
        storage.remove_folder(storage_key)
        raise
    if not passed:
        storage.remove_folder(storage_key)
    return item


def _save_item(kind: ItemKind, key: str, record: Record, retention: str, metadata: dict[str, Any],
               results: list[checks.Result], passed: bool, storage_key: str,
               written: list[tuple[checks.Content, str]], actor: Any) -> Item:
    item = Item.objects.select_for_update().filter(kind=kind.key, object_id=key).first()
    if item is not None and item.status != Item.Status.FAILED:
        return item  # archived meanwhile by another worker
    if item is None:
        item = Item(kind=kind.key, object_id=key)
    item.object_type, item.region_id, item.psn_no = kind.object_type, record.region_id, record.psn_no
    item.year, item.retention, item.category = record.year, retention, kind.category
    item.title, item.date_from, item.date_to = record.title[:300], record.date_from, record.date_to
    item.responsible_post, item.attempts = kind.post, item.attempts + 1
    item.search_text = " ".join([record.title, *_flatten(metadata)])[:20000]
    item.expires_on = expiry(record.year, retention)
    if not passed:
        item.status = Item.Status.FAILED
        item.failed_reason = "；".join(f"{checks_label(r.check)}：{r.detail}" for r in results
                                      if not r.passed and r.detail != checks.SKIPPED)
        item.metadata, item.metadata_sha256, item.storage_key = metadata, "", ""
        item.save()
        _save_checks(item, results)
        record_event(actor, "archives.item_failed", item, region_id=item.region_id,
                     after={"kind": kind.key, "object_id": key, "reason": item.failed_reason[:400]})
        return item
    counter, _ = Counter.objects.get_or_create(year=record.year, retention=retention, category=kind.category)
    counter = Counter.objects.select_for_update().get(pk=counter.pk)
    counter.last += 1
    counter.save(update_fields=["last"])
    item.item_no = counter.last
    item.code = archival_code(record.year, retention, kind.category, counter.last)
    item.status, item.failed_reason, item.storage_key = Item.Status.ARCHIVED, "", storage_key
    item.archived_by, item.archived_at = user_or_none(actor), timezone.now()
    metadata = {**metadata, "code": item.code, "item_no": item.item_no, "archived_at": item.archived_at.isoformat(),
                "files": [{"name": f"{i:02d}-{c.name}", "label": c.label, "code": c.code, "media_type": c.media_type,
                           "size": len(c.data), "sha256": c.sha256} for i, (c, _d) in enumerate(written, 1)],
                "checks": {r.check: {"passed": r.passed, "detail": r.detail} for r in results}}
    document = canonical(metadata).encode("utf-8")
    meta_path, meta_digest = storage.write(storage_key, "metadata.json", document)
    item.metadata, item.metadata_sha256 = metadata, meta_digest
    item.save()
    rows = [ItemFile(item=item, seq=i, role=ItemFile.Role.RECORD if c.code == "record" else ItemFile.Role.DOCUMENT,
                     doc_code=c.code, label=c.label[:100], name=f"{i:02d}-{c.name}", media_type=c.media_type,
                     size=len(c.data), sha256=digest, path=f"{storage_key}/{i:02d}-{c.name}")
            for i, (c, digest) in enumerate(written, 1)]
    rows.append(ItemFile(item=item, seq=len(rows) + 1, role=ItemFile.Role.METADATA, doc_code="metadata",
                         label="元数据", name="metadata.json", media_type="application/json", size=len(document),
                         sha256=meta_digest, path=meta_path))
    ItemFile.objects.bulk_create(rows)
    _save_checks(item, results)
    record_event(actor, "archives.item_archived", item, region_id=item.region_id,
                 after={"code": item.code, "kind": kind.key, "object_id": key, "files": len(rows),
                        "metadata_sha256": meta_digest})
    return item


def checks_label(check: str) -> str:
    return str(ItemCheck.Check(check).label)


def _save_checks(item: Item, results: list[checks.Result]) -> None:
    ItemCheck.objects.bulk_create([ItemCheck(item=item, attempt=item.attempts, name=r.check, passed=r.passed,
                                             detail=r.detail[:2000]) for r in results])


def do_archive_pending(kind_keys: Iterable[str] | None = None, *, actor: Any = None, limit: int | None = None,
                       progress: Any = None) -> dict[str, int]:
    """The sweep: archive every closed object of the given kinds that has no item yet. Returns counts."""
    counts = {"archived": 0, "failed": 0}
    todo = queries.pending(kind_keys)
    total = sum(len(ids) for _k, ids in todo)
    done = 0
    for kind, ids in todo:
        for obj in kind.closed().filter(pk__in=ids).order_by("pk"):  # type: ignore[union-attr]
            try:
                item = do_archive(kind.key, obj, actor=actor)
            except IntegrityError:
                continue  # archived at the same moment by another worker (unique kind + object)
            counts["archived" if item.status == Item.Status.ARCHIVED else "failed"] += 1
            done += 1
            if progress is not None:
                progress(done, total)
            if limit is not None and done >= limit:
                return counts
    return counts


def do_retry(item: Item, *, actor: Any) -> Item:
    """Check a failed item again (after its documents were completed)."""
    if item.status != Item.Status.FAILED:
        raise Conflict("只有检测未通过的档案可以重新检测", code=Code.ALREADY_ARCHIVED)
    kind = get_kind(item.kind)
    obj = kind.object_for(item.object_id)
    if obj is None:
        raise Conflict("业务对象尚未办结或已不存在，不能归档", code=Code.NOT_CLOSED)
    return do_archive(kind.key, obj, actor=actor)


# -- the retention schedule ------------------------------------------------------------------------------------


def do_change_retention(actor: Any, kind_key: str, retention: str, reason: str) -> RetentionRule:
    kind = get_kind(kind_key)
    if retention not in Retention.values:
        raise InvalidInput("保管期限应为 永久 / 定期30年 / 定期10年", code=Code.RETENTION)
    reason = require_reason(reason, "调整原因")
    with transaction.atomic():
        latest = RetentionRule.objects.select_for_update().filter(kind=kind.key).order_by("-version").first()
        before = latest.retention if latest is not None else kind.retention
        rule = RetentionRule.objects.create(kind=kind.key, version=(latest.version if latest else 0) + 1,
                                            retention=retention, reason=reason, changed_by=user_or_none(actor))
        record_event(actor, "archives.retention_changed", rule, before={"retention": before},
                     after={"kind": kind.key, "retention": retention, "version": rule.version}, note=reason)
    return rule


# -- holds ---------------------------------------------------------------------------------------------------------


def do_place_hold(actor: Any, item: Item, *, reason: str, reference: str = "") -> Hold:
    reason = require_reason(reason, "冻结原因")
    with transaction.atomic():
        hold = Hold.objects.create(item=item, reason=reason, reference=reference.strip()[:100],
                                   placed_by=user_or_none(actor))
        record_event(actor, "archives.hold_placed", item, region_id=item.region_id,
                     after={"hold": hold.pk, "reason": reason, "reference": hold.reference})
    return hold


def do_release_hold(actor: Any, hold: Hold, *, reason: str) -> Hold:
    reason = require_reason(reason, "解除原因")
    with transaction.atomic():
        hold = Hold.objects.select_for_update().get(pk=hold.pk)
        if hold.released_at is not None:
            raise Conflict("该冻结已解除", code=Code.LIST_STATE)
        hold.released_by, hold.released_at, hold.release_reason = user_or_none(actor), timezone.now(), reason
        hold.save()
        record_event(actor, "archives.hold_released", hold.item, region_id=hold.item.region_id,
                     after={"hold": hold.pk, "reason": reason})
    return hold


# -- loans -----------------------------------------------------------------------------------------------------------


def _loan_number(on: dt.date) -> str:
    prefix = f"JY{on:%Y%m%d}"
    last = Loan.objects.filter(number__startswith=prefix).order_by("-number").values_list("number", flat=True).first()
    return f"{prefix}{(int(last[-4:]) + 1) if last else 1:04d}"


def do_request_loan(actor: Any, item: Item, *, purpose: str, days: int) -> Loan:
    """借阅申请: the borrower says why and for how many days (1–30)."""
    if item.status != Item.Status.ARCHIVED:
        raise Conflict("只能借阅已归档的档案", code=Code.NOT_ARCHIVED)
    purpose = require_reason(purpose, "借阅目的")
    if not 1 <= int(days) <= MAX_LOAN_DAYS:
        raise InvalidInput(f"借阅天数应为 1 到 {MAX_LOAN_DAYS} 天", code=Code.LOAN_PERIOD,
                           details=[{"path": "days", "message": f"1–{MAX_LOAN_DAYS}"}])
    with transaction.atomic():
        loan = Loan.objects.create(number=_loan_number(timezone.localdate()), item=item, region_id=item.region_id,
                                   borrower=actor, purpose=purpose, days=int(days))
        record_event(actor, "archives.loan_requested", loan, region_id=item.region_id,
                     after={"item": item.code, "purpose": purpose, "days": loan.days})
    return loan


def do_decide_loan(actor: Any, loan: Loan, *, approve: bool, note: str = "") -> Loan:
    """The archivist approves (the loan runs from today for its days) or refuses (with a reason)."""
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.REQUESTED:
            raise Conflict("该借阅申请已处理", code=Code.LOAN_STATE)
        if loan.borrower_id == getattr(actor, "pk", None):
            raise PermissionDenied("不能审批本人的借阅申请", code=Code.LOAN_OWN)
        if not approve:
            note = require_reason(note, "拒绝理由")
        today = timezone.localdate()
        loan.decided_by, loan.decided_at, loan.decision_note = actor, timezone.now(), note.strip()[:300]
        if approve:
            loan.status, loan.starts_on = Loan.Status.APPROVED, today
            loan.due_on = today + dt.timedelta(days=loan.days - 1)
        else:
            loan.status = Loan.Status.REFUSED
        loan.save()
        record_event(actor, f"archives.loan_{'approved' if approve else 'refused'}", loan, region_id=loan.region_id,
                     before={"status": Loan.Status.REQUESTED},
                     after={"status": loan.status, "due_on": loan.due_on, "note": loan.decision_note})
    return loan


def do_return_loan(actor: Any, loan: Loan) -> Loan:
    with transaction.atomic():
        loan = Loan.objects.select_for_update().get(pk=loan.pk)
        if loan.status != Loan.Status.APPROVED:
            raise Conflict("只有借阅中的档案可以归还", code=Code.LOAN_STATE)
        loan.status, loan.returned_at = Loan.Status.RETURNED, timezone.now()
        loan.save()
        record_event(actor, "archives.loan_returned", loan, region_id=loan.region_id,
                     before={"status": Loan.Status.APPROVED}, after={"status": loan.status})
    return loan


def do_expire_loans(actor: Any = None, *, today: dt.date | None = None) -> int:
    """Loans past their due date end: reading stops and the register flags them overdue (逾期未还)."""
    day = today or timezone.localdate()
    with transaction.atomic():
        due = list(Loan.objects.select_for_update().filter(status=Loan.Status.APPROVED, due_on__lt=day))
        for loan in due:
            loan.status, loan.expired_at = Loan.Status.EXPIRED, timezone.now()
            loan.save(update_fields=["status", "expired_at"])
            record_event(actor, "archives.loan_expired", loan, region_id=loan.region_id,
                         before={"status": Loan.Status.APPROVED}, after={"status": loan.status, "due_on": loan.due_on})
    return len(due)


# -- appraisal and destruction ---------------------------------------------------------------------------------------


def _list_number(on: dt.date) -> str:
    prefix = f"XH{on:%Y}"
    last = (DestructionList.objects.filter(number__startswith=prefix).order_by("-number")
            .values_list("number", flat=True).first())
    return f"{prefix}-{(int(last[-3:]) + 1) if last else 1:03d}"


def do_propose_destruction(actor: Any, items: list[Item], *, reason: str, region_id: str | None) -> DestructionList:
    """The archivist's destruction list (销毁清册) of items past their retention, none held, all of one region."""
    reason = require_reason(reason, "鉴定意见", max_length=500)
    if not items:
        raise InvalidInput("请选择要销毁的档案", code=Code.LIST_EMPTY)
    today = timezone.localdate()
    with transaction.atomic():
        locked = list(Item.objects.select_for_update().filter(pk__in=[i.pk for i in items]).order_by("code"))
        for item in locked:
            _check_destroyable(item, today)
            if item.region_id != region_id:
                raise InvalidInput(f"档案 {item.code} 不属于所选统筹区", code=Code.LIST_REGION)
        dl = DestructionList.objects.create(number=_list_number(today), region_id=region_id, reason=reason,
                                            proposed_by=user_or_none(actor))
        DestructionEntry.objects.bulk_create([
            DestructionEntry(destruction=dl, item=i, code=i.code or "", title=i.title, retention=i.retention,
                             expires_on=i.expires_on or today,
                             files=[{"name": f.name, "sha256": f.sha256} for f in i.files.all()])
            for i in locked])
        record_event(actor, "archives.destruction_proposed", dl, region_id=region_id,
                     after={"number": dl.number, "items": [i.code for i in locked]}, note=reason)
    return dl


def _check_destroyable(item: Item, today: dt.date) -> None:
    if item.status != Item.Status.ARCHIVED:
        raise Conflict(f"档案 {item.code or item.title} 不是已归档状态", code=Code.NOT_ARCHIVED)
    if not item.is_expired(today):
        raise Conflict(f"档案 {item.code} 尚未到保管期满，不能销毁", code=Code.NOT_DUE)
    held = queries.holds_of(item)
    if held:
        raise Conflict(f"档案 {item.code} 因{held[0]}被冻结，不能销毁", code=Code.HELD,
                       details={"item": item.code, "holds": held})


def do_approve_destruction(actor: Any, dl: DestructionList, *, approve: bool, note: str = "") -> DestructionList:
    """The manager (管理岗) and the bureau's supervisor (医保局监督) each approve the list, or either refuses it."""
    post = str(getattr(actor, "post", ""))
    if post not in ("manager", "supervisor"):
        raise PermissionDenied("销毁清册须由管理岗和医保局监督审批", code=Code.APPROVER_POST)
    with transaction.atomic():
        dl = DestructionList.objects.select_for_update().get(pk=dl.pk)
        if dl.status != DestructionList.Status.PROPOSED:
            raise Conflict("该销毁清册已不在待审批状态", code=Code.LIST_STATE)
        already = dl.manager_by_id if post == "manager" else dl.supervisor_by_id
        if already is not None:
            raise Conflict("本岗位已审批过该清册", code=Code.LIST_STATE)
        now = timezone.now()
        if not approve:
            note = require_reason(note, "否决原因")
            dl.status, dl.refused_by, dl.refused_at, dl.refusal_reason = (DestructionList.Status.REFUSED, actor, now,
                                                                          note)
        elif post == "manager":
            dl.manager_by, dl.manager_at, dl.manager_note = actor, now, note.strip()[:300]
        else:
            dl.supervisor_by, dl.supervisor_at, dl.supervisor_note = actor, now, note.strip()[:300]
        if approve and dl.manager_by_id is not None and dl.supervisor_by_id is not None:
            dl.status = DestructionList.Status.APPROVED
        dl.save()
        record_event(actor, f"archives.destruction_{'approved' if approve else 'refused'}", dl,
                     region_id=dl.region_id, after={"post": post, "status": dl.status, "note": note[:300]})
    return dl


def do_execute_destruction(actor: Any, dl: DestructionList) -> DestructionList:
    """Destroy an approved list: each item's files are removed, its catalogue entry and the list are kept. An item
    held meanwhile (an investigation opened after approval) stops the whole execution."""
    today = timezone.localdate()
    with transaction.atomic():
        dl = DestructionList.objects.select_for_update().get(pk=dl.pk)
        if dl.status != DestructionList.Status.APPROVED:
            raise Conflict("销毁清册须经管理岗和医保局监督双方批准后才能执行", code=Code.LIST_STATE)
        items = list(Item.objects.select_for_update().filter(pk__in=dl.entries.values("item")).order_by("code"))
        for item in items:
            _check_destroyable(item, today)
        now = timezone.now()
        paths = []
        for item in items:
            paths.extend(item.files.values_list("path", flat=True))
            item.files.update(destroyed=True)
            item.status, item.destroyed_at, item.destruction = Item.Status.DESTROYED, now, dl
            item.save(update_fields=["status", "destroyed_at", "destruction"])
        dl.status, dl.executed_by, dl.executed_at = DestructionList.Status.EXECUTED, actor, now
        dl.save()
        record_event(actor, "archives.destruction_executed", dl, region_id=dl.region_id,
                     after={"number": dl.number, "items": [i.code for i in items], "files": len(paths)})
        transaction.on_commit(lambda: [storage.remove_file(p) for p in paths])
    return dl


# -- transfer packages -------------------------------------------------------------------------------------------------


def do_export_package(actor: Any, items: list[Item]) -> bytes:
    """A transfer package of archived items (see ``package.py``), recorded as an event."""
    chosen = [i for i in items if i.status == Item.Status.ARCHIVED]
    if not chosen:
        raise InvalidInput("请选择已归档的档案", code=Code.PACKAGE_EMPTY)
    content = build_package(chosen, made_by=str(actor) if actor is not None else "dae")

    with transaction.atomic():
        record_event(actor, "archives.package_exported", object_type="archives.package",
                     object_id=hashlib.sha256(content).hexdigest()[:64],
                     after={"items": [i.code for i in chosen], "bytes": len(content)})
    return content


# -- the daily work ------------------------------------------------------------------------------------------------------


def do_archive_daily(day: dt.date | None = None, *, actor: Any = None, progress: Any = None) -> dict[str, Any]:
    """The daily work for ``day`` (default: yesterday): verify both log chains, anchor each chain's last hash of
    the day as an archival item (日志链存证; a broken chain is an event instead), end expired loans, sweep."""
    day = day or timezone.localdate() - dt.timedelta(days=1)
    results = verify_all(progress=(lambda key, n: progress(n, message=f"校验{CHAINS[key].label}")) if progress else None)
    summary: dict[str, Any] = {"day": day.isoformat(), "chains": {}}
    for verification in results:
        text = describe(verification)
        summary["chains"][verification.spec.key] = {"ok": verification.ok, "message": text}
        code = _anchor_chain_day(verification, text, day, actor)
        if code:
            summary["chains"][verification.spec.key]["item"] = code
    summary["loans_expired"] = do_expire_loans(actor)
    summary["swept"] = do_archive_pending(actor=actor)
    if progress is not None:
        progress(1, 1, message="；".join(v["message"] for v in summary["chains"].values()))
    return summary


def _anchor_chain_day(verification: Any, text: str, day: dt.date, actor: Any) -> str:
    """One chain's day: its anchor archived (the item's code), or the break recorded ("")."""
    spec = verification.spec
    if not verification.ok:
        with transaction.atomic():
            record_event(actor, "archives.chain_broken", object_type="core.logchain", object_id=spec.key,
                         after={"day": day.isoformat(), "message": text})
        return ""
    start = timezone.make_aware(dt.datetime.combine(day, dt.time.min))
    end = start + dt.timedelta(days=1)
    model = spec.model._default_manager
    last = model.filter(at__lt=end).order_by("-seq").values_list("seq", "row_hash").first()
    if last is None:
        return ""
    rows = model.filter(at__gte=start, at__lt=end).count()
    anchor = ChainDay(spec.key, day, int(last[0]), str(last[1]), rows, text)
    with transaction.atomic():
        record_event(actor, "archives.chain_verified", object_type="core.logchain_day", object_id=anchor.key,
                     after={"last_seq": anchor.last_seq, "last_hash": anchor.last_hash, "rows": rows})
    return do_archive("log_anchor", anchor, actor=actor).code
