"""REST API of manual reimbursement: register, materials, compute, check / approve / return / reject / cancel,
receipt PDF, list and detail; the insured person's self-service read. Each write calls one action."""

from __future__ import annotations

from typing import Any

from django.db.models import F
from django.http import HttpResponse
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from dae.claims.states import OPEN_STATES
from dae.core.access import record_access
from dae.core.api import ScopedViewSetMixin
from dae.core.errors import InvalidInput
from dae.core.inputs import CLAIM_MAX, AmountField, BoundedDateField

from . import actions
from .clock import days_left
from .codes import Code
from .feefile import line_from_mapping
from .inputs import ClaimInput, InvoiceInput
from .models import TOTAL_FIELDS, ManualClaim
from .receipt import receipt_response
from .selfservice import claim_status_text, explain_settlement, my_overview


class InvoiceInputSerializer(serializers.Serializer[Any]):
    number = serializers.CharField(max_length=50)
    date = BoundedDateField()
    amount = AmountField(maximum=CLAIM_MAX)


class TotalsSerializer(serializers.Serializer[Any]):
    medfee_sumamt = AmountField(maximum=CLAIM_MAX)
    fulamt_ownpay_amt = AmountField(maximum=CLAIM_MAX)
    overlmt_selfpay = AmountField(maximum=CLAIM_MAX)
    preselfpay_amt = AmountField(maximum=CLAIM_MAX)
    inscp_scp_amt = AmountField(maximum=CLAIM_MAX)


class ClaimInputSerializer(serializers.Serializer[Any]):
    """受理 / 修改: give ``totals`` (the five national totals) or ``fee_lines`` (2301 names: feedetl_sn,
    init_feedetl_sn, med_list_codg, item_name, chrgitm_lv, med_chrgitm_type, cnt, pric, det_item_fee_sumamt,
    overlmt_amt, special_drug — amounts as strings)."""

    psn_no = serializers.CharField(max_length=30)
    hospital = serializers.CharField(max_length=30, help_text="fixmedins_code")
    place_category = serializers.CharField(max_length=30)
    med_type = serializers.CharField(max_length=6)
    adm_date = BoundedDateField()
    dscg_date = BoundedDateField()
    dise_codg = serializers.CharField(max_length=20)
    dise_name = serializers.CharField(max_length=100)
    injury = serializers.BooleanField(default=False)
    totals = TotalsSerializer(required=False, allow_null=True)
    fee_lines = serializers.ListField(child=serializers.DictField(), required=False, max_length=5000)
    invoices = InvoiceInputSerializer(many=True)
    bank_name = serializers.CharField(max_length=100)
    bank_account = serializers.CharField(max_length=40)
    account_name = serializers.CharField(max_length=50)
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    note = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    received_on = BoundedDateField(required=False, allow_null=True)
    materials = serializers.ListField(child=serializers.CharField(max_length=40), required=False, default=list)

    def to_claim_input(self) -> ClaimInput:
        data = self.validated_data
        problems: list[dict[str, Any]] = []
        lines = []
        for i, raw in enumerate(data.get("fee_lines") or []):
            if any(isinstance(v, float) for v in raw.values()):
                problems.append({"path": f"fee_lines[{i}]", "message": "金额、数量请写成字符串（带小数的 JSON 数值是浮点数）"})
                continue
            line = line_from_mapping(raw, f"fee_lines[{i}]", problems)
            if line is not None:
                lines.append(line)
        if problems:
            raise InvalidInput(f"费用明细有 {len(problems)} 处错误", code=Code.FEE_LINES_INVALID, details=problems)
        totals = data.get("totals")
        return ClaimInput(
            psn_no=data["psn_no"], hospital_code=data["hospital"], place_category=data["place_category"],
            med_type=data["med_type"], adm_date=data["adm_date"], dscg_date=data["dscg_date"],
            dise_codg=data["dise_codg"], dise_name=data["dise_name"], injury=data["injury"],
            invoices=[InvoiceInput(i["number"], i["date"], i["amount"]) for i in data["invoices"]],
            bank_name=data["bank_name"], bank_account=data["bank_account"], account_name=data["account_name"],
            totals=dict(totals) if totals else None, fee_lines=lines, phone=data.get("phone") or "",
            note=data.get("note") or "", received_on=data.get("received_on"), materials=data.get("materials") or [])


class MaterialsSerializer(serializers.Serializer[Any]):
    materials = serializers.ListField(child=serializers.CharField(max_length=40), allow_empty=True,
                                      help_text="the codes of every item now at hand (the full list)")


class ReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=500)


