"""API of the statistics system under ``/api/v1/reports/…``: the brief, the payout report and the pivot as JSON
with the same figures as the pages (exact decimals as strings; no data = null with its status), and the
indicator registry. Every figure is in the caller's scope. The routes are listed in ``api_urlpatterns``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core import inputs
from dae.core.api import validated

from . import actions, queries
from . import indicators as engine
from .models import Evaluation, EvaluationScore

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


# --- the annual hospital evaluation (定点医疗机构年度考核) ---------------------------------------------------------


class EvaluationScoreSerializer(serializers.ModelSerializer[EvaluationScore]):
    hospital_code = serializers.CharField(source="hospital.code", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    grade_name = serializers.CharField(read_only=True)
    values = serializers.DictField(child=serializers.CharField(allow_null=True), read_only=True,
                                   help_text="criterion → measured value (decimal string; null: not measurable)")
    points = serializers.DictField(child=serializers.CharField(), read_only=True,
                                   help_text="criterion → points (decimal string)")

    class Meta:
        model = EvaluationScore
        fields = ["id", "hospital", "hospital_code", "hospital_name", "values", "points", "total", "adjustment",
                  "reason", "final_total", "grade", "grade_name", "adjusted_at"]
        read_only_fields = fields


class EvaluationSerializer(serializers.ModelSerializer[Evaluation]):
    scores = serializers.SerializerMethodField()

    class Meta:
        model = Evaluation
        fields = ["id", "region", "year", "status", "sheet", "sheet_digest", "data_version", "computed_at",
                  "reviewed_at", "signed_at", "published_at", "scores"]
        read_only_fields = fields

    @extend_schema_field(EvaluationScoreSerializer(many=True))
    def get_scores(self, obj: Evaluation) -> Any:
        rows = self.context.get("scores")
        rows = rows.filter(evaluation=obj) if rows is not None else obj.scores.select_related("hospital")
        return EvaluationScoreSerializer(rows, many=True).data


class EvaluationComputeInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=12)
    year = serializers.CharField(max_length=4, help_text="YYYY")


class EvaluationAdjustInput(serializers.Serializer[Any]):
    adjustment = serializers.CharField(max_length=12, help_text="decimal string, within ±10 points")
    reason = serializers.CharField(max_length=500, allow_blank=True)


class EvaluationList(APIView):
    """The evaluations of the caller's regions (a hospital: the published ones, with its own sheet only);
    POST computes (or recomputes a draft of) a region's year (manager)."""

    @extend_schema(parameters=[OpenApiParameter("year", OpenApiTypes.INT)],
                   responses=EvaluationSerializer(many=True), summary="定点医疗机构年度考核 (annual evaluations)")
    def get(self, request: Request) -> Response:
        raw = request.query_params.get("year", "").strip()
        if getattr(request.user, "scope_kind", "") == "hospital":
            sheets = EvaluationScore.objects.for_user(request.user).filter(
                evaluation__status=Evaluation.Status.PUBLISHED).select_related("hospital")
            rows = Evaluation.objects.filter(pk__in=sheets.values("evaluation_id"))
            context = {"scores": sheets}
        else:
            rows, context = Evaluation.objects.for_user(request.user), {}
        if raw:
            rows = rows.filter(year=inputs.year(raw))
        return Response(EvaluationSerializer(rows.order_by("-year", "region_id")[:100], many=True,
                                             context=context).data)

    @extend_schema(request=EvaluationComputeInput, responses={201: EvaluationSerializer},
                   summary="计算年度考核 (compute a draft)")
    def post(self, request: Request) -> Response:
        data = validated(EvaluationComputeInput(data=request.data), "请填写统筹区和考核年度")
        evaluation = actions.do_compute_evaluation(request.user, region=inputs.region(request.user, data["region"]),
                                                   year=inputs.year(data["year"]))
        return Response(EvaluationSerializer(evaluation).data, status=status.HTTP_201_CREATED)


class EvaluationDetail(APIView):
    @extend_schema(responses=EvaluationSerializer, summary="一次年度考核 (one evaluation with every sheet)")
    def get(self, request: Request, pk: int) -> Response:
        return Response(EvaluationSerializer(queries.access_evaluation_by_id(request, pk)).data)


class EvaluationAdjust(APIView):
    @extend_schema(request=EvaluationAdjustInput, responses=EvaluationScoreSerializer,
                   summary="调整一家医疗机构的考核得分 (with a reason)")
    def post(self, request: Request, pk: int) -> Response:
        row = queries.access_evaluation_score_by_id(request, pk)
        data = validated(EvaluationAdjustInput(data=request.data), "请填写调整分和调整理由")
        return Response(EvaluationScoreSerializer(
            actions.do_adjust_score(request.user, row, adjustment=data["adjustment"], reason=data["reason"])).data)


def _step_view(action: Any, summary: str) -> type[APIView]:
    class Step(APIView):
        @extend_schema(request=None, responses=EvaluationSerializer, summary=summary)
        def post(self, request: Request, pk: int) -> Response:
            return Response(EvaluationSerializer(action(request.user, queries.access_evaluation_by_id(request, pk)))
                            .data)

    Step.__name__ = Step.__qualname__ = f"Evaluation{action.__name__.split('_')[1].title()}"
    return Step


EvaluationReview = _step_view(actions.do_review_evaluation, "复核年度考核 (manager)")
EvaluationSign = _step_view(actions.do_sign_off_evaluation, "签发年度考核 (supervisor; not who adjusted)")
EvaluationPublish = _step_view(actions.do_publish_evaluation, "公布年度考核 (to each hospital; feeds credit)")


api_urlpatterns = [
    path("reports/indicators", IndicatorRegistry.as_view(), name="reports-indicators"),
    path("reports/brief", BriefReport.as_view(), name="reports-brief"),
    path("reports/payout", PayoutReport.as_view(), name="reports-payout"),
    path("reports/pivot", PivotReport.as_view(), name="reports-pivot"),
    path("reports/evaluations", EvaluationList.as_view(), name="reports-evaluations"),
    path("reports/evaluations/<int:pk>", EvaluationDetail.as_view(), name="reports-evaluation"),
    path("reports/evaluations/<int:pk>/review", EvaluationReview.as_view(), name="reports-evaluation-review"),
    path("reports/evaluations/<int:pk>/sign", EvaluationSign.as_view(), name="reports-evaluation-sign"),
    path("reports/evaluations/<int:pk>/publish", EvaluationPublish.as_view(), name="reports-evaluation-publish"),
    path("reports/evaluation-scores/<int:pk>/adjust", EvaluationAdjust.as_view(),
         name="reports-evaluation-adjust"),
]
