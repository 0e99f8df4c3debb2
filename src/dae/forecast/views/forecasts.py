"""基金预测: a region's forecast with its intervals and back-test, and a new forecast run."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core import inputs
from dae.core.errors import DaeError
from dae.web.who import region_choices

from .. import actions, queries
from ..history import complete_through
from ..models import ForecastRun
from .common import METRIC_LABELS, MODEL_LABELS, REASON_LABELS, page_region, shown


def _metric_view(name: str, data: dict[str, Any], months: list[str]) -> dict[str, Any]:
    points = data["points"]
    last_year = int(months[-1][:4])
    rest = [p for p in points if int(p["month"][:4]) == last_year]
    year_actual = sum(v for m, v in zip(months, data["values"], strict=True) if m.startswith(str(last_year)))
    rows = [{"month": p["month"], **{k: shown(name, p[k]) for k in ("mean", "lo80", "hi80", "lo95", "hi95")}}
            for p in points]
    bt = data.get("backtest")
    chart = {"months": months[-36:] + [p["month"] for p in points],
             "history": [str(shown(name, v)) for v in data["values"][-36:]] + [None] * len(points),
             "mean": [None] * len(months[-36:]) + [str(shown(name, p["mean"])) for p in points],
             "lo95": [None] * len(months[-36:]) + [str(shown(name, p["lo95"])) for p in points],
             "width": [None] * len(months[-36:]) + [str(shown(name, p["hi95"] - p["lo95"])) for p in points],
             "names": {"history": gettext("实际"), "mean": gettext("预测"), "band": gettext("95% 区间")}}
    return {
        "name": name, "label": METRIC_LABELS[name], "model": MODEL_LABELS.get(data["model"], data["model"]),
        "reason": REASON_LABELS.get(data["reason"], ""), "rows": rows, "next3": rows[:3],
        "year_end": {"year": last_year, "actual": shown(name, year_actual),
                     "rest": shown(name, sum(p["mean"] for p in rest)), "months": len(rest),
                     "total": shown(name, year_actual + sum(p["mean"] for p in rest))}
        if name not in ("cost_per_stay",) else None,
        "backtest": bt, "baseline": MODEL_LABELS.get(bt["baseline"], bt["baseline"]) if bt else "",
        "chart": chart, "chart_id": f"chart-data-{name}",
    }


def forecast_page(request: HttpRequest) -> HttpResponse:
    region = page_region(request)
    if request.method == "POST":
        try:
            through = inputs.month(request.POST.get("through") or f"{complete_through(timezone.localdate()):%Y-%m}",
                                   field="through", label="截止月份")
            run = actions.do_make_forecast(request.user, region, through=through)
        except DaeError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, gettext("预测完成（用时 %(s)s 秒）") % {"s": run.seconds})
        return redirect(f"{request.path}?region={region}")
    run_id = request.GET.get("run")
    run = queries.access_run_by_id(request, run_id) if run_id else queries.latest_run(request.user, region)
    metrics = []
    if run is not None:
        months = run.results["history"]["months"]
        metrics = [_metric_view(name, data, months) for name, data in run.results["metrics"].items()]
    runs = ForecastRun.objects.for_user(request.user).filter(region_id=region)[:10]
    return render(request, "forecast/forecast.html", {
        "title": _("基金预测"), "run": run, "metrics": metrics, "runs": runs, "region": region,
        "regions": region_choices(request), "can_run": can(request.user, "forecast:forecast"),
        "default_through": f"{complete_through(timezone.localdate()):%Y-%m}"})
