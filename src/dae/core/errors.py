"""One error convention: typed exceptions with a stable code, an HTTP status and a Chinese message.

Views and the API catch ``DaeError`` only; the API answers ``{"code", "message", "details"}`` with the status,
pages show the message inline. Every other exception is a bug and is allowed to surface.

A code is always an enum member (``dae/<app>/codes.py: Code``, ``dae.core.codes.CoreCode`` / ``InputCode``), never
a bare string: a class or a raise with a string code fails with ``TypeError`` (issue 14), so codes cannot drift.
"""

from __future__ import annotations

from enum import Enum, StrEnum
from typing import Any

from .codes import CoreCode


def _enum_member(code: object, where: str) -> None:
    if not isinstance(code, Enum):
        raise TypeError(f"{where}: the error code {code!r} is not an enum member; add it to the app's codes.py "
                        "(class Code) and give the member")


class DaeError(Exception):
    """Base of every expected failure. ``code`` is stable (clients match on it); ``message`` is for a clerk."""

    code: StrEnum = CoreCode.ERROR
    status = 400
    default_message = "操作失败"

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        _enum_member(cls.code, cls.__qualname__)

    def __init__(self, message: str | None = None, *, code: StrEnum | None = None, details: Any = None) -> None:
        self.message = message or self.default_message
        if code is not None:
            _enum_member(code, type(self).__qualname__)
            self.code = code
        self.details = details
        super().__init__(self.message)

    def as_dict(self) -> dict[str, Any]:
        return {"code": self.code, "message": self.message, "details": self.details}


class InvalidInput(DaeError):
    """The request or file is malformed; ``details`` lists the fields (path, reason)."""

    code = CoreCode.INVALID_INPUT
    status = 400
    default_message = "输入有误，请检查后重试"


class NotFound(DaeError):
    """The object does not exist or is outside the user's regions / hospital (the same answer for both)."""

    code = CoreCode.NOT_FOUND
    status = 404
    default_message = "记录不存在或无权访问"


class PermissionDenied(DaeError):
    """The user's post may not do this."""

    code = CoreCode.PERMISSION_DENIED
    status = 403
    default_message = "当前岗位无权执行此操作"


class Conflict(DaeError):
    """The object is in a state that does not allow the action (e.g. already approved)."""

    code = CoreCode.CONFLICT
    status = 409
    default_message = "当前状态不允许此操作"


class AppendOnlyViolation(DaeError):
    """An append-only record (event, access record, posted ledger leg) was asked to change."""

    code = CoreCode.APPEND_ONLY
    status = 409
    default_message = "该记录只能追加，不能修改或删除"


def require_reason(reason: str | None, what: str = "原因", *, min_length: int = 2, max_length: int = 300) -> str:
    """The stripped reason a change must give (at most ``max_length`` characters), or ``InvalidInput`` naming
    ``what`` was missing (e.g. 请填写变更原因) on the ``reason`` field."""
    text = (reason or "").strip()
    if len(text) < min_length:
        message = f"请填写{what}"
        raise InvalidInput(message, code=CoreCode.REASON_REQUIRED, details=[{"path": "reason", "message": message}])
    return text[:max_length]
