"""API of inspection (稽核) under ``/api/v1/inspection/…``: the monthly re-review samples (draw, replay check,
items with their three comparisons, completion), the sampling settings, on-site inspections (create, findings,
documents, submit, return, confirm → deductions), remote investigations (create, assign, result, feedback) and
their statistics. The same actions as the pages; refusals answer ``{"code", "message", "details"}``. Amounts are
decimal strings both ways; a JSON number with a fraction is refused (it would be a float). Documents are uploaded
as ``multipart/form-data`` (field ``file``). The routes are listed in ``api_urlpatterns``."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.catalog.models import Hospital
from dae.core import inputs
from dae.core.access import record_access, record_access_many
from dae.core.api import validated
from dae.core.errors import InvalidInput, NotFound
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.scoping import get_scoped_or_404

from . import queries
from .actions import documents, inspections, investigations, samples
from .models import Document, Finding, Inspection, Investigation, Sample, SampleItem, SamplingSettings

DATE_FORMATS = ["%Y-%m-%d"]
LIMIT = 500


def _optional_money(value: Any) -> str | None:
    return None if value is None else f"{value:.2f}"


# -- samples -------------------------------------------------------------------------------------------------


class InspectionSampleSerializer(serializers.ModelSerializer[Sample]):
    number = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_id")
    seed = serializers.CharField(help_text="随机种子（字符串，避免超出 JSON 数值精度）")
    inpatient_ratio = serializers.CharField()
    cross_province_ratio = serializers.CharField()
    drawn_by = serializers.CharField(source="drawn_by.username", default=None)
    reviewed = serializers.SerializerMethodField()
    total = serializers.SerializerMethodField()
    overdue = serializers.SerializerMethodField()

    class Meta:
        model = Sample
        fields = [
            "id",
            "number",
            "region",
            "month",
            "seed",
            "seed_source",
            "inpatient_ratio",
            "cross_province_ratio",
            "settings_version",
            "population",
            "cross_population",
            "required_total",
            "required_cross",
            "drawn_on",
            "drawn_by",
            "deadline_days",
            "due_on",
            "deadline_warnings",
            "status",
            "completed_on",
            "total",
            "reviewed",
            "overdue",
        ]

    def get_reviewed(self, obj: Sample) -> int:
        return int(obj.items.filter(status=SampleItem.Status.REVIEWED).count())

    def get_total(self, obj: Sample) -> int:
        return int(obj.items.count())

    def get_overdue(self, obj: Sample) -> bool:
        return obj.is_overdue()


class InspectionSampleItemSerializer(serializers.ModelSerializer[SampleItem]):
    setl_id = serializers.CharField(source="settlement.setl_id")
    psn_no = serializers.CharField(source="settlement.psn_no")
    hospital = serializers.CharField(source="settlement.hospital.code")
    place_category = serializers.CharField(source="settlement.place_category")
    medfee_sumamt = AmountField(maximum=FUND_MAX, source="settlement.medfee_sumamt")
    not_payable = serializers.SerializerMethodField()
    reviewer = serializers.CharField(source="reviewer.username", default=None)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = SampleItem
        fields = [
            "id",
            "sample",
            "seq",
            "stratum",
            "setl_id",
            "psn_no",
            "hospital",
            "place_category",
            "medfee_sumamt",
            "status",
            "system_vs_record",
            "system_vs_record_note",
            "record_vs_bill",
            "record_vs_bill_note",
            "system_vs_bill",
            "system_vs_bill_note",
            "not_payable",
            "conclusion",
            "opinion",
            "reviewer",
            "reviewed_at",
            "documents",
        ]

    def get_not_payable(self, obj: SampleItem) -> str | None:
        return _optional_money(obj.not_payable)

    def get_documents(self, obj: SampleItem) -> list[dict[str, Any]]:
        return InspectionDocumentSerializer(obj.documents.all(), many=True).data  # type: ignore[return-value]


class InspectionDocumentSerializer(serializers.ModelSerializer[Document]):
    url = serializers.SerializerMethodField()

    class Meta:
        model = Document
        fields = ["id", "name", "kind", "content_type", "size", "sha256", "note", "finding", "uploaded_at", "url"]

    def get_url(self, obj: Document) -> str:
        return f"/inspection/documents/{obj.pk}/"


class InspectionDrawInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6)
    month = serializers.CharField(max_length=7, help_text="结算月份 YYYY-MM")
    seed = serializers.CharField(
        max_length=20, required=False, allow_blank=True, default="", help_text="随机种子（留空由系统生成）"
    )
    inpatient_ratio = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    cross_province_ratio = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")
    deadline_days = serializers.CharField(max_length=3, required=False, allow_blank=True, default="")


class Samples(APIView):
    """抽样复审 of the caller's regions (``?month=``, ``?region=`` filter). POST draws a region-month's sample
    (manager, reviewer, inspector): ratios and deadline default to the settings in force; ``seed`` may be given
    to repeat a draw."""

    @extend_schema(
        parameters=[OpenApiParameter("month", str), OpenApiParameter("region", str)],
        responses={200: InspectionSampleSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        rows = Sample.objects.for_user(request.user)
        for name in ("month", "region"):
            value = request.query_params.get(name, "").strip()
            if value:
                rows = rows.filter(**{"region_id" if name == "region" else name: value})
        return Response(InspectionSampleSerializer(rows[:LIMIT], many=True).data)

    @extend_schema(request=InspectionDrawInput, responses={201: InspectionSampleSerializer})
    def post(self, request: Request) -> Response:
        data = validated(InspectionDrawInput(data=request.data), "请填写统筹区和结算月份")
        sample = samples.do_draw_sample(
            request.user,
            data["region"],
            data["month"],
            seed=data["seed"],
            inpatient_ratio=data["inpatient_ratio"],
            cross_province_ratio=data["cross_province_ratio"],
            deadline_days=data["deadline_days"],
        )
        return Response(InspectionSampleSerializer(sample).data, status=status.HTTP_201_CREATED)


class SampleDetail(APIView):
    """A sample with its items (三比对 of each) and the totals."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        sample = get_scoped_or_404(Sample, request, pk=pk)
        progress = queries.sample_progress(sample)
        items = list(sample.items.select_related("settlement__hospital", "reviewer").prefetch_related("documents"))
        record_access_many(request, items)
        return Response(
            {
                **InspectionSampleSerializer(sample).data,
                "progress": {
                    "total": progress.total,
                    "reviewed": progress.reviewed,
                    "cross_province": progress.cross_province,
                    "inconsistent": progress.inconsistent,
                    "non_compliant": progress.non_compliant,
                    "not_payable": f"{progress.not_payable:.2f}",
                },
                "items": InspectionSampleItemSerializer(items, many=True).data,
            }
        )


