"""The writes of bank reconciliation, each one transaction with its event: importing a statement (with its
matching), matching on demand, manual match and its undo, notes on unmatched items. Pages, the API and the demo
call these; nothing else writes bank rows. The daily close (``do_close_days``) is here too; its reads are in
``closing.py``, the matching's reads in ``matching.py``.

Import runs in the request, not as a background job: a statement is one account's month (a few thousand lines
at most), read and matched in about a second, and finance wants the matched result on the next page.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.db import IntegrityError, transaction
from django.utils import timezone

from dae.core import inputs
from dae.core.bulk import insert_rows
from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput, NotFound, require_reason
from dae.core.events import event_row, insert_events, record_event, user_or_none
from dae.core.inputs import InputCode
from dae.core.models import Region
from dae.core.uploads import discard, store_upload
from dae.ledger.entries import CASH_ACCOUNTS
from dae.ledger.models import Account, DayClose, Leg

from . import rules
from .closing import Facts, facts, refusal
from .codes import Code
from .matching import MatchCounts, chunks, free_legs
from .models import BankLine, BankStatement, Direction, Match, Note
from .parser import ParsedStatement, parse_statement

MAX_STATEMENT_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class Imported:
    statement: BankStatement
    duplicates: int
    matched: MatchCounts


def cash_account(code: str) -> Account:
    """The ledger account of a fund bank account (100201 收入户 / 100202 支出户); ``InvalidInput`` otherwise."""
    account = Account.objects.filter(code=code).first() if code in CASH_ACCOUNTS else None
    if account is None:
        raise InvalidInput(f"银行存款科目应为 {' 或 '.join(CASH_ACCOUNTS)}，不能是“{code}”", code=Code.NOT_CASH_ACCOUNT)
    return account


def _refuse_same_file(sha: str) -> None:
    earlier = BankStatement.objects.filter(sha256=sha).first()
    if earlier is not None:
        raise Conflict(f"该文件已于 {earlier.imported_at:%Y-%m-%d %H:%M} 导入为对账单 #{earlier.pk}（{earlier.file_name}），"
                       f"同一文件不能重复导入", code=Code.DUPLICATE_FILE, details={"statement": earlier.pk})


def _period(parsed: ParsedStatement, start: dt.date | None, end: dt.date | None) -> tuple[dt.date, dt.date]:
    first, last = parsed.period
    start, end = start or first, end or last
    if start > first or end < last:
        raise InvalidInput(f"对账单期间 {start} 至 {end} 须包含全部流水日期（{first} 至 {last}）", code=InputCode.INVALID_PERIOD)
    return start, end


def _known_serials(region: str, account: Account, serials: list[str]) -> set[str]:
    known: set[str] = set()
    for part in chunks(sorted(set(serials))):
        known.update(BankLine.objects.filter(region_id=region, account=account, serial__in=list(part))
                     .values_list("serial", flat=True))
    return known


def _insert_lines(statement: BankStatement, parsed: ParsedStatement) -> int:
    """Write the lines; a serial already seen on the account (earlier statement or earlier in this file) makes
    the line a duplicate. Returns the number of duplicates."""
    seen = _known_serials(statement.region_id, statement.account, [line.serial for line in parsed.lines])
    rows, duplicates = [], 0
    for seq, line in enumerate(parsed.lines, start=1):
        state = BankLine.State.DUPLICATE if line.serial in seen else BankLine.State.UNMATCHED
        duplicates += state == BankLine.State.DUPLICATE
        seen.add(line.serial)
        rows.append((statement.pk, statement.region_id, statement.account_id, seq, line.date, line.serial,
                     line.direction, line.amount, line.counterparty, line.counterparty_account, line.memo,
                     line.balance, state))
    insert_rows(BankLine, ("statement", "region", "account", "seq", "date", "serial", "direction", "amount",
                           "counterparty", "counterparty_account", "memo", "balance", "state"), rows)
    return duplicates


def do_import_statement(*, region: str, account: str, file_name: str, content: bytes, actor: Any,
                        period_from: dt.date | None = None, period_to: dt.date | None = None,
                        window: int = rules.MATCH_WINDOW_DAYS) -> Imported:
    """Import one statement file of a region's bank account and match it (with every unmatched line left from
    earlier statements of the account). Nothing is stored when a row is bad (``InvalidInput`` lists them all);
    the same file twice is refused (``Conflict`` ``duplicate_file``). The file is kept under ``UPLOAD_DIR/bank``."""
    acct, region = cash_account(account), inputs.known_region(region)
    if len(content) > MAX_STATEMENT_BYTES:
        raise InvalidInput("对账单文件超过 20 MB", code=InputCode.TOO_LARGE)
    sha = hashlib.sha256(content).hexdigest()
    _refuse_same_file(sha)
    parsed = parse_statement(content, file_name)
    start, end = _period(parsed, period_from, period_to)
    stored = store_upload(iter([content]), name=f"statement{Path(file_name).suffix.lower()}", folder="bank",
                          max_bytes=MAX_STATEMENT_BYTES, too_large="对账单文件超过 20 MB")
    try:
        with transaction.atomic():
            statement = BankStatement.objects.create(
                region_id=region, account=acct, period_from=start, period_to=end, file_name=Path(file_name).name[:200],
                sha256=sha, path=str(stored.path), encoding=parsed.encoding, line_count=len(parsed.lines),
                imported_by=user_or_none(actor),
                opening_balance=parsed.opening_balance, closing_balance=parsed.closing_balance)
            duplicates = _insert_lines(statement, parsed)
            matched = match_account(region, acct, actor=actor, window=window)
            record_event(actor, "bank.statement_imported", statement, region_id=region, after={
                "account": acct.code, "file_name": statement.file_name, "sha256": sha, "period": [start, end],
                "lines": len(parsed.lines), "duplicates": duplicates, "matched_memo": matched.memo,
                "matched_amount_date": matched.amount_date})
    except IntegrityError:
        discard(stored)
        _refuse_same_file(sha)  # a concurrent import of the same file committed first
        raise
    except BaseException:
        discard(stored)
        raise
    return Imported(statement, duplicates, matched)


def do_run_matching(*, region: str, account: str, actor: Any, window: int = rules.MATCH_WINDOW_DAYS) -> MatchCounts:
    """Match on demand (e.g. after late postings): every unmatched line of the account against the free legs."""
    acct, region = cash_account(account), inputs.known_region(region)
    if not 0 <= window <= 31:
        raise InvalidInput("匹配日期范围须在 0 到 31 天之间", code=Code.BAD_WINDOW)
    with transaction.atomic():
        counts = match_account(region, acct, actor=actor, window=window)
        record_event(actor, "bank.matching_run", object_type="bank.account", object_id=f"{region}:{acct.code}",
                     region_id=region, after={"window": window, "memo": counts.memo,
                                              "amount_date": counts.amount_date})
    return counts


def _leg_direction(leg: Leg) -> str:
    return Direction.IN if leg.debit else Direction.OUT


def _check_pair(line: BankLine, leg: Leg) -> None:
    if line.state == BankLine.State.DUPLICATE:
        raise Conflict("重复流水不参与匹配", code=Code.DUPLICATE_LINE)
    if line.state == BankLine.State.MATCHED:
        raise Conflict(f"银行流水 {line.serial} 已匹配，请先撤销原匹配", code=Code.LINE_MATCHED)
    if leg.account_id != line.account_id or leg.transaction.region_id != line.region_id:
        raise InvalidInput("账面分录须与银行流水属于同一统筹区、同一银行存款科目", code=Code.OTHER_ACCOUNT)
    other = Match.objects.filter(leg=leg).select_related("line").first()
    if other is not None:
        raise Conflict(f"该账面分录已与银行流水 {other.line.serial} 匹配", code=Code.LEG_MATCHED)
    if _leg_direction(leg) != line.direction or leg.amount != line.amount:
        side = "借" if leg.debit else "贷"
        raise InvalidInput(f"金额或收支方向不一致：银行 {line.get_direction_display()} {line.amount:.2f}，"
                           f"账面 {side} {leg.amount:.2f}", code=Code.AMOUNT_MISMATCH)


def do_match_manually(*, line: BankLine, leg_id: int, reason: str, actor: Any) -> Match:
    """Finance pairs a bank line with a ledger leg of the same region, account, direction and amount."""
    reason = require_reason(reason, "手工匹配原因")
    with transaction.atomic():
        line = BankLine.objects.select_for_update().get(pk=line.pk)
        leg = Leg.objects.select_related("transaction").filter(pk=leg_id).first()
        if leg is None:
            raise NotFound(f"账面分录 {leg_id} 不存在")
        _check_pair(line, leg)
        try:
            with transaction.atomic():
                match = Match.objects.create(line=line, leg=leg, region_id=line.region_id, rule=Match.Rule.MANUAL,
                                             matched_by=actor, reason=reason)
        except IntegrityError:
            raise Conflict("该账面分录或银行流水刚被另一项操作匹配，请刷新后重试", code=Code.LEG_MATCHED) from None
        BankLine.objects.filter(pk=line.pk).update(state=BankLine.State.MATCHED)
        record_event(actor, "bank.matched_manually", match, region_id=line.region_id, note=reason, after={
            "line": line.pk, "serial": line.serial, "leg": leg.pk, "transaction": leg.transaction_id,
            "amount": line.amount, "reason": reason})
    return match


def do_unmatch(*, match: Match, reason: str, actor: Any) -> None:
    """Undo a manual match (with the reason): the line and the leg are unmatched again. Automatic matches follow
    the rules and are not undone (matching again would pair them the same way)."""
    reason = require_reason(reason, "撤销原因")
    with transaction.atomic():
        match = Match.objects.select_for_update().select_related("line").get(pk=match.pk)
        if match.rule != Match.Rule.MANUAL:
            raise Conflict("只能撤销手工匹配；自动匹配由对账规则确定", code=Code.NOT_MANUAL)
        before = {"line": match.line_id, "serial": match.line.serial, "leg": match.leg_id, "rule": match.rule,
                  "reason": match.reason, "matched_by": match.matched_by_id}
        BankLine.objects.filter(pk=match.line_id).update(state=BankLine.State.UNMATCHED)
        record_event(actor, "bank.unmatched", match, region_id=match.region_id, before=before, note=reason,
                     after={"reason": reason})
        match.delete()


def do_add_note(*, text: str, actor: Any, line: BankLine | None = None, leg: Leg | None = None) -> Note:
    """A note on an unmatched bank line or ledger leg (why it is open, what was done)."""
    text = require_reason(text, "备注", min_length=1)
    with transaction.atomic():
        if line is not None:
            if line.state == BankLine.State.MATCHED:
                raise Conflict("该银行流水已匹配，不是未达账项", code=Code.ITEM_MATCHED)
            note = Note.objects.create(region_id=line.region_id, line=line, text=text, noted_by=actor)
        elif leg is not None:
            if Match.objects.filter(leg=leg).exists():
                raise Conflict("该账面分录已匹配，不是未达账项", code=Code.ITEM_MATCHED)
            note = Note.objects.create(region_id=leg.transaction.region_id, leg=leg, text=text, noted_by=actor)
        else:
            raise InvalidInput("请选择要备注的未达账项", code=Code.NO_ITEM)
        record_event(actor, "bank.noted", note, region_id=note.region_id, note=text,
                     after={"line": note.line_id, "leg": note.leg_id, "text": text})
    return note


# -- automatic matching ----------------------------------------------------------------------------------------

def match_account(region: str, account: Account, *, actor: Any, window: int = rules.MATCH_WINDOW_DAYS) -> MatchCounts:
    """Pair every unmatched (not duplicate) bank line of the account with a free leg, by rule (a) then (b), and
    store the pairs. Must run inside the caller's atomic block (the action records the event)."""
    lines = [rules.BankItem(row["id"], row["date"], row["direction"], row["amount"], row["memo"]) for row in
             BankLine.objects.filter(region_id=region, account=account, state=BankLine.State.UNMATCHED)
             .values("id", "date", "direction", "amount", "memo")]
    if not lines:
        return MatchCounts()
    pairs = rules.pair(lines, free_legs(region, account, lines, window), window=window)
    if not pairs:
        return MatchCounts()
    now, user = timezone.now(), getattr(user_or_none(actor), "pk", None)
    try:
        with transaction.atomic():
            insert_rows(Match, ("line", "leg", "region", "rule", "matched_at", "matched_by", "reason"),
                        ((p.line, p.leg, region, p.rule, now, user, "") for p in pairs))
            for part in chunks([p.line for p in pairs]):
                BankLine.objects.filter(pk__in=part).update(state=BankLine.State.MATCHED)
    except IntegrityError:
        # another matching of the same account committed a pair first: nothing of this run is kept
        raise Conflict("该账户正在进行另一项对账操作，请稍后重试", code=Code.MATCHING_BUSY) from None
    memo = sum(1 for p in pairs if p.rule == rules.MEMO)
    return MatchCounts(memo=memo, amount_date=len(pairs) - memo)


