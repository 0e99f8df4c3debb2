"""Batch mode: a whole month or year of settlements (totals path and fee-line path) in one pass on DuckDB.

Reads a Parquet or CSV file, an Arrow table or an iterable of row mappings, and optionally the fee lines of the
settlements on the fee-line path (same kinds of source; such a settlement's amount columns are left empty and
computed from its lines, policy §2 steps 1–2, as set operations); checks every row first (a bad file is refused with
the row and column at fault, nothing half-computed); orders and groups rows by person, policy year, settlement time
and id; computes the payouts as exact integer-fen window functions (``batch_sql.py``); keeps the results in
DuckDB to be written to Parquet/CSV or read row by row. Traces are off; ``trace_setl_ids`` (or ``trace()``)
recomputes chosen settlements through the reference engine, and refuses to answer if the two ever disagree.
Must never import Django.
"""

from __future__ import annotations

import tempfile
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from types import TracebackType
from typing import Any

import duckdb

from dae.benefits.engine.batch_input import (
    Source,
    column_errors,
    column_types,
    load_source,
    raise_if,
    row_errors,
    row_field_errors,
    sql_literal,
)
from dae.benefits.engine.batch_sql import (
    AMOUNT_COLUMNS,
    EMPTY_OPENINGS_SQL,
    FEN_RESULT_COLUMNS,
    LINE_AMOUNTS,
    LINE_COLUMNS,
    LINE_NET_PROBLEMS_SQL,
    NETTED_SQL,
    NO_LINES_PRICED_SQL,
    OPENING_AMOUNTS,
    OPENING_COLUMNS,
    OPENING_PROBLEMS_SQL,
    PRICED_VIEW_SQL,
    REQUIRED_COLUMNS,
    RESULT_COLUMNS,
    RESULTS_VIEW_SQL,
    RuleSql,
    line_problems_sql,
    payout_sql,
    priced_lines_sql,
    problems_sql,
    typed_lines_sql,
    typed_openings_sql,
    typed_settlements_sql,
    versioned_sql,
)
from dae.benefits.engine.errors import CalculationError, FieldError, InputInvalid
from dae.benefits.engine.model import (
    ChargeLevel,
    FeeLine,
    NationalTotals,
    PlaceCategory,
    Settlement,
    SettleWay,
    SpecialDrugKind,
    YearSums,
)
from dae.benefits.engine.person_year import compute_person_year
from dae.benefits.engine.results import SettlementResult
from dae.benefits.engine.rules import RuleBook


@dataclass(frozen=True, slots=True)
class BatchRow:
    """One settlement's batch result; ``payout`` is ``hifob_pay``. Cancelled rows have only totals and payout 0."""

    row_no: int
    setl_id: str
    psn_no: str
    policy_year: int | None
    version_id: str | None
    status: str
    medfee_sumamt: Decimal
    fulamt_ownpay_amt: Decimal
    overlmt_selfpay: Decimal
    preselfpay_amt: Decimal
    inscp_scp_amt: Decimal
    eligible_amount: Decimal | None
    dae_base: Decimal | None
    payout_before_cap: Decimal | None
    payout: Decimal
    person_share: Decimal | None
    cumulative_eligible: Decimal | None
    cumulative_base: Decimal | None
    cumulative_paid: Decimal | None


def run_batch(
    source: Source,
    book: RuleBook,
    *,
    openings: Source | None = None,
    fee_lines: Source | None = None,
    trace_setl_ids: Collection[str] = (),
    max_errors: int = 100,
    threads: int | None = None,
) -> BatchResult:
    """Check and compute every settlement of ``source``; raises ``InputInvalid`` (row + column) on bad rows.

    ``fee_lines``: the fee lines (``setl_id``, ``feedetl_sn``, ``det_item_fee_sumamt``, ``chrgitm_lv``,
    ``med_chrgitm_type``; optional ``overlmt_amt``, ``special_drug``, ``dialysis_session``, ``init_feedetl_sn``) of
    the settlements on the fee-line path. ``threads``: DuckDB's worker threads (default: all cores)."""
    (result,) = run_batches(
        source, [book], openings=openings, fee_lines=fee_lines, max_errors=max_errors, threads=threads
    )
    try:
        for setl_id in trace_setl_ids:
            result.traces[setl_id] = result.trace(setl_id)
    except BaseException:
        result.close()
        raise
    return result


