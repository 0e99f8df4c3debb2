"""API of fund management under ``/api/v1/fund/…``: fund years (funds raised, levels, history, monthly profit
rate, clearing), appropriation requests (prepare, adjust, submit, receive), the fund's entries, the overdraft
check, the warnings and an overview for the dashboard. Finance writes; manager and supervisor read (the
manager may also change the warning levels). Amounts are decimal strings both ways; a JSON number with a
fraction is refused (it would be a float). The routes are listed in ``api_urlpatterns``."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core import inputs
from dae.core.api import one_region, validated
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.scoping import get_scoped_or_404
from dae.ledger import entries as E

from . import actions, services
from .models import AppropriationRequest, Clearing, FundEntry, FundYear, FundYearChange

REGION_PARAM = OpenApiParameter("region", str, description="统筹区代码（默认：本人第一个统筹区）")
DATE_PARAM = OpenApiParameter("date", OpenApiTypes.DATE, description="日期 YYYY-MM-DD（默认今天）")
OVERVIEW_ACCOUNTS = (E.INCOME_BANK, E.SPENDING_BANK, E.APPROPRIATIONS_DUE, E.REVOLVING_FUND, E.RISK_ADJUSTMENT)


DATE_FORMATS = ["%Y-%m-%d"]


# -- fund years ----------------------------------------------------------------------------------------------

class FundYearSerializer(serializers.ModelSerializer[FundYear]):
    region = serializers.CharField(source="region_id")
    funds_raised = AmountField(maximum=FUND_MAX)
    yellow_level = serializers.CharField()
    red_level = serializers.CharField()

    class Meta:
        model = FundYear
        fields = ["id", "region", "year", "funds_raised", "version", "yellow_level", "red_level", "contract_start",
                  "contract_end", "created_at", "updated_at"]


class ChangeSerializer(serializers.ModelSerializer[FundYearChange]):
    funds_raised = AmountField(maximum=FUND_MAX)
    yellow_level = serializers.CharField()
    red_level = serializers.CharField()
    actor = serializers.CharField(source="actor.username", default=None)

    class Meta:
        model = FundYearChange
        fields = ["version", "funds_raised", "yellow_level", "red_level", "contract_start", "contract_end", "reason",
                  "transaction", "actor", "at"]


class FundYearInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    funds_raised = AmountField(maximum=FUND_MAX)
    on = BoundedDateField(input_formats=DATE_FORMATS, help_text="记账日期")
    contract_start = BoundedDateField(input_formats=DATE_FORMATS, required=False, allow_null=True, default=None)
    contract_end = BoundedDateField(input_formats=DATE_FORMATS, required=False, allow_null=True, default=None)
    yellow_level = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=None)
    red_level = serializers.DecimalField(max_digits=5, decimal_places=2, required=False, default=None)


class FundYears(APIView):
    """基金年度 of the caller's regions. POST (finance) enters a year's funds raised and posts Dr 1131 / Cr 4001;
    the same figures again answer 200 with the year, other figures for an existing year 409."""

    @extend_schema(responses={200: FundYearSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = FundYear.objects.for_user(request.user)
        return Response(FundYearSerializer(rows, many=True).data)

    @extend_schema(request=FundYearInput, responses={201: FundYearSerializer, 200: FundYearSerializer})
    def post(self, request: Request) -> Response:
        data = validated(FundYearInput(data=request.data), "基金年度数据有误")
        region = one_region(request, data["region"])
        known = FundYear.objects.filter(region_id=region, year=data["year"]).exists()
        fund_year = actions.do_enter_funds(
            request.user, region, data["year"], data["funds_raised"], on=data["on"],
            contract_start=data["contract_start"], contract_end=data["contract_end"],
            yellow_level=data["yellow_level"], red_level=data["red_level"])
        return Response(FundYearSerializer(fund_year).data, status=status.HTTP_200_OK if known else status.HTTP_201_CREATED)


class FundYearDetail(APIView):
    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        fund_year = get_scoped_or_404(FundYear, request, pk=pk)
        return Response({**FundYearSerializer(fund_year).data,
                         "history": ChangeSerializer(fund_year.changes.select_related("actor"), many=True).data})


class FundsChangeInput(serializers.Serializer[Any]):
    funds_raised = AmountField(maximum=FUND_MAX)
    on = BoundedDateField(input_formats=DATE_FORMATS)
    reason = serializers.CharField(max_length=300)


class FundYearFunds(APIView):
    """变更筹集资金 (finance) with a reason: posts only the difference under a new version."""

    @extend_schema(request=FundsChangeInput, responses={200: FundYearSerializer})
    def post(self, request: Request, pk: int) -> Response:
        fund_year = get_scoped_or_404(FundYear, request, pk=pk)
        data = validated(FundsChangeInput(data=request.data), "请填写变更后的筹集资金、记账日期和变更原因")
        changed = actions.do_change_funds(request.user, fund_year, data["funds_raised"], on=data["on"],
                                          reason=data["reason"])
        return Response(FundYearSerializer(changed).data)


class LevelsInput(serializers.Serializer[Any]):
    yellow_level = serializers.DecimalField(max_digits=5, decimal_places=2)
    red_level = serializers.DecimalField(max_digits=5, decimal_places=2)
    contract_start = BoundedDateField(input_formats=DATE_FORMATS, required=False, allow_null=True, default=None)
    contract_end = BoundedDateField(input_formats=DATE_FORMATS, required=False, allow_null=True, default=None)
    reason = serializers.CharField(max_length=300)


class FundYearLevels(APIView):
    """变更预警线和合同期 (finance, manager) with a reason, kept in the history."""

    @extend_schema(request=LevelsInput, responses={200: FundYearSerializer})
    def post(self, request: Request, pk: int) -> Response:
        fund_year = get_scoped_or_404(FundYear, request, pk=pk)
        data = validated(LevelsInput(data=request.data), "请填写预警线和变更原因")
        changed = actions.do_change_levels(request.user, fund_year, **data)
        return Response(FundYearSerializer(changed).data)


class FundYearProfit(APIView):
    """利润率 per month (year to date through each month end) and the full-year projection. ``?through=`` the
    last month (default: 12 for a past year, the current month for this year)."""

    @extend_schema(parameters=[OpenApiParameter("through", int, description="截至月份 1–12")],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        fund_year = get_scoped_or_404(FundYear, request, pk=pk)
        raw = request.query_params.get("through", "").strip()
        through = inputs.whole(raw, field="through", label="截至月份", minimum=1, maximum=12) if raw else None
        series = services.profit_rates(fund_year, through=through)
        return Response({"region": fund_year.region_id, "year": fund_year.year,
                         "funds_raised": f"{fund_year.funds_raised:.2f}", "yellow_level": str(fund_year.yellow_level),
                         "red_level": str(fund_year.red_level), "months": [m.as_dict() for m in series.months]})


class ClearingInput(serializers.Serializer[Any]):
    on = BoundedDateField(input_formats=DATE_FORMATS)
    reason = serializers.CharField(max_length=300)
    amount = AmountField(maximum=FUND_MAX, required=False, allow_null=True, default=None)


class FundYearClearing(APIView):
    """清算报告 of a fund year (``kind`` = year_end | contract_end); POST (finance) records it and posts the
    amount to return Dr 4001 / Cr 2401 once."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int, kind: str) -> Response:
        fund_year = get_scoped_or_404(FundYear, request, pk=pk)
        return Response(services.clearing_report(fund_year, kind).as_dict())

    @extend_schema(request=ClearingInput, responses={201: OpenApiTypes.OBJECT, 200: OpenApiTypes.OBJECT})
    def post(self, request: Request, pk: int, kind: str) -> Response:
        fund_year = get_scoped_or_404(FundYear, request, pk=pk)
        data = validated(ClearingInput(data=request.data), "请填写清算日期和清算说明")
        known = Clearing.objects.filter(fund_year=fund_year, kind=kind).exists()
        done = actions.do_record_clearing(request.user, fund_year, kind, on=data["on"], reason=data["reason"],
                                          amount=data["amount"])
        return Response({"id": done.pk, "kind": done.kind, "on": done.on.isoformat(), "amount": f"{done.amount:.2f}",
                         "transaction": done.transaction_id, "figures": done.figures},
                        status=status.HTTP_200_OK if known else status.HTTP_201_CREATED)


