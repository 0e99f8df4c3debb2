"""The registry of archivable item kinds (档案类型): one entry per kind of business object.

An entry says how to find the closed objects of its kind (``closed``), which events close one (``close_events``,
so archiving starts by itself once the closing transaction commits), how to describe one as a record (``build``:
title, dates, year, region, person, metadata, the record's template and context, attached documents and which of
them are required), its category (类别), its default retention and the post responsible for it. Another app adds
its kind with one ``register(ItemKind(...))`` in its own ``archiving.py`` (found at start-up); see
``docs/archives.md``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dae.core.errors import InvalidInput
from dae.core.events import after_commit_of
from dae.core.logchain import ANCHOR_SOURCES

from .codes import Code

#: 类别 (DA/T 22-2015 机构/问题): code → name. The code is part of the archival code.
CATEGORIES: dict[str, Any] = {
    "CB": _("承保"),
    "LP": _("理赔"),
    "SH": _("审核"),
    "JC": _("稽核"),
    "FW": _("服务"),
    "QX": _("权限管理"),
    "RZ": _("日志"),
}


@dataclass(frozen=True)
class Document:
    """A document attached to a record. ``content`` gives its bytes, or ``None`` when it cannot be had (a file
    that is gone, a computation never made): a required document that gives ``None`` fails the integrity check."""

    code: str
    label: str | Promise
    name: str
    media_type: str
    content: Callable[[], bytes | None]


def file_content(path: str | Path) -> Callable[[], bytes | None]:
    """A document read from a stored upload (``None`` if the file is missing)."""

    def read() -> bytes | None:
        target = Path(path)
        return target.read_bytes() if target.is_file() else None

    return read


@dataclass(frozen=True)
class Record:
    """What an object is as an archival item."""

    title: str
    year: int
    date_from: dt.date
    date_to: dt.date
    region_id: str | None
    metadata: dict[str, Any]
    template: str
    context: dict[str, Any]
    documents: Sequence[Document] = ()
    required: Sequence[tuple[str, str | Promise]] = ()  # (document code, label) the integrity check demands
    psn_no: str = ""
    events: Sequence[tuple[str, str]] = ()  # (object_type, object_id) whose events produced the record
    event_ids: Sequence[int] = ()  # or exactly these events


@dataclass(frozen=True)
class ItemKind:
    key: str
    label: str | Promise
    category: str
    retention: str  # Retention code: Y / D30 / D10
    post: str  # the responsible post (accounts.posts.Post value)
    object_type: str  # the business object's model label (lower case), as in the event log
    closed: Callable[[], QuerySet[Any]] | None
    build: Callable[[Any], Record]
    close_events: tuple[str, ...] = ()
    key_of: Callable[[Any], str] = field(default=lambda obj: str(obj.pk))
    link: Callable[[Any], str | None] = field(default=lambda obj: None)  # route to the business object's page

    def object_for(self, object_id: str) -> Any:
        qs = self.closed() if self.closed is not None else None
        if qs is None:
            return None
        return qs.filter(pk=object_id).first()


_KINDS: dict[str, ItemKind] = {}


def register(kind: ItemKind) -> ItemKind:
    if kind.category not in CATEGORIES:
        raise ValueError(f"unknown archive category {kind.category}")
    _KINDS[kind.key] = kind
    return kind


def kinds() -> list[ItemKind]:
    return list(_KINDS.values())


def get_kind(key: str) -> ItemKind:
    if key not in _KINDS:
        raise InvalidInput(f"未知的档案类型：{key[:40]}", code=Code.UNKNOWN_KIND)
    return _KINDS[key]


def kind_label(key: str) -> str:
    kind = _KINDS.get(key)
    return str(kind.label) if kind is not None else key


def category_label(code: str) -> str:
    return str(CATEGORIES.get(code, code))


def kind_choices() -> list[tuple[str, str]]:
    return [(k.key, str(k.label)) for k in _KINDS.values()]


def object_label(obj: Model) -> str:
    return str(obj)


def connect() -> None:
    """Archive a kind's closed objects once a transaction that wrote one of its closing events commits."""
    # cycle: archives.registry ↔ archives.models (its labels) — jobs and queries import the models
    from .jobs import archive_soon
    from .queries import anchors

    for kind in _KINDS.values():
        if kind.close_events:
            after_commit_of([(action, kind.object_type) for action in kind.close_events], _trigger(kind.key))
    if anchors not in ANCHOR_SOURCES:
        ANCHOR_SOURCES.append(anchors)
    _ = archive_soon


_TRIGGERS: dict[str, Callable[[], None]] = {}


def _trigger(key: str) -> Callable[[], None]:
    if key not in _TRIGGERS:
        def fire() -> None:
            from .jobs import archive_soon  # cycle: archives.registry ↔ archives.models (through jobs)

            archive_soon(key)

        _TRIGGERS[key] = fire
    return _TRIGGERS[key]


def iter_kinds(keys: Iterable[str] | None = None) -> list[ItemKind]:
    return [get_kind(k) for k in keys] if keys else kinds()
