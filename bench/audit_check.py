"""Benchmark of the single-claim check (单笔审核 / 3101): how long a hospital waits for the rules on one visit.

    .venv/bin/python bench/audit_check.py [--persons N] [--checks N]

Builds a fresh SQLite database in a temporary directory with a demo city of ``--persons`` insured persons (the
planted audit cases included) and times, for ``--checks`` settlements drawn at random (seeded):
``check_settlement`` (the stored settlement, read from the database with the person's other stays) and the
3101 request built from the same settlement's stay and fee lines, through the API view. Loading is not timed.
Prints p50 / p95 / p99 / max in milliseconds of wall time and of this process's CPU time (on a shared machine
the wall time includes waiting for a core; the CPU time is what one check costs), and the rules' first
compilation (once per process), the load average before and after and the peak memory. ``--check`` exits 1 unless the wall-time p99 is under 50 ms for
``check_settlement`` and under 80 ms through the 3101 API.
"""

from __future__ import annotations

import argparse
import os
import random
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--checks", type=int, default=200)
    parser.add_argument("--check", action="store_true", help="exit 1 when a target is missed")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-audit-check-"))
    os.environ["DAE_VAR_DIR"] = str(work)
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / 'bench.sqlite3'}"
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.test"
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client

    from dae.accounts.models import User
    from dae.auditing import check
    from dae.claims.models import FeeLine, Settlement
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.demo.plants import DEFAULT_PLANTS

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    city = generate_city(persons=args.persons, hospitals=30, plants=DEFAULT_PLANTS)
    counts = load_city(city)
    print(
        f"loaded {counts.get('settlements', 0):,} settlements, {counts.get('fee_lines', 0):,} fee lines "
        f"in {time.perf_counter() - started:.1f} s (not timed below)"
    )
    ids = sorted(Settlement.objects.filter(init_setl_id="").values_list("pk", flat=True))
    chosen = random.Random(7).sample(ids, min(args.checks, len(ids)))
    load_before = os.getloadavg()[0]
    first = Settlement.objects.get(pk=chosen[0])
    started = time.perf_counter()
    check.check_settlement(first)
    print(f"first check (compiles the rule suite once per process): {1000 * (time.perf_counter() - started):.0f} ms")
    stored: list[float] = []
    stored_cpu: list[float] = []
    for pk in chosen:
        s = Settlement.objects.get(pk=pk)
        started, cpu = time.perf_counter(), time.process_time()
        check.check_settlement(s)
        stored.append(1000 * (time.perf_counter() - started))
        stored_cpu.append(1000 * (time.process_time() - cpu))
    user = User.objects.create_user("bench-reviewer", password="x", post="reviewer")
    client = Client()
    client.force_login(user)
    api: list[float] = []
    api_cpu: list[float] = []
    for pk in chosen:
        s = Settlement.objects.select_related("hospital").get(pk=pk)
        body = {
            "data": {
                "task_id": f"B{pk}",
                "patient_dtos": [
                    {
                        "patn_id": s.psn_no,
                        "curr_mdtrt_id": f"NEW{pk}",
                        "fsi_encounter_dtos": [
                            {
                                "mdtrt_id": f"NEW{pk}",
                                "medins_id": s.hospital.code,
                                "medins_lv": s.hospital.level,
                                "adm_date": s.adm_date.isoformat(),
                                "dscg_date": s.dscg_date.isoformat(),
                                "med_type": s.med_type,
                                "dscg_main_dise_codg": s.dise_codg,
                                "medfee_sumamt": str(s.medfee_sumamt),
                            }
                        ],
                        "fsi_order_dtos": [
                            {
                                "rx_id": f.feedetl_sn,
                                "hilist_code": f.med_list_codg,
                                "chrg_type": f.med_chrgitm_type,
                                "cnt": str(f.cnt),
                                "pric": str(f.pric),
                                "sumamt": str(f.det_item_fee_sumamt),
                                "drord_begn_date": f.fee_ocur_time.isoformat(),
                            }
                            for f in FeeLine.objects.filter(settlement=s, cnt__gt=0)
                        ],
                    }
                ],
            }
        }
        started, cpu = time.perf_counter(), time.process_time()
        response = client.post("/api/v1/audit/3101", body, content_type="application/json")
        api.append(1000 * (time.perf_counter() - started))
        api_cpu.append(1000 * (time.process_time() - cpu))
        if response.status_code != 200:
            print(f"3101 failed for {s.setl_id}: {response.status_code} {response.content[:300]!r}")
            return 1
    p99s = {}
    for name, times, cpu in (("check_settlement (stored settlement)", stored, stored_cpu),
                             ("POST /api/v1/audit/3101", api, api_cpu)):  # fmt: skip
        for what, values in (("wall", times), ("CPU", cpu)):
            values.sort()
            p95 = values[max(0, int(len(values) * 0.95) - 1)]
            p99 = values[max(0, int(len(values) * 0.99) - 1)]
            print(f"{name} [{what}]: n={len(values)}, p50 {statistics.median(values):.0f} ms, p95 {p95:.0f} ms, "
                  f"p99 {p99:.0f} ms, max {values[-1]:.0f} ms")  # fmt: skip
            if what == "wall":
                p99s[name] = p99
    print(f"load average (1 min) before the checks {load_before:.1f}, after {os.getloadavg()[0]:.1f} "
          f"({os.cpu_count()} cores)")  # fmt: skip
    print(f"peak memory (RSS) {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")
    if args.check:
        missed = [f"{name} p99 {p99s[name]:.0f} ms >= {target} ms" for name, target in
                  (("check_settlement (stored settlement)", 50), ("POST /api/v1/audit/3101", 80))
                  if p99s[name] >= target]  # fmt: skip
        if missed:
            print("未达标 missed: " + "; ".join(missed))
            return 1
        print("达标 targets met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
