"""Benchmark of the one list component on a large list: the settlements page (结算记录) with filters, its
totals row over every filtered row, sorting, a deep page, and the Excel and CSV export of the filtered rows.

    .venv/bin/python bench/lists.py [--settlements N] [--export-rows N] [--database URL]

Uses a fresh SQLite database in a temporary directory unless ``--database`` names another (for PostgreSQL:
``postgres://postgres@127.0.0.1:5432/dae_bench_lists`` — it is dropped and created). The settlements are seeded:
one region, 20 hospitals, 20,000 persons, settlement times spread over 2025, amounts in whole fen. Requests go
through Django's test client as a settlement clerk, so each figure includes the permission matrix, the scoped
query, the template and, for the page, the access records of the persons' rows shown. Prints each timing and the
process's peak memory.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import resource
import tempfile
import time
from decimal import Decimal
from pathlib import Path

REGION = "220282"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--settlements", type=int, default=500_000)
    parser.add_argument("--export-rows", type=int, default=100_000, help="rows selected by the exported filter")
    parser.add_argument("--database", default="")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-lists-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = args.database or f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    import django

    if args.database.startswith("postgres"):
        _recreate_postgres(args.database)
    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from dae.accounts.models import User
    from dae.catalog.models import Hospital
    from dae.claims.models import Settlement
    from dae.core.bulk import insert_rows
    from dae.core.models import Region
    from dae.enrollment.models import Person

    def with_defaults(model: object, columns: tuple[str, ...], rows: object) -> tuple[tuple[str, ...], object]:
        """The columns and rows with every NOT NULL field not given that has a default (or takes "" as a text
        field does): fields added to the models after this benchmark was written get what ``save`` gives them."""
        extra = [f for f in model._meta.concrete_fields  # type: ignore[attr-defined]
                 if f.name not in columns and not f.primary_key and not f.null
                 and (f.has_default() or f.empty_strings_allowed)]
        values = tuple(f.get_db_prep_save(f.get_default(), connection) for f in extra)
        return (*columns, *(f.name for f in extra)), ((*row, *values) for row in rows)  # type: ignore[attr-defined]

    call_command("migrate", verbosity=0)
    region = Region.objects.get_or_create(admdvs=REGION, defaults={"name": "桦甸市"})[0]
    hospitals = [Hospital.objects.create(code=f"H{i:04d}", name=f"医院{i}", level="05", kind="综合医院", region=region)
                 for i in range(20)]
    insert_rows(Person, *with_defaults(Person, ("psn_no", "certno", "psn_name", "gend", "brdy", "region"),
                ((f"P{i:08d}", f"22028219800101{i % 1000:03d}X", f"参保人{i}", "1", dt.date(1980, 1, 1), REGION)
                 for i in range(20_000))))
    persons = dict(Person.objects.values_list("psn_no", "id"))
    user = User.objects.create_user("bench-clerk", password="x", post="settlement")
    user.regions.set([REGION])
    rng = random.Random(20260101)
    start = timezone.make_aware(dt.datetime(2025, 1, 1, 8, 0))
    n = args.settlements
    share = min(args.export_rows / n, 1)

    def rows() -> object:
        for i in range(n):
            psn_no = f"P{rng.randrange(20_000):08d}"
            fee = Decimal(rng.randint(100_00, 5_000_000)) / 100
            pay = Decimal(rng.randint(0, int(fee * 100))) / 100 if rng.random() < 0.4 else Decimal("0.00")
            when = start + dt.timedelta(minutes=i * 525_600 // n)
            yield (f"S{i:010d}", f"M{i:010d}", psn_no, persons[psn_no], hospitals[i % 20].pk, REGION, "21",
                   when.date(), when.date(), when, "local", "direct", fee, Decimal("0"), Decimal("0"), Decimal("0"),
                   fee, pay, "payable")

    t0 = time.perf_counter()
    insert_rows(Settlement, *with_defaults(Settlement, (
        "setl_id", "mdtrt_id", "psn_no", "person", "hospital", "region", "med_type", "adm_date", "dscg_date",
        "setl_time", "place_category", "settle_way", "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay",
        "preselfpay_amt", "inscp_scp_amt", "hifob_pay", "state"), rows()))
    print(f"database: {connection.vendor}; {n:,} settlements loaded in {time.perf_counter() - t0:.1f} s")
    client = Client()
    client.force_login(user)

    def timed(label: str, url: str) -> bytes:
        t = time.perf_counter()
        response = client.get(url)
        seconds = time.perf_counter() - t
        assert response.status_code == 200, (url, response.status_code)
        print(f"{label:<48} {seconds * 1000:>9.0f} ms  {len(response.content):>12,} bytes")
        return bytes(response.content)

    base = "/claims/settlements/"
    timed("page 1, no filter (count + totals)", base)
    timed("page 1, sorted by 大额基金支付 descending", base + "?sort=-hifob_pay")
    timed("date range + hospital + amount range", base + "?setl_from=2025-03-01&setl_to=2025-08-31&hospital=H0003"
          "&pay_min=100")
    timed("page 2,000 of 25 rows", base + "?page=2000")
    months = max(1, round(12 * share))
    export_filter = f"?setl_from=2025-01-01&setl_to=2025-{months:02d}-28"
    selected = Settlement.objects.filter(setl_time__date__lte=dt.date(2025, months, 28)).count()
    print(f"the export's filter selects {selected:,} rows")
    timed(f"export Excel of {selected:,} rows", base + export_filter + "&export=xlsx")
    timed(f"export CSV of {selected:,} rows", base + export_filter + "&export=csv")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak memory (RSS) {peak:,.0f} MiB")
    return 0


def _recreate_postgres(url: str) -> None:
    import psycopg

    base, name = url.rsplit("/", 1)
    with psycopg.connect(base + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


if __name__ == "__main__":
    raise SystemExit(main())
