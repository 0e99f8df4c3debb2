"""Benchmark of policy simulation: N settlements (a share on the fee-line path) under two rule sets, side by side.

    .venv/bin/python bench/simulation.py [--settlements 1000000] [--fee-line-share 0.2] [--seed 7] [--threads N]

Generates a seeded year as the batch engine's input tables (Arrow columns, exact DECIMAL(18,2) amounts written as
whole fen, a heavy tail): persons on the totals path with 1–6 stays, and dialysis persons whose monthly
settlements carry fee lines (8–13 sessions of 480.00, one line each; every 7th line a 乙类 drug with a refund
netted against it), so that ``--fee-line-share`` of the settlements go through the fee-line path. Then the
simulation itself, as ``forecast.simulation.simulate`` runs it: ``simcore.compute_both`` (both rule sets in one
batch-engine run: the default rule set and a draft with the entry threshold lowered by 10,000) and every
breakdown (``simcore.aggregate``). Prints the time of each part, the figures and the peak memory (RSS).
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import time
from decimal import Decimal
from typing import Any

import pyarrow as pa

from dae.benefits.engine import model as em
from dae.benefits.engine.rules import default_ruleset_document
from dae.forecast.simcore import aggregate, compute_both, draft_book, fen_decimals, with_changes

PLACES = [em.PlaceCategory.LOCAL.value] * 17 + [em.PlaceCategory.REFERRED.value,
                                                em.PlaceCategory.LONG_TERM_OFFSITE.value,
                                                em.PlaceCategory.SELF_REFERRED.value]
LEVELS = ["01", "02", "03", "04", "05"]
SETTLEMENT_COLUMNS = ("setl_id", "psn_no", "setl_time", "adm_date", "place_category", "settle_way")
AMOUNTS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")
LINE_TEXT = ("setl_id", "feedetl_sn", "chrgitm_lv", "med_chrgitm_type", "special_drug", "dialysis_session",
             "init_feedetl_sn")
META = ("setl_id", "psn_no", "level", "place", "month", "stored", "dialysis")


def money_fen(rng: random.Random, median: float) -> int:
    """A heavy-tailed amount in whole fen (the random draw is a float; the amount never is)."""
    return int(rng.lognormvariate(0, 1.1) * median * 100)


def generate(n: int, share: float, seed: int) -> tuple[tuple[Any, Any], Any]:
    """(settlements, fee lines) as the batch engine's Arrow tables, and the breakdown columns (``meta_table``)."""
    import datetime as dt

    rng = random.Random(seed)
    rows: dict[str, list[Any]] = {c: [] for c in (*SETTLEMENT_COLUMNS, *AMOUNTS)}
    lines: dict[str, list[Any]] = {c: [] for c in (*LINE_TEXT, "det_item_fee_sumamt", "overlmt_amt")}
    meta: dict[str, list[Any]] = {c: [] for c in META}
    fee_target = int(n * share)
    k = 0
    person = 0

    def settlement(sid: str, psn: str, when: dt.datetime, place: str, level: str, amounts: tuple[int, ...] | None,
                   dialysis: bool) -> None:
        for column, value in zip(SETTLEMENT_COLUMNS, (sid, psn, when, when.date() - dt.timedelta(days=0 if dialysis
                                                                                              else 7), place, "direct"),
                                 strict=True):
            rows[column].append(value)
        for column, value in zip(AMOUNTS, amounts or (None,) * 5, strict=True):
            rows[column].append(value)
        for column, value in zip(META, (sid, psn, level, place, f"{when:%Y-%m}", 0, dialysis), strict=True):
            meta[column].append(value)

    def line(sid: str, sn: str, fen: int, level: str, kind: str, session: str | None, init: str | None) -> None:
        for column, value in zip(LINE_TEXT, (sid, sn, level, kind, None, session, init), strict=True):
            lines[column].append(value)
        lines["det_item_fee_sumamt"].append(fen)
        lines["overlmt_amt"].append(0)

    # dialysis persons: 12 monthly settlements of 8–13 sessions each (fee lines)
    while k < fee_target:
        person += 1
        psn = f"D{person:08d}"
        level = rng.choice(LEVELS)
        for month in range(1, 13):
            if k >= fee_target:
                break
            k += 1
            sid = f"S{k:09d}"
            sessions = rng.randint(8, 13)
            for j in range(sessions):
                line(sid, f"{sid}-{j}", 48000, "01", "05", f"d{j}", None)
                if j % 7 == 6:  # a 乙类 drug and its partial refund
                    line(sid, f"{sid}-{j}m", 12345, "02", "09", None, None)
                    line(sid, f"{sid}-{j}r", -2345, "02", "09", None, f"{sid}-{j}m")
            when = dt.datetime(2025, month, rng.randint(1, 28), 10)
            settlement(sid, psn, when, "local", level, None, True)
    while k < n:
        person += 1
        psn = f"P{person:08d}"
        for _i in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 6))):
            if k >= n:
                break
            k += 1
            sid = f"S{k:09d}"
            eligible = money_fen(rng, 18000)
            own = money_fen(rng, 1500)
            when = dt.datetime(2025, rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 18))
            settlement(sid, psn, when, rng.choice(PLACES), rng.choice(LEVELS), (eligible + own, own, 0, 0, eligible),
                       False)
    text = pa.string()
    settlements = pa.table({
        "setl_id": pa.array(rows["setl_id"], text), "psn_no": pa.array(rows["psn_no"], text),
        "setl_time": pa.array(rows["setl_time"], pa.timestamp("us")), "adm_date": pa.array(rows["adm_date"], pa.date32()),
        "place_category": pa.array(rows["place_category"], text), "settle_way": pa.array(rows["settle_way"], text),
        **{a: fen_decimals(rows[a]) for a in AMOUNTS},
    })
    fee_lines = pa.table({
        **{c: pa.array(lines[c], text) for c in LINE_TEXT},
        "det_item_fee_sumamt": fen_decimals(lines["det_item_fee_sumamt"]),
        "overlmt_amt": fen_decimals(lines["overlmt_amt"]),
    })
    breakdown = pa.table({
        **{c: pa.array(meta[c], text) for c in ("setl_id", "psn_no", "level", "place", "month")},
        "stored": pa.array(meta["stored"], pa.int64()), "dialysis": pa.array(meta["dialysis"], pa.bool_()),
        "declared": pa.array(meta["stored"], pa.int64()),  # the generated payouts are declared and computed alike
    })
    return (settlements, fee_lines), breakdown


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--settlements", type=int, default=1_000_000)
    parser.add_argument("--fee-line-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    tables, meta = generate(args.settlements, args.fee_line_share, args.seed)
    t1 = time.perf_counter()
    fee_line_settlements = sum(meta.column("dialysis").to_pylist())
    print(f"generated {tables[0].num_rows:,} settlements ({fee_line_settlements:,} on the fee-line path, "
          f"{tables[1].num_rows:,} fee lines) in {t1 - t0:.1f}s (not timed below)", flush=True)
    current = default_ruleset_document()
    current["valid_from"] = "2025-01-01"
    book_now = draft_book(current, 2025)
    draft = with_changes(current, {"entry_threshold": str(Decimal(current["entry_threshold"]) - 10000)})
    book_draft = draft_book(draft, 2025)
    t2 = time.perf_counter()
    cpu2 = time.process_time()
    side = compute_both(tables, meta, book_now, book_draft)
    t3 = time.perf_counter()
    print(f"both rule sets (batch engine, one run): {t3 - t2:.1f}s", flush=True)
    results = aggregate("bench", side, book_now)
    t4 = time.perf_counter()
    totals = results["totals"]
    print(f"breakdowns:    {t4 - t3:.1f}s")
    print(f"total current {totals['current'] / 100:,.2f}  draft {totals['draft'] / 100:,.2f}  "
          f"change {totals['change'] / 100:,.2f}; persons {results['persons']:,}: +{results['gainers']:,} "
          f"-{results['losers']:,} ={results['unchanged']:,}")
    cpu = time.process_time() - cpu2
    print(f"simulation (both rule sets + breakdowns): {t4 - t2:.1f}s for {tables[0].num_rows:,} settlements "
          f"(CPU time of all threads {cpu:.1f}s; load average {os.getloadavg()[0]:.1f}); peak RSS {peak_mib():,.0f} MiB; "
          f"digest {results['digest'][:16]}")


if __name__ == "__main__":
    main()
