"""Load test of the production server on PostgreSQL: a bounded, mixed, open-loop load on loopback.

    .venv/bin/python bench/load.py --database postgres://postgres@127.0.0.1:5432/dae_load
        [--server gunicorn|granian] [--rate 30] [--seconds 600] [--persons 20000] [--reuse] [--workers N]

Builds the database (dropped and created; ``--reuse`` keeps one already loaded): migrations and the demo city
(``dae demo --persons N``). Starts the production server (``dae serve --production``: gunicorn with the
production settings; or granian for the comparison) and the background worker (``dae db_worker``) as their
own processes on 127.0.0.1, waits for ``/readyz``, signs in as several posts through the real pages (the
manager and finance with their second factor), gives the hospital an API token, and then sends ``--rate``
requests per second for ``--seconds`` seconds, on a fixed schedule (a late answer does not slow the schedule):

    list pages (settlements, persons, statements, the manual-claims queue), details (settlement, person),
    dashboards, API reads with the hospital's token, a monthly declaration upload (hospital, API), a manual
    claim registered (clerk, API), computed and checked (复核, a second person).

The mix is printed before the run (share, requests per second and per hour of each kind). The declaration upload
is kept at 0.12 % of requests (0.036/s, ~130 an hour at 30/s): each upload is a whole background job (validation,
the audit rules, the archive), about 0.9 s of CPU and 2 s of database work for one row. A city's hospitals upload
once a month (the demo city has 30; a large city ~300, with resubmissions ~600 uploads a month, most in the first
five working days: ~15 an hour), so 130 an hour is ~9x the busiest hour of a large city. At the earlier 4 % (1.2/s,
4,300 an hour — a large city's month every 8 minutes) the background worker alone needed more than the machine's
two cores and the run measured the declaration queue, not the pages.

Prints p50/p95/p99 overall and per kind of request, the errors (any status >= 400, a failed or timed-out
connection (30 s), or a request not sent because ``--max-inflight`` were already waiting — the run stays
bounded in time when the server cannot keep up), the rate reached, the server's peak memory (all its
processes) and this client's, and the CPU time spent during the run by the server (all its processes), the
background worker and this client, per request answered (PostgreSQL's own CPU is not counted). Also when the slow answers
(1 s or more) came — spread over the run (the cores were saturated) or bunched in a few ten-second windows (a
stall: a worker recycled, a lock) — and what PostgreSQL's busy sessions were doing, sampled four times a second
(on a core, waiting for a lock, for a commit's WAL flush, for I/O). Only loopback is addressed. ``--server granian`` needs ``pip install granian``
(used for the comparison only; the product ships gunicorn).
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import random
import resource
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
HOST = "127.0.0.1"
DAE = str(ROOT / ".venv" / "bin" / "dae")


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    index = min(len(ordered) - 1, max(0, round(q / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


class Session:
    """A signed-in browser-like client: cookies kept by hand (the production cookies are Secure, and the
    loopback connection stands behind a pretend TLS proxy: X-Forwarded-Proto: https)."""

    def __init__(self, port: int, token: str = "") -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.token = token
        self.local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(HOST, self.port, timeout=30)
            self.local.conn = conn
        return conn

    def request(self, method: str, path: str, body: bytes | None = None, content_type: str = "") -> tuple[int, bytes,
                                                                                                       Any]:
        headers = {"Host": f"{HOST}:{self.port}", "X-Forwarded-Proto": "https",
                   "Referer": f"https://{HOST}:{self.port}/"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        if "csrftoken" in self.cookies:
            headers["X-CSRFToken"] = self.cookies["csrftoken"]
        if self.token:
            headers["Authorization"] = f"Bearer {self.token}"
        if content_type:
            headers["Content-Type"] = content_type
        for attempt in (1, 2):
            conn = self._conn()
            try:
                conn.request(method, path, body=body, headers=headers)
                response = conn.getresponse()
                data = response.read()
                break
            except TimeoutError:  # no answer in time: never sent again (a POST may have been done already)
                conn.close()
                self.local.conn = None
                raise
            except (http.client.HTTPException, OSError):  # a kept-alive connection the server had closed: once more
                conn.close()
                self.local.conn = None
                if attempt == 2:
                    raise
        for name, value in response.getheaders():
            if name.lower() == "set-cookie":
                key, _, rest = value.partition("=")
                self.cookies[key.strip()] = rest.split(";", 1)[0]
        return response.status, data, response

    def form(self, path: str, fields: dict[str, str]) -> tuple[int, bytes, Any]:
        fields = {**fields, "csrfmiddlewaretoken": self.cookies.get("csrftoken", "")}
        return self.request("POST", path, urlencode(fields).encode(), "application/x-www-form-urlencoded")


def sign_in(port: int, username: str, password: str) -> Session:
    from django_otp.oath import totp

    from dae.security.testing import known_secret

    session = Session(port)
    session.request("GET", "/accounts/login/")
    status, _body, response = session.form("/accounts/login/", {"username": username, "password": password})
    location = response.getheader("Location", "")
    if status == 302 and location.startswith("/security/verify/"):
        code = f"{totp(bytes.fromhex(known_secret(username))):06d}"
        status, _body, response = session.form(location, {"code": code})
    if status != 302:
        raise SystemExit(f"sign-in as {username} failed: {status}")
    return session


def prepare_database(url: str, persons: int, env: dict[str, str]) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    dev = {**env, "DJANGO_SETTINGS_MODULE": "dae.settings.dev"}
    started = time.monotonic()
    subprocess.run([DAE, "migrate", "--noinput", "-v", "0"], env=dev, check=True)
    subprocess.run([DAE, "demo", "--persons", str(persons), "--hospitals", "30"], env=dev, check=True,
                   stdout=subprocess.DEVNULL)
    print(f"database prepared (migrate + demo city of {persons:,} persons) in {time.monotonic() - started:.0f}s")


def samples() -> dict[str, Any]:
    """Ids to visit and a token for the hospital, read straight from the database."""
    from axes.models import AccessAttempt

    from dae.accounts.models import User
    from dae.claims.models import Settlement
    from dae.enrollment.models import Person
    from dae.security.actions import do_issue_token

    AccessAttempt.objects.all().delete()
    hospital_user = User.objects.get(username="hospital")
    it = User.objects.get(username="it")
    _token, raw = do_issue_token(it, hospital_user, name="load test", scopes=["declare", "catalogue", "me"], days=1)
    own = list(Settlement.objects.filter(hospital=hospital_user.hospital).values_list("setl_id", "psn_no")[:400])
    setl_ids = list(Settlement.objects.filter(region_id="220282").values_list("setl_id", flat=True)[:2000])
    from dae.enrollment.coverage import coverage_many

    candidates = list(Person.objects.filter(region_id="220282").values_list("psn_no", flat=True)[:4000])
    day = dt.date(2026, 10, 1)
    covered = coverage_many([(p, day) for p in candidates])
    persons = [p for p in candidates if covered[(p, day)].covered][:2000] or candidates[:2000]
    return {"token": raw, "hospital_code": hospital_user.hospital.code, "own": own, "setl_ids": setl_ids,
            "persons": persons}


def rss_of_tree(root_pid: int) -> int:
    """Resident memory (bytes) of a process and all its descendants, from /proc."""
    children: dict[int, list[int]] = defaultdict(list)
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                children[int(fields[1])].append(int(entry.name))
            except (OSError, IndexError, ValueError):
                continue
    total, stack = 0, [root_pid]
    while stack:
        pid = stack.pop()
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except OSError:
            pass
        stack.extend(children.get(pid, []))
    return total


def cpu_of_tree(root_pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its live descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    parents: dict[int, int] = {}
    spent: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            parents[int(entry.name)] = int(fields[1])
            spent[int(entry.name)] = (int(fields[11]) + int(fields[12])) / tick
    total, stack = 0.0, [root_pid]
    while stack:
        pid = stack.pop()
        total += spent.get(pid, 0.0)
        stack.extend(child for child, parent in parents.items() if parent == pid)
    return total


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


class WaitSampler(threading.Thread):
    """Samples PostgreSQL's sessions of the load database four times a second: how many are busy and what they wait
    for (``pg_stat_activity``: a lock, the WAL flush of a commit, I/O, or nothing — running on a core). Where the time
    of a slow answer went when the cores were not busy."""

    def __init__(self, url: str) -> None:
        super().__init__(daemon=True)
        self.url, self.stop, self.samples = url, threading.Event(), 0
        self.waits: dict[str, int] = defaultdict(int)

    def run(self) -> None:
        import psycopg

        with psycopg.connect(self.url, autocommit=True) as conn:
            while not self.stop.wait(0.25):
                rows = conn.execute(
                    "SELECT coalesce(wait_event_type || ':' || wait_event, 'on CPU') FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid() AND state = 'active'"
                ).fetchall()
                self.samples += 1
                for (what,) in rows:
                    self.waits[what] += 1

    def report(self) -> str:
        if not self.samples:
            return "PostgreSQL waits: no sample"
        busy = sum(self.waits.values()) / self.samples
        top = sorted(self.waits.items(), key=lambda kv: -kv[1])[:8]
        return (f"PostgreSQL: {busy:.2f} busy sessions on average ({self.samples} samples); what they did: "
                + ", ".join(f"{k} {v / self.samples:.2f}" for k, v in top))


def main() -> int:  # noqa: C901 -- issue 14: the load run (setup, servers, traffic, report) waits to be split by stage
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database", required=True, help="PostgreSQL URL (dropped and created unless --reuse)")
    parser.add_argument("--server", choices=("gunicorn", "granian"), default="gunicorn")
    parser.add_argument("--rate", type=float, default=30.0)
    parser.add_argument("--seconds", type=int, default=600)
    parser.add_argument("--persons", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=0, help="server worker processes (default: the config's)")
    parser.add_argument("--port", type=int, default=18431)
    parser.add_argument("--reuse", action="store_true")
    parser.add_argument("--seed", type=int, default=20)
    parser.add_argument("--max-inflight", type=int, default=120,
                        help="requests waiting for an answer beyond which new ones are counted as errors, not sent")
    args = parser.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # stopped: still end the server and the worker
    if not args.database.startswith("postgres"):
        raise SystemExit("bench/load.py runs on PostgreSQL: --database postgres://…")
    if args.rate <= 0 or args.rate > 200 or not 1 <= args.seconds <= 3600:
        raise SystemExit("--rate must be in (0, 200] and --seconds in [1, 3600]")

    var = ROOT / "var" / "bench-load"
    var.mkdir(parents=True, exist_ok=True)
    keys = var / "field.keys"
    if not keys.exists():
        keys.write_text(f"b1:{base64.b64encode(secrets.token_bytes(32)).decode()},"
                        f"index:{base64.b64encode(secrets.token_bytes(32)).decode()}\n")
    env = {**os.environ, "DAE_DATABASE_URL": args.database, "DAE_VAR_DIR": str(var), "DAE_KEY_FILE": str(keys),
           "DAE_SECRET_KEY": "load-" + secrets.token_urlsafe(40), "DAE_ALLOWED_HOSTS": f"{HOST},localhost",
           "DAE_BIND": f"{HOST}:{args.port}", "DAE_ACCESS_LOG": "0", "DAE_REQUEST_LOG": "WARNING"}
    env.pop("DAE_FIELD_KEYS", None)
    if args.workers:
        env["DAE_WORKERS"] = str(args.workers)
    os.environ.update({k: env[k] for k in ("DAE_DATABASE_URL", "DAE_VAR_DIR", "DAE_KEY_FILE")})
    os.environ["DJANGO_SETTINGS_MODULE"] = "dae.settings.dev"
    if not args.reuse:
        prepare_database(args.database, args.persons, env)
    else:  # the database as it is, brought up to the code's migrations
        subprocess.run([DAE, "migrate", "--noinput", "-v", "0"], env={**env, "DJANGO_SETTINGS_MODULE": "dae.settings.dev"},
                       check=True)
    import django

    django.setup()
    from dae.demo.users import DEMO_PASSWORD

    data = samples()
    from django.db import connections

    connections.close_all()

    prod = {**env, "DJANGO_SETTINGS_MODULE": "dae.settings.production"}
    if not (args.reuse and (var / "static" / "staticfiles.json").exists()):
        subprocess.run([DAE, "collectstatic", "--noinput", "-v", "0"], env=prod, check=True,
                       stdout=subprocess.DEVNULL)
    if args.server == "gunicorn":
        server = subprocess.Popen([DAE, "serve", "--production"], env=prod, start_new_session=True)
    else:
        workers = args.workers or (os.cpu_count() or 1) * 2 + 1
        server = subprocess.Popen([str(ROOT / ".venv" / "bin" / "granian"), "--interface", "wsgi", "--host", HOST,
                                   "--port", str(args.port), "--workers", str(workers), "--blocking-threads", "4",
                                   "--workers-lifetime", "3600", "--no-ws", "dae.wsgi:application"],
                                  env=prod, start_new_session=True, stdout=subprocess.DEVNULL)
    worker = subprocess.Popen([DAE, "db_worker"], env=prod, start_new_session=True, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL)
    peak_server = 0
    try:
        probe = Session(args.port)
        deadline = time.monotonic() + 120
        while True:
            try:
                if probe.request("GET", "/readyz")[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the server did not become ready in 120 s")
            time.sleep(0.5)
        clerk = sign_in(args.port, "clerk", DEMO_PASSWORD)
        checker = sign_in(args.port, "checker", DEMO_PASSWORD)
        finance = sign_in(args.port, "finance", DEMO_PASSWORD)
        manager = sign_in(args.port, "manager", DEMO_PASSWORD)
        hospital = Session(args.port, token=data["token"])
        rng = random.Random(args.seed)
        run_id = secrets.token_hex(3)  # invoice numbers and idempotency keys new in every run
        counter = iter(range(10**9))
        claims: list[str] = []
        lock = threading.Lock()

        def declaration() -> tuple[int, bytes, Any]:
            from tests.claims.builders import declaration as doc
            from tests.claims.builders import settlement

            n = next(counter)
            setl_id, psn_no = data["own"][n % len(data["own"])]
            row = settlement(f"LD{run_id}{n:07d}", psn_no, "2026-11-02 10:00:00", medfee="800.00")
            body = doc(data["hospital_code"], "2026-11", [row], key=f"load-{run_id}-{n}")
            return hospital.request("POST", "/api/v1/declarations/", body, "application/json")

        def manual_claim() -> tuple[int, bytes, Any]:
            n = next(counter)
            body = {
                "psn_no": data["persons"][n % len(data["persons"])], "hospital": data["hospital_code"],
                "place_category": "local", "med_type": "21", "adm_date": "2026-10-01", "dscg_date": "2026-10-12",
                "dise_codg": "I21.9", "dise_name": "急性心肌梗死",
                "totals": {"medfee_sumamt": "52000.00", "fulamt_ownpay_amt": "0.00", "overlmt_selfpay": "0.00",
                           "preselfpay_amt": "2000.00", "inscp_scp_amt": "50000.00"},
                "invoices": [{"number": f"LD-{run_id}-{n}", "date": "2026-10-12", "amount": "52000.00"}],
                "bank_name": "中国工商银行桦甸支行", "bank_account": f"62220207{n:011d}", "account_name": "张三",
                "phone": "13812345678", "received_on": "2026-11-20",
                "materials": ["application_form", "identity", "invoice", "fee_list", "discharge_summary",
                              "diagnosis_certificate", "bank_card"]}
            result = clerk.request("POST", "/api/v1/manual-claims/", json.dumps(body).encode(), "application/json")
            if result[0] == 201:
                number = json.loads(result[1])["number"]
                clerk.request("POST", f"/api/v1/manual-claims/{number}/compute/")
                with lock:
                    claims.append(number)
            return result

        def check_claim() -> tuple[int, bytes, Any]:
            with lock:
                number = claims.pop(0) if claims else ""
            if not number:
                return checker.request("GET", "/reimbursement/")
            return checker.request("POST", f"/api/v1/manual-claims/{number}/check/")

        ops: list[tuple[str, float, Any]] = [
            ("list: settlements", 12, lambda: clerk.request("GET", "/claims/settlements/")),
            ("list: persons", 8, lambda: clerk.request("GET", "/enrollment/persons/")),
            ("list: persons search", 4, lambda: clerk.request(
                "GET", f"/enrollment/persons/?q={rng.choice(data['persons'])}")),
            ("list: statements", 6, lambda: finance.request("GET", "/payments/statements/")),
            ("list: manual claims", 5, lambda: checker.request("GET", "/reimbursement/")),
            ("detail: settlement", 12, lambda: clerk.request(
                "GET", f"/claims/settlements/{rng.choice(data['setl_ids'])}/")),
            ("detail: person", 10, lambda: clerk.request(
                "GET", f"/enrollment/persons/{rng.choice(data['persons'])}/")),
            ("dashboard", 8, lambda: rng.choice((clerk, finance, manager, checker)).request("GET", "/")),
            ("api: settlements (token)", 10, lambda: hospital.request("GET", "/api/v1/settlements/")),
            ("api: declarations (token)", 5, lambda: hospital.request("GET", "/api/v1/declarations/")),
            ("write: declaration upload", 0.12, declaration),  # see the docstring: a city's monthly uploads
            ("write: manual claim + compute", 8, manual_claim),
            ("write: check (复核)", 8, check_claim),
        ]
        names = [o[0] for o in ops]
        weights = [o[1] for o in ops]
        actions = {o[0]: o[2] for o in ops}
        results: list[tuple[str, int, float, float]] = []
        dropped = [0]
        errors: dict[str, int] = defaultdict(int)
        samples_of_errors: list[str] = []

        inflight = [0]

        def run(name: str) -> None:
            started = time.monotonic()
            body = b""
            try:
                status, body, _response = actions[name]()
            except (OSError, http.client.HTTPException) as error:
                status = 0
                samples_of_errors.append(f"{name}: {type(error).__name__}")
            elapsed = (time.monotonic() - started) * 1000
            with lock:
                inflight[0] -= 1
                results.append((name, status, elapsed, started - start))
                if status == 0 or status >= 400:
                    errors[name] += 1
                    if status:
                        samples_of_errors.append(f"{name}: HTTP {status} {body[:160].decode('utf-8', 'replace')}")

        total = int(args.rate * args.seconds)
        interval = 1.0 / args.rate
        print(f"{args.server}: {total:,} requests at {args.rate:g}/s for {args.seconds}s on {HOST}:{args.port}; the mix:")
        for name, weight in zip(names, weights, strict=True):
            share = weight / sum(weights)
            print(f"  {name:<32} {share:7.2%}  {share * args.rate:6.3f}/s  {share * args.rate * 3600:8,.0f}/h")
        cpu_before = (cpu_of_tree(server.pid), cpu_of_tree(worker.pid), own_cpu())
        sampler = WaitSampler(args.database)
        sampler.start()
        start = time.monotonic()
        with ThreadPoolExecutor(max_workers=args.max_inflight) as pool:
            for i in range(total):
                target = start + i * interval
                delay = target - time.monotonic()
                if delay > 0:
                    time.sleep(delay)
                name = rng.choices(names, weights)[0]
                with lock:
                    saturated = inflight[0] >= args.max_inflight
                    if not saturated:
                        inflight[0] += 1
                if saturated:  # the server is this far behind: counted as an error, not queued for ever
                    with lock:
                        dropped[0] += 1
                        errors["dropped (server saturated)"] += 1
                    continue
                pool.submit(run, name)
                if i % max(1, int(args.rate * 5)) == 0:
                    peak_server = max(peak_server, rss_of_tree(server.pid))
        wall = time.monotonic() - start
        sampler.stop.set()
        peak_server = max(peak_server, rss_of_tree(server.pid))
        cpu_after = (cpu_of_tree(server.pid), cpu_of_tree(worker.pid), own_cpu())
    finally:
        for proc in (server, worker):
            try:
                os.killpg(proc.pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        for proc in (server, worker):
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)

    times = [r[2] for r in results]
    print(f"\nscheduled {total:,}; answered {len(results):,} in {wall:.1f}s = {len(results) / wall:.1f}/s; "
          f"errors {sum(errors.values())} ({', '.join(f'{k} {v}' for k, v in errors.items()) or 'none'})")
    print(f"latency all: p50 {percentile(times, 50):.0f} ms, p95 {percentile(times, 95):.0f} ms, "
          f"p99 {percentile(times, 99):.0f} ms, max {max(times):.0f} ms, mean {statistics.fmean(times):.0f} ms")
    for name in names:
        own = [r[2] for r in results if r[0] == name]
        if own:
            print(f"  {name:<32} n={len(own):>6,}  p50 {percentile(own, 50):>6.0f}  p95 {percentile(own, 95):>6.0f}"
                  f"  p99 {percentile(own, 99):>6.0f} ms")
    slow = [r for r in results if r[2] >= 1000]
    if slow:  # when the slow answers came: spread out (load) or bunched in a few windows (a stall)
        windows: dict[int, int] = defaultdict(int)
        for r in slow:
            windows[int(r[3] // 10) * 10] += 1
        worst = sorted(windows.items(), key=lambda kv: -kv[1])[:8]
        print(f"answers of 1 s or more: {len(slow):,}, in {len(windows)} of {int(wall // 10) + 1} ten-second windows;"
              " the most: " + ", ".join(f"{t}–{t + 10} s: {n}" for t, n in sorted(worst)))
    print(sampler.report())
    for line in samples_of_errors[:10]:
        print("  error:", line)
    client_peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024
    print(f"peak RSS: server (all processes) {peak_server / 2**20:.0f} MiB, this client {client_peak / 2**20:.0f} MiB")
    served = max(1, len(results))
    used = [after - before for before, after in zip(cpu_before, cpu_after, strict=True)]
    print(f"CPU during the run: server {used[0]:.0f} s ({used[0] / served * 1000:.0f} ms per request), background "
          f"worker {used[1]:.0f} s, this client {used[2]:.0f} s ({used[2] / served * 1000:.1f} ms per request); "
          f"load average {os.getloadavg()[0]:.1f}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
