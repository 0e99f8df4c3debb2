"""API of the fund ledger: the chart with balances, the trial balance, transactions (list, detail; POST and
reversal for finance). The routes are listed in ``api_urlpatterns`` and included in ``dae.urls``' API list.
Amounts are decimal strings both ways; a JSON number with a fraction is refused (it would be a float)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core import inputs
from dae.core.api import chosen_regions, validated
from dae.core.errors import InvalidInput
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.scoping import get_scoped_or_404

from . import queries
from .actions import do_post, do_reverse
from .models import Account, Leg, Transaction
from .rules import Line

DATE_PARAM = OpenApiParameter("date", OpenApiTypes.DATE, description="截至日期 YYYY-MM-DD（默认今天）")
REGION_PARAM = OpenApiParameter("region", str, description="统筹区代码（默认：本人所有统筹区）")


class BalanceSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="account.code")
    name = serializers.CharField(source="account.name")
    kind = serializers.CharField(source="account.kind")
    normal_side = serializers.CharField(source="account.normal_side")
    parent = serializers.CharField(source="account.parent.code", default=None)
    postable = serializers.BooleanField(source="account.postable")
    active = serializers.BooleanField(source="account.active")
    debit = AmountField(maximum=FUND_MAX, help_text="借方累计")
    credit = AmountField(maximum=FUND_MAX, help_text="贷方累计")
    balance = AmountField(maximum=FUND_MAX, help_text="余额（按余额方向，正数在余额方向上）")


class AccountsAnswerSerializer(serializers.Serializer[Any]):
    date = serializers.DateField(help_text="截至日期")
    accounts = BalanceSerializer(many=True)


class AccountsView(APIView):
    """会计科目: the chart of accounts with each account's totals and balance at the end of ``date``."""

    @extend_schema(parameters=[DATE_PARAM, REGION_PARAM], responses={200: AccountsAnswerSerializer})
    def get(self, request: Request) -> Response:
        on = inputs.as_of(request.query_params)
        rows = queries.balances(on, regions=chosen_regions(request),
                                accounts=Account.objects.for_user(request.user).select_related("parent"))
        return Response({"date": on.isoformat(), "accounts": BalanceSerializer(rows, many=True).data})


class TrialBalanceRowSerializer(serializers.Serializer[Any]):
    code = serializers.CharField(source="account.code")
    name = serializers.CharField(source="account.name")
    debit = AmountField(maximum=FUND_MAX, help_text="借方累计发生额")
    credit = AmountField(maximum=FUND_MAX, help_text="贷方累计发生额")
    net_debit = AmountField(maximum=FUND_MAX, help_text="借方余额（负数为贷方余额）")