# -- the daily close (日清日结) ----------------------------------------------------------------------------------

def do_close_days(region: Region | str, days: Sequence[dt.date], *, actor: Any, note: str = "",
                  allow_future: bool = False) -> list[DayClose]:
    """Close ``days`` of ``region`` in date order (one close and one event each), or none of them: the first day
    that may not close raises its ``Conflict``. ``allow_future`` lets the demo close a whole year."""
    code = region.pk if isinstance(region, Region) else region
    days = sorted(set(days))
    if not days:
        raise InvalidInput("请选择要日结的日期", code=Code.NO_DAY)
    if not allow_future and days[-1] > timezone.localdate():
        raise InvalidInput(f"不能日结今天以后的日期（{days[-1].isoformat()}）", code=CoreCode.FUTURE_DATE)
    note = (note or "").strip()[:300]
    with transaction.atomic():
        # the region's row FOR UPDATE: waits for postings in flight, which hold it with KEY SHARE (ledger.actions)
        if Region.objects.select_for_update().filter(pk=code).first() is None:
            raise InvalidInput(f"统筹区 {code} 不存在", code=InputCode.INVALID_REGION)
        known = facts(code, days[-1])
        names = dict(Account.objects.filter(code__in=CASH_ACCOUNTS).values_list("code", "name"))
        closed = known.after
        for day in days:
            problem = refusal(code, day, closed, known, names)
            if problem is not None:
                raise problem
            closed = day
        return _write_closes(code, days, known, actor, note)


def _write_closes(region: str, days: list[dt.date], known: Facts, actor: Any, note: str) -> list[DayClose]:
    user = getattr(user_or_none(actor), "pk", None)
    now = timezone.now()
    try:
        insert_rows(DayClose, ("region", "day", "closed_by", "closed_at", "note", "unmatched_count"),
                    ((region, day, user, now, note, known.unmatched.get(day, 0)) for day in days))
    except IntegrityError:
        raise Conflict("该日刚由另一项操作日结，请刷新后查看", code=Code.ALREADY_CLOSED) from None
    closes = list(DayClose.objects.filter(region_id=region, day__in=days).order_by("day"))
    insert_events(event_row(actor, "ledger.day_closed", object_type="ledger.dayclose", object_id=c.pk,
                            region_id=region, note=note, at=now,
                            after={"day": c.day, "unmatched_count": c.unmatched_count}) for c in closes)
    return closes


def do_close_day(region: Region | str, day: dt.date, *, actor: Any, note: str = "") -> DayClose:
    """Close one day (the page's and the API's button)."""
    return do_close_days(region, [day], actor=actor, note=note)[0]