class SampleReplay(APIView):
    """Draw again with the sample's seed and ratios on today's data: ``matches`` tells whether the result is the
    stored sample (it is, unless settlements of the month changed since)."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request, pk: int) -> Response:
        sample = get_scoped_or_404(Sample, request, pk=pk)
        again = queries.replay(sample)
        return Response(
            {
                "seed": str(sample.seed),
                "matches": queries.replay_matches(sample),
                "setl_ids": again.setl_ids,
                "strata": [s for _c, s in again.picks],
            }
        )


class SampleComplete(APIView):
    """完成复审: every item reviewed (409 ``items_pending`` otherwise); completing again changes nothing."""

    @extend_schema(request=None, responses={200: InspectionSampleSerializer})
    def post(self, request: Request, pk: int) -> Response:
        sample = get_scoped_or_404(Sample, request, pk=pk)
        return Response(InspectionSampleSerializer(samples.do_complete_sample(request.user, sample)).data)


class InspectionReviewInput(serializers.Serializer[Any]):
    system_vs_record = serializers.CharField(allow_blank=True, default="", help_text="consistent | inconsistent")
    system_vs_record_note = serializers.CharField(max_length=500, allow_blank=True, default="")
    record_vs_bill = serializers.CharField(allow_blank=True, default="", help_text="consistent | inconsistent")
    record_vs_bill_note = serializers.CharField(max_length=500, allow_blank=True, default="")
    system_vs_bill = serializers.CharField(allow_blank=True, default="", help_text="consistent | inconsistent")
    system_vs_bill_note = serializers.CharField(max_length=500, allow_blank=True, default="")
    not_payable = serializers.CharField(
        max_length=20, allow_blank=True, default="", help_text='不予支付金额，字符串，如 "120.50"'
    )
    conclusion = serializers.CharField(allow_blank=True, default="", help_text="compliant | non_compliant")
    opinion = serializers.CharField(max_length=500, allow_blank=True, default="")


class SampleItemDetail(APIView):
    """One sampled settlement; POST (reviewer, inspector) records its review — every problem is listed in
    ``details`` and nothing is written."""

    @extend_schema(responses={200: InspectionSampleItemSerializer})
    def get(self, request: Request, pk: int) -> Response:
        item = get_scoped_or_404(SampleItem, request, pk=pk)
        record_access(request, item.settlement)
        return Response(InspectionSampleItemSerializer(item).data)

    @extend_schema(request=InspectionReviewInput, responses={200: InspectionSampleItemSerializer})
    def post(self, request: Request, pk: int) -> Response:
        item = get_scoped_or_404(SampleItem, request, pk=pk)
        if isinstance(request.data.get("not_payable"), float):
            raise InvalidInput(
                '金额请写成字符串，如 "123.45"',
                code="invalid_amount",
                details=[{"path": "not_payable", "message": "金额不能是浮点数"}],
            )
        data = validated(InspectionReviewInput(data=request.data), "复审记录有误")
        return Response(InspectionSampleItemSerializer(samples.do_review_item(request.user, item, **data)).data)


class InspectionUploadInput(serializers.Serializer[Any]):
    file = serializers.FileField()
    note = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    finding = serializers.IntegerField(
        required=False, allow_null=True, default=None, help_text="巡查问题 id（仅现场巡查；留空则属于整次巡查）"
    )


class SampleItemDocuments(APIView):
    """上传病历扫描件 (JPG, PNG or PDF, at most 10 MB) to a sampled settlement."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": InspectionUploadInput}, responses={201: InspectionDocumentSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        item = get_scoped_or_404(SampleItem, request, pk=pk)
        data = validated(InspectionUploadInput(data=request.data), "请选择要上传的文件")
        doc = documents.do_attach_document(
            request.user, chunks=data["file"].chunks(), name=data["file"].name, sample_item=item, note=data["note"]
        )
        return Response(InspectionDocumentSerializer(doc).data, status=status.HTTP_201_CREATED)


class InspectionSettingsSerializer(serializers.ModelSerializer[SamplingSettings]):
    inpatient_ratio = serializers.CharField()
    cross_province_ratio = serializers.CharField()
    changed_by = serializers.CharField(source="changed_by.username", default=None)

    class Meta:
        model = SamplingSettings
        fields = [
            "version",
            "inpatient_ratio",
            "cross_province_ratio",
            "deadline_days",
            "reason",
            "changed_by",
            "changed_at",
        ]


class InspectionSettingsInput(serializers.Serializer[Any]):
    inpatient_ratio = serializers.CharField(max_length=6)
    cross_province_ratio = serializers.CharField(max_length=6)
    deadline_days = serializers.CharField(max_length=3)
    reason = serializers.CharField(max_length=300)


class SamplingSettingsView(APIView):
    """抽样参数 in force and their history; POST (manager) saves a new version with its reason."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        in_force = queries.settings_in_force()
        return Response(
            {
                "version": in_force.version,
                "inpatient_ratio": str(in_force.inpatient_ratio),
                "cross_province_ratio": str(in_force.cross_province_ratio),
                "deadline_days": in_force.deadline_days,
                "history": InspectionSettingsSerializer(SamplingSettings.objects.all(), many=True).data,
            }
        )

    @extend_schema(request=InspectionSettingsInput, responses={201: InspectionSettingsSerializer})
    def post(self, request: Request) -> Response:
        data = validated(InspectionSettingsInput(data=request.data), "请填写抽样比例、完成时限和变更原因")
        row = samples.do_change_settings(request.user, **data)
        return Response(InspectionSettingsSerializer(row).data, status=status.HTTP_201_CREATED)


# -- on-site inspections -------------------------------------------------------------------------------------


class InspectionFindingSerializer(serializers.ModelSerializer[Finding]):
    amount = AmountField(maximum=FUND_MAX)
    documents = InspectionDocumentSerializer(many=True, read_only=True)

    class Meta:
        model = Finding
        fields = ["id", "seq", "description", "basis", "amount", "deduction", "documents"]


class InspectionRecordSerializer(serializers.ModelSerializer[Inspection]):
    number = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_id")
    hospital = serializers.CharField(source="hospital.code")
    hospital_name = serializers.CharField(source="hospital.name")
    inspectors = serializers.SerializerMethodField()
    findings = InspectionFindingSerializer(many=True, read_only=True)
    documents = serializers.SerializerMethodField()

    class Meta:
        model = Inspection
        fields = [
            "id",
            "number",
            "region",
            "hospital",
            "hospital_name",
            "inspected_on",
            "kind",
            "inspectors",
            "summary",
            "status",
            "return_reason",
            "submitted_at",
            "confirmed_on",
            "findings",
            "documents",
        ]

    def get_inspectors(self, obj: Inspection) -> list[str]:
        return [str(u) for u in obj.inspectors.all()]

    def get_documents(self, obj: Inspection) -> list[dict[str, Any]]:
        rows = obj.documents.filter(finding__isnull=True)
        return InspectionDocumentSerializer(rows, many=True).data  # type: ignore[return-value]


class InspectionFindingInput(serializers.Serializer[Any]):
    description = serializers.CharField(max_length=500)
    basis = serializers.CharField(max_length=300)
    amount = AmountField(maximum=FUND_MAX, required=False, default="0")


class InspectionCreateInput(serializers.Serializer[Any]):
    hospital = serializers.CharField(max_length=30, help_text="医疗机构编码")
    inspected_on = BoundedDateField(input_formats=DATE_FORMATS)
    kind = serializers.CharField(help_text="routine | special | resident")
    inspectors = serializers.ListField(child=serializers.IntegerField(), help_text="巡查人员的用户 id，通常两人")
    summary = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="")
    findings = InspectionFindingInput(many=True, required=False, default=list)


def _inspection(request: Request, pk: int) -> Inspection:
    """An inspection in the caller's view (a hospital: its own confirmed ones), else 404 (an attempt on a row
    outside the caller's scope is logged)."""
    inspection = queries.inspections_for(request.user).filter(pk=pk).first()
    if inspection is None:
        get_scoped_or_404(Inspection, request, pk=pk)
        raise NotFound()
    return inspection


class Inspections(APIView):
    """现场巡查 in the caller's scope (a hospital sees its own confirmed ones; ``?status=`` filters). POST
    (inspector, reviewer) registers a draft with its inspectors and findings."""

    @extend_schema(parameters=[OpenApiParameter("status", str)], responses={200: InspectionRecordSerializer(many=True)})
    def get(self, request: Request) -> Response:
        rows = (
            queries.inspections_for(request.user)
            .select_related("hospital")
            .prefetch_related("inspectors", "findings__documents", "documents")
        )
        value = request.query_params.get("status", "").strip()
        if value:
            rows = rows.filter(status=value)
        return Response(InspectionRecordSerializer(rows[:LIMIT], many=True).data)

    @extend_schema(request=InspectionCreateInput, responses={201: InspectionRecordSerializer})
    def post(self, request: Request) -> Response:
        data = validated(InspectionCreateInput(data=request.data), "现场巡查数据有误")
        hospital = Hospital.objects.for_user(request.user).filter(code=data["hospital"]).first()  # type: ignore[attr-defined]
        if hospital is None:
            raise InvalidInput(
                f"医疗机构 {data['hospital']} 不存在或不在本人负责的统筹区",
                code="unknown_hospital",
                details=[{"path": "hospital", "message": "医疗机构不存在"}],
            )
        inspection = inspections.do_create_inspection(
            request.user,
            hospital=hospital,
            inspected_on=data["inspected_on"],
            kind=data["kind"],
            inspectors=data["inspectors"],
            summary=data["summary"],
            findings=data["findings"],
        )
        return Response(InspectionRecordSerializer(inspection).data, status=status.HTTP_201_CREATED)


class InspectionDetail(APIView):
    @extend_schema(responses={200: InspectionRecordSerializer})
    def get(self, request: Request, pk: int) -> Response:
        return Response(InspectionRecordSerializer(_inspection(request, pk)).data)


class InspectionFindings(APIView):
    """Add a finding to a draft inspection."""

    @extend_schema(request=InspectionFindingInput, responses={201: InspectionFindingSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inspection = get_scoped_or_404(Inspection, request, pk=pk)
        data = validated(InspectionFindingInput(data=request.data), "请填写问题描述、违规依据和扣款金额")
        finding = inspections.do_add_finding(request.user, inspection, **data)
        return Response(InspectionFindingSerializer(finding).data, status=status.HTTP_201_CREATED)


class InspectionDocuments(APIView):
    """上传照片或材料 (JPG, PNG or PDF, at most 10 MB) to a draft inspection or one of its findings."""

    parser_classes = [MultiPartParser, FormParser]

    @extend_schema(
        request={"multipart/form-data": InspectionUploadInput}, responses={201: InspectionDocumentSerializer}
    )
    def post(self, request: Request, pk: int) -> Response:
        inspection = get_scoped_or_404(Inspection, request, pk=pk)
        data = validated(InspectionUploadInput(data=request.data), "请选择要上传的文件")
        finding = None
        if data["finding"] is not None:
            finding = inspection.findings.filter(pk=data["finding"]).first()
            if finding is None:
                raise InvalidInput(
                    "该巡查没有这个问题", code="unknown_finding", details=[{"path": "finding", "message": "问题不存在"}]
                )
        doc = documents.do_attach_document(
            request.user,
            chunks=data["file"].chunks(),
            name=data["file"].name,
            inspection=inspection,
            finding=finding,
            note=data["note"],
        )
        return Response(InspectionDocumentSerializer(doc).data, status=status.HTTP_201_CREATED)


class InspectionSubmit(APIView):
    """提交 a draft for confirmation."""

    @extend_schema(request=None, responses={200: InspectionRecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inspection = get_scoped_or_404(Inspection, request, pk=pk)
        return Response(InspectionRecordSerializer(inspections.do_submit_inspection(request.user, inspection)).data)


class InspectionReturnInput(serializers.Serializer[Any]):
    reason = serializers.CharField(max_length=300)


class InspectionReturn(APIView):
    """退回 a submitted inspection to draft (manager), with the reason."""

    @extend_schema(request=InspectionReturnInput, responses={200: InspectionRecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inspection = get_scoped_or_404(Inspection, request, pk=pk)
        data = validated(InspectionReturnInput(data=request.data), "请填写退回原因")
        return Response(
            InspectionRecordSerializer(
                inspections.do_return_inspection(request.user, inspection, reason=data["reason"])
            ).data
        )


class InspectionConfirmInput(serializers.Serializer[Any]):
    on = BoundedDateField(
        input_formats=DATE_FORMATS,
        required=False,
        allow_null=True,
        default=None,
        help_text="确认日期（默认今天），扣款按此日期记账",
    )


class InspectionConfirm(APIView):
    """确认 (manager, never one of its inspectors): each finding with an amount becomes a deduction on the
    hospital's next monthly statement. Confirming again answers 200 with nothing new."""

    @extend_schema(request=InspectionConfirmInput, responses={200: InspectionRecordSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inspection = get_scoped_or_404(Inspection, request, pk=pk)
        data = validated(InspectionConfirmInput(data=request.data), "确认日期格式应为 YYYY-MM-DD")
        return Response(
            InspectionRecordSerializer(inspections.do_confirm_inspection(request.user, inspection, on=data["on"])).data
        )


# -- remote investigations -----------------------------------------------------------------------------------


class InspectionInvestigationSerializer(serializers.ModelSerializer[Investigation]):
    number = serializers.CharField(read_only=True)
    region = serializers.CharField(source="region_id")
    setl_id = serializers.CharField(source="settlement.setl_id", default=None)
    assignee = serializers.CharField(source="assignee.username", default=None)
    assigned_region = serializers.CharField(source="assigned_region_id", default=None)
    amount = serializers.SerializerMethodField()
    result_overdue = serializers.SerializerMethodField()
    feedback_overdue = serializers.SerializerMethodField()

    class Meta:
        model = Investigation
        fields = [
            "id",
            "number",
            "region",
            "setl_id",
            "psn_no",
            "psn_name",
            "hospital_name",
            "hospital_place",
            "subject",
            "assignee",
            "assigned_region",
            "created_on",
            "due_on",
            "deadline_warnings",
            "status",
            "outcome",
            "result_text",
            "amount",
            "result_on",
            "feedback_due",
            "feedback_warnings",
            "feedback_on",
            "feedback_text",
            "result_overdue",
            "feedback_overdue",
        ]

    def get_amount(self, obj: Investigation) -> str | None:
        return _optional_money(obj.amount)

    def get_result_overdue(self, obj: Investigation) -> bool:
        return obj.result_overdue()

    def get_feedback_overdue(self, obj: Investigation) -> bool:
        return obj.feedback_overdue()


class InspectionInvestigationInput(serializers.Serializer[Any]):
    region = serializers.CharField(max_length=6, help_text="委托统筹区")
    subject = serializers.CharField(max_length=1000, help_text="协查事项")
    setl_id = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    psn_no = serializers.CharField(max_length=30, required=False, allow_blank=True, default="")
    hospital_name = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    hospital_place = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None, help_text="承办人用户 id")
    assigned_region = serializers.CharField(
        max_length=6, required=False, allow_blank=True, default="", help_text="承办机构（统筹区代码）"
    )
    created_on = BoundedDateField(input_formats=DATE_FORMATS, required=False, allow_null=True, default=None)


class Investigations(APIView):
    """异地协查 of the caller's regions (requested by them or assigned to them); ``?status=``, ``?overdue=1``.
    POST registers a task; its result is due 5 working days after ``created_on``."""

    @extend_schema(
        parameters=[OpenApiParameter("status", str), OpenApiParameter("overdue", str)],
        responses={200: InspectionInvestigationSerializer(many=True)},
    )
    def get(self, request: Request) -> Response:
        from django.utils import timezone

        rows = Investigation.objects.for_user(request.user).select_related("settlement", "assignee")
        value = request.query_params.get("status", "").strip()
        if value:
            rows = rows.filter(status=value)
        if request.query_params.get("overdue", "") in ("1", "yes", "true"):
            rows = rows.filter(queries.overdue_q(timezone.localdate()))
        page = list(rows[:LIMIT])
        record_access_many(request, [r for r in page if r.psn_no])
        return Response(InspectionInvestigationSerializer(page, many=True).data)

    @extend_schema(request=InspectionInvestigationInput, responses={201: InspectionInvestigationSerializer})
    def post(self, request: Request) -> Response:
        data = validated(InspectionInvestigationInput(data=request.data), "异地协查数据有误")
        inv = investigations.do_create_investigation(request.user, **data)
        return Response(InspectionInvestigationSerializer(inv).data, status=status.HTTP_201_CREATED)


class InvestigationDetail(APIView):
    @extend_schema(responses={200: InspectionInvestigationSerializer})
    def get(self, request: Request, pk: int) -> Response:
        inv = get_scoped_or_404(Investigation, request, pk=pk)
        if inv.psn_no:
            record_access(request, inv)
        return Response(InspectionInvestigationSerializer(inv).data)


class InspectionAssignInput(serializers.Serializer[Any]):
    assignee = serializers.IntegerField(required=False, allow_null=True, default=None)
    assigned_region = serializers.CharField(max_length=6, required=False, allow_blank=True, default="")


class InvestigationAssign(APIView):
    """分派 an open task to a user and/or a branch (region)."""

    @extend_schema(request=InspectionAssignInput, responses={200: InspectionInvestigationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inv = get_scoped_or_404(Investigation, request, pk=pk)
        data = validated(InspectionAssignInput(data=request.data), "请选择承办人或承办机构")
        return Response(
            InspectionInvestigationSerializer(investigations.do_assign_investigation(request.user, inv, **data)).data
        )


class InspectionResultInput(serializers.Serializer[Any]):
    outcome = serializers.CharField(
        help_text="confirmed 属实 | partly 部分属实 | unfounded 不属实 | unverifiable 无法核实"
    )
    result_text = serializers.CharField(max_length=1000)
    amount = AmountField(maximum=FUND_MAX, help_text="涉及金额，字符串")
    result_on = BoundedDateField(input_formats=DATE_FORMATS, required=False, allow_null=True, default=None)


class InvestigationResult(APIView):
    """协查结果; the feedback is then due 3 working days after ``result_on``."""

    @extend_schema(request=InspectionResultInput, responses={200: InspectionInvestigationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inv = get_scoped_or_404(Investigation, request, pk=pk)
        data = validated(InspectionResultInput(data=request.data), "请填写协查结论、结果和涉及金额")
        return Response(InspectionInvestigationSerializer(investigations.do_record_result(request.user, inv, **data)).data)


class InspectionFeedbackInput(serializers.Serializer[Any]):
    feedback_text = serializers.CharField(max_length=1000)
    feedback_on = BoundedDateField(input_formats=DATE_FORMATS, required=False, allow_null=True, default=None)


class InvestigationFeedback(APIView):
    """反馈 the result to the requester (closes the task)."""

    @extend_schema(request=InspectionFeedbackInput, responses={200: InspectionInvestigationSerializer})
    def post(self, request: Request, pk: int) -> Response:
        inv = get_scoped_or_404(Investigation, request, pk=pk)
        data = validated(InspectionFeedbackInput(data=request.data), "请填写反馈内容")
        return Response(InspectionInvestigationSerializer(investigations.do_feed_back(request.user, inv, **data)).data)


class InvestigationStats(APIView):
    """协查统计 of tasks requested in [``start``, ``end``]: by requesting region and by outcome — counts, open,
    answered, fed back, overdue, on time, on-time rate (%), amounts."""

    @extend_schema(
        parameters=[OpenApiParameter("start", OpenApiTypes.DATE), OpenApiParameter("end", OpenApiTypes.DATE)],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request: Request) -> Response:
        return Response(
            queries.investigation_stats(
                request.user, start=inputs.query_date(request.query_params, "start", label="起始日期"),
                end=inputs.query_date(request.query_params, "end", label="截止日期")
            ).as_dict()
        )


api_urlpatterns = [
    path("inspection/samples", Samples.as_view(), name="inspection-samples"),
    path("inspection/samples/<int:pk>", SampleDetail.as_view(), name="inspection-sample-detail"),
    path("inspection/samples/<int:pk>/replay", SampleReplay.as_view(), name="inspection-sample-replay"),
    path("inspection/samples/<int:pk>/complete", SampleComplete.as_view(), name="inspection-sample-complete"),
    path("inspection/sample-items/<int:pk>", SampleItemDetail.as_view(), name="inspection-sample-item"),
    path(
        "inspection/sample-items/<int:pk>/documents",
        SampleItemDocuments.as_view(),
        name="inspection-sample-item-documents",
    ),
    path("inspection/settings", SamplingSettingsView.as_view(), name="inspection-settings"),
    path("inspection/inspections", Inspections.as_view(), name="inspection-inspections"),
    path("inspection/inspections/<int:pk>", InspectionDetail.as_view(), name="inspection-inspection-detail"),
    path(
        "inspection/inspections/<int:pk>/findings", InspectionFindings.as_view(), name="inspection-inspection-findings"
    ),
    path(
        "inspection/inspections/<int:pk>/documents",
        InspectionDocuments.as_view(),
        name="inspection-inspection-documents",
    ),
    path("inspection/inspections/<int:pk>/submit", InspectionSubmit.as_view(), name="inspection-inspection-submit"),
    path("inspection/inspections/<int:pk>/return", InspectionReturn.as_view(), name="inspection-inspection-return"),
    path("inspection/inspections/<int:pk>/confirm", InspectionConfirm.as_view(), name="inspection-inspection-confirm"),
    path("inspection/investigations", Investigations.as_view(), name="inspection-investigations"),
    path("inspection/investigations/stats", InvestigationStats.as_view(), name="inspection-investigation-stats"),
    path("inspection/investigations/<int:pk>", InvestigationDetail.as_view(), name="inspection-investigation-detail"),
    path(
        "inspection/investigations/<int:pk>/assign",
        InvestigationAssign.as_view(),
        name="inspection-investigation-assign",
    ),
    path(
        "inspection/investigations/<int:pk>/result",
        InvestigationResult.as_view(),
        name="inspection-investigation-result",
    ),
    path(
        "inspection/investigations/<int:pk>/feedback",
        InvestigationFeedback.as_view(),
        name="inspection-investigation-feedback",
    ),
]
