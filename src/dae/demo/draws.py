"""Fast random draws for the generator's hot paths (one ``random()`` call each), deterministic per stream.

``random.Random.randint`` and ``choices`` cost several microseconds in pure Python; with millions of draws per
city they dominated the run time. These helpers draw the same kinds of values from a single ``random()``.
Floats here are probabilities and positions, never money.
"""

from __future__ import annotations

import random
from bisect import bisect_right
from collections.abc import Sequence
from datetime import date, datetime
from itertools import accumulate
from typing import Generic, TypeVar

T = TypeVar("T")


def draw_int(rng: random.Random, low: int, high: int) -> int:
    """An integer from ``low`` to ``high`` inclusive."""
    return low + int(rng.random() * (high - low + 1))


def draw_from(rng: random.Random, options: Sequence[T]) -> T:
    """One element of a non-empty sequence, uniformly."""
    return options[int(rng.random() * len(options))]


def at(day: date, rng: random.Random, first_hour: int, last_hour: int) -> datetime:
    """A moment on ``day`` between ``first_hour``:00:00 and ``last_hour``:59:59."""
    second = first_hour * 3600 + int(rng.random() * (last_hour - first_hour + 1) * 3600)
    return datetime(day.year, day.month, day.day, second // 3600, second // 60 % 60, second % 60)


class Weighted(Generic[T]):
    """Draws from fixed options with fixed weights by bisecting the cumulative weights."""

    def __init__(self, options: Sequence[T], weights: Sequence[float]) -> None:
        if len(options) != len(weights) or not options:
            raise ValueError("options and weights must be non-empty and of equal length")
        self.options = tuple(options)
        self._cum = tuple(accumulate(float(w) for w in weights))
        self._total = self._cum[-1]

    def __call__(self, rng: random.Random) -> T:
        index = bisect_right(self._cum, rng.random() * self._total)
        return self.options[min(index, len(self.options) - 1)]
