from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import api_view
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response

from dae.core import inputs
from dae.core.access import record_access
from dae.core.api import BoundedJSONParser, ScopedViewSetMixin
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput
from dae.core.inputs import BoundedDateField

from .actions import do_submit_declaration
from .feedback import feedback_rows
from .models import Adjustment, Declaration, DeclarationItem, FeeLine, Settlement


class FeeLineSerializer(serializers.ModelSerializer[FeeLine]):
    class Meta:
        model = FeeLine
        fields = ["feedetl_sn", "init_feedetl_sn", "fee_ocur_time", "med_list_codg", "medins_list_codg",
                  "det_item_fee_sumamt", "cnt", "pric", "chrgitm_lv", "med_chrgitm_type", "overlmt_amt",
                  "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt"]


class SettlementSerializer(serializers.ModelSerializer[Settlement]):
    fixmedins_code = serializers.CharField(source="hospital.code", read_only=True)
    admdvs = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = Settlement
        fields = ["setl_id", "mdtrt_id", "init_setl_id", "psn_no", "fixmedins_code", "admdvs", "med_type",
                  "adm_date", "dscg_date", "setl_time", "dise_codg", "place_category", "settle_way",
                  "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                  "hifob_pay", "computed_pay", "state", "paid_on", "declaration"]


class SettlementDetailSerializer(SettlementSerializer):
    lines = FeeLineSerializer(many=True, read_only=True)

    class Meta(SettlementSerializer.Meta):
        fields = [*SettlementSerializer.Meta.fields, "lines"]


class SettlementViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Settlement]):
    """结算 (settlements) in the caller's scope: region for staff, own hospital, or own settlements."""

    queryset = Settlement.objects.all()
    serializer_class = SettlementSerializer
    lookup_field = "setl_id"
    log_access = True

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("hospital").order_by("-setl_time", "-id")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        settlement = self.get_object()
        record_access(request, settlement)
        return Response(SettlementDetailSerializer(settlement).data)


# -- declarations ------------------------------------------------------------------------------------------

class DeclarationItemSerializer(serializers.ModelSerializer[DeclarationItem]):
    class Meta:
        model = DeclarationItem
        fields = ["seq", "setl_id", "psn_no", "init_setl_id", "outcome", "reason_code", "reason", "declared_pay",
                  "computed_pay", "difference"]


class DeclarationSerializer(serializers.ModelSerializer[Declaration]):
    fixmedins_code = serializers.CharField(source="hospital.code", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    job = serializers.IntegerField(source="job_id", read_only=True, allow_null=True)

    class Meta:
        model = Declaration
        fields = ["id", "fixmedins_code", "region", "month", "idempotency_key", "sha256", "status", "job",
                  "settlements_count", "lines_count", "accepted", "differing", "rejected", "replayed",
                  "declared_total", "computed_total", "checked_on", "pay_deadline", "deadline_warnings", "note",
                  "created_at"]


class DeclarationDetailSerializer(DeclarationSerializer):
    items = DeclarationItemSerializer(many=True, read_only=True)

    class Meta(DeclarationSerializer.Meta):
        fields = [*DeclarationSerializer.Meta.fields, "items"]


class DeclarationViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Declaration]):
    """月结申报: POST the declaration as JSON (the national format, see docs/declarations.md) or as a file
    (multipart ``file``: JSON or NDJSON). Answers 202 with the declaration being checked, or 200 with the
    earlier one when the same hospital sends the same idempotency key and content again (a replay changes
    nothing)."""

    queryset = Declaration.objects.all()
    serializer_class = DeclarationSerializer
    parser_classes = [BoundedJSONParser, MultiPartParser]
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("hospital").order_by("-id")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        return Response(DeclarationDetailSerializer(self.get_object()).data)

    @extend_schema(request={"application/json": dict, "multipart/form-data": dict},
                   responses={202: DeclarationSerializer, 200: DeclarationSerializer})
    def create(self, request: Request) -> Response:
        if (request.content_type or "").startswith("application/json"):
            # the raw bytes, so that amounts are read as Decimal by the declaration reader (never as floats)
            chunks: Any = iter([request._request.body])
            name = "declaration.json"
        else:
            upload = request.FILES.get("file")
            if upload is None:
                raise InvalidInput("请以 JSON 提交申报，或以 multipart 上传 file", code=CoreCode.NO_FILE)
            chunks = upload.chunks()
            name = upload.name
        declaration, created = do_submit_declaration(request.user, file_name=name, chunks=chunks)
        declaration.refresh_from_db()
        return Response(DeclarationSerializer(declaration).data, status=202 if created else 200)


class FeedbackRowSerializer(serializers.Serializer[Any]):
    setl_id = serializers.CharField()
    mdtrt_id = serializers.CharField()
    psn_no = serializers.CharField()
    fixmedins_code = serializers.CharField()
    declaration = serializers.IntegerField(allow_null=True)
    result = serializers.ChoiceField(choices=["paid", "rejected"])
    reason_code = serializers.CharField()
    reason = serializers.CharField()
    fund_pay_type = serializers.CharField()
    hifob_pay = serializers.CharField(allow_null=True)
    payamt = serializers.CharField(allow_null=True)
    pay_date = BoundedDateField(allow_null=True)


@extend_schema(parameters=[OpenApiParameter("since", str, description="YYYY-MM-DD")],
               responses=FeedbackRowSerializer(many=True))
@api_view(["GET"])
def feedback(request: Request) -> Response:
    """支付结果反馈: one record per paid or rejected settlement in the caller's scope (fields in docs)."""
    since_day = inputs.query_date(request.query_params, "since", label="起始日期")
    rows = feedback_rows(Settlement.objects.for_user(request.user), DeclarationItem.objects.for_user(request.user),
                         since=since_day)
    return Response([{k: (str(v) if v is not None and not isinstance(v, int | str) else v) for k, v in r.items()}
                     for r in rows])


class AdjustmentSerializer(serializers.ModelSerializer[Adjustment]):
    setl_id = serializers.CharField(source="settlement.setl_id", read_only=True)

    class Meta:
        model = Adjustment
        fields = ["id", "setl_id", "psn_no", "kind", "old_payout", "new_payout", "amount", "reason",
                  "cause_setl_id", "statement_month", "status", "created_at"]


class AdjustmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Adjustment]):
    """补付 / 追回 adjustments waiting for (or settled in) a monthly statement."""

    queryset = Adjustment.objects.all()
    serializer_class = AdjustmentSerializer
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("settlement").order_by("-id")
