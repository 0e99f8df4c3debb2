"""The platform simulator's server. ``PlatformSimulator(data).start()`` serves on ``127.0.0.1`` (a free port by
default) in a daemon thread and returns its address.

Transactions: ``1101`` (person by certificate number), ``3201`` (totals of a hospital's period, with the
platform's own figures in the answer), ``3202`` (the period's settlement details), and the receipts of payment
results and audit feedback (``9001`` / ``9002``, regional numbers), and a hospital-month's settlements in the
national format (``9101``, regional: the 2304/2305 data a region offers instead of uploaded declarations). A message is processed once per ``msgid``: a
repeat gets the stored answer (``processed`` counts processing, ``arrivals`` every arrival).

Faults, each for the next *n* requests: ``fail_next`` (HTTP 503, nothing processed), ``timeout_next`` (processed,
then the answer comes too late), ``refuse_next`` (``infcode`` −1 with a message); ``down = True`` answers 503 to
everything. ``differ`` / ``drop`` / ``add`` change the platform's copy of chosen settlements. A process started
on its own takes the same orders as JSON on ``POST /_sim/control`` and shows its counters on ``GET /_sim/state``.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections import Counter
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

RECEIPTS = ("9001", "9002")
PULL = "9101"


def _fen(value: Any) -> int:
    return int((Decimal(str(value)) * 100).to_integral_value())


def _yuan(fen: int) -> str:
    sign = "-" if fen < 0 else ""
    return f"{sign}{abs(fen) // 100}.{abs(fen) % 100:02d}"


class PlatformSimulator:
    def __init__(self, data: dict[str, Any] | None = None, *, host: str = "127.0.0.1", port: int = 0,
                 late_by: float = 1.0) -> None:
        data = data or {}
        self.persons: dict[str, Any] = dict(data.get("persons", {}))
        self.settlements: dict[str, dict[str, Any]] = {s["setl_id"]: dict(s) for s in data.get("settlements", [])}
        #: 2304/2305 settlements in the national format a hospital-month's pull answers ("CODE YYYY-MM" → list)
        self.pulls: dict[str, list[Any]] = dict(data.get("pulls", {}))
        self.host, self.port, self.late_by = host, port, late_by
        self.lock = threading.Lock()
        self.answers: dict[str, dict[str, Any]] = {}
        self.processed: Counter[str] = Counter()
        self.arrivals: Counter[str] = Counter()
        self.received: list[dict[str, Any]] = []
        self.faults: dict[str, int] = {"fail": 0, "timeout": 0, "refuse": 0}
        self.refuse_message = "平台校验未通过"
        self.down = False
        self.server: ThreadingHTTPServer | None = None

    # -- control ---------------------------------------------------------------------------------------------
    def fail_next(self, n: int = 1) -> None:
        self.faults["fail"] = n

    def timeout_next(self, n: int = 1) -> None:
        self.faults["timeout"] = n

    def refuse_next(self, n: int = 1, message: str = "平台校验未通过") -> None:
        self.faults["refuse"], self.refuse_message = n, message

    def differ(self, setl_id: str, **fields: Any) -> None:
        self.settlements[setl_id].update(fields)

    def drop(self, setl_id: str) -> None:
        self.settlements.pop(setl_id)

    def add(self, settlement: dict[str, Any]) -> None:
        self.settlements[settlement["setl_id"]] = dict(settlement)

    def control(self, order: dict[str, Any]) -> None:
        action = order.get("action")
        if action == "down":
            self.down = bool(order.get("value", True))
        elif action in ("fail_next", "timeout_next"):
            getattr(self, action)(int(order.get("n", 1)))
        elif action == "refuse_next":
            self.refuse_next(int(order.get("n", 1)), str(order.get("message", "平台校验未通过")))
        elif action == "differ":
            self.differ(order["setl_id"], **order.get("fields", {}))
        elif action == "drop":
            self.drop(order["setl_id"])
        elif action == "add":
            self.add(order["settlement"])
        else:
            raise ValueError(f"unknown order {action!r}")

    def state(self) -> dict[str, Any]:
        return {"processed": dict(self.processed), "arrivals": dict(self.arrivals),
                "received": [{"infno": r["infno"], "msgid": r["msgid"]} for r in self.received]}

    # -- serving ---------------------------------------------------------------------------------------------
    def start(self) -> str:
        simulator = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, format: str, *args: Any) -> None:  # quiet: the client keeps the log
                return

            def do_GET(self) -> None:  # noqa: N802 - http.server's naming
                if self.path == "/_sim/state":
                    self._json(200, simulator.state())
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:  # noqa: N802
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length)
                if self.path == "/_sim/control":
                    try:
                        simulator.control(json.loads(body))
                    except (ValueError, KeyError) as exc:
                        self._json(400, {"error": str(exc)})
                        return
                    self._json(200, {"ok": True})
                    return
                status, answer, delay = simulator.handle(body)
                if delay:
                    time.sleep(delay)
                try:
                    self._json(status, answer)
                except (BrokenPipeError, ConnectionResetError):
                    return  # the client gave up waiting (a time-out it asked for)

            def _json(self, status: int, value: Any) -> None:
                raw = json.dumps(value, ensure_ascii=False).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

        self.server = ThreadingHTTPServer((self.host, self.port), Handler)
        self.server.daemon_threads = True
        self.port = self.server.server_address[1]
        threading.Thread(target=self.server.serve_forever, name="platform-simulator", daemon=True).start()
        return self.url

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def __enter__(self) -> PlatformSimulator:
        self.start()
        return self

    def __exit__(self, *exc: Any) -> None:
        self.stop()

    # -- the interface ---------------------------------------------------------------------------------------
    def handle(self, body: bytes) -> tuple[int, dict[str, Any], float]:
        """(HTTP status, answer, seconds to wait before answering) for one request."""
        with self.lock:
            if self.down:
                return 503, {"error": "platform down"}, 0.0
            if self.faults["fail"] > 0:
                self.faults["fail"] -= 1
                return 503, {"error": "service unavailable"}, 0.0
            try:
                request = json.loads(body)
                msgid, infno = str(request["msgid"]), str(request["infno"])
            except (ValueError, KeyError, TypeError):
                return 200, self._envelope("", -1, "报文格式错误", {}), 0.0
            self.arrivals[msgid] += 1
            if msgid in self.answers:  # the same message again: the stored answer, nothing done twice
                return 200, self.answers[msgid], 0.0
            if self.faults["refuse"] > 0:
                self.faults["refuse"] -= 1
                return 200, self._envelope(msgid, -1, self.refuse_message, {}), 0.0
            answer = self._answer(infno, msgid, request.get("input") or {})
            if answer["infcode"] == 0:
                self.answers[msgid] = answer
                self.processed[msgid] += 1
                self.received.append({"infno": infno, "msgid": msgid, "input": request.get("input")})
            delay = 0.0
            if self.faults["timeout"] > 0:
                self.faults["timeout"] -= 1
                delay = self.late_by
            return 200, answer, delay

    def _envelope(self, msgid: str, infcode: int, err_msg: str, output: dict[str, Any]) -> dict[str, Any]:
        now = dt.datetime.now(dt.UTC).strftime("%Y%m%d%H%M%S")
        return {"infcode": infcode, "inf_refmsgid": f"SIM{now}{len(self.answers):06d}", "refmsg_time": now,
                "respond_time": now, "enctype": "", "signtype": "", "err_msg": err_msg, "warn_msg": "",
                "output": output, "msgid": msgid}

    def _answer(self, infno: str, msgid: str, data: dict[str, Any]) -> dict[str, Any]:
        data = data.get("data", data) if isinstance(data, dict) else {}
        if infno == "1101":
            certno = str(data.get("certno") or data.get("mdtrt_cert_no") or "")
            person = self.persons.get(certno)
            if person is None:
                return self._envelope(msgid, -1, "未查询到该人员的参保信息", {})
            return self._envelope(msgid, 0, "", person)
        if infno in ("3201", "3202"):
            try:
                rows = self._period(data)
            except (KeyError, ValueError):
                return self._envelope(msgid, -1, "对账参数不完整", {})
            if infno == "3202":
                return self._envelope(msgid, 0, "", {"stmtdetail": rows})
            return self._envelope(msgid, 0, "", {"stmtinfo": self._totals(data, rows)})
        if infno == PULL:
            key = f"{data.get('fixmedins_code', '')} {str(data.get('stmt_begndate', ''))[:7]}"
            return self._envelope(msgid, 0, "", {"settlements": self.pulls.get(key, [])})
        if infno in RECEIPTS:
            return self._envelope(msgid, 0, "", {"rcv_flag": "1"})
        return self._envelope(msgid, -1, f"不支持的交易 {infno}", {})

    def _period(self, data: dict[str, Any]) -> list[dict[str, Any]]:
        begin = dt.date.fromisoformat(str(data["stmt_begndate"]))
        end = dt.date.fromisoformat(str(data["stmt_enddate"]))
        code, admdvs = str(data["fixmedins_code"]), str(data["setl_optins"])
        rows = [s for s in self.settlements.values()
                if s["fixmedins_code"] == code and s.get("clr_optins", admdvs) == admdvs
                and begin <= dt.date.fromisoformat(str(s["setl_time"])[:10]) <= end]
        return sorted(({k: s[k] for k in ("setl_id", "mdtrt_id", "psn_no", "setl_time", "medfee_sumamt",
                                          "hifob_pay", "refd_setl_flag") if k in s} for s in rows),
                      key=lambda r: r["setl_id"])

    def _totals(self, data: dict[str, Any], rows: list[dict[str, Any]]) -> dict[str, Any]:
        medfee = sum(_fen(r["medfee_sumamt"]) for r in rows)
        fund = sum(_fen(r["hifob_pay"]) for r in rows)
        cancelled = sum(1 for r in rows if r.get("refd_setl_flag") == "1")
        same = (len(rows) == int(data.get("fixmedins_setl_cnt", -1))
                and medfee == _fen(data.get("medfee_sumamt", "0")) and fund == _fen(data.get("fund_pay_sumamt", "0"))
                and cancelled == int(data.get("refd_setl_cnt", -1)))
        return {"setl_optins": data["setl_optins"], "stmt_rslt": "0" if same else "1",
                "stmt_rslt_dscr": "对账平" if same else "对账不平", "fixmedins_setl_cnt": len(rows),
                "medfee_sumamt": _yuan(medfee), "fund_pay_sumamt": _yuan(fund), "refd_setl_cnt": cancelled}
