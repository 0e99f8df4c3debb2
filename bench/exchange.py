"""Benchmark of the exchange with the platform: calls through the client, a month's reconciliation, and the detail
comparison at scale.

    DAE_VAR_DIR=… .venv/bin/python bench/exchange.py [--calls N] [--details N]

1. ``--calls`` person queries (1101) through the client to the simulator on loopback, each kept in the call log
   with its event (a fresh SQLite database in a temporary directory): calls per second, p50 / p95 latency.
2. One hospital-month of ``--details`` settlements compared in detail (3202) with three planted differences:
   the pure comparison's time.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--details", type=int, default=100_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="dae-bench-exchange-"))
    os.environ["DAE_DATABASE_URL"] = f"sqlite:///{work / 'dae.sqlite3'}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "dae.settings.dev")
    import django

    django.setup()
    from django.core.management import call_command

    from dae.core.models import Region
    from dae.exchange import compare
    from dae.exchange.client import PlatformClient
    from dae.exchange.simulator import PlatformSimulator

    call_command("migrate", verbosity=0)
    Region.objects.get_or_create(admdvs="220282", defaults={"name": "桦甸市"})
    person = {"baseinfo": {"psn_no": "P1", "certno": "220282198001011234", "psn_name": "张三"},
              "insuinfo": [{"insutype": "330", "psn_insu_stas": "1"}]}
    with PlatformSimulator({"persons": {"220282198001011234": person}}) as sim:
        client = PlatformClient(url=sim.url)
        times = []
        started = time.monotonic()
        for _ in range(args.calls):
            t = time.monotonic()
            client.call("1101", {"data": {"certno": "220282198001011234"}}, purpose="bench", admdvs="220282")
            times.append((time.monotonic() - t) * 1000)
        elapsed = time.monotonic() - started
    times.sort()
    print(f"1101 calls: {args.calls} in {elapsed:.2f} s = {args.calls / elapsed:.0f}/s; "
          f"p50 {statistics.median(times):.1f} ms, p95 {times[int(len(times) * 0.95) - 1]:.1f} ms")
    ours = [compare.Detail(f"S{n:08d}", f"M{n}", f"P{n % 5000}", 100_000 + n, 50_000 + n, "0")
            for n in range(args.details)]
    theirs = [*ours[1:], compare.Detail("SX", "MX", "PX", 1, 1, "0")]
    theirs[10] = compare.Detail(theirs[10].setl_id, theirs[10].mdtrt_id, theirs[10].psn_no, 1, 1, "0")
    started = time.monotonic()
    diffs = compare.compare_details(ours, theirs)
    print(f"3202 comparison: {args.details:,} settlements, {len(diffs)} differences in "
          f"{time.monotonic() - started:.2f} s")
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MiB")


if __name__ == "__main__":
    main()
