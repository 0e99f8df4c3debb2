"""Field helpers: every money column is DECIMAL(16,2), the national interface's 16,2."""

from __future__ import annotations

from typing import Any

from django.db import models


def MoneyField(verbose_name: Any, **kwargs: Any) -> models.DecimalField:  # noqa: N802 - reads like a field class
    kwargs.setdefault("max_digits", 16)
    kwargs.setdefault("decimal_places", 2)
    return models.DecimalField(verbose_name, **kwargs)


def PercentField(verbose_name: Any, **kwargs: Any) -> models.DecimalField:  # noqa: N802 - reads like a field class
    """A rate in percent with two places (3.85 = 3.85 %), read from people by ``core.inputs.percent``."""
    return models.DecimalField(verbose_name, max_digits=5, decimal_places=2, **kwargs)