class TrialBalanceView(APIView):
    """试算平衡表 at the end of ``date``: per account total debits and credits; ``difference`` is always 0."""

    @extend_schema(parameters=[DATE_PARAM, REGION_PARAM], responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        tb = queries.trial_balance(inputs.as_of(request.query_params), regions=chosen_regions(request))
        return Response({"date": tb.on.isoformat() if tb.on else None, "balanced": tb.balanced,
                         "total_debit": f"{tb.total_debit:.2f}", "total_credit": f"{tb.total_credit:.2f}",
                         "difference": f"{tb.difference:.2f}",
                         "rows": TrialBalanceRowSerializer(tb.rows, many=True).data})


class LegSerializer(serializers.ModelSerializer[Leg]):
    account = serializers.CharField(source="account.code")
    debit = AmountField(maximum=FUND_MAX)
    credit = AmountField(maximum=FUND_MAX)

    class Meta:
        model = Leg
        fields = ["account", "debit", "credit"]


class TransactionSerializer(serializers.ModelSerializer[Transaction]):
    region = serializers.CharField(source="region_id")
    posted_by = serializers.CharField(source="posted_by.username", default=None)
    reversal = serializers.SerializerMethodField()
    legs = LegSerializer(many=True)

    class Meta:
        model = Transaction
        fields = ["id", "date", "description", "reference_type", "reference_id", "idempotency_key", "region",
                  "reverses", "reversal", "posted_by", "posted_at", "legs"]

    def get_reversal(self, obj: Transaction) -> int | None:
        reversal = obj.reversal_or_none()
        return reversal.pk if reversal is not None else None


class LegInputSerializer(serializers.Serializer[Any]):
    account = serializers.CharField(max_length=20)
    debit = AmountField(maximum=FUND_MAX, required=False, default=Decimal(0))
    credit = AmountField(maximum=FUND_MAX, required=False, default=Decimal(0))


class PostSerializer(serializers.Serializer[Any]):
    date = BoundedDateField(input_formats=["%Y-%m-%d"])
    description = serializers.CharField(max_length=300)
    reference_type = serializers.CharField(max_length=64, required=False, default="ledger.manual")
    reference_id = serializers.CharField(max_length=64, required=False, allow_blank=True, default="")
    idempotency_key = serializers.CharField(max_length=128)
    region = serializers.CharField(max_length=6)
    legs = LegInputSerializer(many=True)


class TransactionListCreate(generics.ListAPIView[Transaction]):
    """记账凭证 in the caller's regions, newest first. POST (finance) posts one balanced entry; a retry with
    the same ``idempotency_key`` and content answers 200 with the transaction already posted, different
    content under the same key answers 409 ``idempotency_conflict``."""

    serializer_class = TransactionSerializer

    def get_queryset(self) -> Any:
        return (Transaction.objects.for_user(self.request.user).select_related("posted_by", "reversal")
                .prefetch_related("legs__account").order_by("-date", "-id"))

    @extend_schema(request=PostSerializer, responses={201: TransactionSerializer, 200: TransactionSerializer})
    def post(self, request: Request) -> Response:
        data = validated(PostSerializer(data=request.data), "记账凭证有误")
        if data["region"] not in request.user.region_codes:
            raise InvalidInput(f"统筹区 {data['region']} 不在本人的统筹区内", code=inputs.InputCode.INVALID_REGION)
        key = data["idempotency_key"]
        known = Transaction.objects.filter(idempotency_key=key).values_list("pk", flat=True).first()
        txn = do_post([Line(leg["account"], leg["debit"], leg["credit"]) for leg in data["legs"]], date=data["date"],
                      description=data["description"], reference=(data["reference_type"], data["reference_id"]),
                      key=key, actor=request.user, region=data["region"])
        code = status.HTTP_200_OK if known == txn.pk else status.HTTP_201_CREATED
        return Response(TransactionSerializer(txn).data, status=code)


class TransactionDetail(APIView):
    @extend_schema(responses={200: TransactionSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(TransactionSerializer(get_scoped_or_404(Transaction, request, pk=pk)).data)


class ReverseSerializer(serializers.Serializer[Any]):
    date = BoundedDateField(input_formats=["%Y-%m-%d"])
    reason = serializers.CharField(max_length=200)


class TransactionReverse(APIView):
    """冲正 (finance): posts the mirror of the transaction, once; answers 201 with the reversal."""

    @extend_schema(request=ReverseSerializer, responses={201: TransactionSerializer})
    def post(self, request: Request, pk: int) -> Response:
        txn = get_scoped_or_404(Transaction, request, pk=pk)
        data = validated(ReverseSerializer(data=request.data), "请填写冲正日期和冲正原因")
        reversal = do_reverse(txn, date=data["date"], reason=data["reason"], actor=request.user)
        return Response(TransactionSerializer(reversal).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("ledger/accounts", AccountsView.as_view(), name="ledger-accounts"),
    path("ledger/trial-balance", TrialBalanceView.as_view(), name="ledger-trial-balance"),
    path("ledger/transactions", TransactionListCreate.as_view(), name="ledger-transactions"),
    path("ledger/transactions/<int:pk>", TransactionDetail.as_view(), name="ledger-transaction-detail"),
    path("ledger/transactions/<int:pk>/reverse", TransactionReverse.as_view(), name="ledger-transaction-reverse"),
]
