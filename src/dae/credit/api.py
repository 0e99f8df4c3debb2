"""API of credit management and anomaly screening under ``/api/v1/credit/…``: the credit lists (parties with
score and level, their violations and list history), the manager's listing, delisting, violations and parameters,
and the screening runs with their ranked results. Every query starts from the caller's scope (a hospital user:
its hospital and its doctors). Amounts are decimal strings both ways; a JSON number with a fraction is refused.
The routes are listed in ``api_urlpatterns``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.catalog.models import Hospital
from dae.core.access import record_access, record_access_many
from dae.core.api import one_region, validated
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.scoping import get_scoped_or_404

from . import explain, queries
from .actions import parameters, violations, watchlists
from .actions import screening as screening_actions
from .models import (
    CreditEvent,
    CreditListChange,
    CreditParty,
    CreditSettings,
    Level,
    PartyKind,
    ScreeningResult,
    ScreeningRun,
    UnitKind,
)

DATE_FORMATS = ["%Y-%m-%d"]
KIND_HELP = "hospital 医疗机构 | doctor 医师 | person 参保人"
LEVEL_HELP = "normal 正常 | watch 关注名单 | black 黑名单"


# -- serializers ---------------------------------------------------------------------------------------------


class CreditPartySerializer(serializers.ModelSerializer[CreditParty]):
    region = serializers.CharField(source="region_id", read_only=True)
    kind = serializers.CharField(read_only=True, help_text=KIND_HELP)
    level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    score_level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    manual_level = serializers.CharField(read_only=True, help_text="空 = 未人工列入 | watch | black")
    hospital = serializers.CharField(source="hospital.code", default=None, read_only=True)

    class Meta:
        model = CreditParty
        fields = [
            "id",
            "region",
            "kind",
            "code",
            "name",
            "hospital",
            "score",
            "points",
            "events_count",
            "score_level",
            "manual_level",
            "manual_reason",
            "level",
            "listed_on",
            "expires_on",
            "repaired_at",
            "updated_at",
        ]


class CreditEventSerializer(serializers.ModelSerializer[CreditEvent]):
    amount = AmountField(maximum=FUND_MAX, read_only=True)
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = CreditEvent
        fields = [
            "id",
            "on",
            "amount",
            "points",
            "score_after",
            "source_type",
            "source_id",
            "note",
            "actor",
            "created_at",
        ]


class CreditListChangeSerializer(serializers.ModelSerializer[CreditListChange]):
    from_level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    to_level = serializers.CharField(read_only=True, help_text=LEVEL_HELP)
    cause = serializers.CharField(
        read_only=True,
        help_text="violation 违规扣分 | expiry 扣分到期 | settings 参数变更 | "
        "manual_list 人工列入 | manual_delist 人工移出",
    )
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = CreditListChange
        fields = ["id", "from_level", "to_level", "score", "cause", "reason", "event", "on", "actor", "at"]


class CreditPartyDetailSerializer(CreditPartySerializer):
    events = CreditEventSerializer(many=True, read_only=True)
    changes = CreditListChangeSerializer(many=True, read_only=True)

    class Meta(CreditPartySerializer.Meta):
        fields = [*CreditPartySerializer.Meta.fields, "events", "changes"]


class CreditListingInput(serializers.Serializer[Any]):
    level = serializers.CharField(help_text="watch 关注名单 | black 黑名单")
    reason = serializers.CharField(max_length=300, help_text="列入原因（必填）")


class CreditNewListingInput(CreditListingInput):
    region = serializers.CharField(max_length=6, required=False, default="", help_text="统筹区代码（默认本人第一个）")
    kind = serializers.CharField(help_text=KIND_HELP)
    code = serializers.CharField(max_length=30, help_text="机构编码、医师编码（bilg_dr_codg）或人员编号")


class CreditDelistingInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300, help_text="移出原因（必填）")


class CreditViolationInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6, required=False, default="")
    kind = serializers.CharField(help_text=KIND_HELP)
    code = serializers.CharField(max_length=30)
    amount = AmountField(maximum=FUND_MAX, help_text="违规金额（元，字符串）")
    on = BoundedDateField(input_formats=DATE_FORMATS, help_text="认定日期")
    key = serializers.CharField(max_length=64, help_text="幂等键：同一键再次提交只登记一次")
    note = serializers.CharField(max_length=300, required=False, default="")


class CreditRecordedEventSerializer(CreditEventSerializer):
    party = CreditPartySerializer(read_only=True)

    class Meta(CreditEventSerializer.Meta):
        fields = [*CreditEventSerializer.Meta.fields, "party"]


class CreditSettingsSerializer(serializers.ModelSerializer[CreditSettings]):
    region = serializers.CharField(source="region_id", read_only=True)
    anomaly_threshold = serializers.CharField(read_only=True)
    actor = serializers.CharField(source="actor.username", default=None, read_only=True)

    class Meta:
        model = CreditSettings
        fields = [
            "region",
            "version",
            "window_months",
            "base_points",
            "points_per_thousand",
            "max_points",
            "watch_below",
            "black_below",
            "anomaly_threshold",
            "min_peers",
            "min_volume",
            "readmit_days",
            "reason",
            "actor",
            "at",
        ]


class CreditSettingsInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6, required=False, default="")
    window_months = serializers.IntegerField()
    base_points = serializers.IntegerField()
    points_per_thousand = serializers.IntegerField()
    max_points = serializers.IntegerField()
    watch_below = serializers.IntegerField()
    black_below = serializers.IntegerField()
    anomaly_threshold = serializers.CharField(help_text='稳健 z 阈值，如 "3.00"')
    min_peers = serializers.IntegerField()
    min_volume = serializers.IntegerField()
    readmit_days = serializers.IntegerField()
    reason = serializers.CharField(max_length=300)


class CreditScreeningRunSerializer(serializers.ModelSerializer[ScreeningRun]):
    region = serializers.CharField(source="region_id", read_only=True)
    period_kind = serializers.CharField(read_only=True, help_text="month | quarter | year")
    status = serializers.CharField(read_only=True, help_text="queued | running | done | failed")
    job = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = ScreeningRun
        fields = [
            "id",
            "region",
            "period_kind",
            "period",
            "first_day",
            "last_day",
            "params",
            "status",
            "job",
            "stays_count",
            "units_count",
            "flagged_count",
            "note",
            "created_at",
            "finished_at",
        ]


class CreditScreeningResultSerializer(serializers.ModelSerializer[ScreeningResult]):
    unit_kind = serializers.CharField(read_only=True, help_text="hospital | department | doctor")
    hospital = serializers.CharField(source="hospital.code", read_only=True)
    score = serializers.CharField(read_only=True)
    total_cost = AmountField(maximum=FUND_MAX, read_only=True)
    explanation = serializers.SerializerMethodField()

    class Meta:
        model = ScreeningResult
        fields = [
            "id",
            "run",
            "rank",
            "unit_kind",
            "unit_code",
            "unit_name",
            "hospital",
            "dept_code",
            "peer_group",
            "stays",
            "total_cost",
            "score",
            "flagged",
            "indicators",
            "explanation",
        ]

    def get_explanation(self, obj: ScreeningResult) -> list[str]:
        return [explain.sentence(i, obj.run.params) for i in obj.indicators if i.get("flagged")]


class CreditScreeningInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6, required=False, default="")
    period_kind = serializers.CharField(help_text="month | quarter | year")
    period = serializers.CharField(max_length=10, help_text="2026-03 | 2026Q1 | 2026")
    threshold = serializers.CharField(required=False, default="", help_text="留空用诚信参数")
    min_peers = serializers.IntegerField(required=False, allow_null=True, default=None)
    min_volume = serializers.IntegerField(required=False, allow_null=True, default=None)
    readmit_days = serializers.IntegerField(required=False, allow_null=True, default=None)
    note = serializers.CharField(max_length=300, required=False, default="")


# -- credit lists --------------------------------------------------------------------------------------------

PARTY_FILTERS = [
    OpenApiParameter("level", str, description=LEVEL_HELP),
    OpenApiParameter("kind", str, description=KIND_HELP),
    OpenApiParameter("region", str, description="统筹区代码"),
    OpenApiParameter("listed", bool, description="true: 只列关注名单和黑名单"),
]


class CreditPartyList(generics.ListAPIView[CreditParty]):
    """信用名单 of the caller's scope: 黑名单 first, then 关注名单, then the others, each by score."""

    serializer_class = CreditPartySerializer
    queryset = CreditParty.objects.none()

    @extend_schema(parameters=PARTY_FILTERS)
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return super().get(request, *args, **kwargs)

    def get_queryset(self) -> Any:
        params = self.request.query_params
        region = params.get("region", "").strip()
        violations.do_refresh_expired(region_id=region or None)
        rows = CreditParty.objects.for_user(self.request.user).select_related("hospital")
        if params.get("level", "") in Level.values:
            rows = rows.filter(level=params["level"])
        if params.get("kind", "") in PartyKind.values:
            rows = rows.filter(kind=params["kind"])
        if region:
            rows = rows.filter(region_id=region)
        if params.get("listed", "").lower() in ("1", "true", "yes"):
            rows = rows.exclude(level=Level.NORMAL)
        return queries.worst_first(rows)

    def paginate_queryset(self, queryset: Any) -> Any:
        page = super().paginate_queryset(queryset)
        if page is not None:
            record_access_many(self.request, [p for p in page if p.kind == PartyKind.PERSON])
        return page