# -- requests ------------------------------------------------------------------------------------------------

class RequestSerializer(serializers.ModelSerializer[AppropriationRequest]):
    region = serializers.CharField(source="region_id")
    payouts = AmountField(maximum=FUND_MAX)
    adjustments = AmountField(maximum=FUND_MAX)
    operating_costs = AmountField(maximum=FUND_MAX)
    computed = AmountField(maximum=FUND_MAX)
    adjustment = AmountField(maximum=FUND_MAX, minimum=-FUND_MAX)
    amount = AmountField(maximum=FUND_MAX)
    received = serializers.SerializerMethodField()

    class Meta:
        model = AppropriationRequest
        fields = ["id", "number", "region", "year", "quarter", "basis", "basis_start", "basis_end", "payouts",
                  "adjustments", "operating_costs", "computed", "adjustment", "adjustment_reason", "amount",
                  "status", "submitted_on", "received"]

    def get_received(self, obj: AppropriationRequest) -> str:
        return f"{services.received_for(obj):.2f}"


class PrepareInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    year = serializers.IntegerField(min_value=2000, max_value=2099)
    quarter = serializers.IntegerField(min_value=1, max_value=4)


class Requests(APIView):
    """用款申请 of the caller's regions. POST (finance) prepares (or recomputes the draft of) a quarter's request
    from the previous quarter's expenditure in the ledger."""

    @extend_schema(responses={200: RequestSerializer(many=True)})
    def get(self, request: Request) -> Response:
        return Response(RequestSerializer(AppropriationRequest.objects.for_user(request.user), many=True).data)

    @extend_schema(request=PrepareInput, responses={201: RequestSerializer, 200: RequestSerializer})
    def post(self, request: Request) -> Response:
        data = validated(PrepareInput(data=request.data), "请填写统筹区、年度和季度")
        region = one_region(request, data["region"])
        known = AppropriationRequest.objects.filter(region_id=region, year=data["year"],
                                                    quarter=data["quarter"]).exists()
        prepared = actions.do_prepare_request(request.user, region, data["year"], data["quarter"])
        return Response(RequestSerializer(prepared).data, status=status.HTTP_200_OK if known else status.HTTP_201_CREATED)


