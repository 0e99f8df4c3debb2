"""API of settlement and payment: statements (list, build, detail, approve), payment batches (list, create,
detail, export, the bank file, result import), the manual check of an order, deductions. Amounts are decimal
strings. The routes are in ``api_urlpatterns``, included in ``dae.urls``' API list."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.urls import path
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.api import validated
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.masking import mask_account
from dae.core.scoping import get_scoped_or_404

from .actions import (
    do_approve_statement,
    do_build_statements,
    do_confirm_order,
    do_create_batch,
    do_export_batch,
    do_import_result,
    do_record_deduction,
)
from .bankfiles import payment_file
from .codes import Code
from .models import Deduction, PaymentBatch, PaymentOrder, ResultFile, Statement
from .queries import reconcile


class MonthlyStatementSerializer(serializers.ModelSerializer[Statement]):
    hospital = serializers.CharField(source="hospital.code")
    hospital_name = serializers.CharField(source="hospital.name")
    region = serializers.CharField(source="region_id")
    medfee_total = AmountField(maximum=FUND_MAX)
    lines_total = AmountField(maximum=FUND_MAX)
    declared_total = AmountField(maximum=FUND_MAX)
    computed_total = AmountField(maximum=FUND_MAX)
    accepted_total = AmountField(maximum=FUND_MAX)
    supplements_total = AmountField(maximum=FUND_MAX)
    recoveries_total = AmountField(maximum=FUND_MAX)
    deductions_total = AmountField(maximum=FUND_MAX)
    carried_in = AmountField(maximum=FUND_MAX)
    net_payable = AmountField(maximum=FUND_MAX)
    carried_out = AmountField(maximum=FUND_MAX)

    class Meta:
        model = Statement
        fields = ["id", "hospital", "hospital_name", "region", "month", "status", "settlements_count",
                  "lines_count", "medfee_total", "lines_total", "declared_total", "computed_total", "accepted_total",
                  "supplements_total", "recoveries_total", "deductions_total", "carried_in", "net_payable",
                  "carried_out", "due_date", "built_on", "approved_on", "paid_on"]


class StatementList(generics.ListAPIView[Statement]):
    """月结单 of the caller's regions (a hospital sees its own), newest month first; ``?month=`` filters."""

    serializer_class = MonthlyStatementSerializer

    def get_queryset(self) -> Any:
        qs = Statement.objects.for_user(self.request.user).select_related("hospital")
        month = self.request.query_params.get("month", "").strip()
        return qs.filter(month=month) if month else qs


class BuildSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    month = serializers.CharField(max_length=7)
    on = BoundedDateField(required=False, input_formats=["%Y-%m-%d"])


class StatementBuild(APIView):
    """编制月结单 (finance): builds the month's statements of the region; answers the new ones (none when done)."""

    @extend_schema(request=BuildSerializer, responses={201: MonthlyStatementSerializer(many=True)})
    def post(self, request: Request) -> Response:
        data = validated(BuildSerializer(data=request.data), "请填写统筹区和结算月份")
        built = do_build_statements(inputs.region(request.user, data["region"]), data["month"], actor=request.user,
                                    on=data.get("on") or timezone.localdate())
        return Response(MonthlyStatementSerializer(built, many=True).data, status=status.HTTP_201_CREATED)


class StatementDetail(APIView):
    """One statement with its reconciliation to the settlements and fee lines (``reconciliation.agrees``)."""

    @extend_schema(responses={200: MonthlyStatementSerializer})
    def get(self, request: Request, pk: int) -> Response:
        st = get_scoped_or_404(Statement, request, pk=pk)
        check = reconcile(st)
        return Response({**MonthlyStatementSerializer(st).data, "reconciliation": {
            "agrees": check.agrees, "medfee_total": f"{check.medfee_total:.2f}",
            "lines_total": f"{check.lines_total:.2f}", "settlements_medfee": f"{check.settlements_medfee:.2f}",
            "settlements_accepted": f"{check.settlements_accepted:.2f}", "mismatched": check.mismatched}})


class DaySerializer(serializers.Serializer[Any]):
    on = BoundedDateField(required=False, input_formats=["%Y-%m-%d"])