class CreditPartyDetail(APIView):
    @extend_schema(responses={200: CreditPartyDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        party = get_scoped_or_404(CreditParty, request, pk=pk)
        if party.kind == PartyKind.PERSON:
            record_access(request, party)
        return Response(CreditPartyDetailSerializer(party).data)


class CreditPartyListing(APIView):
    """人工列入 (manager): put the party on the watch or black list with a reason."""

    @extend_schema(request=CreditListingInput, responses={200: CreditPartySerializer})
    def post(self, request: Request, pk: int) -> Response:
        party = get_scoped_or_404(CreditParty, request, pk=pk)
        data = validated(CreditListingInput(data=request.data), "请选择名单并填写列入原因")
        listed = watchlists.do_list(
            request.user,
            kind=party.kind,
            code=party.code,
            region=party.region_id,
            level=data["level"],
            reason=data["reason"],
            name=party.name,
            hospital_id=party.hospital_id,
        )
        return Response(CreditPartySerializer(listed).data)


class CreditPartyDelisting(APIView):
    """人工移出 (manager, 信用修复): a reason is required; earlier violations stop counting."""

    @extend_schema(request=CreditDelistingInput, responses={200: CreditPartySerializer})
    def post(self, request: Request, pk: int) -> Response:
        party = get_scoped_or_404(CreditParty, request, pk=pk)
        data = validated(CreditDelistingInput(data=request.data), "请填写移出原因")
        return Response(CreditPartySerializer(watchlists.do_delist(request.user, party, reason=data["reason"])).data)


class CreditListings(APIView):
    """人工列入 a party by kind and code (manager), whether or not it has violations."""

    @extend_schema(request=CreditNewListingInput, responses={201: CreditPartySerializer})
    def post(self, request: Request) -> Response:
        data = validated(CreditNewListingInput(data=request.data), "请填写对象类型、编码、名单和列入原因")
        region = one_region(request, data["region"] or None)
        code = data["code"].strip()
        name, hospital_id = queries.find_party(data["kind"], code, region, request.user)
        party = watchlists.do_list(
            request.user,
            kind=data["kind"],
            code=code,
            region=region,
            level=data["level"],
            reason=data["reason"],
            name=name,
            hospital_id=hospital_id,
        )
        return Response(CreditPartySerializer(party).data, status=status.HTTP_201_CREATED)


class CreditViolations(APIView):
    """登记违规 (manager): a violation established outside the smart audit; the same key records once."""

    @extend_schema(
        request=CreditViolationInput, responses={201: CreditRecordedEventSerializer, 200: CreditRecordedEventSerializer}
    )
    def post(self, request: Request) -> Response:
        data = validated(CreditViolationInput(data=request.data), "违规登记数据有误")
        region = one_region(request, data["region"] or None)
        code = data["code"].strip()
        name, hospital_id = queries.find_party(data["kind"], code, region, request.user)
        hospital_code = Hospital.objects.filter(pk=hospital_id).values_list("code", flat=True).first() or ""
        known = CreditEvent.objects.filter(
            party_kind=data["kind"], party_code=code, source_type="credit.manual", source_id=data["key"]
        ).exists()
        event = violations.do_record_violation(
            party_kind=data["kind"],
            party_code=code,
            region_id=region,
            amount=data["amount"],
            source=("credit.manual", data["key"]),
            on=data["on"],
            actor=request.user,
            note=data["note"],
            party_name=name,
            hospital_code=hospital_code if hospital_id else "",
        )
        event.party.refresh_from_db()
        return Response(
            CreditRecordedEventSerializer(event).data, status=status.HTTP_200_OK if known else status.HTTP_201_CREATED
        )


class CreditSettingsView(APIView):
    """诚信参数 of a region: GET the version in force and the history; POST (manager) a new version."""

    @extend_schema(
        parameters=[OpenApiParameter("region", str, description="统筹区代码")], responses={200: OpenApiTypes.OBJECT}
    )
    def get(self, request: Request) -> Response:
        region = one_region(request)
        current = queries.params_for(region)
        values = {k: (str(v) if k == "anomaly_threshold" else v) for k, v in current.values().items()}
        history = CreditSettings.objects.for_user(request.user).filter(region_id=region).select_related("actor")
        return Response(
            {
                "region": region,
                "version": current.version,
                **values,
                "history": CreditSettingsSerializer(history.order_by("-version"), many=True).data,
            }
        )

    @extend_schema(request=CreditSettingsInput, responses={201: CreditSettingsSerializer})
    def post(self, request: Request) -> Response:
        data = validated(CreditSettingsInput(data=request.data), "参数有误")
        region = one_region(request, data.pop("region") or None)
        reason = data.pop("reason")
        row = parameters.do_change_settings(request.user, region, data, reason=reason)
        return Response(CreditSettingsSerializer(row).data, status=status.HTTP_201_CREATED)


# -- screening -----------------------------------------------------------------------------------------------


class CreditScreenings(generics.ListAPIView[ScreeningRun]):
    """异常数据挖掘 runs of the caller's regions; POST (reviewer, inspector, manager) starts one (a job)."""

    serializer_class = CreditScreeningRunSerializer
    queryset = ScreeningRun.objects.none()

    def get_queryset(self) -> Any:
        return ScreeningRun.objects.for_user(self.request.user)

    @extend_schema(request=CreditScreeningInput, responses={201: CreditScreeningRunSerializer})
    def post(self, request: Request) -> Response:
        data = validated(CreditScreeningInput(data=request.data), "筛查参数有误")
        region = one_region(request, data["region"] or None)
        run = screening_actions.do_start_screening(
            region=region,
            period_kind=data["period_kind"],
            period=data["period"],
            actor=request.user,
            note=data["note"],
            params={
                "threshold": data["threshold"] or None,
                "min_peers": data["min_peers"],
                "min_volume": data["min_volume"],
                "readmit_days": data["readmit_days"],
            },
        )
        return Response(CreditScreeningRunSerializer(run).data, status=status.HTTP_201_CREATED)


class CreditScreeningDetail(generics.ListAPIView[ScreeningResult]):
    """A run's results in the caller's scope: the flagged units in rank order (``all=true``: every unit by
    score), optionally of one unit kind; the answer carries the run itself under ``run``."""

    serializer_class = CreditScreeningResultSerializer
    queryset = ScreeningResult.objects.none()

    @extend_schema(
        operation_id="v1_credit_screening_results_list",
        parameters=[
            OpenApiParameter("kind", str, description="hospital | department | doctor"),
            OpenApiParameter("all", bool, description="true: 所有单位（按得分）"),
        ],
    )
    def get(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        run = get_scoped_or_404(ScreeningRun, request, pk=kwargs["pk"])
        response = super().get(request, *args, **kwargs)
        response.data = {"run": CreditScreeningRunSerializer(run).data, **response.data}
        return response

    def get_queryset(self) -> Any:
        rows = (
            ScreeningResult.objects.for_user(self.request.user)
            .filter(run_id=self.kwargs["pk"])
            .select_related("hospital", "run")
        )
        kind = self.request.query_params.get("kind", "")
        if kind in UnitKind.values:
            rows = rows.filter(unit_kind=kind)
        if self.request.query_params.get("all", "").lower() in ("1", "true", "yes"):
            return rows.order_by("-score", "unit_kind", "unit_code")
        return rows.filter(flagged=True).order_by("rank")


class CreditScreeningResultView(APIView):
    @extend_schema(responses={200: CreditScreeningResultSerializer})
    def get(self, request: Request, pk: int) -> Response:
        result = get_scoped_or_404(ScreeningResult, request, pk=pk)
        return Response(CreditScreeningResultSerializer(result).data)


api_urlpatterns = [
    path("credit/parties", CreditPartyList.as_view(), name="credit-parties"),
    path("credit/parties/<int:pk>", CreditPartyDetail.as_view(), name="credit-party-detail"),
    path("credit/parties/<int:pk>/list", CreditPartyListing.as_view(), name="credit-party-listing"),
    path("credit/parties/<int:pk>/delist", CreditPartyDelisting.as_view(), name="credit-party-delisting"),
    path("credit/listings", CreditListings.as_view(), name="credit-listings"),
    path("credit/violations", CreditViolations.as_view(), name="credit-violations"),
    path("credit/settings", CreditSettingsView.as_view(), name="credit-settings"),
    path("credit/screenings", CreditScreenings.as_view(), name="credit-screenings"),
    path("credit/screenings/<int:pk>", CreditScreeningDetail.as_view(), name="credit-screening-detail"),
    path("credit/screening-results/<int:pk>", CreditScreeningResultView.as_view(), name="credit-screening-result"),
]
