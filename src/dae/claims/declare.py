"""Submitting and checking a declaration: the job that validates, recomputes and stores it.

``submit_declaration`` stores the file and answers at once; a replay (same hospital and idempotency key, same
content) returns the declaration already made and changes nothing. The job ``run_declaration``:

1. reads and checks every settlement on its own (fields, codes, amount identities, fee-line totals);
2. checks them together: duplicates, replays of stored settlements, hospital, person, coverage on the
   settlement date, region, cancellations against their originals;
3. recomputes every affected person-year with the engine — stored settlements plus the new ones, less the
   cancelled — compares each new payout with the declared ``hifob_pay`` (accepted / differing, the difference
   explained by the trace) and turns every change of a stored settlement's payout into an ``Adjustment``
   (补付 / 追回) for the next statement, never an edit of a paid amount;
4. stores everything in one transaction, with the payment deadline (15 working days).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from dae.benefits.engine import model as em
from dae.benefits.engine.errors import InputInvalid
from dae.benefits.engine.explain import format_trace_zh
from dae.benefits.engine.person_year import calculate
from dae.benefits.engine.results import Calculation
from dae.catalog.models import Hospital
from dae.core.bulk import insert_rows
from dae.core.errors import Conflict, DaeError, NotFound, PermissionDenied
from dae.core.events import event_row, insert_events, jsonable, record_event
from dae.core.jobs import Progress, job_handler, start_job
from dae.core.models import Job
from dae.core.uploads import StoredUpload, discard, store_upload
from dae.dictionaries import codes
from dae.enrollment.coverage import coverage_many
from dae.enrollment.models import Person

from .adjustments import record_adjustments
from .declarations import Incoming, Line, Rejected, read_document
from .models import Declaration, DeclarationItem, FeeLine, Settlement
from .payout import book_for_region, stored_inputs
from .states import ClaimState

MAX_FILE = 4 * 1024 * 1024 * 1024
DEADLINE_DAYS = 15
SUBMIT_POSTS = frozenset({"hospital", "settlement", "manager"})

SETTLEMENT_COLUMNS = (
    "setl_id", "mdtrt_id", "init_setl_id", "psn_no", "person", "hospital", "region", "med_type", "adm_date",
    "dscg_date", "setl_time", "dise_codg", "dise_name", "place_category", "settle_way", "mid_setl_flag",
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "hifob_pay",
    "computed_pay", "state", "declaration", "national",
)
FEE_LINE_COLUMNS = (
    "settlement", "feedetl_sn", "init_feedetl_sn", "fee_ocur_time", "med_list_codg", "medins_list_codg",
    "det_item_fee_sumamt", "cnt", "pric", "chrgitm_lv", "med_chrgitm_type", "overlmt_amt", "fulamt_ownpay_amt",
    "preselfpay_amt", "inscp_scp_amt", "bilg_dept_codg", "bilg_dept_name", "bilg_dr_codg", "bilg_dr_name",
    "dialysis_session",
)


# -- submitting -----------------------------------------------------------------------------------------

def submit_declaration(user: Any, *, file_name: str, chunks: Iterator[bytes]) -> tuple[Declaration, bool]:
    """Store the file and queue its check. Returns (declaration, created); a replay returns the earlier one."""
    if user.post not in SUBMIT_POSTS:
        raise PermissionDenied("当前岗位不能提交月结申报")
    stored = store_upload(chunks, name="declaration.json", folder="declarations", max_bytes=MAX_FILE,
                          too_large="申报文件超过 4 GB", empty="申报文件为空")
    try:
        declaration, created = _accept_stored(user, stored)
    except DaeError:
        discard(stored)  # a refused file is not kept
        raise
    if not created:
        discard(stored)  # a replay: the earlier declaration keeps its own file
        return declaration, False
    job = start_job("declaration", f"月结申报 {declaration.hospital.code} {declaration.month}", user=user,
                    params={"declaration": declaration.pk}, region_id=declaration.region_id,
                    total=declaration.settlements_count)
    Declaration.objects.filter(pk=declaration.pk).update(job=job)
    declaration.refresh_from_db()
    return declaration, True


def _accept_stored(user: Any, stored: StoredUpload) -> tuple[Declaration, bool]:
    """The declaration for a stored file: the earlier one for a replay, else a new one (with its event)."""
    target, sha = stored.path, stored.sha256
    header, _items, count = read_document(target)
    hospital = Hospital.objects.filter(code=header.fixmedins_code).first()
    if hospital is None:
        raise NotFound(f"无此医疗机构：{header.fixmedins_code}", code="unknown_hospital")
    if not Hospital.objects.for_user(user).filter(pk=hospital.pk).exists():
        raise PermissionDenied("无权为该医疗机构申报")
    key = header.idempotency_key or sha
    with transaction.atomic():
        earlier = Declaration.objects.select_for_update().filter(hospital=hospital, idempotency_key=key).first()
        if earlier is not None:
            if earlier.sha256 != sha:
                raise Conflict("该幂等键已用于内容不同的申报", code="idempotency_conflict",
                               details={"declaration": earlier.pk})
            return earlier, False
        declaration = Declaration.objects.create(
            hospital=hospital, region_id=hospital.region_id, month=header.month, idempotency_key=key, sha256=sha,
            path=str(target), settlements_count=count, created_by=user)
        record_event(user, "declaration.received", declaration, region_id=hospital.region_id,
                     after={"hospital": hospital.code, "month": header.month, "settlements": count, "sha256": sha})
    return declaration, True


# -- checking ---------------------------------------------------------------------------------------------

@job_handler("declaration")
def run_declaration(job: Job, progress: Progress) -> dict[str, Any]:
    declaration = Declaration.objects.select_related("hospital", "created_by").get(pk=job.params["declaration"])
    Declaration.objects.filter(pk=declaration.pk).update(status=Declaration.Status.CHECKING)
    try:
        return Check(declaration, progress).run()
    except Exception:
        # only while still checking: once stored, a later failure (the automatic audit) does not undo the storing
        Declaration.objects.filter(pk=declaration.pk, status=Declaration.Status.CHECKING).update(
            status=Declaration.Status.FAILED, note="校验失败，未保存任何结算")
        raise


class Check:
    def __init__(self, declaration: Declaration, progress: Progress) -> None:
        self.declaration = declaration
        self.hospital = declaration.hospital
        self.progress = progress
        self.items: list[Incoming] = []
        self.adjustments: list[tuple[Any, ...]] = []
        self.person_ids: dict[str, tuple[int, str]] = {}
        self.originals: dict[str, Settlement] = {}
        self.keys: dict[tuple[str, str, date], tuple[str, str, date]] = {}
        self.spool: LineSpool

    def run(self) -> dict[str, Any]:
        from .declarations import parse_settlement

        header, stream, count = read_document(Path(self.declaration.path))
        valid = lru_cache(maxsize=None)(codes.is_valid)  # the dictionaries do not change during one check
        self.progress(0, count, "正在校验 (checking)")
        lines = 0
        self.spool = LineSpool(self.declaration.pk)
        try:
            for seq, obj, digest in stream:
                item = parse_settlement(seq, obj, digest, valid)
                lines += len(item.lines)
                self._keep(item)
                self.items.append(item)
                if seq % 200 == 0:
                    self.progress(seq, count)
            self.spool.flush()
            self.progress(len(self.items), len(self.items), "正在核对参保与重复 (cross-checking)")
            self._cross_checks()
            self.progress(len(self.items), len(self.items), "正在重算 (recomputing)")
            self._compute()
            self.progress(len(self.items), len(self.items), "正在保存 (storing)")
            self._store(lines)
        finally:
            self.spool.drop()
        d = self.declaration
        from dae.auditing.runs import audit_declaration  # the automatic first review of every stored settlement

        self.progress(len(self.items), len(self.items), "正在智能审核 (auditing)")
        audit_declaration(d, d.created_by)
        self.progress(len(self.items), len(self.items),
                      f"通过 {d.accepted}，差异 {d.differing}，拒绝 {d.rejected}，重复 {d.replayed}")
        return {"url": reverse("claims:declaration_detail", args=[d.pk]), "declaration": d.pk,
                "accepted": d.accepted, "differing": d.differing, "rejected": d.rejected, "replayed": d.replayed}

    def _keep(self, item: Incoming) -> None:
        """What the later steps need of a read settlement: its lines go to the spool (only a settlement read
        without a problem can be stored), the catalogue keys and the count stay; the lines themselves stay only
        for dialysis, which the engine computes line by line. So the whole file is never held at once."""
        item.line_count = len(item.lines)
        if item.rejected is not None or not item.lines:
            item.lines = []
            return
        self.spool.add(item.seq, item.lines)
        days: dict[Any, date] = {}
        keys: dict[tuple[str, str, date], None] = {}
        for line in item.lines:
            when = line.values[2]
            day = days.get(when)
            if day is None:
                day = days[when] = timezone.localtime(when).date()
            key = (line.values[4], line.values[3], day)
            keys[self.keys.setdefault(key, key)] = None  # one tuple per distinct key for the whole file
        item.line_keys = tuple(keys)
        if not any(line.dialysis for line in item.lines):
            item.lines = []

    def live(self) -> Iterator[Incoming]:
        return (i for i in self.items if i.rejected is None and i.outcome != DeclarationItem.Outcome.REPLAYED)

    def _reject(self, item: Incoming, code: str, detail: str = "") -> None:
        item.rejected = Rejected(code, detail)

    def _cross_checks(self) -> None:  # noqa: C901 -- issue 14: split after the declaration-speed work in this file lands
        seen: dict[str, int] = {}
        for item in self.items:
            if item.rejected is not None:
                continue
            if item.setl_id in seen:
                self._reject(item, "duplicate_in_declaration", f"与第 {seen[item.setl_id]} 笔重复")
                continue
            seen[item.setl_id] = item.seq
            code = str(item.setlinfo.get("fixmedins_code") or self.hospital.code)
            if code != self.hospital.code:
                self._reject(item, "hospital_mismatch", code)
        live = list(self.live())
        stored = {}
        ids = [i.setl_id for i in live]
        for start in range(0, len(ids), 900):
            for s in Settlement.objects.filter(setl_id__in=ids[start:start + 900]).only("setl_id", "national"):
                stored[s.setl_id] = s.national.get("_hash", "")
        for item in live:
            if item.setl_id in stored:
                if stored[item.setl_id] == item.raw_hash:
                    item.outcome = DeclarationItem.Outcome.REPLAYED
                else:
                    self._reject(item, "duplicate_setl_id")
        live = list(self.live())
        psn_nos = sorted({i.psn_no for i in live})
        for start in range(0, len(psn_nos), 900):
            for pk, psn_no, region in Person.objects.filter(psn_no__in=psn_nos[start:start + 900]).values_list(
                    "id", "psn_no", "region_id"):
                self.person_ids[psn_no] = (pk, region)
        self._check_cancellations(live)
        self._check_catalogue([i for i in live if i.rejected is None and i.line_count])
        questions = [(i.psn_no, i.setl_time.date()) for i in live if not i.init_setl_id and i.setl_time
                     and i.psn_no in self.person_ids]
        answers = coverage_many(questions)
        for item in self.live():
            if item.psn_no not in self.person_ids:
                self._reject(item, "unknown_person", item.psn_no)
                continue
            if item.init_setl_id:
                continue
            assert item.setl_time is not None
            answer = answers[(item.psn_no, item.setl_time.date())]
            if not answer.covered:
                self._reject(item, "not_covered", f"{item.setl_time.date()}：{answer.reason}")
                continue
            item.region_id = answer.region_id or ""
            if item.region_id != self.hospital.region_id and item.place_category == "local":
                self._reject(item, "region_mismatch", f"参保地 {item.region_id}，医疗机构 {self.hospital.region_id}")

    def _check_catalogue(self, items: list[Incoming]) -> None:
        """National codes must be in the catalogue on the fee date (else rejected); hospital codes without a
        mapping are reported on the settlement's result, never guessed. An empty catalogue is said, not assumed."""
        if not items:
            return
        from dae.catalog.models import CatalogueItem
        from dae.catalog.queries import MISMATCH, MISSING_CODE, UNMAPPED, check_mapping, item_versions

        if not CatalogueItem.objects.exists():
            self.declaration.note = "基本医疗目录为空，未核对目录编码与对码"
            return
        # every distinct (hospital code, national code, day) once: a file repeats the same few thousand
        distinct = list(dict.fromkeys(key for item in items for key in item.line_keys))
        versions = item_versions({national for _own, national, _day in distinct})
        known = {key for key in distinct if any(v.covers(key[2]) for v in versions.get(key[1], ()))}
        for item in items:
            for key in item.line_keys:  # the first line not in the catalogue names the rejection
                if key not in known:
                    self._reject(item, "unknown_catalogue_code", f"{key[1]}（{key[2].isoformat()}）")
                    break
        unmapped: dict[tuple[str, str, date], set[str]] = defaultdict(set)
        for problem in check_mapping(self.hospital, distinct):
            if problem.kind in (UNMAPPED, MISMATCH, MISSING_CODE):
                unmapped[distinct[problem.index]].add(problem.medins_list_codg or "—")
        for item in items:
            if item.rejected is None:
                unique = sorted({code for key in item.line_keys for code in unmapped.get(key, ())})
                if unique:
                    item.mapping_note = ("未对码或对码不一致的医院目录编码：" + "、".join(unique[:10])
                                         + (f" 等 {len(unique)} 个" if len(unique) > 10 else ""))

    def _check_cancellations(self, live: list[Incoming]) -> None:
        cancels = [i for i in live if i.init_setl_id]
        if not cancels:
            return
        in_file = {i.setl_id: i for i in live if not i.init_setl_id}
        wanted = [i.init_setl_id for i in cancels if i.init_setl_id not in in_file]
        for s in Settlement.objects.filter(setl_id__in=wanted):
            self.originals[s.setl_id] = s
        already = set(Settlement.objects.filter(init_setl_id__in=[i.init_setl_id for i in cancels])
                      .values_list("init_setl_id", flat=True))
        fields = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                  "hifob_pay")
        claimed: set[str] = set()
        for item in cancels:
            original = self.originals.get(item.init_setl_id)
            new_original = in_file.get(item.init_setl_id)
            if original is None and new_original is None:
                self._reject(item, "bad_cancellation", f"原结算 {item.init_setl_id} 不存在")
                continue
            if item.init_setl_id in already or item.init_setl_id in claimed or (
                    original is not None and original.state == ClaimState.CANCELLED):
                self._reject(item, "bad_cancellation", f"原结算 {item.init_setl_id} 已撤销")
                continue
            if original is not None:
                amounts = {f: getattr(original, f) for f in fields}
                same_person = original.psn_no == item.psn_no and original.hospital_id == self.hospital.pk
                item.region_id = original.region_id
            else:
                assert new_original is not None
                amounts = {f: new_original.money[f] for f in fields}
                same_person = new_original.psn_no == item.psn_no
            if not same_person:
                self._reject(item, "bad_cancellation", "与原结算的人员或医疗机构不一致")
                continue
            wrong = [f for f in fields if amounts[f] is None or item.money[f] != -amounts[f]]
            if wrong:
                self._reject(item, "bad_cancellation", f"金额应为原结算的相反数：{'、'.join(wrong)}")
                continue
            claimed.add(item.init_setl_id)

    # -- recomputation -------------------------------------------------------------------------------------
    def _compute(self) -> None:
        live = list(self.live())
        by_setl_id = {i.setl_id: i for i in live}
        for item in live:
            if item.init_setl_id and not item.region_id:  # the original is earlier in this declaration
                item.region_id = by_setl_id[item.init_setl_id].region_id
        by_person: dict[str, list[Incoming]] = defaultdict(list)
        for item in live:
            by_person[item.psn_no].append(item)
        psn_nos = sorted(by_person)
        stored: dict[str, list[em.Settlement]] = {}
        for start in range(0, len(psn_nos), 500):
            stored.update(stored_inputs(psn_nos[start:start + 500]))
        books: dict[str, Any] = {}
        done = 0
        for psn_no in psn_nos:
            items = by_person[psn_no]
            region = items[0].region_id
            if region not in books:
                books[region] = book_for_region(region)
            self._compute_person(psn_no, items, stored.get(psn_no, []), books[region])
            done += len(items)
            if done % 500 < len(items):
                self.progress(done, len(self.items))

    def _compute_person(self, psn_no: str, items: list[Incoming], stored: list[em.Settlement], book: Any) -> None:
        regular = [i for i in items if not i.init_setl_id]
        cancelled = {i.init_setl_id for i in items if i.init_setl_id}
        new_inputs = {i.setl_id: _engine_input(i) for i in regular}
        try:
            before = calculate(stored, book, trace=False) if stored else Calculation(())
            with_new = calculate([*stored, *new_inputs.values()], book, trace=False)
            final = calculate([s for s in [*stored, *new_inputs.values()] if s.setl_id not in cancelled], book,
                              trace=False) if cancelled else with_new
        except InputInvalid as exc:
            message = "；".join(e.message_zh for e in exc.errors[:3])
            for item in items:
                self._reject(item, "engine_refused", message)
            return
        for item in regular:
            source = with_new if item.setl_id in cancelled else final
            result = source.settlement(item.setl_id)
            assert result is not None
            item.computed = result.payout
            if item.computed == item.declared:
                item.outcome = DeclarationItem.Outcome.ACCEPTED
            else:
                item.outcome = DeclarationItem.Outcome.DIFFERING
                traced = calculate([s for s in [*stored, *new_inputs.values()]
                                    if s.setl_id not in cancelled or s.setl_id == item.setl_id], book, trace=True)
                explained = traced.settlement(item.setl_id)
                item.explanation = format_trace_zh(explained) if explained is not None else ""
        for item in items:
            if item.init_setl_id:
                previous = before.settlement(item.init_setl_id) or with_new.settlement(item.init_setl_id)
                item.computed = -previous.payout if previous is not None else item.declared
                item.outcome = (DeclarationItem.Outcome.ACCEPTED if item.computed == item.declared
                                else DeclarationItem.Outcome.DIFFERING)
        cause = min(items, key=lambda i: i.seq).setl_id
        for person_year in before.person_years:
            for old in person_year.settlements:
                if old.setl_id in cancelled:
                    continue
                new = final.settlement(old.setl_id)
                assert new is not None
                if new.payout != old.payout:
                    reason = "cancelled_related" if cancelled else "late_settlement"
                    self.adjustments.append((old.setl_id, old.payout, new.payout, reason, cause))

    # -- storing ---------------------------------------------------------------------------------------------
    def _store(self, lines_count: int) -> None:
        d = self.declaration
        today = timezone.localdate()
        from dae.workdays.service import deadline, warning_dict

        due = deadline(today, DEADLINE_DAYS)
        stored_items = [i for i in self.items if i.rejected is None and i.outcome in (
            DeclarationItem.Outcome.ACCEPTED, DeclarationItem.Outcome.DIFFERING)]
        now = timezone.now()
        actor = d.created_by_id
        with transaction.atomic():
            insert_rows(Settlement, SETTLEMENT_COLUMNS, (self._settlement_row(i) for i in stored_items))
            ids = {}
            wanted = [i.setl_id for i in stored_items]
            for start in range(0, len(wanted), 900):
                ids.update(Settlement.objects.filter(setl_id__in=wanted[start:start + 900])
                           .values_list("setl_id", "id"))
            self.spool.store({i.seq: ids[i.setl_id] for i in stored_items})
            cancelled = dict(Settlement.objects.filter(
                setl_id__in=[i.init_setl_id for i in stored_items if i.init_setl_id]).values_list("setl_id", "id"))
            if cancelled:
                Settlement.objects.filter(pk__in=cancelled.values()).update(state=ClaimState.CANCELLED)
            insert_rows(DeclarationItem, ("declaration", "seq", "setl_id", "psn_no", "init_setl_id", "outcome",
                                          "reason_code", "reason", "declared_pay", "computed_pay", "difference"),
                        (self._item_row(i) for i in self.items))
            self._post_payables(ids, today)
            self._store_adjustments(now)
            events = []
            for i in stored_items:
                state = ClaimState.PAYABLE if i.outcome == DeclarationItem.Outcome.ACCEPTED else ClaimState.COMPUTED
                events.append(event_row(
                    actor, f"claim.{state}", object_type="claims.settlement", object_id=ids[i.setl_id],
                    region_id=i.region_id, after={"state": state, "computed_pay": i.computed}, at=now,
                    note=f"申报 #{d.pk}：已受理 → 已计算" + (" → 待支付" if state == ClaimState.PAYABLE else "")))
            for setl_id, pk in cancelled.items():
                events.append(event_row(actor, "claim.cancelled", object_type="claims.settlement", object_id=pk,
                                        region_id=d.region_id, after={"state": "cancelled"}, at=now,
                                        note=f"申报 #{d.pk} 中的撤销结算 {setl_id}"))
            insert_events(events)
            outcome = defaultdict(int)
            for i in self.items:
                outcome["rejected" if i.rejected is not None else i.outcome] += 1
            d.accepted, d.differing = outcome["accepted"], outcome["differing"]
            d.rejected, d.replayed = outcome["rejected"], outcome["replayed"]
            d.lines_count = lines_count
            d.settlements_count = len(self.items)
            d.declared_total = sum((i.declared or Decimal(0) for i in stored_items), Decimal("0.00"))
            d.computed_total = sum((i.computed or Decimal(0) for i in stored_items), Decimal("0.00"))
            d.status = Declaration.Status.CHECKED
            d.checked_on = today
            d.pay_deadline = due.due
            d.deadline_warnings = [warning_dict(w) for w in due.warnings]
            d.save()
            record_event(d.created_by, "declaration.checked", d, region_id=d.region_id,
                         after={"accepted": d.accepted, "differing": d.differing, "rejected": d.rejected,
                                "replayed": d.replayed, "declared_total": d.declared_total,
                                "computed_total": d.computed_total, "pay_deadline": d.pay_deadline,
                                "adjustments": len(self.adjustments)})

    def _post_payables(self, ids: dict[str, int], today: date) -> None:
        """The ledger's 补助支出 / 应付医疗机构 for every settlement that became payable, in the same transaction as
        the settlements. A 2305 cancellation posts the reverse of its original — unless the original was never
        payable (a differing settlement not yet decided): then nothing was owed and the cancellation is closed
        as cancelled too."""
        from dae.ledger.actions import do_post_many
        from dae.ledger.entries import entry_settlement_payable, settlement_key
        from dae.ledger.models import Transaction

        accepted = [i.setl_id for i in self.items if i.rejected is None
                    and i.outcome == DeclarationItem.Outcome.ACCEPTED and i.setl_id in ids]
        # accepted ones are payable, or already cancelled by a 2305 later in the same file (posted all the same)
        payable = list(Settlement.objects.filter(pk__in=[ids[x] for x in accepted]).only(
            "setl_id", "init_setl_id", "region_id", "settle_way", "computed_pay", "hifob_pay"))
        originals = [settlement_key(s.init_setl_id) for s in payable if s.init_setl_id]
        posted = {settlement_key(s.setl_id) for s in payable if entry_settlement_payable(s, on=today) is not None}
        for start in range(0, len(originals), 900):
            posted.update(Transaction.objects.filter(idempotency_key__in=originals[start:start + 900])
                          .values_list("idempotency_key", flat=True))
        unowed = [s for s in payable if s.init_setl_id and settlement_key(s.init_setl_id) not in posted]
        if unowed:
            Settlement.objects.filter(pk__in=[s.pk for s in unowed]).update(state=ClaimState.CANCELLED)
            insert_events(event_row(self.declaration.created_by, "claim.cancelled", object_type="claims.settlement",
                                    object_id=s.pk, region_id=s.region_id, after={"state": "cancelled"},
                                    note=f"撤销的原结算 {s.init_setl_id} 未曾确认应付，撤销结算无需冲减")
                          for s in unowed)
        skip = {s.pk for s in unowed}
        do_post_many((e for s in payable if s.pk not in skip
                      if (e := entry_settlement_payable(s, on=today)) is not None),
                     actor=self.declaration.created_by)

    def _settlement_row(self, i: Incoming) -> tuple[Any, ...]:
        info = i.setlinfo
        state = ClaimState.PAYABLE if i.outcome == DeclarationItem.Outcome.ACCEPTED else ClaimState.COMPUTED
        national = {"setlinfo": info, "setldetail": i.setldetail, "_hash": i.raw_hash}
        return (i.setl_id, i.mdtrt_id, i.init_setl_id, i.psn_no, self.person_ids[i.psn_no][0], self.hospital.pk,
                i.region_id, i.med_type, i.adm_date, i.dscg_date, i.setl_time,
                str(info.get("dise_no") or info.get("dise_codg") or "")[:20],
                str(info.get("dise_name") or "")[:100], i.place_category, "direct",
                str(info.get("mid_setl_flag") or "0") == "1", i.money["medfee_sumamt"], i.money["fulamt_ownpay_amt"],
                i.money["overlmt_selfpay"], i.money["preselfpay_amt"], i.money["inscp_scp_amt"], i.declared,
                i.computed, state, self.declaration.pk, json.dumps(jsonable(national), ensure_ascii=False))

    def _item_row(self, i: Incoming) -> tuple[Any, ...]:
        if i.rejected is not None:
            return (self.declaration.pk, i.seq, i.setl_id[:30], i.psn_no, i.init_setl_id,
                    DeclarationItem.Outcome.REJECTED, i.rejected.code, i.rejected.reason[:500], i.declared, None,
                    None)
        difference = None if i.computed is None or i.declared is None else i.computed - i.declared
        reason = i.mapping_note
        if i.outcome == DeclarationItem.Outcome.DIFFERING:
            reason = f"核定 {i.computed}，申报 {i.declared}，差额 {difference}"
            if i.mapping_note:
                reason += "｜" + i.mapping_note
            if i.explanation:
                reason += "｜" + i.explanation.splitlines()[0]
        return (self.declaration.pk, i.seq, i.setl_id, i.psn_no, i.init_setl_id, i.outcome,
                "payout_difference" if i.outcome == DeclarationItem.Outcome.DIFFERING else "", reason[:500],
                i.declared, i.computed, difference)

    def _store_adjustments(self, now: Any) -> None:
        record_adjustments(self.declaration.created_by, self.adjustments, self.declaration.month)