class ManualClaimSerializer(serializers.ModelSerializer[ManualClaim]):
    region = serializers.CharField(source="region_id", read_only=True)
    psn_name = serializers.CharField(source="person.psn_name", read_only=True)
    hospital = serializers.CharField(source="hospital.code", read_only=True)
    hospital_name = serializers.CharField(source="hospital.name", read_only=True)
    state_label = serializers.CharField(source="get_state_display", read_only=True)
    bank_account = serializers.CharField(source="masked_account", read_only=True)
    computed_by = serializers.CharField(source="computed_by.username", read_only=True, default=None)
    checked_by = serializers.CharField(source="checked_by.username", read_only=True, default=None)
    approved_by = serializers.CharField(source="approved_by.username", read_only=True, default=None)
    setl_id = serializers.CharField(source="settlement.setl_id", read_only=True, default=None)
    clock_paused = serializers.BooleanField(read_only=True)
    days_left = serializers.SerializerMethodField()
    status_text = serializers.SerializerMethodField()

    class Meta:
        model = ManualClaim
        fields = ["number", "psn_no", "psn_name", "region", "hospital", "hospital_name", "place_category", "med_type",
                  "adm_date", "dscg_date", "dise_codg", "dise_name", "injury", "entry_mode", *TOTAL_FIELDS,
                  "received_on", "materials", "materials_complete", "clock_paused", "clock_start", "clock_used",
                  "due_date", "due_warnings", "days_left", "state", "state_label", "status_text", "computed_pay",
                  "policy_year", "version_id", "computed_by", "computed_at", "checked_by", "checked_at",
                  "approved_by", "approved_at", "return_reason", "close_reason", "setl_id", "paid_on",
                  "bank_name", "bank_account", "account_name", "created_at"]

    def get_days_left(self, claim: ManualClaim) -> int | None:
        if claim.due_date is None or claim.state not in OPEN_STATES:
            return None
        return days_left(timezone.localdate(), claim.due_date).days

    def get_status_text(self, claim: ManualClaim) -> str:
        return claim_status_text(claim)


class ManualClaimDetailSerializer(ManualClaimSerializer):
    checklist = serializers.SerializerMethodField()
    invoices = serializers.SerializerMethodField()
    fee_lines = serializers.SerializerMethodField()
    explanation = serializers.SerializerMethodField()

    class Meta(ManualClaimSerializer.Meta):
        fields = [*ManualClaimSerializer.Meta.fields, "checklist", "invoices", "fee_lines", "explanation"]

    def get_checklist(self, claim: ManualClaim) -> list[dict[str, Any]]:
        return [{"code": i.code, "label": i.label, "required": i.required, "received": i.received,
                 "source": i.source} for i in actions.material_items(claim)]

    def get_invoices(self, claim: ManualClaim) -> list[dict[str, Any]]:
        return [{"number": i.number, "date": i.date.isoformat(), "amount": f"{i.amount:.2f}"}
                for i in claim.invoices.all()]

    def get_fee_lines(self, claim: ManualClaim) -> list[dict[str, Any]]:
        return [{"feedetl_sn": x.feedetl_sn, "init_feedetl_sn": x.init_feedetl_sn, "med_list_codg": x.med_list_codg,
                 "item_name": x.item_name, "chrgitm_lv": x.chrgitm_lv, "med_chrgitm_type": x.med_chrgitm_type,
                 "cnt": str(x.cnt), "pric": None if x.pric is None else str(x.pric),
                 "det_item_fee_sumamt": f"{x.det_item_fee_sumamt:.2f}", "overlmt_amt": f"{x.overlmt_amt:.2f}",
                 "special_drug": x.special_drug} for x in claim.fee_lines.all()]

    def get_explanation(self, claim: ManualClaim) -> dict[str, Any] | None:
        if not claim.explanation_text:
            return None
        return {"text": claim.explanation_text, "result": claim.explanation.get("result"),
                "later_effects": claim.explanation.get("later_effects", [])}


class ManualClaimViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[ManualClaim]):
    """手工报销申请 (manual claims) in the caller's scope: staff see their regions', an insured person their own.

    ``POST /manual-claims`` registers (结算岗); ``…/materials``, ``…/update`` (结算岗); ``…/compute`` (结算岗,
    复核岗); ``…/check``, ``…/approve``, ``…/return``, ``…/reject`` (复核岗; never by a person who computed the
    claim — ``403 four_eyes``); ``…/cancel`` (结算岗); ``…/receipt`` the receipt PDF. Filters: ``state``
    (a state, or ``open``), ``psn_no``.
    """

    queryset = ManualClaim.objects.all()
    serializer_class = ManualClaimSerializer
    lookup_field = "number"
    lookup_value_regex = "[^/]+"
    log_access = True

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("person", "hospital", "computed_by", "checked_by",
                                                   "approved_by", "settlement")
        state = self.request.query_params.get("state")
        if state == "open":
            qs = qs.filter(state__in=OPEN_STATES)
        elif state:
            qs = qs.filter(state=state)
        psn_no = self.request.query_params.get("psn_no")
        if psn_no:
            qs = qs.filter(psn_no=psn_no)
        return qs.order_by(F("due_date").asc(nulls_last=True), "received_on", "id")

    def _detail(self, claim: ManualClaim, status: int = 200) -> Response:
        return Response(ManualClaimDetailSerializer(claim).data, status=status)

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        claim = self.get_object()
        record_access(request, claim)
        return self._detail(claim)

    @extend_schema(request=ClaimInputSerializer, responses={201: ManualClaimDetailSerializer})
    def create(self, request: Request) -> Response:
        body = ClaimInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._detail(actions.do_register(request.user, body.to_claim_input()), status=201)

    @extend_schema(request=ClaimInputSerializer, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="update", url_name="update")
    def update_claim(self, request: Request, number: str) -> Response:
        """Correct a claim in state 已受理 or 已退回 (same body as registering; the person cannot change)."""
        claim = self.get_object()
        body = ClaimInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._detail(actions.do_update(request.user, claim, body.to_claim_input()))

    @extend_schema(request=MaterialsSerializer, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="materials", url_name="materials")
    def materials(self, request: Request, number: str) -> Response:
        """The materials now at hand (the full list of codes); completeness and the clock follow."""
        claim = self.get_object()
        body = MaterialsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._detail(actions.do_set_materials(request.user, claim, body.validated_data["materials"]))

    @extend_schema(request=None, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="compute", url_name="compute")
    def compute(self, request: Request, number: str) -> Response:
        """Compute the payout with the engine within the person-year (stores the result and its explanation)."""
        return self._detail(actions.do_compute(request.user, self.get_object()))

    @extend_schema(request=None, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="check", url_name="check")
    def check(self, request: Request, number: str) -> Response:
        """复核通过 (a second person; the amount is computed again and must be unchanged)."""
        return self._detail(actions.do_check(request.user, self.get_object()))

    @extend_schema(request=None, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="approve", url_name="approve")
    def approve(self, request: Request, number: str) -> Response:
        """审批: becomes a payable settlement (setl_id = number); the insured is notified (notice + SMS)."""
        return self._detail(actions.do_approve(request.user, self.get_object()))

    @extend_schema(request=ReasonSerializer, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_claim(self, request: Request, number: str) -> Response:
        claim = self.get_object()
        return self._detail(actions.do_return(request.user, claim, self._reason(request)))

    @extend_schema(request=ReasonSerializer, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="reject", url_name="reject")
    def reject(self, request: Request, number: str) -> Response:
        claim = self.get_object()
        return self._detail(actions.do_reject(request.user, claim, self._reason(request)))

    @extend_schema(request=ReasonSerializer, responses=ManualClaimDetailSerializer)
    @action(detail=True, methods=["post"], url_path="cancel", url_name="cancel")
    def cancel(self, request: Request, number: str) -> Response:
        claim = self.get_object()
        return self._detail(actions.do_cancel(request.user, claim, self._reason(request)))

    @extend_schema(responses={(200, "application/pdf"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"], url_path="receipt", url_name="receipt")
    def receipt(self, request: Request, number: str) -> HttpResponse:
        """受理回执 as PDF (申请编号, 受理日期, 预计办结日期, materials received and missing)."""
        claim = self.get_object()
        record_access(request, claim)
        return receipt_response(request._request, claim)

    @staticmethod
    def _reason(request: Request) -> str:
        body = ReasonSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return str(body.validated_data["reason"])


@extend_schema(responses=OpenApiTypes.OBJECT, parameters=[
    OpenApiParameter("explain", bool, description="include each settlement's explanation (default true)")])
@api_view(["GET"])
def self_service(request: Request) -> Response:
    """参保人自助查询: the caller's own manual claims (state, expected date, explanation), settlements (with the
    explanation of each payout) and notices."""
    overview = my_overview(request.user)
    with_explain = request.query_params.get("explain", "true").lower() not in ("0", "false", "no")
    claims = []
    for claim, status, plain in overview["claims"]:
        data = dict(ManualClaimSerializer(claim).data)
        data["status_text"] = status
        data["explanation"] = "\n".join(plain) or None  # plain Chinese for the insured (service.plain)
        claims.append(data)
    settlements = []
    for s in overview["settlements"]:
        item = {"setl_id": s.setl_id, "hospital": s.hospital.name, "setl_time": s.setl_time, "adm_date": s.adm_date,
                "dscg_date": s.dscg_date, "medfee_sumamt": f"{s.medfee_sumamt:.2f}",
                "hifob_pay": None if s.hifob_pay is None else f"{s.hifob_pay:.2f}", "state": s.state,
                "paid_on": s.paid_on, "pay_deadline": s.declaration.pay_deadline if s.declaration else None}
        if with_explain:
            explained = explain_settlement(s)
            item["explanation"] = "\n".join(explained.plain) or explained.text
        settlements.append(item)
    from dae.notices.api import NoticeSerializer

    return Response({"claims": claims, "settlements": settlements,
                     "notices": NoticeSerializer(overview["notices"], many=True).data,
                     "unread": overview["unread"]})