class StatementApprove(APIView):
    """审批 (finance): nets recoveries and deductions in the ledger; the statement becomes payable."""

    @extend_schema(request=DaySerializer, responses={200: MonthlyStatementSerializer})
    def post(self, request: Request, pk: int) -> Response:
        st = get_scoped_or_404(Statement, request, pk=pk)
        data = validated(DaySerializer(data=request.data), "审批日期格式应为 YYYY-MM-DD")
        return Response(MonthlyStatementSerializer(do_approve_statement(st, actor=request.user,
                                                              on=data.get("on") or timezone.localdate())).data)


class OrderSerializer(serializers.ModelSerializer[PaymentOrder]):
    amount = AmountField(maximum=FUND_MAX)
    memo = serializers.CharField(read_only=True)
    bank_account = serializers.SerializerMethodField()

    def get_bank_account(self, order: PaymentOrder) -> str:
        return mask_account(order.bank_account)  # the full number goes only into the bank's payment file

    class Meta:
        model = PaymentOrder
        fields = ["id", "seq", "statement", "settlement", "adjustment", "payee_name", "bank_name", "bank_account",
                  "amount", "purpose", "memo", "status", "bank_serial", "result_on", "failure_reason",
                  "result_source"]


class BatchSerializer(serializers.ModelSerializer[PaymentBatch]):
    region = serializers.CharField(source="region_id")
    total = AmountField(maximum=FUND_MAX)

    class Meta:
        model = PaymentBatch
        fields = ["id", "number", "region", "kind", "status", "orders_count", "total", "file_sha256", "created_on",
                  "exported_at"]


class BatchDetailSerializer(BatchSerializer):
    orders = OrderSerializer(many=True)

    class Meta(BatchSerializer.Meta):
        fields = [*BatchSerializer.Meta.fields, "orders"]


class CreateBatchSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    kind = serializers.ChoiceField(choices=PaymentBatch.Kind.choices)
    on = BoundedDateField(required=False, input_formats=["%Y-%m-%d"])


class BatchListCreate(generics.ListAPIView[PaymentBatch]):
    """支付批次. POST (finance) creates a batch of everything payable of the region for ``kind``; 409
    ``overdraft`` when the spending account would be overdrawn, ``nothing_to_pay`` when there is nothing."""

    serializer_class = BatchSerializer

    def get_queryset(self) -> Any:
        return PaymentBatch.objects.for_user(self.request.user)

    @extend_schema(request=CreateBatchSerializer, responses={201: BatchDetailSerializer})
    def post(self, request: Request) -> Response:
        data = validated(CreateBatchSerializer(data=request.data), "请填写统筹区和付款对象")
        batch = do_create_batch(inputs.region(request.user, data["region"]), data["kind"], actor=request.user,
                                on=data.get("on") or timezone.localdate())
        return Response(BatchDetailSerializer(batch).data, status=status.HTTP_201_CREATED)


