"""API of smart audit: findings and their workflow steps, audit runs, the rule library and its settings, the
platform feedback, and the 3101/3102-style single-claim analysis a hospital calls before or during a stay.
Amounts are decimal strings. The routes are in ``api_urlpatterns``, included in ``dae.urls``' API list."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.parsers import MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.audit import rule_catalogue
from dae.claims.models import Declaration
from dae.core.api import BoundedJSONParser, chosen_regions, validated
from dae.core.errors import InvalidInput
from dae.core.inputs import BIRTH_MIN, CLAIM_MAX, AmountField, BoundedDateField, InputCode
from dae.core.scoping import get_scoped_or_404

from . import actions, check, rulebook
from .actions.rules import do_change_setting
from .actions.runs import do_rerun, do_start_run
from .codes import Code
from .models import AuditRun, Finding, FindingLine, FindingStep, PlatformFeedback, RuleSetting


class FindingLineSerializer(serializers.ModelSerializer[FindingLine]):
    setl_id = serializers.CharField(source="settlement.setl_id")
    vola_item_type = serializers.SerializerMethodField()

    class Meta:
        model = FindingLine
        fields = ["setl_id", "feedetl_sn", "role", "vola_item_type"]

    def get_vola_item_type(self, obj: FindingLine) -> str:
        return "1" if obj.role == FindingLine.Role.VIOLATION else "2"

    def to_representation(self, instance: FindingLine) -> dict[str, Any]:
        data = super().to_representation(instance)
        own = self.context.get("own_hospital")
        if own is not None and instance.settlement.hospital_id != own:  # another hospital's stay: only that it exists
            data["setl_id"], data["feedetl_sn"] = "", ""
        return data


class FindingStepSerializer(serializers.ModelSerializer[FindingStep]):
    amount = AmountField(maximum=CLAIM_MAX, allow_null=True)
    actor = serializers.CharField(source="actor.username", default="")

    class Meta:
        model = FindingStep
        fields = ["kind", "amount", "note", "actor", "at", "due_on", "late"]


class AuditFindingSerializer(serializers.ModelSerializer[Finding]):
    hospital = serializers.CharField(source="hospital.code")
    setl_id = serializers.CharField(source="settlement.setl_id")
    region = serializers.CharField(source="region_id")
    amount_at_issue = AmountField(maximum=CLAIM_MAX)
    reviewed_amount = AmountField(maximum=CLAIM_MAX, allow_null=True)
    final_amount = AmountField(maximum=CLAIM_MAX, allow_null=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "rule_id",
            "rule_name",
            "result_type",
            "finding_key",
            "region",
            "hospital",
            "setl_id",
            "psn_no",
            "amount_at_issue",
            "detail",
            "priority",
            "priority_reasons",
            "status",
            "due_on",
            "reviewed_amount",
            "final_amount",
            "deduction",
            "detected_at",
            "closed_at",
            "run",
        ]


class AuditFindingDetailSerializer(AuditFindingSerializer):
    lines = FindingLineSerializer(many=True)
    steps = FindingStepSerializer(many=True)

    class Meta(AuditFindingSerializer.Meta):
        fields = [*AuditFindingSerializer.Meta.fields, "lines", "steps"]


class FindingListView(generics.ListAPIView[Finding]):
    """疑点 of the caller's scope (a hospital sees its own), highest priority first; ``?status=``, ``?rule=``,
    ``?hospital=`` filter."""

    serializer_class = AuditFindingSerializer

    def get_queryset(self) -> Any:
        qs = Finding.objects.for_user(self.request.user).select_related("hospital", "settlement")
        params = self.request.query_params
        for name, lookup in (("status", "status"), ("rule", "rule_id"), ("hospital", "hospital__code")):
            value = params.get(name, "").strip()
            if value:
                qs = qs.filter(**{lookup: value})
        return qs


class FindingDetailView(APIView):
    @extend_schema(responses={200: AuditFindingDetailSerializer})
    def get(self, request: Request, pk: int) -> Response:
        f = get_scoped_or_404(Finding, request, pk=pk)
        return Response(_detail(request, f.pk))


class AuditReasonSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000, allow_blank=True)


class AuditAmountNoteSerializer(serializers.Serializer[Any]):
    amount = AmountField(maximum=CLAIM_MAX)
    note = serializers.CharField(max_length=1000, allow_blank=True)


class AuditNoteSerializer(serializers.Serializer[Any]):
    note = serializers.CharField(max_length=1000, allow_blank=True, required=False, default="")


class AuditAppealSerializer(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=1000, allow_blank=True)
    documents = serializers.ListField(child=serializers.FileField(), allow_empty=True, required=False)


def _detail(request: Request, pk: int) -> dict[str, Any]:
    """The finding with its evidence and steps (three queries), another hospital's stays hidden from a hospital."""
    from django.db.models import Prefetch

    f = (
        Finding.objects.select_related("hospital", "settlement")
        .prefetch_related(
            Prefetch("lines", queryset=FindingLine.objects.select_related("settlement")),
            Prefetch("steps", queryset=FindingStep.objects.select_related("actor")),
        )
        .get(pk=pk)
    )
    own = request.user.hospital_id if getattr(request.user, "scope_kind", "") == "hospital" else None
    return AuditFindingDetailSerializer(f, context={"own_hospital": own}).data  # type: ignore[no-any-return]


