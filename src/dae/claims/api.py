from __future__ import annotations

from typing import Any

from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response

from dae.core.access import record_access
from dae.core.api import ScopedViewSetMixin

from .models import FeeLine, Settlement


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
                  "hifob_pay"]


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
