"""API of the monthly re-review samples: draw, replay check, items with their three comparisons, their documents,
completion, and the sampling settings."""

from __future__ import annotations

from typing import Any

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core.access import record_access, record_access_many
from dae.core.api import validated
from dae.core.codes import InputCode
from dae.core.errors import InvalidInput
from dae.core.inputs import FUND_MAX, AmountField
from dae.core.scoping import get_scoped_or_404

from .. import queries
from ..actions import documents, samples
from ..models import Sample, SampleItem, SamplingSettings
from .shared import LIMIT, InspectionDocumentSerializer, InspectionUploadInput, optional_money


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
            *samples.REVIEW_FIELDS,
            "reviewer",
            "reviewed_at",
            "documents",
        ]

    def get_not_payable(self, obj: SampleItem) -> str | None:
        return optional_money(obj.not_payable)

    def get_documents(self, obj: SampleItem) -> list[dict[str, Any]]:
        return InspectionDocumentSerializer(obj.documents.all(), many=True).data  # type: ignore[return-value]


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
                code=InputCode.INVALID_AMOUNT,
                details=[{"path": "not_payable", "message": "金额不能是浮点数"}],
            )
        data = validated(InspectionReviewInput(data=request.data), "复审记录有误")
        return Response(InspectionSampleItemSerializer(samples.do_review_item(request.user, item, **data)).data)


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
