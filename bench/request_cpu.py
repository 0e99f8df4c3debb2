"""CPU and queries of each kind of request of the load test (bench/load.py), measured one at a time.

    .venv/bin/python bench/request_cpu.py --database postgres://postgres@127.0.0.1:5432/dae_load [-n 20]
        [--profile "list: settlements"]

Runs in this process through Django's test client (every middleware, the templates, the real database; no
HTTP server), on a database ``bench/load.py`` prepared (its field keys in ``var/bench-load``). For each kind of
read in the load test's mix: the Python CPU time per request (``time.process_time``), the wall time (PostgreSQL's
own work is in the difference) and the number of queries. ``--profile KIND`` prints the cProfile of that kind
(sorted by internal time). It only reads, except for the access log that every staff read writes.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def kinds(rng: random.Random) -> dict[str, Callable[[], Any]]:
    from django.test import Client

    from dae.accounts.models import User
    from dae.claims.models import Settlement
    from dae.enrollment.models import Person
    from dae.security.actions import do_issue_token
    from dae.security.otp import DEVICE_ID_SESSION_KEY

    def signed_in(username: str) -> Client:
        client = Client()
        client.force_login(User.objects.get(username=username))
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = "bench"  # the second factor, as the load test's sign-in gives it
        session.save()
        return client

    clerk, checker, finance, manager = (signed_in(n) for n in ("clerk", "checker", "finance", "manager"))
    hospital = User.objects.get(username="hospital")
    _token, raw = do_issue_token(User.objects.get(username="it"), hospital, name="request_cpu",
                                 scopes=["declare", "catalogue", "me"], days=1)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {raw}")
    setl = list(Settlement.objects.filter(region_id="220282").values_list("setl_id", flat=True)[:200])
    psn = list(Person.objects.filter(region_id="220282").values_list("psn_no", flat=True)[:200])
    return {
        "list: settlements": lambda: clerk.get("/claims/settlements/"),
        "list: persons": lambda: clerk.get("/enrollment/persons/"),
        "list: persons search": lambda: clerk.get(f"/enrollment/persons/?q={rng.choice(psn)}"),
        "list: statements": lambda: finance.get("/payments/statements/"),
        "list: manual claims": lambda: checker.get("/reimbursement/"),
        "detail: settlement": lambda: clerk.get(f"/claims/settlements/{rng.choice(setl)}/"),
        "detail: person": lambda: clerk.get(f"/enrollment/persons/{rng.choice(psn)}/"),
        "dashboard: clerk": lambda: clerk.get("/"),
        "dashboard: checker": lambda: checker.get("/"),
        "dashboard: finance": lambda: finance.get("/"),
        "dashboard: manager": lambda: manager.get("/"),
        "api: settlements (token)": lambda: api.get("/api/v1/settlements/"),
        "api: declarations (token)": lambda: api.get("/api/v1/declarations/"),
    }


def measure(name: str, request: Callable[[], Any], n: int, profile: bool) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    first = request()
    if first.status_code >= 400:
        raise SystemExit(f"{name}: HTTP {first.status_code}")
    with CaptureQueriesContext(connection) as captured:
        request()
    queries = len(captured.captured_queries)  # now: each request clears the connection's query log
    cpu, wall = time.process_time(), time.perf_counter()
    for _ in range(n):
        request()
    cpu, wall = (time.process_time() - cpu) / n * 1000, (time.perf_counter() - wall) / n * 1000
    print(f"{name:<28} CPU {cpu:6.1f} ms  wall {wall:6.1f} ms  queries {queries:3d}  "
          f"{len(first.content):,} bytes", flush=True)
    if profile:
        profiler = cProfile.Profile()
        profiler.enable()
        for _ in range(n):
            request()
        profiler.disable()
        out = io.StringIO()
        pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(30)
        print(out.getvalue())


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="the load test's PostgreSQL database")
    parser.add_argument("-n", type=int, default=20, help="requests of each kind")
    parser.add_argument("--profile", default="", help="print the cProfile of this kind")
    parser.add_argument("--seed", type=int, default=20)
    args = parser.parse_args()
    var = ROOT / "var" / "bench-load"
    os.environ.update({"DAE_DATABASE_URL": args.database, "DAE_VAR_DIR": str(var),
                       "DAE_KEY_FILE": str(var / "field.keys"), "DJANGO_SETTINGS_MODULE": "dae.settings.dev"})
    os.environ["DAE_ALLOWED_HOSTS"] = "testserver"
    import django

    django.setup()
    print(f"{args.n} requests of each kind, one at a time; load average {os.getloadavg()[0]:.1f}")
    for name, request in kinds(random.Random(args.seed)).items():
        measure(name, request, max(1, args.n), name == args.profile)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
