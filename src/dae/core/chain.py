"""The hash chain of an append-only log, as pure functions (no Django): what a row's hash covers and how a walk
over the rows finds the first one that does not match.

Each row carries ``seq`` (1, 2, 3 … without gaps), ``prev_hash`` (the hash of row ``seq - 1``; 64 zeros for the
first) and ``row_hash`` = SHA-256 of the canonical JSON of ``{"v": VERSION, "seq", "prev", "row": {fields}}``.
Changing any field of a row changes its hash; deleting a row leaves a gap in ``seq`` and a ``prev_hash`` that no
longer matches; rewriting every hash after a change is caught by the day's final hashes kept elsewhere (anchors).

The canonical JSON sorts keys, has no spaces, keeps non-ASCII characters as they are, and writes a float that is a
whole number as an integer, so a value reads back identically from SQLite's text and PostgreSQL's ``jsonb`` (which
may turn ``1e+22`` into ``10000000000000000000000``). Times are UTC ISO 8601 with microseconds.

This module must never import Django: the same code verifies a chain from a plain export.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

VERSION = 1
GENESIS = "0" * 64


def _plain(value: Any) -> Any:
    """``value`` with integral floats as ints (recursively), the form both databases read back identically."""
    if isinstance(value, float):
        return int(value) if value.is_integer() else value
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(value: Any) -> str:
    """The canonical JSON text of ``value`` (see the module docstring)."""
    return json.dumps(_plain(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"), allow_nan=False)


def utc_text(moment: dt.datetime) -> str:
    """A time as the chain writes it: UTC, ISO 8601, always with microseconds (an aware datetime is required)."""
    if moment.tzinfo is None:
        raise ValueError("the chain needs an aware datetime")
    return moment.astimezone(dt.UTC).isoformat(timespec="microseconds")


def row_hash(seq: int, prev_hash: str, fields: Mapping[str, Any]) -> str:
    """The hash of one row: its place, the previous row's hash and its content."""
    payload = canonical({"v": VERSION, "seq": seq, "prev": prev_hash, "row": fields})
    return hashlib.sha256(payload.encode("utf-8", "surrogatepass")).hexdigest()


@dataclass(frozen=True)
class Link:
    """What the writer stores next to a row's content."""

    seq: int
    prev_hash: str
    row_hash: str


def extend(head_seq: int, head_hash: str, rows: Iterable[Mapping[str, Any]]) -> Iterator[Link]:
    """The links of ``rows`` appended after the head (``0, GENESIS`` for an empty chain), in order."""
    seq, prev = head_seq, head_hash
    for fields in rows:
        seq += 1
        digest = row_hash(seq, prev, fields)
        yield Link(seq, prev, digest)
        prev = digest


@dataclass(frozen=True)
class StoredRow:
    """A row as read back: its id in the table (for the report), its link and its content."""

    id: Any
    seq: int
    prev_hash: str
    row_hash: str
    fields: Mapping[str, Any]


@dataclass(frozen=True)
class Problem:
    """The first place where the chain does not hold. ``kind``: ``changed`` (the content or the stored hash was
    altered), ``relinked`` (``prev_hash`` is not the previous row's hash), ``gap`` (rows ``missing_from`` …
    ``missing_to`` are missing), ``start`` (the first row is not ``seq`` 1 with the genesis hash)."""

    kind: str
    seq: int
    id: Any
    expected: str = ""
    found: str = ""
    missing_from: int = 0
    missing_to: int = 0


@dataclass(frozen=True)
class WalkResult:
    rows: int
    last_seq: int
    last_hash: str
    problem: Problem | None

    @property
    def ok(self) -> bool:
        return self.problem is None


def walk(rows: Iterable[StoredRow], *, start_seq: int = 0, start_hash: str = GENESIS) -> WalkResult:
    """Walk ``rows`` (ordered by ``seq``) from the given head and stop at the first problem."""
    count, last_seq, last_hash = 0, start_seq, start_hash
    for row in rows:
        if row.seq != last_seq + 1:
            if row.seq <= last_seq:
                return WalkResult(count, last_seq, last_hash, Problem("changed", row.seq, row.id,
                                                                      expected=str(last_seq + 1), found=str(row.seq)))
            return WalkResult(count, last_seq, last_hash,
                              Problem("gap", row.seq, row.id, missing_from=last_seq + 1, missing_to=row.seq - 1))
        if row.prev_hash != last_hash:
            kind = "start" if last_seq == 0 else "relinked"
            return WalkResult(count, last_seq, last_hash,
                              Problem(kind, row.seq, row.id, expected=last_hash, found=row.prev_hash))
        digest = row_hash(row.seq, row.prev_hash, row.fields)
        if digest != row.row_hash:
            return WalkResult(count, last_seq, last_hash,
                              Problem("changed", row.seq, row.id, expected=digest, found=row.row_hash))
        count, last_seq, last_hash = count + 1, row.seq, digest
    return WalkResult(count, last_seq, last_hash, None)
