"""API of the statistics system under ``/api/v1/reports/…``: the brief, the payout report and the pivot as JSON
with the same figures as the pages (exact decimals as strings; no data = null with its status), and the
indicator registry. Every figure is in the caller's scope. The routes are listed in ``api_urlpatterns``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from . import indicators as engine
from . import queries

PERIOD = OpenApiParameter("period", OpenApiTypes.STR, description="YYYY-MM | YYYYQn | YYYY | YYYYYTDmm")


def _text(v: Any) -> Any:
    return None if v is None else str(v)


class IndicatorRegistry(APIView):
    @extend_schema(responses=OpenApiTypes.OBJECT, summary="统计指标定义 (indicator registry)")
    def get(self, request: Request) -> Response:
        return Response({"indicators": engine.registry_rows(),
                         "dimensions": {k: {"zh": v[0], "en": v[1]} for k, v in engine.DIMENSIONS.items()}})


class BriefReport(APIView):
    @extend_schema(parameters=[PERIOD], responses=OpenApiTypes.OBJECT, summary="统计简报 (monthly brief)")
    def get(self, request: Request) -> Response:
        period = queries.parse_period(request.query_params.get("period"))
        report = queries.brief(request.user, period)
        return Response({"period": period.id, "data_version": report["version"],
                         "figures": [f.as_json() for f in report["key"]],
                         "payout_series": [[p, _text(v)] for p, v in report["payout_series"]],
                         "admission_series": [[p, _text(v)] for p, v in report["admission_series"]]})


def monthly_json(report: dict[str, Any]) -> dict[str, Any]:
    pay = report["payments"]
    return {
        "period": report["period"].id, "data_version": report["version"],
        "figures": [f.as_json() for f in report["key"]], "finance": [f.as_json() for f in report["finance"]],
        "payments": {"count": pay["count"], "late": pay["late"], "overdue": pay["overdue"], "net": _text(pay["net"]),
                     "accepted": _text(pay["accepted"]), "supplements": _text(pay["supplements"]),
                     "recoveries": _text(pay["recoveries"]), "deductions": _text(pay["deductions"]),
                     "on_time_rate": _text(pay["on_time_rate"]),
                     "rows": [{**{k: _text(v) for k, v in r.items() if k not in ("on_time", "settlements")},
                               "settlements": r["settlements"], "on_time": r["on_time"]} for r in pay["rows"]]},
        "reviews": {k: (_text(v) if k == "not_payable" else v) for k, v in report["reviews"].items()},
        "deductions": {"total": _text(report["deductions"]["total"]),
                       "by_kind": [{"kind": d["kind"], "count": d["count"], "amount": _text(d["amount"])}
                                   for d in report["deductions"]["by_kind"]]},
        "hospitals": [{k: (v if k in ("hospital",) else _text(v)) for k, v in r.items() if "link" not in k}
                      for r in report["hospitals"]],
    }


class PayoutReport(APIView):
    @extend_schema(parameters=[PERIOD], responses=OpenApiTypes.OBJECT,
                   summary="赔付报表: 病历审核和费用支付月报表 (monthly / quarterly / annual)")
    def get(self, request: Request) -> Response:
        period = queries.parse_period(request.query_params.get("period"))
        return Response(monthly_json(queries.monthly_report(request.user, period)))


class PivotReport(APIView):
    @extend_schema(parameters=[PERIOD, OpenApiParameter("indicator", OpenApiTypes.STR),
                               OpenApiParameter("dims", OpenApiTypes.STR, description="one or two, comma-separated")],
                   responses=OpenApiTypes.OBJECT, summary="即席查询 (pivot)")
    def get(self, request: Request) -> Response:
        period = queries.parse_period(request.query_params.get("period"))
        dims = tuple(d for d in request.query_params.get("dims", "hospital_level").split(",") if d)[:3]
        table = queries.pivot(request.user, request.query_params.get("indicator", "payout_amount"), period, dims)
        return Response({"indicator": table["indicator"].id, "period": period.id, "dims": list(dims),
                         "columns": [c["key"] for c in table["columns"]],
                         "rows": [{"key": r["key"], "name": r["name"],
                                   "cells": [None if c is None else {"value": _text(c.value), "status": c.status,
                                                                     "n": c.n} for c in r["cells"]]}
                                  for r in table["rows"]]})


api_urlpatterns = [
    path("reports/indicators", IndicatorRegistry.as_view(), name="reports-indicators"),
    path("reports/brief", BriefReport.as_view(), name="reports-brief"),
    path("reports/payout", PayoutReport.as_view(), name="reports-payout"),
    path("reports/pivot", PivotReport.as_view(), name="reports-pivot"),
]
