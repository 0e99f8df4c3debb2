"""The pages: a forecast run from the stored history and its reproducibility, the warning with its evidence and
click-through, acknowledging and closing, the dated thresholds; scope and the matrix."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

from dae.forecast import actions
from dae.forecast.engine import add_months
from dae.forecast.models import Alert, ForecastRun, Threshold
from tests.factories import REGION_A, REGION_B, make_user, region

from .conftest import login

START = dt.date(2023, 1, 1)


def history(world: Any, months: int = 30) -> None:
    for i in range(months):
        world.put(add_months(START, i), round(10_000 + 100 * i + 2_000 * math.sin(2 * math.pi * i / 12)),
                  n=2, cost=5_000 + 10 * i)


def test_manager_runs_a_forecast_and_it_reproduces(world: Any, manager: Any) -> None:
    history(world)
    client = login(manager)
    answer = client.post(f"/forecast/?region={REGION_A}", {"through": "2025-06"})
    assert answer.status_code == 302
    run = ForecastRun.objects.get()
    assert (run.first_month, run.last_month) == (START, dt.date(2025, 6, 1))
    payout = run.results["metrics"]["payout"]
    assert payout["model"] == "AutoETS" and len(payout["points"]) == 12 and payout["values"][0] == 1_000_000
    assert payout["backtest"]["windows"] >= 1
    assert run.results["metrics"]["admissions"]["values"][:2] == [2, 2]
    page = client.get(f"/forecast/?region={REGION_A}").content.decode()
    assert 'data-testid="forecast-payout"' in page and 'data-testid="backtest-payout"' in page
    assert "2025-07" in page and "95% 区间" in page and "季节朴素法" in page
    again = actions.do_make_forecast(manager, REGION_A, through=dt.date(2025, 6, 1))
    assert (again.data_version, again.digest) == (run.data_version, run.digest)
    world.put(dt.date(2025, 6, 1), 1)  # one more settlement: a new data version
    third = actions.do_make_forecast(manager, REGION_A, through=dt.date(2025, 6, 1))
    assert third.data_version != run.data_version


def test_short_history_says_so(world: Any, manager: Any) -> None:
    history(world, months=5)
    client = login(manager)
    client.post(f"/forecast/?region={REGION_A}", {"through": "2023-05"})
    page = client.get(f"/forecast/?region={REGION_A}").content.decode()
    assert 'data-testid="fallback-payout"' in page and "历史不足 13 个月" in page


def test_readers_and_writers(world: Any, manager: Any) -> None:
    history(world, months=3)
    supervisor = make_user("supervisor", username="sup")
    assert login(supervisor).get("/forecast/").status_code == 200
    assert login(supervisor).post("/forecast/", {"through": "2023-03"}).status_code == 403
    assert login(make_user("settlement", username="clerk")).get("/forecast/").status_code == 403
    assert ForecastRun.objects.count() == 0


def test_warning_page_evidence_acknowledge_close(world: Any, manager: Any) -> None:
    world.put(dt.date(2025, 11, 1), 100)
    world.put(dt.date(2025, 12, 1), 200)
    client = login(manager)
    assert client.post("/forecast/thresholds/", {"step": "raise", "region": REGION_A, "period": "2025-12"}
                       ).status_code == 302
    alert = Alert.objects.get(indicator="payout_mom")
    listing = client.get("/forecast/alerts/?status=open").content.decode()
    assert "月赔付环比增长" in listing and "2025-12" in listing
    page = client.get(f"/forecast/alerts/{alert.pk}/").content.decode()
    assert "100.00" in page and "200.00" in page and "2025-11" in page
    assert "/claims/settlements/?region=" in page and "setl_from=2025-12-01" in page
    drill = client.get(alert.href)
    assert drill.status_code == 200
    client.post(f"/forecast/alerts/{alert.pk}/", {"step": "acknowledge", "note": ""})
    alert.refresh_from_db()
    assert alert.status == Alert.Status.OPEN  # a note is required
    client.post(f"/forecast/alerts/{alert.pk}/", {"step": "acknowledge", "note": "已安排核查"})
    client.post(f"/forecast/alerts/{alert.pk}/", {"step": "close", "note": "年底集中出院所致"})
    alert.refresh_from_db()
    assert (alert.status, alert.ack_note, alert.close_note) == ("closed", "已安排核查", "年底集中出院所致")
    finance = make_user("finance", username="fin")
    assert login(finance).post(f"/forecast/alerts/{alert.pk}/", {"step": "close", "note": "x"}).status_code == 403
    other = make_user("manager", username="mgr_b", regions=(REGION_B,))
    region(REGION_B)
    assert login(other).get(f"/forecast/alerts/{alert.pk}/").status_code == 404


def test_threshold_form(world: Any, manager: Any) -> None:
    client = login(manager)
    client.post("/forecast/thresholds/", {"step": "set", "indicator": "months_payable", "yellow": "8",
                                          "red": "4", "effective_from": "2026-01-01", "note": "局方通知"})
    row = Threshold.objects.get()
    assert (str(row.yellow), str(row.red), row.note) == ("8.00", "4.00", "局方通知")
    client.post("/forecast/thresholds/", {"step": "set", "indicator": "months_payable", "yellow": "1e3",
                                          "red": "4", "effective_from": "2026-02-01"})
    assert Threshold.objects.count() == 1
    page = client.get("/forecast/thresholds/").content.decode()
    assert "局方通知" in page and "人社部发〔2009〕67号" in page

    # the settings are the list component: filtered, exported and read back with the indicator's name
    from dae.core.models import AccessRecord
    from tests.web.test_converted_lists import assert_read_back

    client.post("/forecast/thresholds/", {"step": "set", "indicator": "payout_yoy", "yellow": "10",
                                          "red": "20", "effective_from": "2026-03-01", "note": "同比"})
    body = assert_read_back(client, "/forecast/thresholds/?indicator=months_payable", 1)
    assert body[0][0] == "可支付月数" and body[0][3:5] == ("2026-01-01", "局方通知")
    body = assert_read_back(client, "/forecast/thresholds/?effective_from=2026-02-01", 1)
    assert body[0][0] == "月赔付同比增长"
    assert AccessRecord.objects.filter(why="export", object_type="list:forecast:thresholds").count() == 4
