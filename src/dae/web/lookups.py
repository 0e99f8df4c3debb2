"""What the UI helpers (``listing``, ``names``, ``changes``) need to know from the apps, filled by the apps.

The helpers sit below the apps (issue 14): they import only ``core`` and Django. What only an app knows — the
permission matrix (accounts), the names of dictionary codes (dictionaries), the hospitals a user may see and the
catalogue's item names (catalog), the verbs of states and kinds (claims, fund, notices) — each app hands in from
its ``AppConfig.ready()`` through the ``register_*`` functions below. Until an app has registered, the helper
answers as if nothing were known: no permission, a code shown as itself, no hospitals, no names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

#: ``(user, route name, write?)`` → may the user's post open (or post to) the route
PermissionCheck = Callable[[Any, str, bool], bool]
#: ``(user, route name)`` → may the post export the list (or export it unmasked)
ExportCheck = Callable[[Any, str], bool]


def _never(*_args: Any) -> bool:
    return False


def _code_itself(_key: str, code: str | None) -> str:
    return code or ""


def _no_choices(_key: str) -> list[tuple[str, str]]:
    return []


def _no_hospitals(_user: Any) -> list[tuple[str, str]]:
    return []


def _no_names(_codes: Iterable[str]) -> dict[str, str]:
    return {}


@dataclass
class Lookups:
    """The look-ups the apps registered (one instance, ``LOOKUPS``)."""

    may_open: PermissionCheck = _never
    may_export: ExportCheck = _never
    may_export_full: ExportCheck = _never
    #: a dictionary code: its name alone, ``code name``, and a list's ``(code, code name)`` choices
    code_name: Callable[[str, str | None], str] = _code_itself
    code_label: Callable[[str, str | None], str] = _code_itself
    code_choices: Callable[[str], list[tuple[str, str]]] = _no_choices
    #: ``(code, name)`` of the hospitals the user may see, ordered by code
    hospitals_for: Callable[[Any], list[tuple[str, str]]] = _no_hospitals
    #: ``{med_list_codg: name}`` of the catalogue items given
    catalogue_names: Callable[[Iterable[str]], dict[str, str]] = _no_names
    #: the choices (value, label) whose labels name the verb of an event (``claim.received`` → 已受理)
    verb_choices: list[Sequence[tuple[Any, Any]]] = field(default_factory=list)


LOOKUPS = Lookups()


def register_permissions(*, may_open: PermissionCheck, may_export: ExportCheck, may_export_full: ExportCheck) -> None:
    LOOKUPS.may_open, LOOKUPS.may_export, LOOKUPS.may_export_full = may_open, may_export, may_export_full


def register_codes(*, name: Callable[[str, str | None], str], label: Callable[[str, str | None], str],
                   choices: Callable[[str], list[tuple[str, str]]]) -> None:
    LOOKUPS.code_name, LOOKUPS.code_label, LOOKUPS.code_choices = name, label, choices


def register_hospitals(hospitals_for: Callable[[Any], list[tuple[str, str]]],
                       catalogue_names: Callable[[Iterable[str]], dict[str, str]]) -> None:
    LOOKUPS.hospitals_for, LOOKUPS.catalogue_names = hospitals_for, catalogue_names


def register_verbs(*choices: Sequence[tuple[Any, Any]]) -> None:
    """Add state or kind choices whose labels name event verbs (the first registered wins for a value)."""
    LOOKUPS.verb_choices.extend(c for c in choices if c not in LOOKUPS.verb_choices)
