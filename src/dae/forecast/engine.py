"""Forecasting maths (资金使用预测): no Django import.

A monthly series goes in as whole numbers (fen, or counts) with the first month; what comes out is the next
``horizon`` months with 80% and 95% intervals, and a rolling-origin back-test of the same model next to the
seasonal-naive baseline, so the page can say how far to trust the figures.

The models are statsforecast's (``AutoETS`` with ``season_length=12``; ``SeasonalNaive`` as its fallback and as
the baseline; ``Naive`` for a series shorter than a season plus one month, or a constant one). statsforecast
works in binary floats: the numbers in are whole fen, the numbers out are rounded back to whole fen (a forecast
is an estimate; no money is paid from it).

Choice of model (statsforecast users report AutoARIMA / AutoETS failing on short or degenerate series, and
there is no automatic season length):
- at least two seasons (24 months) and not constant → ``AutoETS(season_length=12)``, fallback ``SeasonalNaive``;
- 13–23 months → ``SeasonalNaive(12)``;
- fewer, or constant → ``Naive``.
"""

from __future__ import annotations

import datetime as dt
import math
import warnings
from dataclasses import dataclass, field
from typing import Any

SEASON = 12
LEVELS = (80, 95)
MIN_SEASONAL = 2 * SEASON
MIN_SNAIVE = SEASON + 1
MIN_NAIVE_TRAIN = 3
MAX_WINDOWS = 12

ETS = "AutoETS"
SNAIVE = "SeasonalNaive"
NAIVE = "Naive"


def add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)


def choose_model(values: list[int]) -> tuple[str, str]:
    """(model name, why) for a series."""
    n = len(values)
    if n and len(set(values)) == 1:
        return NAIVE, "constant"
    if n >= MIN_SEASONAL:
        return ETS, "seasonal"
    if n >= MIN_SNAIVE:
        return SNAIVE, "short"
    return NAIVE, "very_short"


def min_train(model: str) -> int:
    return {ETS: MIN_SEASONAL, SNAIVE: MIN_SNAIVE, NAIVE: MIN_NAIVE_TRAIN}[model]


@dataclass(frozen=True)
class Point:
    month: dt.date
    mean: int
    lo80: int
    hi80: int
    lo95: int
    hi95: int

    def as_dict(self) -> dict[str, Any]:
        return {"month": self.month.isoformat()[:7], "mean": self.mean, "lo80": self.lo80, "hi80": self.hi80,
                "lo95": self.lo95, "hi95": self.hi95}


@dataclass(frozen=True)
class HorizonError:
    """Out-of-sample error of one horizon step over the back-test windows (percent, two decimals as float)."""

    step: int
    windows: int
    mape: float | None
    baseline_mape: float | None
    coverage80: float | None
    coverage95: float | None

    def as_dict(self) -> dict[str, Any]:
        return {"step": self.step, "windows": self.windows, "mape": self.mape, "baseline_mape": self.baseline_mape,
                "coverage80": self.coverage80, "coverage95": self.coverage95}


@dataclass(frozen=True)
class Backtest:
    horizon: int
    windows: int
    baseline: str
    errors: tuple[HorizonError, ...] = ()
    mape: float | None = None
    baseline_mape: float | None = None

    @property
    def beats_baseline(self) -> bool | None:
        if self.mape is None or self.baseline_mape is None:
            return None
        return self.mape < self.baseline_mape

    def as_dict(self) -> dict[str, Any]:
        return {"horizon": self.horizon, "windows": self.windows, "baseline": self.baseline,
                "errors": [e.as_dict() for e in self.errors], "mape": self.mape,
                "baseline_mape": self.baseline_mape, "beats_baseline": self.beats_baseline}


@dataclass(frozen=True)
class Forecast:
    model: str
    reason: str
    history: int
    points: tuple[Point, ...]
    backtest: Backtest | None
    params: dict[str, Any] = field(default_factory=dict)

    def as_dict(self) -> dict[str, Any]:
        return {"model": self.model, "reason": self.reason, "history": self.history,
                "points": [p.as_dict() for p in self.points],
                "backtest": self.backtest.as_dict() if self.backtest else None, "params": self.params}


def _models(name: str) -> list[Any]:
    from statsforecast.models import AutoETS, Naive, SeasonalNaive

    if name == ETS:
        return [AutoETS(season_length=SEASON, alias=ETS)]
    if name == SNAIVE:
        return [SeasonalNaive(season_length=SEASON, alias=SNAIVE)]
    return [Naive(alias=NAIVE)]


def _frame(values: list[int], start: dt.date) -> Any:
    import pandas as pd  # type: ignore[import-untyped]

    months = [add_months(start, i) for i in range(len(values))]
    return pd.DataFrame({"unique_id": "s", "ds": pd.to_datetime(months), "y": [float(v) for v in values]})


