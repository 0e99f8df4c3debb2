"""The ledger's writes: the only way money enters the ledger.

    from dae.ledger.actions import Cr, Dr, do_post, do_reverse

    txn = do_post([Dr("5001", "1200.00"), Cr("2201", "1200.00")], date=day, description="补助支出 SA0001",
                  reference=("claims.settlement", "SA0001"), key="settlement:SA0001:payable", actor=user,
                  region="220282")

``do_post`` checks the posting rules (``rules.check_lines``) and the accounts, then writes the transaction, its
legs and an event in one atomic block — inside the caller's transaction when there is one, so a business
change and its posting commit or fail together. It is idempotent by ``key``: the same key with the same
content returns the transaction already posted; with different content it raises ``IdempotencyConflict``.
``do_reverse`` posts the mirror transaction (冲正) of a posted one, at most once. ``do_post_many`` is the bulk
path (loads and benchmarks) with the same checks. The business entries (业务记账: a settlement payable, 补付/追回,
a deduction, an offset, a payment, the fund's own two-leg movements) post through ``do_post_<fact>``, each
building its legs with the recipe in ``entries.py``. Nothing here updates or deletes a ledger row, ever.

A region's days closed after bank reconciliation (日清日结, ``models.DayClose``) are final: every write path here
refuses an entry dated on or before the region's latest closed day (``DayClosed``, code ``day_closed``), at the
cost of one indexed query per post (per chunk and new region in ``do_post_many``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from itertools import islice
from typing import Any

from django.db import IntegrityError, connection, transaction
from django.db.models import Max
from django.utils import timezone

from dae.core.bulk import insert_rows
from dae.core.codes import CoreCode
from dae.core.events import record_event, user_or_none
from dae.core.inputs import InputCode
from dae.core.models import Region

from .codes import Code
from .entries import (
    CLAIMS_EXPENSE,
    PAYABLE_HOSPITALS,
    RECOVERABLE,
    SPENDING_BANK,
    Entry,
    Reference,
    entry_adjustment,
    entry_settlement_payable,
)
from .errors import AlreadyReversed, DayClosed, IdempotencyConflict, InvalidEntry, NotReversible
from .models import Account, DayClose, Leg, Transaction
from .queries import closed_through
from .rules import Cr, Dr, Line, Problem, check_lines, fingerprint, mirror, normalised

__all__ = ["Cr", "Dr", "Entry", "Line", "do_post", "do_post_adjustment", "do_post_deduction", "do_post_many",
           "do_post_offset", "do_post_payment", "do_post_settlement_payable", "do_post_simple", "do_reverse"]


def _region_code(region: Region | str | None) -> str:
    code = region.pk if isinstance(region, Region) else (region or "")
    return str(code)


def _check_text(description: str, reference: Reference, key: str) -> list[Problem]:
    problems = []
    if not description.strip():
        problems.append(Problem(Code.NO_DESCRIPTION, "请填写摘要", "the description is empty"))
    elif len(description) > 300:
        problems.append(Problem(Code.DESCRIPTION_TOO_LONG, "摘要不能超过 300 字", "the description exceeds 300 characters"))
    ref_type, ref_id = reference
    if not ref_type or len(ref_type) > 64 or len(str(ref_id)) > 64:
        problems.append(Problem(Code.BAD_REFERENCE, "业务类型须填写，业务类型和业务编号均不超过 64 个字符",
                                "the reference type is required; type and id are at most 64 characters"))
    if not key or len(key) > 128:
        problems.append(Problem(CoreCode.BAD_KEY, "幂等键须填写且不超过 128 个字符",
                                "the idempotency key is required and at most 128 characters"))
    return problems


def _check_accounts(lines: Sequence[Line], accounts: dict[str, Account], region: str) -> list[Problem]:
    problems = []
    for number, line in enumerate(lines, start=1):
        account = accounts.get(line.account)
        if account is None:
            problems.append(Problem(Code.UNKNOWN_ACCOUNT, f"第 {number} 条分录的科目 {line.account} 不存在",
                                    f"leg {number}: no account {line.account}", number))
        elif not account.active:
            problems.append(Problem(Code.INACTIVE_ACCOUNT, f"第 {number} 条分录的科目 {account} 已停用",
                                    f"leg {number}: account {account.code} is inactive", number))
        elif not account.postable:
            problems.append(Problem(Code.GROUP_ACCOUNT, f"第 {number} 条分录的科目 {account} 是汇总科目，请记到其明细科目",
                                    f"leg {number}: {account.code} is a group account", number))
        elif account.region_id is not None and account.region_id != region:
            problems.append(Problem(Code.OTHER_REGION, f"第 {number} 条分录的科目 {account} 只用于统筹区 {account.region_id}",
                                    f"leg {number}: {account.code} belongs to region {account.region_id}", number))
    return problems


def _raise(problems: list[Problem], prefix: str = "") -> None:
    if problems:
        first = problems[0]
        raise InvalidEntry(prefix + first.message, code=first.code, details=[p.as_dict() for p in problems])


def _checked(lines: Sequence[Line], description: str, reference: Reference, key: str) -> list[Line]:
    """Legs that passed the posting rules, amounts quantized to the fen (raises ``InvalidEntry``)."""
    _raise(_check_text(description, reference, key) + check_lines(lines))
    return normalised(lines)


def _lock_regions(codes: set[str]) -> set[str]:
    """The codes among ``codes`` that are regions. On PostgreSQL their rows are also held with KEY SHARE until
    commit: closing a day takes the row FOR UPDATE, so a close waits for the postings in flight and a posting
    waits for a close in flight — the closed-day check that follows then reads a settled state. Postings do not
    block each other (KEY SHARE does not conflict with itself)."""
    if connection.vendor != "postgresql":
        return set(Region.objects.filter(pk__in=codes).values_list("pk", flat=True))
    table, column = Region._meta.db_table, Region._meta.pk.column  # type: ignore[union-attr]
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {connection.ops.quote_name(column)} FROM {connection.ops.quote_name(table)} "
                       f"WHERE {connection.ops.quote_name(column)} = ANY(%s) FOR KEY SHARE", [sorted(codes)])
        return {row[0] for row in cursor.fetchall()}


def _refuse_closed(region: str, on: dt.date, closed: dt.date | None, prefix: str = "") -> None:
    if closed is not None and on <= closed:
        message = f"{prefix}统筹区 {region} 已日结至 {closed.isoformat()}，凭证日期须晚于该日（更正请在以后日期记账）"
        raise DayClosed(message, details=[Problem(
            Code.DAY_CLOSED, message, f"region {region} is closed through {closed.isoformat()}; the entry's date "
            f"{on.isoformat()} must be later (post a correction on a later date)").as_dict()])


def _replayed(key: str, print_: str) -> Transaction | None:
    """The transaction already posted under ``key`` when its content is the same; raises when it differs."""
    existing = Transaction.objects.filter(idempotency_key=key).first()
    if existing is None:
        return None
    if existing.fingerprint != print_:
        raise IdempotencyConflict(
            f"幂等键 {key} 已用于凭证 #{existing.pk}，但内容不同；重试须提交相同内容，新的凭证须使用新的幂等键",
            details={"transaction": existing.pk})
    return existing


def _write(lines: list[Line], *, on: dt.date, description: str, reference: Reference, key: str, actor: Any,
           region: str, reverses: Transaction | None, action: str, note: str) -> Transaction:
    ref = (reference[0], str(reference[1]))
    print_ = fingerprint(lines, on=on, description=description, reference=ref, region=region,
                         reverses=reverses.pk if reverses is not None else None)
    with transaction.atomic():
        existing = _replayed(key, print_)
        if existing is not None:
            return existing
        if not _lock_regions({region}):
            raise InvalidEntry(f"统筹区 {region or '（空）'} 不存在", code=InputCode.INVALID_REGION)
        _refuse_closed(region, on, closed_through(region))
        accounts = Account.objects.in_bulk({line.account for line in lines}, field_name="code")
        _raise(_check_accounts(lines, accounts, region))
        try:
            with transaction.atomic():
                txn = Transaction.objects.create(
                    date=on, description=description, reference_type=ref[0], reference_id=ref[1],
                    idempotency_key=key, fingerprint=print_, reverses=reverses, region_id=region,
                    posted_by=user_or_none(actor))
        except IntegrityError:
            # a concurrent post with the same key committed first: answer as for a retry
            existing = _replayed(key, print_)
            if existing is None:
                raise
            return existing
        Leg.objects.bulk_create(
            [Leg(transaction=txn, account=accounts[line.account], debit=line.debit, credit=line.credit)
             for line in lines])
        record_event(actor, action, txn, region_id=region, note=note[:500], after={
            "date": on, "description": description, "reference": list(ref), "key": key,
            "reverses": reverses.pk if reverses is not None else None,
            "legs": [[line.account, line.debit, line.credit] for line in lines]})
    return txn


def do_post(lines: Sequence[Line], *, date: dt.date, description: str, reference: Reference, key: str, actor: Any,
            region: Region | str) -> Transaction:
    """Post one balanced transaction and its event; return it (or the one already posted under ``key``).

    ``lines``: at least two ``Line`` (use ``Dr``/``Cr``), account codes of active postable accounts.
    ``reference``: (type, id) of the business object, e.g. ``("claims.settlement", "SA0001")``.
    Raises ``InvalidEntry`` (a broken rule, all listed in ``details``) or ``IdempotencyConflict``.
    """
    checked = _checked(lines, description, reference, key)
    return _write(checked, on=date, description=description.strip(), reference=reference, key=key, actor=actor,
                  region=_region_code(region), reverses=None, action="ledger.posted", note=description)


def do_reverse(txn: Transaction, *, date: dt.date, reason: str, actor: Any) -> Transaction:
    """Post the reversal (冲正) of ``txn``: the same legs on the opposite sides, pointing to ``txn``.

    A transaction is reversed at most once (``AlreadyReversed``); a reversal is not reversed again and the
    reversal is not dated before the original (``NotReversible``) — post a new entry instead. Like any entry, the
    reversal is refused when dated on or before the region's latest closed day (``DayClosed``, via ``_write``).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidEntry("请填写冲正原因", code=CoreCode.REASON_REQUIRED, details=[{"path": "reason", "message": "请填写冲正原因"}])
    with transaction.atomic():
        original = Transaction.objects.select_for_update().get(pk=txn.pk)
        if original.reverses_id is not None:
            raise NotReversible(f"凭证 #{original.pk} 本身是冲正凭证，不能再冲正；如需更正请另行记账")
        done = Transaction.objects.filter(reverses=original).first()
        if done is not None:
            raise AlreadyReversed(f"凭证 #{original.pk} 已于 {done.date} 冲正（凭证 #{done.pk}），不能重复冲正",
                                  details={"reversal": done.pk})
        if date < original.date:
            raise NotReversible(f"冲正日期 {date} 不能早于原凭证日期 {original.date}")
        lines = mirror([Line(code, debit, credit) for code, debit, credit in
                        original.legs.order_by("id").values_list("account__code", "debit", "credit")])
        description = f"冲正凭证 #{original.pk}：{reason}"[:300]
        return _write(lines, on=date, description=description, reference=(original.reference_type,
                      original.reference_id), key=f"reversal:{original.pk}", actor=actor,
                      region=original.region_id, reverses=original, action="ledger.reversed", note=reason)


