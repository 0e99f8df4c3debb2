"""Seed the dictionary from ``national.yaml``: add missing lists and codes, never change existing ones."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

SOURCE = Path(__file__).with_name("national.yaml")


def shipped() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(SOURCE.read_text(encoding="utf-8"))
    return data


def seed(code_list_model: Any, code_model: Any) -> int:
    """Insert what is missing. Takes the models so a migration can pass its historical ones. Returns codes added."""
    added = 0
    for key, spec in shipped().items():
        codelist, _created = code_list_model.objects.get_or_create(
            key=key, defaults={"name": spec["name"], "name_en": spec.get("name_en", ""),
                               "source": spec.get("source", "")})
        existing = set(code_model.objects.filter(codelist=codelist).values_list("code", flat=True))
        new = []
        for sort, (code, value) in enumerate(spec["codes"].items()):
            if str(code) in existing:
                continue
            entry = value if isinstance(value, dict) else {"name": value}
            new.append(code_model(codelist=codelist, code=str(code), name=entry["name"],
                                  name_en=entry.get("name_en", ""), local=bool(entry.get("local", False)),
                                  sort=sort))
        code_model.objects.bulk_create(new)
        added += len(new)
    return added