def _engine(model: str) -> Any:
    from statsforecast import StatsForecast
    from statsforecast.models import SeasonalNaive

    fallback = SeasonalNaive(season_length=SEASON, alias=model) if model == ETS else None
    return StatsForecast(models=_models(model), freq="MS", n_jobs=1, fallback_model=fallback)


def _whole(x: float) -> int:
    if math.isnan(x):
        raise ValueError("forecast is not a number")
    return round(x)


def forecast(values: list[int], start: dt.date, horizon: int, *, backtest_horizon: int | None = None) -> Forecast:
    """The next ``horizon`` months after ``values`` (which begin at ``start``), and the back-test."""
    if not values:
        raise ValueError("empty series")
    model, reason = choose_model(values)
    frame = _frame(values, start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        predicted = _engine(model).forecast(df=frame, h=horizon, level=list(LEVELS))
    points = []
    for i, cols in enumerate(predicted.to_dict("records")):
        mean = cols[model]
        points.append(Point(
            month=add_months(start, len(values) + i), mean=_whole(mean),
            lo80=_whole(cols[f"{model}-lo-80"]), hi80=_whole(cols[f"{model}-hi-80"]),
            lo95=_whole(cols[f"{model}-lo-95"]), hi95=_whole(cols[f"{model}-hi-95"])))
    bt = backtest(values, start, model, backtest_horizon)
    return Forecast(model=model, reason=reason, history=len(values), points=tuple(points), backtest=bt,
                    params={"season_length": SEASON, "levels": list(LEVELS), "horizon": horizon})


def windows_for(n: int, model: str, h: int) -> int:
    return max(0, min(MAX_WINDOWS, n - min_train(model) - h + 1))


def backtest_plan(n: int, model: str, wanted: int | None = None) -> tuple[int, int]:
    """(horizon, windows): 12 months ahead when history allows 12 windows of it, else 3 (or less)."""
    if wanted is not None:
        return wanted, windows_for(n, model, wanted)
    if windows_for(n, model, 12) >= MAX_WINDOWS:
        return 12, MAX_WINDOWS
    for h in (3, 2, 1):
        if windows_for(n, model, h) > 0:
            return h, windows_for(n, model, h)
    return 3, 0


def _baseline_for(model: str) -> str:
    return SNAIVE if model in (ETS, SNAIVE) else NAIVE


def backtest(values: list[int], start: dt.date, model: str, wanted: int | None = None) -> Backtest | None:
    """Rolling-origin back-test (one step between origins) of ``model`` and its baseline; None when the
    history has no room for a single window."""
    baseline = _baseline_for(model)
    h, windows = backtest_plan(len(values), model, wanted)
    if windows <= 0:
        return None
    frame = _frame(values, start)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        cv = _engine(model).cross_validation(df=frame, h=h, n_windows=windows, step_size=1,
                                             level=list(LEVELS))
        if baseline != model:
            base = _engine(baseline).cross_validation(df=frame, h=h, n_windows=windows, step_size=1)
            cv["__base"] = base[baseline].to_numpy()
        else:
            cv["__base"] = cv[model].to_numpy()
    cv = cv.sort_values(["cutoff", "ds"]).reset_index(drop=True)
    cv["step"] = cv.groupby("cutoff").cumcount() + 1
    errors = []
    all_model: list[float] = []
    all_base: list[float] = []
    for step in range(1, h + 1):
        rows = cv[cv["step"] == step]
        model_ape, base_ape, in80, in95 = [], [], [], []
        for d in rows.to_dict("records"):
            y = float(d["y"])
            if y != 0:
                model_ape.append(abs(y - float(d[model])) / abs(y) * 100)
                base_ape.append(abs(y - float(d["__base"])) / abs(y) * 100)
            in80.append(float(d[f"{model}-lo-80"]) <= y <= float(d[f"{model}-hi-80"]))
            in95.append(float(d[f"{model}-lo-95"]) <= y <= float(d[f"{model}-hi-95"]))
        all_model.extend(model_ape)
        all_base.extend(base_ape)
        errors.append(HorizonError(step=step, windows=len(rows), mape=_mean(model_ape),
                                   baseline_mape=_mean(base_ape), coverage80=_share(in80),
                                   coverage95=_share(in95)))
    return Backtest(horizon=h, windows=windows, baseline=baseline, errors=tuple(errors), mape=_mean(all_model),
                    baseline_mape=_mean(all_base))


def _mean(xs: list[float]) -> float | None:
    return round(sum(xs) / len(xs), 2) if xs else None


def _share(flags: list[bool]) -> float | None:
    return round(100 * sum(flags) / len(flags), 1) if flags else None
