"""The exchange's error codes: one per meaning, stable values (clients and tests match on them)."""

from __future__ import annotations

from dae.core.errors import DaeError

from .codes import Code


class PlatformError(DaeError):
    status = 502
    code = Code.PLATFORM_UNAVAILABLE
    default_message = "医保平台暂时无法访问，请稍后重试"


class PlatformRefused(PlatformError):
    """The platform answered with ``infcode`` -1; ``message`` carries its ``err_msg``."""

    code = Code.PLATFORM_REFUSED
    default_message = "医保平台拒绝了该请求"


class CircuitOpen(PlatformError):
    status = 503
    code = Code.CIRCUIT_OPEN
    default_message = "医保平台连续多次无法访问，已暂停调用，稍后自动恢复"
