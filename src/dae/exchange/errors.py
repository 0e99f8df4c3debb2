"""The exchange's error codes: one per meaning, stable values (clients and tests match on them)."""

from __future__ import annotations

from enum import StrEnum

from dae.core.errors import DaeError


class ErrorCode(StrEnum):
    PLATFORM_REFUSED = "platform_refused"        # the platform answered infcode -1
    PLATFORM_UNAVAILABLE = "platform_unavailable"  # time-outs / connection errors / 5xx after every retry
    CIRCUIT_OPEN = "platform_circuit_open"       # too many failures in a row: calls paused until the cool-off ends
    BAD_ANSWER = "platform_bad_answer"           # the answer is not the national envelope
    NOT_CONFIGURED = "platform_not_configured"   # no platform address set
    ALREADY_RESOLVED = "difference_resolved"     # a reconciliation difference already has its note
    NO_PERSON = "platform_no_person"             # 1101 found nobody with that certificate number


class PlatformError(DaeError):
    status = 502
    code = ErrorCode.PLATFORM_UNAVAILABLE
    default_message = "医保平台暂时无法访问，请稍后重试"


class PlatformRefused(PlatformError):
    """The platform answered with ``infcode`` -1; ``message`` carries its ``err_msg``."""

    code = ErrorCode.PLATFORM_REFUSED
    default_message = "医保平台拒绝了该请求"


class CircuitOpen(PlatformError):
    status = 503
    code = ErrorCode.CIRCUIT_OPEN
    default_message = "医保平台连续多次无法访问，已暂停调用，稍后自动恢复"
