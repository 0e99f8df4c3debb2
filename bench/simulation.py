"""Benchmark of policy simulation: N settlements (a share on the fee-line path) under two rule sets, side by side.

    .venv/bin/python bench/simulation.py [--settlements 1000000] [--fee-line-share 0.2] [--seed 7]

Generates a seeded year in memory (engine inputs, exact two-decimal amounts with a heavy tail): persons on the
totals path with 1–6 stays, and dialysis persons whose settlements carry fee lines (sessions), so that about
``--fee-line-share`` of the settlements go through the fee-line path. Runs ``forecast.simcore.compute`` under the
default rule set and a draft with the entry threshold lowered by 10,000, groups every breakdown
(``simcore.aggregate``) and prints the figures, the time of each step and the peak memory (RSS). The fee-line
persons go through the reference engine (the batch engine covers the totals path only): that share dominates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import random
import resource
import time
from decimal import Decimal

from dae.benefits.engine import model as em
from dae.benefits.engine.rules import default_ruleset_document
from dae.forecast.simcore import Meta, aggregate, compute_tables, draft_book, engine_tables, with_changes

PLACES = [em.PlaceCategory.LOCAL] * 17 + [em.PlaceCategory.REFERRED, em.PlaceCategory.LONG_TERM_OFFSITE,
                                          em.PlaceCategory.SELF_REFERRED]
LEVELS = ["01", "02", "03", "04", "05"]


def money(rng: random.Random, median: float) -> Decimal:
    value = rng.lognormvariate(0, 1.1) * median
    return Decimal(int(value * 100)) / 100


def generate(n: int, share: float, seed: int) -> tuple[list[em.Settlement], dict[str, Meta]]:
    rng = random.Random(seed)
    settlements: list[em.Settlement] = []
    meta: dict[str, Meta] = {}
    fee_target = int(n * share)
    k = 0
    person = 0
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
            lines = tuple(em.FeeLine(feedetl_sn=f"{sid}-{j}", det_item_fee_sumamt=Decimal("480.00"),
                                     chrgitm_lv=em.ChargeLevel.CLASS_A, med_chrgitm_type="05",
                                     pric=Decimal("480.00"), dialysis_session=f"d{j}") for j in range(sessions))
            when = dt.datetime(2025, month, rng.randint(1, 28), 10)
            settlements.append(em.Settlement(setl_id=sid, psn_no=psn, setl_time=when, adm_date=when.date(),
                                             dscg_date=when.date(), med_type="14", fee_lines=lines))
            meta[sid] = Meta(psn, level, "local", f"2025-{month:02d}", 0, True)
    while k < n:
        person += 1
        psn = f"P{person:08d}"
        for _i in range(rng.choice((1, 1, 1, 2, 2, 3, 4, 6))):
            if k >= n:
                break
            k += 1
            sid = f"S{k:09d}"
            eligible = money(rng, 18000)
            own = money(rng, 1500)
            when = dt.datetime(2025, rng.randint(1, 12), rng.randint(1, 28), rng.randint(8, 18))
            place = rng.choice(PLACES)
            totals = em.NationalTotals(eligible + own, own, Decimal(0), Decimal(0), eligible)
            settlements.append(em.Settlement(setl_id=sid, psn_no=psn, setl_time=when, place_category=place,
                                             adm_date=when.date() - dt.timedelta(days=7), dscg_date=when.date(),
                                             med_type="21", totals=totals))
            meta[sid] = Meta(psn, rng.choice(LEVELS), place.value, f"2025-{when.month:02d}", 0, False)
    return settlements, meta


def peak_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--settlements", type=int, default=1_000_000)
    parser.add_argument("--fee-line-share", type=float, default=0.2)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    t0 = time.perf_counter()
    settlements, meta = generate(args.settlements, args.fee_line_share, args.seed)
    t1 = time.perf_counter()
    print(f"generated {len(settlements):,} settlements ({sum(m.dialysis for m in meta.values()):,} fee-line) "
          f"in {t1 - t0:.1f}s", flush=True)
    current = default_ruleset_document()
    current["valid_from"] = "2025-01-01"
    book_now = draft_book(current, 2025)
    draft = with_changes(current, {"entry_threshold": str(Decimal(current["entry_threshold"]) - 10000)})
    book_draft = draft_book(draft, 2025)
    tables = engine_tables(settlements)
    t2 = time.perf_counter()
    print(f"engine tables (Arrow, once): {t2 - t1:.1f}s; {tables[0].num_rows:,} settlements, "
          f"{tables[1].num_rows:,} fee lines", flush=True)
    now, base_now = compute_tables(tables, book_now)
    t3a = time.perf_counter()
    print(f"current rules: {t3a - t2:.1f}s", flush=True)
    new, _base = compute_tables(tables, book_draft)
    t3 = time.perf_counter()
    print(f"draft rules:   {t3 - t3a:.1f}s", flush=True)
    results = aggregate("bench", meta, now, new, base_now, book_now)
    t4 = time.perf_counter()
    totals = results["totals"]
    print(f"breakdowns:    {t4 - t3:.1f}s")
    print(f"total current {totals['current'] / 100:,.2f}  draft {totals['draft'] / 100:,.2f}  "
          f"change {totals['change'] / 100:,.2f}; persons {results['persons']:,}: +{results['gainers']:,} "
          f"-{results['losers']:,} ={results['unchanged']:,}")
    print(f"simulation (both rule sets + breakdowns): {t4 - t1:.1f}s for {len(settlements):,} settlements; "
          f"peak RSS {peak_mib():,.0f} MiB; digest {results['digest'][:16]}")


if __name__ == "__main__":
    main()
