"""Read the dictionary: valid codes for validation, names for display.

Lists are held per process for ``TTL`` seconds; an edit clears this process's copy at once (other processes
see it within ``TTL``).
"""

from __future__ import annotations

import time

from django.utils import translation

from .models import Code

TTL = 30.0
Entries = dict[str, tuple[str, str, bool]]
_cache: dict[str, tuple[float, Entries, frozenset[str]]] = {}


def _load(key: str) -> tuple[Entries, frozenset[str]]:
    hit = _cache.get(key)
    now = time.monotonic()
    if hit is not None and now - hit[0] < TTL:
        return hit[1], hit[2]
    rows = Code.objects.filter(codelist_id=key).values_list("code", "name", "name_en", "active")
    entries = {code: (name, name_en, active) for code, name, name_en, active in rows}
    active = frozenset(code for code, (_n, _e, on) in entries.items() if on)
    _cache[key] = (now, entries, active)
    return entries, active


def _entries(key: str) -> Entries:
    return _load(key)[0]


def clear() -> None:
    _cache.clear()


def valid_codes(key: str) -> frozenset[str]:
    """The active codes of list ``key`` (empty if the list does not exist)."""
    return _load(key)[1]


def is_valid(key: str, code: str) -> bool:
    entry = _entries(key).get(code)
    return entry is not None and entry[2]


def name(key: str, code: str | None) -> str:
    """The name of ``code`` in the active language; the code itself when unknown."""
    if code is None or code == "":
        return ""
    entry = _entries(key).get(code)
    if entry is None:
        return code
    if translation.get_language() == "en" and entry[1]:
        return entry[1]
    return entry[0]


def label(key: str, code: str | None) -> str:
    """``code name`` for tables, e.g. ``21 普通住院``."""
    if not code:
        return ""
    shown = name(key, code)
    return code if shown == code else f"{code} {shown}"


def choices(key: str) -> list[tuple[str, str]]:
    return [(code, f"{code} {name(key, code)}") for code in sorted(valid_codes(key))]
