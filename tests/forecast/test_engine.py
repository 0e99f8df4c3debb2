"""The forecasting maths on synthetic series: model choice, the rolling-origin back-test's numbers checked by
hand against the seasonal-naive baseline, and the fallback on a 5-month series."""

from __future__ import annotations

import datetime as dt
import math

from dae.forecast import engine

START = dt.date(2022, 1, 1)


def synthetic(n: int = 48) -> list[int]:
    """Known trend (+2,000 a month), seasonality (±20,000 over 12 months) and a small fixed wobble."""
    return [round(100_000 + 2_000 * i + 20_000 * math.sin(2 * math.pi * i / 12) + ((i * 7919) % 13 - 6) * 500)
            for i in range(n)]


def test_seasonal_series_uses_ets_and_beats_seasonal_naive() -> None:
    values = synthetic()
    fc = engine.forecast(values, START, 12)
    assert (fc.model, fc.reason, fc.history) == (engine.ETS, "seasonal", 48)
    assert [p.month for p in fc.points][:2] == [dt.date(2026, 1, 1), dt.date(2026, 2, 1)] and len(fc.points) == 12
    for p in fc.points:
        assert p.lo95 <= p.lo80 <= p.mean <= p.hi80 <= p.hi95
    # the trend continues: next January is about 12 × 2,000 above the last one
    assert abs(fc.points[0].mean - (values[36] + 24_000)) < 6_000
    bt = fc.backtest
    assert bt is not None and (bt.horizon, bt.windows, bt.baseline) == (12, 12, engine.SNAIVE)
    assert len(bt.errors) == 12 and all(e.windows == 12 for e in bt.errors)
    assert bt.mape is not None and bt.baseline_mape is not None and bt.mape < bt.baseline_mape / 2
    assert bt.beats_baseline is True
    assert all(e.coverage95 is not None and e.coverage95 >= 75 for e in bt.errors)


def test_backtest_baseline_numbers_by_hand() -> None:
    """Seasonal naive at origin t predicts y[t + k - 12] for step k ≤ 12: the back-test's baseline MAPE per
    step equals the mean over the 12 origins of |y − that| / y."""
    values = synthetic()
    bt = engine.backtest(values, START, engine.ETS)
    assert bt is not None
    h, windows = 12, 12
    origins = [len(values) - h - windows + 1 + w - 1 for w in range(windows)]  # the last observed index
    for step in (1, 6, 12):
        apes = []
        for t in origins:
            actual = values[t + step]
            guess = values[t + step - 12]
            apes.append(abs(actual - guess) / actual * 100)
        expected = round(sum(apes) / len(apes), 2)
        assert bt.errors[step - 1].baseline_mape == expected


def test_five_month_series_falls_back_to_naive() -> None:
    values = [500, 520, 510, 530, 540]
    fc = engine.forecast(values, dt.date(2026, 1, 1), 3)
    assert (fc.model, fc.reason) == (engine.NAIVE, "very_short")
    assert [p.mean for p in fc.points] == [540, 540, 540]
    assert [p.month for p in fc.points] == [dt.date(2026, 6, 1), dt.date(2026, 7, 1), dt.date(2026, 8, 1)]
    assert fc.points[2].hi95 - fc.points[2].lo95 > fc.points[0].hi95 - fc.points[0].lo95  # wider further out
    bt = fc.backtest
    assert bt is not None and bt.baseline == engine.NAIVE and bt.windows >= 1
    assert bt.beats_baseline is False  # the same model: it says so, it does not claim to win


def test_short_and_degenerate_series() -> None:
    assert engine.choose_model(synthetic(18)) == (engine.SNAIVE, "short")
    assert engine.choose_model([0] * 30) == (engine.NAIVE, "constant")
    fc = engine.forecast([0] * 30, START, 3)
    assert [p.mean for p in fc.points] == [0, 0, 0]
    fc = engine.forecast(synthetic(18), START, 3)
    assert fc.model == engine.SNAIVE and fc.points[0].mean == synthetic(18)[6]


def test_same_input_same_figures() -> None:
    a = engine.forecast(synthetic(30), START, 6).as_dict()
    b = engine.forecast(synthetic(30), START, 6).as_dict()
    assert a == b
