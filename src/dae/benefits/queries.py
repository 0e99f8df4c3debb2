"""Reads on rule sets: the published versions, the book the engine uses, and the difference of two versions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet

from dae.benefits.engine.rules import RuleBook, load_rulebook

from .models import RuleSet, RuleSetVersion


def published_versions(ruleset: RuleSet) -> QuerySet[RuleSetVersion]:
    return ruleset.versions.filter(status=RuleSetVersion.Status.PUBLISHED).order_by("valid_from", "id")


def chain_documents(documents: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Copies of the documents (in effective order), each ending the day before the next one starts.

    The end is derived, never written back: a published document stays as it was published.
    """
    chained = []
    for document, following in zip(documents, [*documents[1:], None], strict=True):
        document = dict(document)
        if following is not None:
            end = dt.date.fromisoformat(following["valid_from"]) - dt.timedelta(days=1)
            stored_end = document.get("valid_to")
            if stored_end is None or dt.date.fromisoformat(stored_end) > end:
                document["valid_to"] = end.isoformat()
        chained.append(document)
    return chained


def book_documents(ruleset: RuleSet) -> list[dict[str, Any]]:
    """The published documents of ``ruleset`` in effective order, chained (see ``chain_documents``)."""
    return chain_documents([version.document for version in published_versions(ruleset)])


def rulebook_for(ruleset: RuleSet) -> RuleBook:
    return load_rulebook(book_documents(ruleset))


def ruleset_for_region(region_code: str) -> RuleSet | None:
    return RuleSet.objects.filter(region_id=region_code).order_by("id").first()


def _flatten(value: Any, path: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _flatten(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _flatten(item, f"{path}[{index}]")
    else:
        yield path, value


def document_diff(old: dict[str, Any] | None, new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """(path, old value, new value) of every parameter that differs, in the new document's order."""
    before = dict(_flatten(old or {}))
    after = dict(_flatten(new))
    paths = list(after) + [p for p in before if p not in after]
    return [(p, before.get(p), after.get(p)) for p in paths if before.get(p) != after.get(p)]
