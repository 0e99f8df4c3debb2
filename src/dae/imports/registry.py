"""Which importers exist: each app declares its importers in ``<app>/importers.py`` with ``@register``."""

from __future__ import annotations

from importlib import import_module
from importlib.util import find_spec
from typing import TYPE_CHECKING

from django.apps import apps

from dae.core.errors import InvalidInput

from .codes import Code

if TYPE_CHECKING:
    from .framework import Importer

_IMPORTERS: dict[str, type[Importer]] = {}


def register(cls: type[Importer]) -> type[Importer]:
    _IMPORTERS[cls.kind] = cls
    return cls


def get(kind: str) -> type[Importer]:
    try:
        return _IMPORTERS[kind]
    except KeyError:
        raise InvalidInput(f"未知的导入类型：{kind}", code=Code.UNKNOWN_IMPORT_KIND) from None


def all_importers() -> list[type[Importer]]:
    return sorted(_IMPORTERS.values(), key=lambda cls: cls.kind)


def autodiscover() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("dae.") and find_spec(f"{config.name}.importers") is not None:
            import_module(f"{config.name}.importers")