# -- the bulk path -------------------------------------------------------------------------------------------

def _chunks(entries: Iterable[Entry], size: int) -> Iterator[list[Entry]]:
    iterator = iter(entries)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _closed_days(chunk: list[Entry], closed: dict[str, dt.date | None]) -> None:
    """Fill ``closed`` with the latest closed day of each region new in ``chunk`` (locking it first, see
    ``_lock_regions``): one grouped query per chunk that brings new regions; a region once locked cannot be
    closed further before this transaction ends, so what is cached stays true."""
    new = {e.region for e in chunk} - set(closed)
    if not new:
        return
    _lock_regions(new)
    latest = dict(DayClose.objects.filter(region_id__in=new).values("region_id").annotate(last=Max("day"))
                  .order_by().values_list("region_id", "last"))
    closed.update({code: latest.get(code) for code in new})


def _check_chunk(chunk: list[Entry], offset: int, accounts: dict[str, Account], regions: set[str],
                 seen: set[str], closed: dict[str, dt.date | None]) -> list[tuple[Entry, list[Line], str]]:
    checked = []
    _closed_days([e for e in chunk if e.region in regions], closed)
    for number, entry in enumerate(chunk, start=offset + 1):
        prefix = f"第 {number} 笔凭证："
        _raise(_check_text(entry.description, entry.reference, entry.key) + check_lines(entry.lines), prefix)
        _raise(_check_accounts(entry.lines, accounts, entry.region), prefix)
        if entry.region not in regions:
            raise InvalidEntry(f"{prefix}统筹区 {entry.region} 不存在", code=InputCode.INVALID_REGION)
        _refuse_closed(entry.region, entry.date, closed[entry.region], prefix)
        if entry.key in seen:
            raise IdempotencyConflict(f"{prefix}幂等键 {entry.key} 在本批中重复")
        seen.add(entry.key)
        lines = normalised(entry.lines)
        ref = (entry.reference[0], str(entry.reference[1]))
        checked.append((entry, lines, fingerprint(lines, on=entry.date, description=entry.description,
                                                  reference=ref, region=entry.region)))
    used = list(Transaction.objects.filter(idempotency_key__in=[e.key for e in chunk])
                .values_list("idempotency_key", flat=True)[:1])
    if used:
        raise IdempotencyConflict(f"幂等键 {used[0]} 已经记账；批量记账只接受新的凭证")
    return checked


