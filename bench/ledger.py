"""Benchmark of the fund ledger: 1,000,000 transactions through the bulk posting path, a trial balance, an
account balance and a statement page; also the single-posting path for a few thousand entries.

    .venv/bin/python bench/ledger.py [--transactions N] [--batch N] [--single N] [--database URL]

Uses a fresh SQLite database in a temporary directory unless ``--database`` names another (for PostgreSQL:
``postgres://postgres@127.0.0.1:5432/dae_bench_ledger`` — it is dropped and created). The entries are a
seeded mix of a year's fund work (claims payable and paid, appropriations, transfers between the income and
expenditure accounts, operating costs, interest), two legs each, amounts in whole fen. On PostgreSQL each
batch's commit also runs the deferred balance trigger for every row; the commit time is printed apart.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
REGION = "220282"
#: (debit account, credit account, description, weight, largest amount in fen)
KINDS = (
    ("5001", "2201", "补助支出（直接结算）", 50, 20_000_000),
    ("2201", "100202", "支付医疗机构", 35, 20_000_000),
    ("5001", "2202", "补助支出（手工报销）", 5, 5_000_000),
    ("2202", "100202", "支付参保人", 5, 5_000_000),
    ("100201", "1131", "拨款到账", 2, 500_000_000),
    ("100202", "100201", "收入户划转支出户", 1, 500_000_000),
    ("5101", "100202", "经办费用", 1, 1_000_000),
    ("100201", "4101", "存款利息", 1, 500_000),
)


def entries(count: int, seed: int = 20260101) -> Iterator[object]:
    from dae.core.money import FEN
    from dae.ledger.actions import Cr, Dr, Entry

    rng = random.Random(seed)
    weights = [k[3] for k in KINDS]
    start = dt.date(2026, 1, 1)
    for i in range(count):
        debit, credit, text, _weight, largest = rng.choices(KINDS, weights)[0]
        amount = Decimal(rng.randint(1, largest)) * FEN
        yield Entry([Dr(debit, amount), Cr(credit, amount)], start + dt.timedelta(days=i * 365 // count),
                    text, ("bench", i), f"bench-{i}", REGION)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--transactions", type=int, default=1_000_000)
    parser.add_argument("--batch", type=int, default=100_000, help="transactions per database transaction")
    parser.add_argument("--single", type=int, default=2_000, help="entries through do_post() one by one")
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-ledger-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = args.database or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    import django

    if args.database.startswith("postgres"):
        _recreate_postgres(args.database)
    django.setup()
    from django.core.management import call_command
    from django.db import connection, transaction

    from dae.accounts.models import User
    from dae.core.models import Region
    from dae.ledger.actions import Cr, Dr, do_post, do_post_many
    from dae.ledger.models import Account, Leg, Transaction
    from dae.ledger.queries import balance, statement, trial_balance

    call_command("migrate", verbosity=0)
    Region.objects.get_or_create(admdvs=REGION, defaults={"name": "桦甸市"})
    user = User.objects.create_user("bench-finance", password="x", post="finance")
    user.regions.set([REGION])
    print(f"database: {connection.vendor}; {args.transactions:,} transactions in batches of {args.batch:,}")

    stream = entries(args.transactions)
    posted, writing, committing = 0, 0.0, 0.0
    began = time.perf_counter()
    while posted < args.transactions:
        size = min(args.batch, args.transactions - posted)
        t0 = time.perf_counter()
        with transaction.atomic():
            posted += do_post_many((next(stream) for _ in range(size)), actor=user)  # type: ignore[misc]
            t1 = time.perf_counter()
        t2 = time.perf_counter()
        writing += t1 - t0
        committing += t2 - t1
    total = time.perf_counter() - began
    print(f"bulk posting: {posted:,} transactions, {Leg.objects.count():,} legs in {total:.1f} s "
          f"({posted / total:,.0f} transactions/s; checks + writes {writing:.1f} s, commits {committing:.1f} s)")

    t0 = time.perf_counter()
    for i in range(args.single):
        do_post([Dr("5101", "1.00"), Cr("100202", "1.00")], date=dt.date(2026, 12, 31), description="经办费用",
                reference=("bench.single", i), key=f"single-{i}", actor=user, region=REGION)
    single = time.perf_counter() - t0
    print(f"single posting: {args.single:,} do_post() calls in {single:.1f} s ({single / args.single * 1000:.2f} ms each, "
             "each with its event)")

    t0 = time.perf_counter()
    tb = trial_balance()
    tb_seconds = time.perf_counter() - t0
    print(f"trial balance: {len(tb.rows)} accounts in {tb_seconds:.2f} s; total debits {tb.total_debit:,.2f} = "
          f"total credits {tb.total_credit:,.2f}; difference {tb.difference:.2f}; balanced={tb.balanced}")
    for row in tb.rows:
        print(f"  {row.account.code:<8} {row.account.name:<10} Dr {row.debit:>20,.2f}  Cr {row.credit:>20,.2f}  "
              f"balance {row.balance:>20,.2f}")
    t0 = time.perf_counter()
    tb_mid = trial_balance(dt.date(2026, 6, 30))
    print(f"trial balance at 2026-06-30: {time.perf_counter() - t0:.2f} s, difference {tb_mid.difference:.2f}")
    t0 = time.perf_counter()
    bank = balance("100202", on=dt.date(2026, 6, 30))
    print(f"balance of 100202 at 2026-06-30: {bank:,.2f} in {time.perf_counter() - t0:.2f} s")
    t0 = time.perf_counter()
    st = statement(Account.objects.get(code="100202"), start=dt.date(2026, 6, 1), end=dt.date(2026, 6, 30))
    page = list(st.lines[:100])
    print(f"statement of 100202 for June: opening {st.opening:,.2f}, closing {st.closing:,.2f}, first page of "
          f"{len(page)} lines in {time.perf_counter() - t0:.2f} s")
    print(f"transactions: {Transaction.objects.count():,}")
    return 0 if tb.balanced else 1


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    sys.exit(main())