class BatchDetail(APIView):
    @extend_schema(responses={200: BatchDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(BatchDetailSerializer(get_scoped_or_404(PaymentBatch, request, pk=pk)).data)


class BatchExport(APIView):
    """生成付款文件 (finance): marks the orders sent; again: the same file (200 either way)."""

    @extend_schema(request=None, responses={200: BatchDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        batch = get_scoped_or_404(PaymentBatch, request, pk=pk)
        do_export_batch(batch, actor=request.user)
        return Response(BatchDetailSerializer(batch).data)


class BatchFile(APIView):
    """The bank payment file (CSV, UTF-8 with BOM) of an exported batch."""

    @extend_schema(responses={(200, "text/csv"): OpenApiTypes.BINARY})
    def get(self, request: Request, pk: int) -> HttpResponse:
        batch = get_scoped_or_404(PaymentBatch, request, pk=pk)
        if batch.status == PaymentBatch.Status.DRAFT:
            raise InvalidInput("批次尚未生成付款文件", code=Code.NOT_EXPORTED)
        response = HttpResponse(payment_file(batch), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="{batch.number}.csv"'
        return response


class ResultSerializer(serializers.ModelSerializer[ResultFile]):
    class Meta:
        model = ResultFile
        fields = ["id", "file_name", "sha256", "paid", "failed", "pending", "imported_at"]


class ResultUploadSerializer(serializers.Serializer[Any]):
    file = serializers.FileField()


class BatchResults(APIView):
    """导入银行回盘 (finance, multipart ``file``): 201 with the counts; the same file again answers the first
    import; a bad row answers 400 with every problem (row, column, value, message)."""

    parser_classes = [MultiPartParser]

    @extend_schema(request={"multipart/form-data": ResultUploadSerializer}, responses={201: ResultSerializer})
    def post(self, request: Request, pk: int) -> Response:
        batch = get_scoped_or_404(PaymentBatch, request, pk=pk)
        upload = request.FILES.get("file")
        if upload is None:
            raise InvalidInput("请上传银行回盘文件（字段 file）", code=CoreCode.NO_FILE)
        result = do_import_result(batch, name=upload.name or "result.csv", chunks=upload.chunks(), actor=request.user)
        return Response(ResultSerializer(result).data, status=status.HTTP_201_CREATED)


class ConfirmSerializer(serializers.Serializer[Any]):
    outcome = serializers.ChoiceField(choices=[("paid", "paid"), ("failed", "failed")])
    day = BoundedDateField(input_formats=["%Y-%m-%d"])
    reason = serializers.CharField(max_length=300)
    serial = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")


class OrderConfirm(APIView):
    """人工查证 (finance): the outcome of a sent order whose result the bank file did not give."""

    @extend_schema(request=ConfirmSerializer, responses={200: OrderSerializer})
    def post(self, request: Request, pk: int) -> Response:
        order = get_scoped_or_404(PaymentOrder, request, pk=pk)
        data = validated(ConfirmSerializer(data=request.data), "请填写查证结果、日期和说明")
        done = do_confirm_order(order, outcome=data["outcome"], actor=request.user, day=data["day"],
                                reason=data["reason"], serial=data["serial"])
        return Response(OrderSerializer(done).data)


class DeductionSerializer(serializers.ModelSerializer[Deduction]):
    hospital = serializers.CharField(source="hospital.code")
    amount = AmountField(maximum=FUND_MAX)

    class Meta:
        model = Deduction
        fields = ["id", "hospital", "kind", "amount", "reason", "source_type", "source_id", "confirmed_on",
                  "status", "statement", "from_statement"]


class DeductionInput(serializers.Serializer[Any]):
    hospital = serializers.CharField(max_length=30)
    kind = serializers.ChoiceField(choices=[("audit", "audit"), ("inspection", "inspection"), ("other", "other")])
    amount = AmountField(maximum=FUND_MAX)
    reason = serializers.CharField(max_length=300)
    document = serializers.CharField(max_length=64, help_text="确认文书编号（同一文书只登记一次）")
    confirmed_on = BoundedDateField(input_formats=["%Y-%m-%d"])


class DeductionListCreate(generics.ListAPIView[Deduction]):
    """扣款. POST (finance) registers a confirmed deduction; the same document again answers the first one."""

    serializer_class = DeductionSerializer

    def get_queryset(self) -> Any:
        return Deduction.objects.for_user(self.request.user).select_related("hospital")

    @extend_schema(request=DeductionInput, responses={201: DeductionSerializer})
    def post(self, request: Request) -> Response:
        data = validated(DeductionInput(data=request.data), "扣款信息有误")
        hospital = get_scoped_or_404(Hospital, request, code=data["hospital"])
        deduction = do_record_deduction(hospital, amount=data["amount"], kind=data["kind"], reason=data["reason"],
                                        source=("document", data["document"]), confirmed_on=data["confirmed_on"],
                                        actor=request.user)
        return Response(DeductionSerializer(deduction).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("statements", StatementList.as_view(), name="statements"),
    path("statements/build", StatementBuild.as_view(), name="statements-build"),
    path("statements/<int:pk>", StatementDetail.as_view(), name="statement-detail"),
    path("statements/<int:pk>/approve", StatementApprove.as_view(), name="statement-approve"),
    path("payment-batches", BatchListCreate.as_view(), name="payment-batches"),
    path("payment-batches/<int:pk>", BatchDetail.as_view(), name="payment-batch-detail"),
    path("payment-batches/<int:pk>/export", BatchExport.as_view(), name="payment-batch-export"),
    path("payment-batches/<int:pk>/file", BatchFile.as_view(), name="payment-batch-file"),
    path("payment-batches/<int:pk>/results", BatchResults.as_view(), name="payment-batch-results"),
    path("payment-orders/<int:pk>/confirm", OrderConfirm.as_view(), name="payment-order-confirm"),
    path("deductions", DeductionListCreate.as_view(), name="deductions"),
]