class LineSpool:
    """The fee lines read, parked in a temporary table (by settlement ``seq`` and line order) until the store
    copies those of the stored settlements into ``FeeLine`` with one ``INSERT … SELECT``: the lines are read once
    and never all held in memory. COPY on PostgreSQL, ``executemany`` in big batches on SQLite."""

    BATCH = 20_000

    def __init__(self, declaration_id: int) -> None:
        self.table = f"dae_declaration_lines_{declaration_id}"
        self.fields = [FeeLine._meta.get_field(name) for name in FEE_LINE_COLUMNS[1:]]
        self.datetimes = [i + 2 for i, f in enumerate(self.fields) if f.get_internal_type() == "DateTimeField"]
        self.pending: list[list[Any]] = []
        quote = connection.ops.quote_name
        self.columns = ", ".join(quote(f.column) for f in self.fields)  # type: ignore[union-attr]
        definition = ", ".join(f"{quote(f.column)} {f.db_type(connection)}" for f in self.fields)  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {quote(self.table)}")
            cursor.execute(f"CREATE TEMPORARY TABLE {quote(self.table)} (seq integer NOT NULL, n integer NOT NULL, "
                           f"{definition})")

    def add(self, seq: int, lines: list[Line]) -> None:
        self.pending.extend([seq, n, *line.values] for n, line in enumerate(lines))
        if len(self.pending) >= self.BATCH:
            self.flush()

    def flush(self) -> None:
        rows, self.pending = self.pending, []
        if not rows:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            if connection.vendor == "postgresql":
                with cursor.cursor.copy(f"COPY {quote(self.table)} (seq, n, {self.columns}) FROM STDIN") as copy:
                    for row in rows:
                        copy.write_row(row)
                return
            adapt = connection.ops.adapt_datetimefield_value
            for row in rows:
                for i in self.datetimes:
                    row[i] = adapt(row[i])
            marks = ", ".join(["%s"] * (len(self.fields) + 2))
            cursor.executemany(f"INSERT INTO {quote(self.table)} (seq, n, {self.columns}) VALUES ({marks})", rows)

    def store(self, settlement_ids: dict[int, int]) -> None:
        """Copy the lines of the stored settlements (``seq`` -> settlement id) into ``FeeLine``."""
        quote = connection.ops.quote_name
        ids = quote(self.table + "_ids")
        selected = ", ".join(f"t.{quote(f.column)}" for f in self.fields)  # type: ignore[union-attr]
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {ids}")
            cursor.execute(f"CREATE TEMPORARY TABLE {ids} (seq integer PRIMARY KEY, settlement_id bigint NOT NULL)")
            cursor.executemany(f"INSERT INTO {ids} (seq, settlement_id) VALUES (%s, %s)",
                               list(settlement_ids.items()))
            cursor.execute(f"INSERT INTO {quote(FeeLine._meta.db_table)} (settlement_id, {self.columns}) "
                           f"SELECT m.settlement_id, {selected} FROM {quote(self.table)} t "
                           f"JOIN {ids} m ON m.seq = t.seq ORDER BY t.seq, t.n")
            cursor.execute(f"DROP TABLE {ids}")

    def drop(self) -> None:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TABLE IF EXISTS {connection.ops.quote_name(self.table)}")


