"""The pure part of policy simulation (no Django): a rule-set document with changed parameters, the payouts of
many settlements under one rule book (the batch engine on DuckDB, totals path and fee-line path), and the side-by-side figures grouped from the two results.
Amounts are integer fen throughout."""

from __future__ import annotations

import copy
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from dae.benefits.engine import model as em
from dae.benefits.engine.batch import run_batch, run_batches
from dae.benefits.engine.errors import CalculationError
from dae.benefits.engine.rules import RuleBook, load_rulebook

#: the settlements whose current-rule payout differs from the stored one, listed at most (largest first)
RECONCILE_LIST = 50
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
    #: what the system computed for the settlement (its 核定 payout after any 补付/追回), fen
    stored_fen: int
    dialysis: bool
    #: what the hospital declared (``hifob_pay``), fen
    declared_fen: int = 0


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


def engine_tables(settlements: list[em.Settlement]) -> tuple[Any, Any]:
    """The settlements and their fee lines as two Arrow tables for the batch engine, built once and shared by
    both rule sets. Amounts are exact DECIMAL(18,2) (never floats); a fee-line settlement's totals are empty."""
    import pyarrow as pa

    money = pa.decimal128(18, 2)
    cols: dict[str, list[Any]] = {c: [] for c in ("setl_id", "psn_no", "setl_time", "adm_date", "place_category",
                                                  "settle_way", *AMOUNTS)}
    line_cols: dict[str, list[Any]] = {c: [] for c in LINE_FIELDS}
    for s in settlements:
        cols["setl_id"].append(s.setl_id)
        cols["psn_no"].append(s.psn_no)
        cols["setl_time"].append(s.setl_time.replace(tzinfo=None))
        cols["adm_date"].append(s.adm_date)
        cols["place_category"].append(s.place_category.value)
        cols["settle_way"].append(s.settle_way.value)
        t = s.totals
        for name in AMOUNTS:
            cols[name].append(None if t is None else getattr(t, name))
        for line in s.fee_lines:
            line_cols["setl_id"].append(s.setl_id)
            line_cols["feedetl_sn"].append(line.feedetl_sn)
            line_cols["det_item_fee_sumamt"].append(line.det_item_fee_sumamt)
            line_cols["chrgitm_lv"].append(line.chrgitm_lv.value)
            line_cols["med_chrgitm_type"].append(line.med_chrgitm_type)
            line_cols["overlmt_amt"].append(line.overlmt_amt)
            line_cols["special_drug"].append(None if line.special_drug is None else line.special_drug.value)
            line_cols["dialysis_session"].append(line.dialysis_session)
            line_cols["init_feedetl_sn"].append(line.init_feedetl_sn)
    types = {name: money for name in (*AMOUNTS, "det_item_fee_sumamt", "overlmt_amt")}
    types.update(setl_time=pa.timestamp("us"), adm_date=pa.date32())
    text = pa.string()
    rows = pa.table({c: pa.array(v, type=types.get(c, text)) for c, v in cols.items()})
    lines = pa.table({c: pa.array(v, type=types.get(c, text)) for c, v in line_cols.items()})
    return rows, lines


LINE_FIELDS = ("setl_id", "feedetl_sn", "det_item_fee_sumamt", "chrgitm_lv", "med_chrgitm_type", "overlmt_amt",
               "special_drug", "dialysis_session", "init_feedetl_sn")


def fen_decimals(values: Sequence[int | None]) -> Any:
    """Whole fen as an exact DECIMAL(18,2) Arrow array (``None`` stays empty): the unscaled 128-bit integers are
    written directly, so no Decimal object and never a float is made per value."""
    import numpy as np
    import pyarrow as pa

    assert sys.byteorder == "little"  # Arrow's 128-bit decimals are little-endian here
    count = len(values)
    valid = np.fromiter((v is not None for v in values), dtype=bool, count=count)
    fen_ = np.fromiter((0 if v is None else v for v in values), dtype=np.int64, count=count)
    words = np.empty((count, 2), dtype=np.int64)
    words[:, 0] = fen_
    words[:, 1] = fen_ >> 63  # the sign extended into the high word
    bitmap = None if valid.all() else pa.array(valid).buffers()[1]
    return pa.Array.from_buffers(pa.decimal128(18, 2), count, [bitmap, pa.py_buffer(words.tobytes())])