def do_post_many(entries: Iterable[Entry], *, actor: Any, batch: int = 5000) -> int:
    """Post many new transactions at once (loads, the benchmark): the same rules as ``do_post``, checked before
    each chunk is written, all in one atomic block with one event. Unlike ``do_post`` a key already used is
    refused rather than replayed; an entry dated on or before its region's latest closed day is refused
    (``DayClosed``) and nothing of the call is written. Returns the number of transactions posted."""
    accounts = Account.objects.in_bulk(field_name="code")
    regions = set(Region.objects.values_list("pk", flat=True))
    user = user_or_none(actor)
    now = timezone.now()
    seen: set[str] = set()
    closed: dict[str, dt.date | None] = {}
    posted_regions: set[str] = set()
    count = 0
    first_id = last_id = None
    with transaction.atomic():
        for chunk in _chunks(entries, batch):
            checked = _check_chunk(chunk, count, accounts, regions, seen, closed)
            insert_rows(Transaction, ["date", "description", "reference_type", "reference_id", "idempotency_key",
                                      "fingerprint", "posted_by", "posted_at", "region"],
                        ((e.date, e.description, e.reference[0], str(e.reference[1]), e.key, fp,
                          user.pk if user else None, now, e.region) for e, _lines, fp in checked), batch=batch)
            ids = dict(Transaction.objects.filter(idempotency_key__in=[e.key for e in chunk])
                       .values_list("idempotency_key", "id"))
            insert_rows(Leg, ["transaction", "account", "debit", "credit"],
                        ((ids[e.key], accounts[line.account].pk, line.debit, line.credit)
                         for e, lines, _fp in checked for line in lines), batch=batch * 4)
            first_id = min(ids.values()) if first_id is None else min(first_id, *ids.values())
            last_id = max(ids.values()) if last_id is None else max(last_id, *ids.values())
            count += len(chunk)
            posted_regions.update(e.region for e in chunk)
        if count:
            record_event(actor, "ledger.posted_many", object_type="ledger.transaction",
                         object_id=f"{first_id}-{last_id}", region_id=next(iter(posted_regions)) if len(posted_regions) == 1
                         else None, after={"count": count, "first_id": first_id, "last_id": last_id},
                         note=f"批量记账 {count} 笔")
    return count


