"""API of on-site inspections: create, findings, documents, submit, return, confirm (→ deductions)."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.catalog.models import Hospital
from dae.core.api import validated
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput, NotFound
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.scoping import get_scoped_or_404

from .. import queries
from ..actions import documents, inspections
from ..codes import Code
from ..models import Finding, Inspection
from .shared import DATE_FORMATS, LIMIT, InspectionDocumentSerializer, InspectionUploadInput


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
                code=CoreCode.UNKNOWN_HOSPITAL,
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
                    "该巡查没有这个问题", code=Code.UNKNOWN_FINDING, details=[{"path": "finding", "message": "问题不存在"}]
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