def run_batches(
    source: Source,
    books: Sequence[RuleBook],
    *,
    openings: Source | None = None,
    fee_lines: Source | None = None,
    max_errors: int = 100,
    threads: int | None = None,
) -> list[BatchResult]:
    """The same settlements under several rule books (a policy simulation's current rules and draft): read, typed,
    checked and their fee lines netted once, then computed per book in a DuckDB schema of its own. The results
    share one in-memory database, which closes with the last of them. Errors of any book refuse the whole run."""
    con = duckdb.connect()
    try:
        if threads is not None:
            con.execute(f"SET threads = {int(threads)}")
        with tempfile.TemporaryDirectory(prefix="dae-batch-") as scratch:
            load_source(con, source, "raw", Path(scratch) / "rows.csv", "rows")
            if openings is not None:
                load_source(con, openings, "raw_openings", Path(scratch) / "openings.csv", "openings")
            if fee_lines is not None:
                load_source(con, fee_lines, "raw_lines", Path(scratch) / "lines.csv", "fee_lines")
            cursors = _prepare(con, books, has_openings=openings is not None, has_lines=fee_lines is not None,
                               max_errors=max_errors)  # fmt: skip
        shared = _Shared(con, len(books))
        for cursor, book in zip(cursors, books, strict=True):
            _compute(cursor, book, has_lines=fee_lines is not None, has_openings=openings is not None)
        return [BatchResult(c, b, shared, i) for i, (c, b) in enumerate(zip(cursors, books, strict=True))]
    except BaseException:
        con.close()
        raise


def _search_path(index: int) -> str:
    return f"SET search_path = 'book{index},main'"


def _prepare(
    con: duckdb.DuckDBPyConnection,
    books: Sequence[RuleBook],
    *,
    has_openings: bool,
    has_lines: bool,
    max_errors: int,
) -> list[duckdb.DuckDBPyConnection]:
    """Everything that does not depend on the rule book, in ``main``; a cursor per book whose ``src`` view gives
    each row its version and policy year under that book. Refuses on any error of any book."""
    types = column_types(con, "raw")
    raise_if(column_errors(types, REQUIRED_COLUMNS, AMOUNT_COLUMNS, "columns"))
    line_types = column_types(con, "raw_lines") if has_lines else {}
    if has_lines:
        raise_if(column_errors(line_types, LINE_COLUMNS, LINE_AMOUNTS, "fee_lines.columns"))
    con.execute(typed_settlements_sql(types, has_lines=has_lines))
    cursors = []
    found: set[tuple[int, str, str]] = set()
    for index, book in enumerate(books):
        cursor = con.cursor()
        cursor.execute(f"CREATE SCHEMA book{index}")
        cursor.execute(_search_path(index))
        cursor.execute(versioned_sql(RuleSql.of(book)))
        found.update(cursor.execute(problems_sql(book)).fetchall())
        cursors.append(cursor)
    raise_if(row_field_errors(sorted(found), "rows", max_errors))
    if has_lines:
        con.execute(typed_lines_sql(line_types))
        raise_if(row_errors(con, line_problems_sql(), "fee_lines", max_errors))
        con.execute(NETTED_SQL)
        raise_if(row_errors(con, LINE_NET_PROBLEMS_SQL, "fee_lines", max_errors))
    if has_openings:
        opening_types = column_types(con, "raw_openings")
        raise_if(column_errors(opening_types, OPENING_COLUMNS, OPENING_AMOUNTS, "openings.columns"))
        con.execute(typed_openings_sql(opening_types))
        raise_if(row_errors(con, OPENING_PROBLEMS_SQL, "openings", max_errors))
    else:
        con.execute(EMPTY_OPENINGS_SQL)
    # The input views point into the scratch directory, which is about to go.
    con.execute("DROP VIEW raw")
    if has_openings:
        con.execute("DROP VIEW raw_openings")
    if has_lines:
        con.execute("DROP VIEW raw_lines")
    return cursors


