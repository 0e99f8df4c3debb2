"""Seed the chart of accounts from ``chart.yaml``: add missing accounts, never change existing ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SOURCE = Path(__file__).with_name("chart.yaml")
DEBIT_NORMAL_KINDS = ("asset", "expense")


def shipped() -> dict[str, dict[str, Any]]:
    data: dict[str, dict[str, Any]] = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    return data


def parent_code(code: str, codes: set[str]) -> str | None:
    """The longest other code of the chart that ``code`` starts with (its group account), if any."""
    candidates = [c for c in codes if c != code and code.startswith(c)]
    return max(candidates, key=len) if candidates else None


def seed_chart(account_model: Any) -> int:
    """Insert the accounts of ``chart.yaml`` that are missing. Takes the model so a migration can pass its
    historical one. Returns the number added."""
    chart = shipped()
    codes = set(chart)
    existing = {a.code: a for a in account_model.objects.filter(code__in=codes)}
    added = 0
    for code in sorted(chart, key=len):  # parents (shorter codes) first
        if code in existing:
            continue
        spec = chart[code]
        kind = spec["kind"]
        parent = parent_code(code, codes)
        existing[code] = account_model.objects.create(
            code=code, name=spec["name"], kind=kind,
            normal_side=spec.get("normal_side", "debit" if kind in DEBIT_NORMAL_KINDS else "credit"),
            parent=existing[parent] if parent else None, postable=spec.get("postable", True),
            note=spec.get("note", ""))
        added += 1
    return added