def _engine_input(i: Incoming) -> em.Settlement:
    dialysis = any(line.dialysis for line in i.lines)
    assert i.setl_time is not None
    lines: tuple[em.FeeLine, ...] = ()
    if dialysis:
        lines = tuple(em.FeeLine(
            feedetl_sn=v[0], init_feedetl_sn=v[1] or None, det_item_fee_sumamt=v[5], cnt=v[6], pric=v[7],
            chrgitm_lv=em.ChargeLevel(v[8]), med_chrgitm_type=v[9], overlmt_amt=v[10], med_list_codg=v[3],
            dialysis_session=v[18] or None) for v in (line.values for line in i.lines))
    totals = None if dialysis else em.NationalTotals(
        i.money["medfee_sumamt"], i.money["fulamt_ownpay_amt"], i.money["overlmt_selfpay"],
        i.money["preselfpay_amt"], i.money["inscp_scp_amt"])
    return em.Settlement(setl_id=i.setl_id, psn_no=i.psn_no, setl_time=i.setl_time,
                         place_category=em.PlaceCategory(i.place_category), settle_way=em.SettleWay.DIRECT,
                         adm_date=i.adm_date, dscg_date=i.dscg_date, med_type=i.med_type, mdtrt_id=i.mdtrt_id,
                         fee_lines=lines, totals=totals)


def pay_deadline_days_left(declaration: Declaration, today: date | None = None) -> int | None:
    """Working days left before the payment deadline (negative when overdue)."""
    if declaration.pay_deadline is None:
        return None
    from dae.workdays.service import working_days_between

    return working_days_between(today or timezone.localdate(), declaration.pay_deadline)