def _compute(cursor: duckdb.DuckDBPyConnection, book: RuleBook, *, has_lines: bool, has_openings: bool) -> None:
    """One book's payouts, in the cursor's own schema."""
    rules = RuleSql.of(book)
    cursor.execute(priced_lines_sql(rules) if has_lines else NO_LINES_PRICED_SQL)
    cursor.execute(PRICED_VIEW_SQL)
    cursor.execute(payout_sql(rules, has_openings=has_openings))
    _python_cap(cursor)
    cursor.execute(RESULTS_VIEW_SQL)


class _Shared:
    """The database several results share: closed when the last of them is."""

    def __init__(self, con: duckdb.DuckDBPyConnection, users: int) -> None:
        self.con = con
        self.users = users

    def release(self) -> None:
        self.users -= 1
        if self.users <= 0:
            self.con.close()


def _python_cap(con: duckdb.DuckDBPyConnection) -> None:
    """The annual-maximum cap, step by step, for the rare person-years whose versions differ in maximum."""
    con.execute("CREATE TABLE python_cap (setl_id VARCHAR, payout BIGINT, cum_paid BIGINT)")
    rows = con.execute(
        "SELECT psn_no, policy_year, setl_id, before_cap, m_fen, p0 FROM computed WHERE needs_python_cap "
        "ORDER BY psn_no, policy_year, setl_time, setl_id"
    ).fetchall()
    capped = []
    key: tuple[str, int] | None = None
    paid = 0
    for psn_no, year, setl_id, before_cap, maximum, opening_paid in rows:
        if (psn_no, year) != key:
            key, paid = (psn_no, year), opening_paid
        payout = min(before_cap, max(0, maximum - paid))
        paid += payout
        capped.append([setl_id, payout, paid])
    if capped:
        con.executemany("INSERT INTO python_cap VALUES (?, ?, ?)", capped)


def _yuan(fen: int | None) -> Decimal | None:
    return None if fen is None else Decimal(fen).scaleb(-2)


def _yuan_required(fen: int) -> Decimal:
    return Decimal(fen).scaleb(-2)