# -- the business entries (业务记账, the recipes in entries.py) ---------------------------------------------------

def _post_entry(entry: Entry | None, actor: Any) -> Transaction | None:
    if entry is None:
        return None
    return do_post(entry.lines, date=entry.date, description=entry.description, reference=entry.reference,
                   key=entry.key, actor=actor, region=entry.region)


def do_post_settlement_payable(settlement: Any, *, on: dt.date, actor: Any) -> Transaction | None:
    """补助支出 / 应付: a settlement became payable (nothing for a zero payout)."""
    return _post_entry(entry_settlement_payable(settlement, on=on), actor)


def do_post_adjustment(adjustment: Any, *, on: dt.date, actor: Any, settle_way: str = "direct") -> Transaction | None:
    """补付 or 追回 of an adjustment (``entries.entry_adjustment``)."""
    return _post_entry(entry_adjustment(adjustment, on=on, settle_way=settle_way), actor)


def do_post_simple(debit: str, credit: str, *, amount: Decimal, on: dt.date, reference: Reference, key: str,
                   region: str, description: str, actor: Any) -> Transaction:
    """A two-leg entry of the fund's own movements (see the table in docs/ledger.md):

    funds raised 1131/4001, appropriation received 100201/1131, transfer 100202/100201, operating costs
    5101/100202, interest 100201/4101, revolving fund drawn 100202/2301 and repaid 2301/100202."""
    return do_post([Dr(debit, amount), Cr(credit, amount)], date=on, description=description, reference=reference,
                   key=key, actor=actor, region=region)


def do_post_deduction(*, amount: Decimal, on: dt.date, reference: Reference, key: str, region: str,
                      description: str, actor: Any) -> Transaction:
    """A confirmed deduction (审核扣款, 巡查扣款): recoverable from the hospital, less expenditure."""
    return do_post_simple(RECOVERABLE, CLAIMS_EXPENSE, amount=amount, on=on, reference=reference, key=key,
                          region=region, description=description, actor=actor)


def do_post_offset(*, amount: Decimal, on: dt.date, reference: Reference, key: str, region: str,
                   description: str, actor: Any, payable: str = PAYABLE_HOSPITALS) -> Transaction | None:
    """Recoverable amounts netted against what is owed (a statement's deductions and recoveries): 应付 / 应收扣款.
    A negative amount moves an excess of recoveries back into 应收扣款 (carried to the next statement)."""
    if amount == 0:
        return None
    debit, credit = (payable, RECOVERABLE) if amount > 0 else (RECOVERABLE, payable)
    return do_post_simple(debit, credit, amount=abs(amount), on=on, reference=reference, key=key, region=region,
                          description=description, actor=actor)


def do_post_payment(*, amount: Decimal, payable: str, on: dt.date, reference: Reference, key: str,
                    region: str, description: str, actor: Any) -> Transaction:
    """A payment the bank confirmed: 应付 / 支出户存款."""
    return do_post_simple(payable, SPENDING_BANK, amount=amount, on=on, reference=reference, key=key,
                          region=region, description=description, actor=actor)