class RequestDetail(APIView):
    @extend_schema(responses={200: RequestSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(RequestSerializer(get_scoped_or_404(AppropriationRequest, request, pk=pk)).data)


class AdjustInput(serializers.Serializer[Any]):
    adjustment = AmountField(maximum=FUND_MAX, minimum=-FUND_MAX)
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")


class RequestAdjust(APIView):
    """财务调整 of a draft request with a reason."""

    @extend_schema(request=AdjustInput, responses={200: RequestSerializer})
    def post(self, request: Request, pk: int) -> Response:
        appropriation = get_scoped_or_404(AppropriationRequest, request, pk=pk)
        data = validated(AdjustInput(data=request.data), "请填写调整金额和调整原因")
        return Response(RequestSerializer(actions.do_adjust_request(request.user, appropriation, data["adjustment"],
                                                                    data["reason"])).data)


class SubmitInput(serializers.Serializer[Any]):
    on = BoundedDateField(input_formats=DATE_FORMATS, required=False, default=None)


class RequestSubmit(APIView):
    """提交用款申请 (草稿 → 已提交)."""

    @extend_schema(request=SubmitInput, responses={200: RequestSerializer})
    def post(self, request: Request, pk: int) -> Response:
        appropriation = get_scoped_or_404(AppropriationRequest, request, pk=pk)
        data = validated(SubmitInput(data=request.data), "提交日期格式应为 YYYY-MM-DD")
        done = actions.do_submit_request(request.user, appropriation, on=data["on"] or timezone.localdate())
        return Response(RequestSerializer(done).data)


class EntrySerializer(serializers.ModelSerializer[FundEntry]):
    region = serializers.CharField(source="region_id")
    amount = AmountField(maximum=FUND_MAX)
    created_by = serializers.CharField(source="created_by.username", default=None)

    class Meta:
        model = FundEntry
        fields = ["id", "kind", "region", "on", "amount", "reference_no", "description", "reason", "approval_no",
                  "request", "key", "transaction", "created_by", "created_at"]


class ReceiveInput(serializers.Serializer[Any]):
    amount = AmountField(maximum=FUND_MAX)
    on = BoundedDateField(input_formats=DATE_FORMATS)
    slip_no = serializers.CharField(max_length=64)


class RequestReceive(APIView):
    """拨款到账 (finance) against a submitted request: Dr 100201 / Cr 1131, keyed by the bank slip; the same
    slip again answers 200 with the entry already recorded."""

    @extend_schema(request=ReceiveInput, responses={201: EntrySerializer, 200: EntrySerializer})
    def post(self, request: Request, pk: int) -> Response:
        appropriation = get_scoped_or_404(AppropriationRequest, request, pk=pk)
        data = validated(ReceiveInput(data=request.data), "请填写到账金额、到账日期和银行回单号")
        known = FundEntry.objects.filter(key=f"appropriation:{appropriation.region_id}:{data['slip_no'].strip()}").exists()
        entry = actions.do_receive_appropriation(request.user, appropriation, amount=data["amount"], on=data["on"],
                                                 slip_no=data["slip_no"])
        return Response(EntrySerializer(entry).data, status=status.HTTP_200_OK if known else status.HTTP_201_CREATED)


# -- entries, shortfall, warnings, overview ------------------------------------------------------------------

class EntryInput(serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=[str(k) for k in actions.FORM_KINDS])
    region = serializers.CharField(max_length=6)
    on = BoundedDateField(input_formats=DATE_FORMATS)
    amount = AmountField(maximum=FUND_MAX)
    key = serializers.CharField(max_length=90, help_text="幂等键：同一笔业务重试时使用相同的键")
    reference_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    reason = serializers.CharField(max_length=300, required=False, allow_blank=True, default="")
    approval_no = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")


class Entries(APIView):
    """基金收支记录 (``?kind=`` filters). POST (finance): 划转 transfer, 经办费用 operating_cost, 利息 interest,
    临时周转金 revolving_draw (reason and approval_no required) / revolving_repay; a retry with the same ``key``
    and content answers 200 with the entry already recorded, other content under the same key 409."""

    @extend_schema(parameters=[OpenApiParameter("kind", str, description="类型")],
                   responses={200: EntrySerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = FundEntry.objects.for_user(request.user).select_related("created_by")
        kind = request.query_params.get("kind", "").strip()
        if kind:
            rows = rows.filter(kind=kind)
        return Response(EntrySerializer(rows[:500], many=True).data)

    @extend_schema(request=EntryInput, responses={201: EntrySerializer, 200: EntrySerializer})
    def post(self, request: Request) -> Response:
        data = validated(EntryInput(data=request.data), "基金收支记录有误")
        region = one_region(request, data.pop("region"))
        kind = data.pop("kind")
        known = FundEntry.objects.filter(key=data["key"].strip()).exists()
        entry = actions.do_record_entry(request.user, kind, region, **data)
        return Response(EntrySerializer(entry).data, status=status.HTTP_200_OK if known else status.HTTP_201_CREATED)


class Shortfall(APIView):
    """透支预警: how much the spending account 100202 would go below zero if ``amount`` were paid on ``date``."""

    @extend_schema(parameters=[REGION_PARAM, DATE_PARAM, OpenApiParameter("amount", str, required=True,
                                                                          description="拟支付金额")],
                   responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        region, on = one_region(request), inputs.as_of(request.query_params)
        amount = actions.money(request.query_params.get("amount", ""), "拟支付金额", positive=False)
        balance = services.balances(region, on, (E.SPENDING_BANK,)).get(E.SPENDING_BANK)
        return Response({"region": region, "date": on.isoformat(), "amount": f"{amount:.2f}",
                         "balance": f"{balance:.2f}" if balance is not None else None,
                         "shortfall": f"{services.spending_shortfall(region, amount, on):.2f}"})


class Warnings(APIView):
    """基金预警 in the caller's regions at ``date``."""

    @extend_schema(parameters=[DATE_PARAM], responses={200: {"type": "array", "items": {"type": "object"}}})
    def get(self, request: Request) -> Response:
        return Response([w.as_dict() for w in services.fund_warnings(request.user, inputs.as_of(request.query_params))])


class Overview(APIView):
    """The dashboard's figures of a region: balances of 100201 / 100202 / 1131 / 2301 / 3101, the current quarter's
    request, the latest month's profit rate and the warnings."""

    @extend_schema(parameters=[REGION_PARAM, DATE_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        region, on = one_region(request), inputs.as_of(request.query_params)
        held = services.balances(region, on, OVERVIEW_ACCOUNTS)
        quarter = services.quarter_of(on)
        current = AppropriationRequest.objects.filter(region_id=region, year=on.year, quarter=quarter).first()
        fund_year = FundYear.objects.filter(region_id=region, year=on.year).first()
        latest = services.profit_rates(fund_year, through=on.month).latest if fund_year else None
        return Response({
            "region": region, "date": on.isoformat(),
            "balances": {code: f"{held.get(code, Decimal(0)):.2f}" for code in OVERVIEW_ACCOUNTS},
            "current_request": RequestSerializer(current).data if current else None, "quarter": quarter,
            "profit": latest.as_dict() if latest else None,
            "warnings": [w.as_dict() for w in services.fund_warnings(request.user, on) if w.region == region]})


api_urlpatterns = [
    path("fund/years", FundYears.as_view(), name="fund-years"),
    path("fund/years/<int:pk>", FundYearDetail.as_view(), name="fund-year-detail"),
    path("fund/years/<int:pk>/funds", FundYearFunds.as_view(), name="fund-year-funds"),
    path("fund/years/<int:pk>/levels", FundYearLevels.as_view(), name="fund-year-levels"),
    path("fund/years/<int:pk>/profit", FundYearProfit.as_view(), name="fund-year-profit"),
    path("fund/years/<int:pk>/clearing/<str:kind>", FundYearClearing.as_view(), name="fund-year-clearing"),
    path("fund/requests", Requests.as_view(), name="fund-requests"),
    path("fund/requests/<int:pk>", RequestDetail.as_view(), name="fund-request-detail"),
    path("fund/requests/<int:pk>/adjust", RequestAdjust.as_view(), name="fund-request-adjust"),
    path("fund/requests/<int:pk>/submit", RequestSubmit.as_view(), name="fund-request-submit"),
    path("fund/requests/<int:pk>/receive", RequestReceive.as_view(), name="fund-request-receive"),
    path("fund/entries", Entries.as_view(), name="fund-entries"),
    path("fund/shortfall", Shortfall.as_view(), name="fund-shortfall"),
    path("fund/warnings", Warnings.as_view(), name="fund-warnings"),
    path("fund/overview", Overview.as_view(), name="fund-overview"),
]