class BatchResult:
    """Computed settlements held in DuckDB: summary figures, rows, file output and traces on demand."""

    def __init__(self, con: duckdb.DuckDBPyConnection, book: RuleBook, shared: _Shared, index: int) -> None:
        self._con = con
        self._book = book
        self._shared = shared
        self._index = index
        self._closed = False
        self.traces: dict[str, SettlementResult] = {}
        summary = con.execute(
            "SELECT count(*) FILTER (WHERE status = 'computed'), count(*) FILTER (WHERE status = 'cancelled'), "
            "count(DISTINCT (psn_no, policy_year)) FILTER (WHERE status = 'computed'), coalesce(sum(payout), 0) "
            "FROM results"
        ).fetchone()
        assert summary is not None
        self.settlement_count: int = summary[0]
        self.cancelled_count: int = summary[1]
        self.person_year_count: int = summary[2]
        self.total_payout: Decimal = _yuan_required(int(summary[3]))

    def __enter__(self) -> BatchResult:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, traceback: TracebackType | None
    ) -> None:
        self.close()

    def close(self) -> None:
        if self._closed:
            return
        self._closed = True
        self._con.close()
        self._shared.release()

    def rows(self, batch_size: int = 50_000) -> Iterator[BatchRow]:
        """Every input row's result, in input order."""
        cursor = self._con.cursor()
        cursor.execute(_search_path(self._index))
        cursor.execute(f"SELECT {', '.join(RESULT_COLUMNS)} FROM results ORDER BY row_no")
        while chunk := cursor.fetchmany(batch_size):
            for row in chunk:
                yield _batch_row(row)

    def columns(self, *names: str, arrow: bool = False) -> Any:
        """The computed settlements' result columns in input order (amounts in integer fen): a list per column,
        or with ``arrow`` one Arrow table (no Python objects per row)."""
        unknown = [n for n in names if n not in RESULT_COLUMNS]
        if unknown:
            raise ValueError(f"unknown result columns: {unknown}")
        sql = f"SELECT {', '.join(names)} FROM results WHERE status = 'computed' ORDER BY row_no"
        return self._fetch(sql, names, arrow=arrow)

    def closing_sums(self, *, arrow: bool = False) -> Any:
        """Per person-year (``psn_no``, ``policy_year``, ``eligible``, ``base``, ``paid``): the cumulative sums after
        its last settlement, in integer fen (the sums only grow, so they are the maxima); lists or an Arrow table."""
        sql = (
            "SELECT psn_no, policy_year, max(cum_eligible) AS eligible, max(cum_base) AS base, max(cum_paid) AS paid "
            "FROM results WHERE status = 'computed' GROUP BY psn_no, policy_year ORDER BY psn_no, policy_year"
        )
        return self._fetch(sql, ("psn_no", "policy_year", "eligible", "base", "paid"), arrow=arrow)

    def _fetch(self, sql: str, names: Sequence[str], *, arrow: bool) -> Any:
        if arrow:
            cursor = self._con.cursor()
            try:
                cursor.execute(_search_path(self._index))
                return cursor.sql(sql).to_arrow_table()
            finally:
                cursor.close()
        found = self._con.execute(sql).fetchnumpy()
        return [found[n].tolist() for n in names]

    def write(self, path: str | Path) -> None:
        """Write the results to Parquet (``.parquet``) or CSV (anything else); amounts as exact DECIMAL(18,2)."""
        target = Path(path)
        columns = ", ".join(
            f"CAST({c} AS DECIMAL(18,0)) * 0.01 AS {c}" if c in FEN_RESULT_COLUMNS else c for c in RESULT_COLUMNS
        )
        kind = "FORMAT PARQUET" if target.suffix.lower() == ".parquet" else "FORMAT CSV, HEADER"
        self._con.execute(f"COPY (SELECT {columns} FROM results ORDER BY row_no) TO {sql_literal(target)} ({kind})")

    def trace(self, setl_id: str, psn_no: str | None = None) -> SettlementResult:
        """The settlement's full result with trace, from the reference engine, checked against the batch.

        Give ``psn_no`` when known: the person's rows are stored together, so they are then read without a scan
        of the whole batch.
        """
        person = psn_no if psn_no is not None else self._person_of(setl_id)
        rows = [] if person is None else self._person_rows(person)
        target = next((r for r in rows if r[0] == setl_id), None)
        if person is None or target is None:
            raise InputInvalid(
                [
                    FieldError(
                        "trace_setl_ids",
                        "unknown_setl_id",
                        f"结算ID {setl_id} 不在本批已计算结算中",
                        f"setl_id {setl_id} is not a computed settlement of this batch",
                    )
                ]
            )
        year = target[1]
        mine = [r for r in rows if r[1] == year]
        lines = self._lines_of([r[0] for r in mine if r[-2]])
        members = [_settlement(person, r, lines.get(r[0], ())) for r in mine]
        opening = self._opening(person, year)
        person_year = compute_person_year(person, year, members, self._book, opening=opening, trace=True)
        result = next(r for r in person_year.settlements if r.setl_id == setl_id)
        if result.payout != _yuan_required(target[-1]):
            # The batch's SQL and the reference engine must never disagree; refuse rather than explain wrongly.
            raise CalculationError(
                f"batch and reference engine disagree on {setl_id}: {target[-1]} fen vs {result.payout}"
            )
        return result

    def _person_of(self, setl_id: str) -> str | None:
        found = self._con.execute("SELECT psn_no FROM computed WHERE setl_id = ?", [setl_id]).fetchone()
        return None if found is None else str(found[0])

    def _person_rows(self, psn_no: str) -> list[tuple[Any, ...]]:
        return self._con.execute(
            "SELECT setl_id, policy_year, setl_time, adm_date, place_category, settle_way, "
            f"{', '.join('c.' + c for c in AMOUNT_COLUMNS)}, c.has_lines, coalesce(f.payout, c.payout) "
            "FROM computed c LEFT JOIN python_cap f USING (setl_id) WHERE c.psn_no = ?",
            [psn_no],
        ).fetchall()

    def _lines_of(self, setl_ids: list[str]) -> dict[str, tuple[FeeLine, ...]]:
        """The fee lines of the given settlements, in input order, as the reference engine takes them."""
        if not setl_ids:
            return {}
        found = self._con.execute(
            "SELECT setl_id, feedetl_sn, amount, lv, fee_type, over_cap, special, session, init_sn FROM lines "
            "WHERE list_contains(?, setl_id) ORDER BY row_no",
            [setl_ids],
        ).fetchall()
        grouped: dict[str, list[FeeLine]] = {}
        for setl_id, sn, amount, level, fee_type, over_cap, special, session, init_sn in found:
            grouped.setdefault(setl_id, []).append(
                FeeLine(
                    feedetl_sn=sn,
                    det_item_fee_sumamt=_yuan_required(amount),
                    chrgitm_lv=ChargeLevel(level),
                    med_chrgitm_type=fee_type,
                    cnt=Decimal(-1 if init_sn is not None else 1),
                    overlmt_amt=_yuan_required(over_cap),
                    special_drug=None if special is None else SpecialDrugKind(special),
                    dialysis_session=session,
                    init_feedetl_sn=init_sn,
                )
            )
        return {k: tuple(v) for k, v in grouped.items()}

    def _opening(self, psn_no: str, policy_year: int) -> YearSums:
        row = self._con.execute(
            "SELECT eligible_amount, dae_base, paid FROM openings WHERE psn_no = ? AND policy_year = ?",
            [psn_no, policy_year],
        ).fetchone()
        if row is None:
            return YearSums()
        return YearSums(*(_yuan_required(x) for x in row))


