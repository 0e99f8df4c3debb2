"""The gateway client for the medical insurance platform's HTTP JSON interface, in the national envelope.

One ``call(infno, input)`` sends ``{"infno", "msgid", "mdtrtarea_admvs", "insuplc_admdvs", "recer_sys_code",
"inf_time", "opter", …, "input"}`` and reads ``{"infcode", "err_msg", "output", …}``:

- ``msgid`` is unique per request (sender code + time + a database sequence) and kept; every retry of the request
  reuses it, and a caller may pass its own (the outbox fixes one per message) so a repeat is recognised by the
  platform as the same message.
- Each try has a time-out; a time-out, a refused connection or an HTTP 5xx is tried again up to ``RETRIES`` times
  with exponential back-off. ``infcode`` −1 is the platform's answer, not a failure of the line: never retried,
  raised as ``PlatformRefused`` with its ``err_msg``.
- The circuit (``models.Circuit``): after ``CIRCUIT_FAILURES`` failed calls in a row every call is refused at once
  (``CircuitOpen``) until ``CIRCUIT_COOL_OFF`` seconds have passed; then one call goes through and closes it or
  opens it again.
- Every call is kept (``models.Call``) with the masked request and answer, its tries, duration and outcome.

The client must not be called inside a database transaction that may roll back: the log and the circuit are
written in their own transaction after the exchange (``actions.do_log_call``) so a failure is never forgotten.
"""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils import timezone
from django.utils.module_loading import import_string

from .codes import Code
from .errors import CircuitOpen, PlatformError, PlatformRefused
from .models import Call, Circuit

CIRCUIT = "platform"

DEFAULTS: dict[str, Any] = {
    "URL": "",
    "TIMEOUT": 10.0,
    "RETRIES": 2,
    "BACKOFF": 0.5,
    "CIRCUIT_FAILURES": 5,
    "CIRCUIT_COOL_OFF": 60.0,
    "SENDER": "DAEINSURER01",
    "RECER_SYS_CODE": "DAE",
    "SIGNER": "dae.exchange.signing.PlainJson",
    "INFNO_PAYMENT_RESULT": "9001",
    "INFNO_AUDIT_FEEDBACK": "9002",
    "INFNO_SETTLEMENT_PULL": "9101",
}


def config() -> dict[str, Any]:
    return {**DEFAULTS, **getattr(settings, "PLATFORM", {})}


@dataclass(frozen=True)
class Answer:
    msgid: str
    infcode: int
    err_msg: str
    output: Any
    call_id: int


class _Retryable(Exception):
    def __init__(self, outcome: str, detail: str) -> None:
        self.outcome, self.detail = outcome, detail
        super().__init__(detail)


def new_msgid() -> str:
    """The next message id: the sender code (12), the time (14) and the sequence's last four digits."""
    from .actions import next_sequence

    sender = str(config()["SENDER"])[:12].ljust(12, "0")
    seq = next_sequence(sender)
    return f"{sender}{timezone.localtime():%Y%m%d%H%M%S}{seq % 10000:04d}"


def circuit_open_until() -> Any:
    row = Circuit.objects.filter(pk=CIRCUIT).first()
    if row is None or row.open_until is None or row.open_until <= timezone.now():
        return None
    return row.open_until


