"""Exact money sums in the database.

SQLite keeps a DECIMAL column as a binary float when it can, so ``SUM(amount)`` there can come back as
``0.0400000000000051``. Summing ``ROUND(amount * 100)`` — whole fen, an integer — is exact on SQLite and on
PostgreSQL alike. Use ``fen_sum`` in ``aggregate``/``annotate`` and turn the result into yuan with ``yuan``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import DecimalField, Expression, F, Q, Sum, Value
from django.db.models.functions import Coalesce, Round

from .money import FEN

FEN_TOTAL = DecimalField(max_digits=24, decimal_places=0)


def fen_sum(expression: Expression | F | str, *, filter: Q | None = None) -> Any:  # noqa: A002 - Django's name
    """SUM of an amount expression in whole fen, 0 when there are no rows."""
    value = F(expression) if isinstance(expression, str) else expression
    return Coalesce(Sum(Round(value * Value(100)), output_field=FEN_TOTAL, filter=filter), Value(0),
                    output_field=FEN_TOTAL)


def yuan(fen: Any) -> Decimal:
    """Whole fen from ``fen_sum`` as yuan with two decimals."""
    return (Decimal(int(fen or 0)) * FEN).quantize(FEN)
