"""The pure part of policy simulation (no Django): a rule-set document with changed parameters, the payouts of
many settlements under one rule book (the batch engine on DuckDB for persons on the totals path, the reference
engine for persons with fee-line settlements), and the side-by-side figures grouped from the two results.
Amounts are integer fen throughout."""

from __future__ import annotations

import copy
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import Any

from dae.benefits.engine import model as em
from dae.benefits.engine.batch import run_batch
from dae.benefits.engine.person_year import calculate
from dae.benefits.engine.rules import RuleBook, load_rulebook

#: Bands of the per-person change (yuan): the distribution shown.
BANDS = ((None, -10000), (-10000, -1000), (-1000, -100), (-100, 0), (0, 0), (0, 100), (100, 1000), (1000, 10000),
         (10000, None))
TOP = 20
AMOUNTS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


@dataclass
class Meta:
    psn_no: str
    hospital_level: str
    place_category: str
    month: str
    stored_fen: int
    dialysis: bool


def fen(value: Decimal | None) -> int:
    return int((value or Decimal(0)) * 100)


def draft_book(document: dict[str, Any], year: int) -> RuleBook:
    doc = copy.deepcopy(document)
    doc["valid_from"] = f"{year}-01-01"
    doc["valid_to"] = None
    return load_rulebook([doc])


def with_changes(document: dict[str, Any], changes: dict[str, str]) -> dict[str, Any]:
    """A copy of ``document`` with the form's parameters changed (paths like ``entry_threshold``,
    ``annual_maximum``, ``segments.0.ratio``, ``dialysis.per_session_limit``, ``place_adjustments.referred``)."""
    doc = copy.deepcopy(document)
    for path, value in changes.items():
        target: Any = doc
        parts = path.split(".")
        for part in parts[:-1]:
            target = target[int(part)] if isinstance(target, list) else target[part]
        last = parts[-1]
        if isinstance(target, list):
            target[int(last)] = value
        else:
            target[last] = value
    return doc


def _batch_table(batch: list[em.Settlement]) -> Any:
    """The totals-path settlements as an Arrow table, amounts in whole fen (int64, never floats)."""
    import pyarrow as pa

    totals = [s.totals for s in batch]
    assert all(t is not None for t in totals)
    return pa.table({
        "setl_id": [s.setl_id for s in batch], "psn_no": [s.psn_no for s in batch],
        "setl_time": [s.setl_time.replace(tzinfo=None) for s in batch],
        "adm_date": [s.adm_date for s in batch],
        "place_category": [s.place_category.value for s in batch], "settle_way": [s.settle_way.value for s in batch],
        **{f"{name}_fen": pa.array([int(getattr(t, name) * 100) for t in totals], type=pa.int64())
           for name in AMOUNTS},
    })


def _run_batch_table(table: Any, book: RuleBook) -> tuple[list[str], list[str], list[int], list[int]]:
    """Run the batch engine on an Arrow table through Parquet files; (setl_id, psn_no, payout fen, cumulative
    大额 base fen) per row, read back as columns."""
    import duckdb

    with tempfile.TemporaryDirectory(prefix="dae-sim-") as scratch:
        source, target = Path(scratch) / "in.parquet", Path(scratch) / "out.parquet"
        con = duckdb.connect()
        try:
            con.register("batch_in", table)
            amounts = ", ".join(f"CAST(CAST({a}_fen AS DECIMAL(18,0)) * 0.01 AS DECIMAL(16,2)) AS {a}"
                                for a in AMOUNTS)
            con.execute(f"COPY (SELECT setl_id, psn_no, setl_time, adm_date, place_category, settle_way, {amounts} "
                        f"FROM batch_in) TO '{source.as_posix()}' (FORMAT parquet)")
            with run_batch(source, book) as result:
                result.write(target)
            out = con.execute(
                "SELECT setl_id, psn_no, CAST(round(payout * 100) AS BIGINT), "
                "CAST(round(coalesce(cum_base, 0) * 100) AS BIGINT) FROM read_parquet(?)",
                [str(target)]).fetchnumpy()
        finally:
            con.close()
    keys = list(out.keys())
    return (out[keys[0]].tolist(), out[keys[1]].tolist(), out[keys[2]].tolist(), out[keys[3]].tolist())


def compute(settlements: list[em.Settlement], book: RuleBook) -> tuple[dict[str, int], dict[str, int]]:
    """(payout fen per settlement, the year's 大额 base fen per person): the fee-line persons through the
    reference engine, the rest through the batch engine."""
    line_persons = {s.psn_no for s in settlements if s.fee_lines}
    reference = [s for s in settlements if s.psn_no in line_persons]
    batch = [s for s in settlements if s.psn_no not in line_persons]
    payout: dict[str, int] = {}
    base: dict[str, int] = defaultdict(int)
    if batch:
        ids, persons, pays, bases = _run_batch_table(_batch_table(batch), book)
        payout.update(zip(ids, pays, strict=True))
        for psn, b in zip(persons, bases, strict=True):
            if b > base[psn]:
                base[psn] = b
    if reference:
        calc = calculate(reference, book, trace=False)
        for py in calc.person_years:
            for r in py.settlements:
                payout[r.setl_id] = fen(r.payout)
                base[r.psn_no] += fen(r.dae_base)
    return payout, dict(base)