class PlatformClient:
    def __init__(self, *, url: str | None = None, sleep: Callable[[float], None] = time.sleep,
                 **overrides: Any) -> None:
        self.conf = {**config(), **overrides}
        if url is not None:
            self.conf["URL"] = url
        self.sleep = sleep
        self.signer = import_string(self.conf["SIGNER"])()

    def envelope(self, infno: str, msgid: str, data: dict[str, Any], *, admdvs: str, opter: str) -> dict[str, Any]:
        return {
            "infno": infno, "msgid": msgid, "mdtrtarea_admvs": admdvs, "insuplc_admdvs": admdvs,
            "recer_sys_code": self.conf["RECER_SYS_CODE"], "dev_no": "", "dev_safe_info": "", "cainfo": "",
            "signtype": "", "infver": "V1.0", "opter_type": "1", "opter": opter, "opter_name": "",
            "inf_time": f"{timezone.localtime():%Y-%m-%d %H:%M:%S}", "fixmedins_code": "", "fixmedins_name": "",
            "sign_no": "", "input": data,
        }

    def call(self, infno: str, data: dict[str, Any], *, purpose: str, admdvs: str, msgid: str | None = None,
             hospital_id: int | None = None, actor: Any = None) -> Answer:
        from .actions import do_log_call

        log = {"infno": infno, "purpose": purpose, "region_id": admdvs, "hospital_id": hospital_id, "actor": actor}
        if not self.conf["URL"]:
            raise PlatformError("未配置医保平台地址（DAE_PLATFORM_URL）", code=Code.NOT_CONFIGURED)
        msgid = msgid or new_msgid()
        opter = str(getattr(actor, "pk", "") or "system")
        request = self.envelope(infno, msgid, data, admdvs=admdvs, opter=opter)
        if (until := circuit_open_until()) is not None:
            do_log_call(msgid=msgid, request=request, outcome=Call.Outcome.CIRCUIT_OPEN, trace=[], **log)
            raise CircuitOpen(f"医保平台连续多次无法访问，已暂停调用至 {timezone.localtime(until):%H:%M:%S}")
        trace: list[dict[str, Any]] = []
        answer: Any = None
        outcome = ""
        for attempt in range(1 + int(self.conf["RETRIES"])):
            started = time.monotonic()
            try:
                answer = self._send(request)
                outcome = Call.Outcome.OK
            except _Retryable as exc:
                outcome = exc.outcome
                trace.append({"try": attempt + 1, "outcome": outcome, "ms": _ms(started), "detail": exc.detail[:200]})
                if attempt < int(self.conf["RETRIES"]):
                    self.sleep(float(self.conf["BACKOFF"]) * (2 ** attempt))
                continue
            trace.append({"try": attempt + 1, "outcome": outcome, "ms": _ms(started)})
            break
        if outcome != Call.Outcome.OK:
            do_log_call(msgid=msgid, request=request, outcome=outcome, trace=trace, **log)
            raise PlatformError(f"医保平台无法访问（{Call.Outcome(outcome).label}，已尝试 {len(trace)} 次）")
        if not isinstance(answer, dict) or not isinstance(answer.get("infcode"), int):
            do_log_call(msgid=msgid, request=request, outcome=Call.Outcome.BAD_ANSWER, trace=trace,
                        response=answer if isinstance(answer, dict) else {"body": str(answer)[:500]}, **log)
            raise PlatformError("医保平台的应答不是规定的报文格式", code=Code.BAD_ANSWER)
        infcode, err_msg = answer["infcode"], str(answer.get("err_msg") or "")
        if infcode != 0:
            call = do_log_call(msgid=msgid, request=request, outcome=Call.Outcome.REFUSED, trace=trace,
                               response=answer, infcode=infcode, err_msg=err_msg, **log)
            raise PlatformRefused(f"医保平台返回错误（{infcode}）：{err_msg or '未说明原因'}",
                                  details={"infcode": infcode, "err_msg": err_msg, "call": call.pk, "msgid": msgid})
        call = do_log_call(msgid=msgid, request=request, outcome=Call.Outcome.OK, trace=trace, response=answer,
                           infcode=infcode, err_msg=err_msg, **log)
        return Answer(msgid, infcode, err_msg, answer.get("output") or {}, call.pk)

    def _send(self, envelope: dict[str, Any]) -> Any:
        body, headers = self.signer.seal(envelope)
        url = f"{self.conf['URL'].rstrip('/')}/fsi/api/{envelope['infno']}"
        request = urllib.request.Request(url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=float(self.conf["TIMEOUT"])) as response:  # noqa: S310
                raw, reply_headers = response.read(), dict(response.headers)
        except urllib.error.HTTPError as exc:
            if exc.code >= 500:
                raise _Retryable(Call.Outcome.UNREACHABLE, f"HTTP {exc.code}") from exc
            return {"body": f"HTTP {exc.code}"}
        except TimeoutError as exc:
            raise _Retryable(Call.Outcome.TIMEOUT, "time-out") from exc
        except urllib.error.URLError as exc:
            if isinstance(exc.reason, TimeoutError):
                raise _Retryable(Call.Outcome.TIMEOUT, "time-out") from exc
            raise _Retryable(Call.Outcome.UNREACHABLE, str(exc.reason)) from exc
        except (ConnectionError, OSError) as exc:
            raise _Retryable(Call.Outcome.UNREACHABLE, str(exc)) from exc
        try:
            return self.signer.open(raw, reply_headers)
        except ValueError:
            return {"body": raw[:500].decode("utf-8", "replace")}


def _ms(started: float) -> int:
    return int((time.monotonic() - started) * 1000)