def _finding_answer(f: Finding, request: Request) -> Response:
    return Response(_detail(request, f.pk))


class FindingDismiss(APIView):
    """审核排除 (reviewer)."""

    @extend_schema(request=AuditReasonSerializer, responses={200: AuditFindingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        f = get_scoped_or_404(Finding, request, pk=pk)
        data = validated(AuditReasonSerializer(data=request.data), "请填写排除理由")
        return _finding_answer(actions.do_dismiss(f, reason=data["reason"], actor=request.user), request)


class FindingConfirm(APIView):
    """审核认定 (reviewer): the amount to deduct; the hospital is asked."""

    @extend_schema(request=AuditAmountNoteSerializer, responses={200: AuditFindingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        f = get_scoped_or_404(Finding, request, pk=pk)
        data = validated(AuditAmountNoteSerializer(data=request.data), "认定金额或意见格式错误")
        return _finding_answer(
            actions.do_confirm(f, amount=data["amount"], note=data["note"], actor=request.user), request
        )


class FindingAccept(APIView):
    """医院认可 (the hospital)."""

    @extend_schema(request=AuditNoteSerializer, responses={200: AuditFindingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        f = get_scoped_or_404(Finding, request, pk=pk)
        data = validated(AuditNoteSerializer(data=request.data), "说明格式错误")
        return _finding_answer(actions.do_accept(f, note=data.get("note", ""), actor=request.user), request)


class FindingAppeal(APIView):
    """医院申诉 (the hospital): multipart with ``reason`` and one or more ``documents``."""

    parser_classes = [MultiPartParser]

    @extend_schema(
        request={"multipart/form-data": AuditAppealSerializer}, responses={200: AuditFindingDetailSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        f = get_scoped_or_404(Finding, request, pk=pk)
        files = request.FILES.getlist("documents")
        return _finding_answer(
            actions.do_appeal(
                f,
                reason=str(request.data.get("reason", "")),
                actor=request.user,
                documents=[(u.name or "document", u.chunks()) for u in files],
            ),
            request,
        )


class FindingSettle(APIView):
    """三方确认 (the bureau's supervisor): a positive amount becomes a deduction on the next statement."""

    @extend_schema(request=AuditAmountNoteSerializer, responses={200: AuditFindingDetailSerializer})
    def post(self, request: Request, pk: int) -> Response:
        f = get_scoped_or_404(Finding, request, pk=pk)
        data = validated(AuditAmountNoteSerializer(data=request.data), "确认金额或意见格式错误")
        return _finding_answer(
            actions.do_settle(f, amount=data["amount"], note=data["note"], actor=request.user), request
        )


# -- runs ------------------------------------------------------------------------------------------------------


class AuditRunSerializer(serializers.ModelSerializer[AuditRun]):
    region = serializers.CharField(source="region_id")
    amount_total = AmountField(maximum=CLAIM_MAX)
    job = serializers.PrimaryKeyRelatedField(read_only=True)

    class Meta:
        model = AuditRun
        fields = [
            "id",
            "region",
            "scope",
            "declaration",
            "month",
            "hospital",
            "selection",
            "replay_of",
            "rules",
            "status",
            "job",
            "settlements_count",
            "lines_count",
            "findings_count",
            "new_findings_count",
            "amount_total",
            "digest",
            "counts",
            "seconds",
            "note",
            "created_at",
            "finished_at",
        ]


class AuditRunStartSerializer(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    scope = serializers.ChoiceField(
        choices=[AuditRun.Scope.MONTH, AuditRun.Scope.SELECTION, AuditRun.Scope.DECLARATION]
    )
    month = serializers.CharField(max_length=7, required=False, allow_blank=True, default="")
    setl_ids = serializers.ListField(child=serializers.CharField(max_length=30), required=False, default=list)
    declaration = serializers.IntegerField(required=False)
    rule_ids = serializers.ListField(child=serializers.CharField(max_length=30), required=False)


class RunListCreate(generics.ListAPIView[AuditRun]):
    """审核批次: list, and start one (a month of a region, chosen settlements or a declaration)."""

    serializer_class = AuditRunSerializer

    def get_queryset(self) -> Any:
        return AuditRun.objects.for_user(self.request.user)

    @extend_schema(request=AuditRunStartSerializer, responses={202: AuditRunSerializer})
    def post(self, request: Request) -> Response:
        data = validated(AuditRunStartSerializer(data=request.data), "审核范围格式错误")
        region = chosen_regions(request, data["region"])[0]
        declaration = None
        if data["scope"] == AuditRun.Scope.DECLARATION:
            declaration = Declaration.objects.for_user(request.user).filter(pk=data.get("declaration") or 0).first()
            if declaration is None:
                raise InvalidInput("月结申报不存在", code=Code.DECLARATION_REQUIRED)
            if declaration.region_id != region:
                raise InvalidInput(
                    f"月结申报 #{declaration.pk} 属于统筹区 {declaration.region_id}，不是 {region}", code=InputCode.INVALID_REGION
                )
        run = do_start_run(
            region=region,
            scope=data["scope"],
            month=data["month"],
            setl_ids=data["setl_ids"],
            declaration=declaration,
            rule_ids=data.get("rule_ids"),
            actor=request.user,
        )
        run.refresh_from_db()
        return Response(AuditRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


class RunDetail(APIView):
    @extend_schema(responses={200: AuditRunSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(AuditRunSerializer(get_scoped_or_404(AuditRun, request, pk=pk)).data)


class RunReplay(APIView):
    """重放: the same selection with the rule versions and parameters the run recorded."""

    @extend_schema(request=None, responses={202: AuditRunSerializer})
    def post(self, request: Request, pk: int) -> Response:
        run = do_rerun(get_scoped_or_404(AuditRun, request, pk=pk), request.user)
        run.refresh_from_db()
        return Response(AuditRunSerializer(run).data, status=status.HTTP_202_ACCEPTED)


# -- rules -----------------------------------------------------------------------------------------------------


class AuditRuleSettingSerializer(serializers.ModelSerializer[RuleSetting]):
    created_by = serializers.CharField(source="created_by.username", default="")

    class Meta:
        model = RuleSetting
        fields = ["rule_id", "version", "enabled", "params", "tables", "reason", "created_by", "created_at"]


class AuditRuleSettingInput(serializers.Serializer[Any]):
    enabled = serializers.BooleanField(required=False, allow_null=True, default=None)
    params = serializers.DictField(required=False, default=dict)
    tables = serializers.DictField(
        child=serializers.ListField(child=serializers.DictField()), required=False, default=dict
    )
    reason = serializers.CharField(max_length=300, allow_blank=True)


class RuleList(APIView):
    """The rule library with each rule's current setting version."""

    @extend_schema(responses={200: serializers.ListSerializer(child=serializers.DictField())})
    def get(self, request: Request) -> Response:
        current = rulebook.current()
        return Response(
            [
                {**r, "setting": AuditRuleSettingSerializer(current[r["id"]]).data if r["id"] in current else None}
                for r in rule_catalogue()
            ]
        )


class RuleSettings(APIView):
    """A rule's setting versions (newest first), and a new version (manager)."""

    @extend_schema(responses={200: AuditRuleSettingSerializer(many=True)})
    def get(self, request: Request, rule_id: str) -> Response:
        return Response(AuditRuleSettingSerializer(RuleSetting.objects.filter(rule_id=rule_id), many=True).data)

    @extend_schema(request=AuditRuleSettingInput, responses={201: AuditRuleSettingSerializer})
    def post(self, request: Request, rule_id: str) -> Response:
        data = validated(AuditRuleSettingInput(data=request.data), "规则参数格式错误")
        setting = do_change_setting(
            rule_id,
            enabled=data["enabled"],
            params=data["params"],
            tables=data["tables"],
            reason=data["reason"],
            actor=request.user,
        )
        return Response(AuditRuleSettingSerializer(setting).data, status=status.HTTP_201_CREATED)


class PlatformFeedbackSerializer(serializers.ModelSerializer[PlatformFeedback]):
    hospital = serializers.CharField(source="hospital.code")

    class Meta:
        model = PlatformFeedback
        fields = ["id", "finding", "hospital", "message", "created_at", "sent_at"]


class FeedbackList(generics.ListAPIView[PlatformFeedback]):
    """审核结果反馈 messages for the platform (3101/3102 answer vocabulary)."""

    serializer_class = PlatformFeedbackSerializer

    def get_queryset(self) -> Any:
        return PlatformFeedback.objects.for_user(self.request.user).select_related("hospital")


# -- 3101 / 3102 -----------------------------------------------------------------------------------------------


class EncounterDto(serializers.Serializer[Any]):
    mdtrt_id = serializers.CharField(max_length=30)
    medins_id = serializers.CharField(max_length=30)
    medins_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    medins_lv = serializers.CharField(max_length=6, required=False, allow_blank=True)
    adm_date = BoundedDateField()
    dscg_date = BoundedDateField(required=False, allow_null=True)
    dscg_main_dise_codg = serializers.CharField(max_length=20, required=False, allow_blank=True)
    dscg_main_dise_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    med_type = serializers.CharField(max_length=6)
    medfee_sumamt = AmountField(maximum=CLAIM_MAX, required=False)


class DiagnoseDto(serializers.Serializer[Any]):
    mdtrt_id = serializers.CharField(max_length=30, required=False, allow_blank=True)
    dise_codg = serializers.CharField(max_length=20)
    dise_name = serializers.CharField(max_length=100, required=False, allow_blank=True)
    maindise_flag = serializers.CharField(max_length=1, required=False, allow_blank=True)


class OrderDto(serializers.Serializer[Any]):
    rx_id = serializers.CharField(max_length=30)
    mdtrt_id = serializers.CharField(max_length=30, required=False, allow_blank=True)
    hilist_code = serializers.CharField(max_length=50)
    hilist_name = serializers.CharField(max_length=200, required=False, allow_blank=True)
    chrg_type = serializers.CharField(max_length=6, required=False, allow_blank=True)
    cnt = serializers.DecimalField(max_digits=16, decimal_places=4)
    pric = serializers.DecimalField(max_digits=16, decimal_places=6)
    sumamt = AmountField(maximum=CLAIM_MAX, required=False)
    drord_begn_date = serializers.DateTimeField(required=False)


class PatientDto(serializers.Serializer[Any]):
    patn_id = serializers.CharField(max_length=30)
    patn_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    gend = serializers.CharField(max_length=1, required=False, allow_blank=True)
    brdy = BoundedDateField(required=False, minimum=BIRTH_MIN)  # a date of birth
    poolarea = serializers.CharField(max_length=10, required=False, allow_blank=True)
    curr_mdtrt_id = serializers.CharField(max_length=30)
    fsi_encounter_dtos = EncounterDto(many=True, allow_empty=False)
    fsi_diagnose_dtos = DiagnoseDto(many=True, required=False)
    fsi_order_dtos = OrderDto(many=True, required=False)


class AnalyseInput(serializers.Serializer[Any]):
    syscode = serializers.CharField(max_length=30, required=False, allow_blank=True)
    rule_ids = serializers.ListField(child=serializers.CharField(max_length=30), required=False)
    trig_scen = serializers.CharField(max_length=10, required=False, allow_blank=True)
    task_id = serializers.CharField(max_length=64, required=False, allow_blank=True)
    patient_dtos = PatientDto(many=True, allow_empty=False)


class AnalyseRequest(serializers.Serializer[Any]):
    data = AnalyseInput()


class JudgeDetail(serializers.Serializer[Any]):
    jrd_id = serializers.CharField()
    patn_id = serializers.CharField()
    mdtrt_id = serializers.CharField()
    setl_id = serializers.CharField()
    rx_id = serializers.CharField()
    vola_item_type = serializers.CharField()


class JudgeResult(serializers.Serializer[Any]):
    jr_id = serializers.CharField()
    rule_id = serializers.CharField()
    rule_name = serializers.CharField()
    vola_cont = serializers.CharField()
    patn_id = serializers.CharField()
    mdtrt_id = serializers.CharField()
    vola_amt = serializers.CharField()
    vola_amt_stas = serializers.CharField()
    sev_deg = serializers.CharField()
    vola_evid = serializers.CharField()
    vola_bhvr_type = serializers.CharField()
    task_id = serializers.CharField()
    judge_result_detail_dtos = JudgeDetail(many=True)


class AnalyseAnswer(serializers.Serializer[Any]):
    result = JudgeResult(many=True)
    task_id = serializers.CharField()
    scene = serializers.CharField()


class Analyse(APIView):
    """明细审核事前 (3101) / 事中 (3102) 分析: the rules on the current visit (``curr_mdtrt_id``) with the person's
    stored stays; nothing is stored. A hospital may only ask about its own visits."""

    parser_classes = [BoundedJSONParser]
    scene = "3101"

    @extend_schema(request=AnalyseRequest, responses={200: AnalyseAnswer})
    def post(self, request: Request) -> Response:
        body = request.data.get("data", request.data) if isinstance(request.data, dict) else request.data
        data = validated(AnalyseInput(data=body), "3101/3102 入参格式错误")
        user = request.user
        own = None
        if getattr(user, "scope_kind", "") == "hospital":
            own = user.hospital.code if user.hospital_id else ""  # type: ignore[union-attr]
            for p in data["patient_dtos"]:
                for e in p["fsi_encounter_dtos"]:
                    if e["medins_id"] != own:
                        raise InvalidInput(f"只能审核本机构的就诊：{e['medins_id']}", code=Code.NOT_OWN_HOSPITAL)
        return Response(check.analyse(data, scene=self.scene, own_hospital=own))


class Analyse3102(Analyse):
    scene = "3102"


api_urlpatterns = [
    path("audit/findings", FindingListView.as_view(), name="audit-findings"),
    path("audit/findings/<int:pk>", FindingDetailView.as_view(), name="audit-finding-detail"),
    path("audit/findings/<int:pk>/dismiss", FindingDismiss.as_view(), name="audit-finding-dismiss"),
    path("audit/findings/<int:pk>/confirm", FindingConfirm.as_view(), name="audit-finding-confirm"),
    path("audit/findings/<int:pk>/accept", FindingAccept.as_view(), name="audit-finding-accept"),
    path("audit/findings/<int:pk>/appeal", FindingAppeal.as_view(), name="audit-finding-appeal"),
    path("audit/findings/<int:pk>/settle", FindingSettle.as_view(), name="audit-finding-settle"),
    path("audit/runs", RunListCreate.as_view(), name="audit-runs"),
    path("audit/runs/<int:pk>", RunDetail.as_view(), name="audit-run-detail"),
    path("audit/runs/<int:pk>/replay", RunReplay.as_view(), name="audit-run-replay"),
    path("audit/rules", RuleList.as_view(), name="audit-rules"),
    path("audit/rules/<str:rule_id>/settings", RuleSettings.as_view(), name="audit-rule-settings"),
    path("audit/feedback", FeedbackList.as_view(), name="audit-feedback"),
    path("audit/3101", Analyse.as_view(), name="audit-3101"),
    path("audit/3102", Analyse3102.as_view(), name="audit-3102"),
]
