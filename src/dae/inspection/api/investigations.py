"""API of remote investigations: create, assign, result, feedback, and their statistics."""

from __future__ import annotations

from typing import Any

from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core import inputs
from dae.core.access import record_access, record_access_many
from dae.core.api import validated
from dae.core.inputs import FUND_MAX, AmountField, BoundedDateField
from dae.core.scoping import get_scoped_or_404

from .. import queries
from ..actions import investigations
from ..models import Investigation
from .shared import DATE_FORMATS, LIMIT, optional_money


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
        return optional_money(obj.amount)

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
