"""The registry of route samples: for a route's URL arguments, an object that exists (made on demand in the
``world`` fixture's region A, hospital HA0001, person PA0001).

Both route walks use it: the permission-matrix walk (``tests/accounts/test_permission_matrix.py``) requests every
route as every post of region A, and the isolation walk (``tests/security/test_isolation_walk.py``) requests the
same URLs as users of region B, of another hospital and as another insured person — for whom each sample is "an
object of another region / hospital / person".

A new app registers its routes' samples in ``tests/<app>/samples.py`` (found automatically)::

    from tests.route_samples import register

    @register("myapp:", "api:myapp-")
    def samples(name: str, world: dict[str, Any]) -> dict[str, str]:
        thing = Thing.objects.create(region=world["regions"][0], ...)
        return {"pk": str(thing.pk)}

Every provider whose prefix starts the route's name is asked, in registration order; later answers win.
"""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

Provider = Callable[[str, dict[str, Any]], dict[str, str]]
_PROVIDERS: list[tuple[tuple[str, ...], Provider]] = []
_DISCOVERED = False


def register(*prefixes: str) -> Callable[[Provider], Provider]:
    def add(provider: Provider) -> Provider:
        _PROVIDERS.append((prefixes, provider))
        return provider

    return add


def autodiscover() -> None:
    """Import every ``tests/<app>/samples.py`` so that its ``@register`` runs."""
    global _DISCOVERED
    if _DISCOVERED:
        return
    root = Path(__file__).parent
    for info in pkgutil.iter_modules([str(root)]):
        if info.ispkg and (root / info.name / "samples.py").exists():
            importlib.import_module(f"tests.{info.name}.samples")
    _DISCOVERED = True


def registered_samples(name: str, world: dict[str, Any]) -> dict[str, str]:
    autodiscover()
    found: dict[str, str] = {}
    for prefixes, provider in _PROVIDERS:
        if name.startswith(prefixes):
            found.update(provider(name, world))
    return found
