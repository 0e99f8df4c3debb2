from __future__ import annotations

from typing import Any

from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers, viewsets
from rest_framework.decorators import action, api_view
from rest_framework.request import Request
from rest_framework.response import Response

from dae.accounts.permissions import can, can_unmask
from dae.core import inputs
from dae.core.access import record_access
from dae.core.api import ScopedViewSetMixin
from dae.core.errors import PermissionDenied
from dae.core.inputs import BoundedDateField
from dae.core.models import AccessRecord
from dae.core.scoping import get_scoped_or_404

from . import actions
from .coverage import coverage_on
from .models import Enrolment, Person, Unit


class PersonSerializer(serializers.ModelSerializer[Person]):
    certno = serializers.CharField(source="masked_certno", read_only=True)
    region = serializers.CharField(source="region_id", read_only=True)
    emp_no = serializers.CharField(source="unit.emp_no", read_only=True, default=None)

    class Meta:
        model = Person
        fields = ["psn_no", "psn_name", "psn_cert_type", "certno", "gend", "brdy", "region", "emp_no"]


class EnrolmentSerializer(serializers.ModelSerializer[Enrolment]):
    region = serializers.CharField(source="region_id", read_only=True)
    supersedes = serializers.IntegerField(source="supersedes_id", read_only=True, allow_null=True)

    class Meta:
        model = Enrolment
        fields = ["id", "insutype", "psn_type", "status", "valid_from", "begin_date", "pause_date", "end_date",
                  "region", "source", "batch", "supersedes", "reason", "recorded_at"]


class EnrolmentChangeSerializer(serializers.Serializer[Any]):
    action = serializers.ChoiceField(choices=["suspend", "resume", "end"])
    date = BoundedDateField()
    reason = serializers.CharField(max_length=300)


class PersonViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Person]):
    """参保人 (insured persons) in the caller's regions. Certificate numbers are masked (``?full=1`` shows the
    whole number to the posts allowed it, and records that view); each read is logged."""

    queryset = Person.objects.select_related("unit")
    serializer_class = PersonSerializer
    lookup_field = "psn_no"
    log_access = True

    def get_queryset(self) -> Any:
        return super().get_queryset().select_related("unit").order_by("psn_no")

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        person = self.get_object()
        full = request.query_params.get("full") == "1" and can_unmask(request.user, "api:person-detail")
        record_access(request, person, AccessRecord.Why.FULL_CERTNO if full else AccessRecord.Why.BUSINESS)
        data = dict(self.get_serializer(person).data)
        if full:
            data["certno"] = person.certno
        return Response(data)

    @extend_schema(responses=EnrolmentSerializer(many=True))
    @action(detail=True, methods=["get"], url_path="enrolments", url_name="enrolments", pagination_class=None,
            filter_backends=[])
    def enrolments(self, request: Request, psn_no: str) -> Response:
        """The person's enrolment history (every record, oldest first)."""
        person = self.get_object()
        record_access(request, person)
        records = Enrolment.objects.filter(person=person).order_by("recorded_at", "id")
        return Response(EnrolmentSerializer(records, many=True).data)

    @extend_schema(request=EnrolmentChangeSerializer, responses={201: EnrolmentSerializer})
    @action(detail=True, methods=["post"], url_path="enrolment-changes", url_name="enrolment-change")
    def enrolment_change(self, request: Request, psn_no: str) -> Response:
        """Suspend, resume or end the enrolment from a date, with a reason (a new record and an event)."""
        if not can(request.user, "api:person-enrolment-change"):
            raise PermissionDenied()
        person = self.get_object()
        body = EnrolmentChangeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        do = {"suspend": actions.do_suspend, "resume": actions.do_resume, "end": actions.do_end}[data["action"]]
        record = do(request.user, person, data["date"], data["reason"])
        return Response(EnrolmentSerializer(record).data, status=201)


class CoverageSerializer(serializers.Serializer[Any]):
    psn_no = serializers.CharField()
    date = BoundedDateField()
    covered = serializers.BooleanField()
    code = serializers.CharField(help_text="covered / no_person / not_enrolled / before_begin / suspended / ended")
    reason = serializers.CharField()
    region = serializers.CharField(allow_null=True)
    status = serializers.CharField(allow_null=True)
    psn_type = serializers.CharField(allow_null=True)
    record = serializers.IntegerField(allow_null=True)


@extend_schema(parameters=[OpenApiParameter("psn_no", str, required=True),
                           OpenApiParameter("date", str, required=True, description="YYYY-MM-DD")],
               responses=CoverageSerializer)
@api_view(["GET"])
def coverage(request: Request) -> Response:
    """Was the person covered by insutype 330 on the date, and under which region?"""
    psn_no = request.query_params.get("psn_no", "")
    day = inputs.date(request.query_params.get("date", ""), field="date")
    person = get_scoped_or_404(Person, request, psn_no=psn_no)
    record_access(request, person)
    answer = coverage_on(person.psn_no, day)
    return Response({"psn_no": answer.psn_no, "date": answer.on, "covered": answer.covered, "code": answer.code,
                     "reason": answer.reason, "region": answer.region_id, "status": answer.status,
                     "psn_type": answer.psn_type, "record": answer.record_id})


class UnitSerializer(serializers.ModelSerializer[Unit]):
    region = serializers.CharField(source="region_id", read_only=True)

    class Meta:
        model = Unit
        fields = ["emp_no", "emp_name", "region"]


class UnitViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Unit]):
    """参保单位 (employer units) in the caller's regions."""

    queryset = Unit.objects.all()
    serializer_class = UnitSerializer
    lookup_field = "emp_no"

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("emp_no")


class EnrolmentCorrectionSerializer(serializers.Serializer[Any]):
    psn_type = serializers.CharField(required=False, max_length=6)
    begin_date = BoundedDateField(required=False)
    pause_date = BoundedDateField(required=False, allow_null=True)
    end_date = BoundedDateField(required=False, allow_null=True)
    valid_from = BoundedDateField(required=False)
    reason = serializers.CharField(max_length=300)


class EnrolmentViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Enrolment]):
    """参保记录 (enrolment records) in the caller's regions; a correction adds a record replacing one."""

    queryset = Enrolment.objects.all()
    serializer_class = EnrolmentSerializer
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        return super().get_queryset().order_by("-id")

    @extend_schema(request=EnrolmentCorrectionSerializer, responses={201: EnrolmentSerializer})
    @action(detail=True, methods=["post"], url_path="corrections", url_name="correction")
    def correction(self, request: Request, pk: str) -> Response:
        """Correct this record: the given fields change, with a reason; the old record stays in the history."""
        if not can(request.user, "api:enrolment-correction"):
            raise PermissionDenied()
        record = self.get_object()
        body = EnrolmentCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = dict(body.validated_data)
        reason = data.pop("reason")
        new = actions.do_correct(request.user, record, data, reason)
        return Response(EnrolmentSerializer(new).data, status=201)