def _settlement(psn_no: str, row: tuple[Any, ...], lines: tuple[FeeLine, ...]) -> Settlement:
    """A computed row back as the reference engine's input: with its fee lines, or with its totals."""
    return Settlement(
        setl_id=row[0],
        psn_no=psn_no,
        setl_time=row[2],
        adm_date=row[3],
        place_category=PlaceCategory(row[4]),
        settle_way=SettleWay(row[5]),
        fee_lines=lines,
        totals=None if lines else NationalTotals(*(_yuan_required(x) for x in row[6:11])),
    )


def _batch_row(row: tuple[Any, ...]) -> BatchRow:
    totals = [_yuan_required(x) for x in row[6:11]]
    return BatchRow(
        row_no=row[0],
        setl_id=row[1],
        psn_no=row[2],
        policy_year=row[3],
        version_id=row[4],
        status=row[5],
        medfee_sumamt=totals[0],
        fulamt_ownpay_amt=totals[1],
        overlmt_selfpay=totals[2],
        preselfpay_amt=totals[3],
        inscp_scp_amt=totals[4],
        eligible_amount=_yuan(row[11]),
        dae_base=_yuan(row[12]),
        payout_before_cap=_yuan(row[13]),
        payout=_yuan_required(row[14]),
        person_share=_yuan(row[15]),
        cumulative_eligible=_yuan(row[16]),
        cumulative_base=_yuan(row[17]),
        cumulative_paid=_yuan(row[18]),
    )