def meta_table(meta: dict[str, Meta]) -> Any:
    """What the breakdowns need of each settlement, as an Arrow table in the settlements' order."""
    import pyarrow as pa

    values = list(meta.values())
    return pa.table({
        "setl_id": list(meta), "psn_no": [m.psn_no for m in values], "level": [m.hospital_level for m in values],
        "place": [m.place_category for m in values], "month": [m.month for m in values],
        "stored": pa.array([m.stored_fen for m in values], type=pa.int64()),
        "declared": pa.array([m.declared_fen for m in values], type=pa.int64()),
        "dialysis": pa.array([m.dialysis for m in values], type=pa.bool_()),
    })


@dataclass
class SideBySide:
    """Every settlement's payout (fen) under both rule books next to its breakdown columns (``rows``: the meta
    columns + ``now`` + ``new``), and each person's year-end 大额 base under the current rules (``bases``)."""

    rows: Any
    bases: Any


def compute_both(tables: tuple[Any, Any], meta: Any, book_now: RuleBook, book_draft: RuleBook) -> SideBySide:
    """Both rule books over the same settlements in one batch-engine run (read, checked and netted once; both
    paths set-based on DuckDB in exact integer fen, equal to the reference engine: tests/benefits_engine).
    ``meta`` (``meta_table``) must list the settlements in the order of ``tables``; a mismatch is an error."""
    rows, lines = tables
    now, draft = run_batches(rows, [book_now, book_draft], fee_lines=lines if lines.num_rows else None)
    try:
        current = now.columns("setl_id", "payout", arrow=True)
        proposed = draft.columns("payout", arrow=True)
        bases = now.closing_sums(arrow=True).select(["psn_no", "base"]).rename_columns(["psn_no", "b"])
    finally:
        now.close()
        draft.close()
    if not current.column("setl_id").equals(meta.column("setl_id")):
        raise CalculationError("simulation: the breakdown columns are not in the settlements' order")
    side = meta.append_column("now", current.column("payout")).append_column("new", proposed.column("payout"))
    return SideBySide(side, bases)


def compute(settlements: list[em.Settlement], book: RuleBook) -> tuple[dict[str, int], dict[str, int]]:
    """(payout fen per settlement, the year's 大额 base fen per person) under one rule book, by the batch engine."""
    rows, lines = engine_tables(settlements)
    with run_batch(rows, book, fee_lines=lines if lines.num_rows else None) as result:
        ids, pays = result.columns("setl_id", "payout")
        persons, _years, _eligible, bases, _paid = result.closing_sums()
    # one policy year per simulation, so one closing base per person
    return dict(zip(ids, pays, strict=True)), dict(zip(persons, bases, strict=True))


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


def _reconciliation(one: Any, con: Any) -> dict[str, Any]:
    """The current rules' payouts against what the system stored for each settlement: how many differ, by how
    much in all, and the largest differences (setl_id, person, current, stored) for the page to explain."""
    count, difference = one("SELECT count(*), coalesce(sum(now - stored), 0) FROM rows WHERE now <> stored")
    listed = con.execute("SELECT setl_id, psn_no, now, stored FROM rows WHERE now <> stored "
                         f"ORDER BY abs(now - stored) DESC, setl_id LIMIT {RECONCILE_LIST}").fetchall()
    return {"differing": int(count), "difference": int(difference),
            "rows": [{"setl_id": i, "psn_no": p, "current": int(c), "stored": int(s), "difference": int(c) - int(s)}
                     for i, p, c, s in listed]}


def aggregate(region: str, side: SideBySide, book_now: RuleBook) -> dict[str, Any]:
    """The side-by-side figures (fen) grouped on DuckDB from one table of every settlement's two payouts, and
    the digest: SHA-256 of the (settlement, current, draft) list in settlement order."""
    import duckdb

    rows, bases = side.rows, side.bases
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
                     "coalesce(sum(now), 0), coalesce(sum(new), 0), coalesce(sum(stored), 0), "
                     "coalesce(sum(declared), 0) FROM rows")
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
                       "stored": int(totals[5]), "declared": int(totals[6])},
            "reconciliation": _reconciliation(one, con),
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