def _band_sql() -> tuple[str, list[str]]:
    """The CASE giving each person's change (fen) its band label, and the labels in order."""
    whens, labels = [], []
    for low, high in BANDS:
        if (low, high) == (0, 0):
            whens.append("WHEN d = 0 THEN '0'")
            labels.append("0")
            continue
        label = f"{'' if low is None else low}~{'' if high is None else high}"
        conds = []
        if low is not None:
            conds.append(f"d > {low * 100}")
        if high is not None:
            conds.append(f"d <= {high * 100}")
        if high == 0:
            conds.append("d < 0")
        whens.append(f"WHEN {' AND '.join(conds)} THEN '{label}'")
        labels.append(label)
    return "CASE " + " ".join(whens) + " END", labels


def _segment_sql(book: RuleBook) -> str:
    """The CASE naming the segment of the current rules that a person's year-end 大额 base (fen) reaches."""
    whens = ["WHEN b <= 0 THEN '未进入大额'"]
    for seg in book.versions[-1].segments:
        label = f"{seg.lower:,.0f}–{'' if seg.upper is None else f'{seg.upper:,.0f}'}"
        if seg.upper is None:
            whens.append(f"ELSE '{label}'")
        else:
            whens.append(f"WHEN b <= {int(seg.upper * 100)} THEN '{label}'")
    if not whens[-1].startswith("ELSE"):
        whens.append("ELSE '?'")
    return "CASE " + " ".join(whens) + " END"


def aggregate(region: str, meta: dict[str, Meta], now: dict[str, int], new: dict[str, int],
              base_now: dict[str, int], book_now: RuleBook) -> dict[str, Any]:
    """The side-by-side figures (fen) grouped on DuckDB from one table of every settlement's two payouts, and
    the digest: SHA-256 of the (settlement, current, draft) list in settlement order."""
    import duckdb
    import pyarrow as pa

    ids = list(meta)
    rows = pa.table({
        "setl_id": ids, "psn_no": [meta[i].psn_no for i in ids], "level": [meta[i].hospital_level for i in ids],
        "place": [meta[i].place_category for i in ids], "month": [meta[i].month for i in ids],
        "stored": pa.array([meta[i].stored_fen for i in ids], type=pa.int64()),
        "dialysis": [meta[i].dialysis for i in ids],
        "now": pa.array([now.get(i, 0) for i in ids], type=pa.int64()),
        "new": pa.array([new.get(i, 0) for i in ids], type=pa.int64()),
    })
    bases = pa.table({"psn_no": list(base_now), "b": pa.array(list(base_now.values()), type=pa.int64())})
    con = duckdb.connect()
    try:
        con.register("rows", rows)
        con.register("bases", bases)
        band_case, band_labels = _band_sql()

        def one(sql: str) -> Any:
            return con.execute(sql).fetchone()

        def group(key: str, source: str = "rows") -> list[dict[str, Any]]:
            found = con.execute(f"SELECT {key} AS k, sum(now), sum(new), count(*) FROM {source} GROUP BY k "
                                "ORDER BY k").fetchall()
            return [{"key": str(k), "current": int(c), "draft": int(d), "change": int(d) - int(c),
                     "settlements": int(n)} for k, c, d, n in found]

        totals = one("SELECT count(*), count(*) FILTER (WHERE dialysis), count(DISTINCT psn_no), "
                     "coalesce(sum(now), 0), coalesce(sum(new), 0), coalesce(sum(stored), 0) FROM rows")
        con.execute("CREATE TEMP TABLE people AS SELECT psn_no, sum(now) AS c, sum(new) AS n, "
                    "sum(new) - sum(now) AS d, sum(stored) AS s FROM rows GROUP BY psn_no")
        differing = one("SELECT count(*) FROM people WHERE c <> s")[0]
        counts = one("SELECT count(*) FILTER (WHERE d > 0), count(*) FILTER (WHERE d < 0), "
                     "count(*) FILTER (WHERE d = 0) FROM people")
        bands = dict(con.execute(f"SELECT {band_case} AS band, count(*) FROM people GROUP BY band").fetchall())
        top = con.execute(f"SELECT psn_no, c, n, d FROM people ORDER BY abs(d) DESC, psn_no LIMIT {TOP}").fetchall()
        segmented = (f"(SELECT r.*, {_segment_sql(book_now)} AS seg FROM (SELECT rows.*, coalesce(bases.b, 0) AS b "
                     "FROM rows LEFT JOIN bases USING (psn_no)) r)")
        digest = one("SELECT sha256(coalesce(string_agg(setl_id || ',' || now || ',' || new, ';' "
                     "ORDER BY setl_id), '')) FROM rows")[0]
        results = {
            "settlements": int(totals[0]), "fee_line_settlements": int(totals[1]), "persons": int(totals[2]),
            "totals": {"current": int(totals[3]), "draft": int(totals[4]), "change": int(totals[4]) - int(totals[3]),
                       "stored": int(totals[5])},
            "by_level": group("level"), "by_place": group("place"), "by_month": group("month"),
            "by_segment": group("seg", segmented),
            "by_region": group(f"'{region}'"),
            "stored_differs_persons": int(differing),
            "gainers": int(counts[0]), "losers": int(counts[1]), "unchanged": int(counts[2]),
            "bands": [{"band": b, "persons": int(bands.get(b, 0))} for b in band_labels],
            "top": [{"psn_no": p, "current": int(c), "draft": int(n), "change": int(d)} for p, c, n, d in top],
            "digest": digest,
        }
    finally:
        con.close()
    return results
