"""Errors of the payout engine: one error value per bad field, one exception tree.

A check never stops at the first problem: it returns every ``FieldError`` it finds (path of the field, a stable
code, what is wrong in Chinese and in English), and the caller raises one exception carrying the whole list, so a
clerk or a hospital fixes a document in one round. This module must never import Django.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True, slots=True)
class FieldError:
    """One thing wrong with one field of a document (rule set, trial-calculation input, batch row).

    ``path`` is written like ``segments[1].ratio`` or ``settlements[0].fee_lines[2].cnt``; ``$`` is the whole
    document. ``code`` is stable and meant for programs; the two messages are meant for people.
    """

    path: str
    code: str
    message_zh: str
    message_en: str

    def to_doc(self) -> dict[str, str]:
        return {"path": self.path, "code": self.code, "message_zh": self.message_zh, "message_en": self.message_en}


class EngineError(Exception):
    """Base of every error the payout engine raises on purpose (引擎错误)."""


class DocumentInvalid(EngineError):
    """A document was refused; ``errors`` lists every field at fault. Nothing was computed."""

    kind = "document_invalid"

    def __init__(self, errors: Iterable[FieldError]) -> None:
        self.errors: tuple[FieldError, ...] = tuple(errors)
        first = self.errors[0].message_zh if self.errors else ""
        super().__init__(f"{len(self.errors)} error(s): {first}")

    def to_doc(self) -> dict[str, Any]:
        """The JSON error object returned by the trial calculation and the CLI."""
        return {"format_version": "1", "error": self.kind, "errors": [e.to_doc() for e in self.errors]}


class RuleSetInvalid(DocumentInvalid):
    """A rule set (or a list of rule-set versions) is not valid (规则集无效)."""

    kind = "ruleset_invalid"


class InputInvalid(DocumentInvalid):
    """Settlements, fee lines, openings or cancellations given to the engine are not valid (输入无效)."""

    kind = "input_invalid"


class CalculationError(EngineError):
    """An internal invariant broke while computing (e.g. the four-totals identity): a bug, never bad input."""


def prefixed(prefix: str, errors: Iterable[FieldError]) -> list[FieldError]:
    """Put ``prefix`` in front of every path, e.g. to say which rule file of several an error is in."""
    result = []
    for error in errors:
        path = prefix if error.path == "$" else f"{prefix}.{error.path}"
        result.append(FieldError(path, error.code, error.message_zh, error.message_en))
    return result
