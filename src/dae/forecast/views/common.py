"""What the forecasting pages share: labels of metrics and models, the page's region, fen as yuan."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.http import Http404, HttpRequest
from django.utils.translation import gettext_lazy as _

from dae.core import inputs
from dae.web.who import region_choices

from .. import services
from ..engine import NAIVE, SNAIVE

METRIC_LABELS = {
    "payout": _("大额基金支付（元）"),
    "settlements": _("结算笔数"),
    "admissions": _("住院人次"),
    "medical_cost": _("医疗费用总额（元）"),
    "cost_per_stay": _("次均费用（元）"),
}
MODEL_LABELS = {
    "AutoETS": _("指数平滑（AutoETS，季节周期 12 个月）"),
    SNAIVE: _("季节朴素法（去年同月）"),
    NAIVE: _("朴素法（上月值）"),
}
REASON_LABELS = {
    "seasonal": "",
    "short": _("历史不足 24 个月，无法估计季节性趋势模型，改用季节朴素法。"),
    "very_short": _("历史不足 13 个月，只能用上月值外推，区间较宽，仅供参考。"),
    "constant": _("历史数值不变，只能用上月值外推。"),
}


def page_region(request: HttpRequest) -> str:
    """The region a one-region page shows: the one asked for if it is the user's, else the user's first."""
    region = inputs.chosen_region(request.GET.get("region"), [code for code, _name in region_choices(request)])
    if region is None:
        raise Http404()
    return region


def yuan(fen: int) -> Decimal:
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def shown(metric: str, value: int) -> Any:
    return yuan(value) if services.money_metric(metric) else value
