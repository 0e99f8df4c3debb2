"""API of in-hospital monitoring in the vocabulary of the national 入院办理 family: 2401 (admission), 2402
(discharge), 2404 (admission cancelled). A hospital reports its own admissions (``fixmedins_code`` is taken from
the signed-in hospital); staff name the hospital. The answer carries the coverage check on the admission date."""

from __future__ import annotations

from typing import Any

from django.urls import path
from django.utils import timezone
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.catalog.models import Hospital
from dae.core.api import validated
from dae.core.codes import CoreCode, InputCode
from dae.core.errors import InvalidInput, NotFound
from dae.core.inputs import BoundedDateField

from . import actions
from .models import Admission


class AdmissionSerializer(serializers.ModelSerializer[Admission]):
    fixmedins_code = serializers.CharField(source="hospital.code", read_only=True)
    begntime = serializers.DateField(source="adm_date", read_only=True)
    adm_dept_codg = serializers.CharField(source="dept_code", read_only=True)
    adm_dept_name = serializers.CharField(source="dept_name", read_only=True)
    adm_bed = serializers.CharField(source="bed_no", read_only=True)
    endtime = serializers.DateField(source="dscg_date", read_only=True)

    class Meta:
        model = Admission
        fields = ["id", "mdtrt_id", "psn_no", "psn_name", "fixmedins_code", "adm_dept_codg", "adm_dept_name",
                  "adm_bed", "begntime", "dise_codg", "dise_name", "covered", "coverage_code", "status", "endtime",
                  "next_visit_due", "visits_count"]


class AdmissionIn(serializers.Serializer[Any]):
    """2401 入院办理 (the fields dae keeps)."""

    fixmedins_code = serializers.CharField(max_length=30, required=False, default="")
    mdtrt_id = serializers.CharField(max_length=30)
    psn_no = serializers.CharField(max_length=30)
    adm_dept_codg = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    adm_dept_name = serializers.CharField(max_length=100)
    adm_bed = serializers.CharField(max_length=30, required=False, default="", allow_blank=True)
    begntime = BoundedDateField()
    dise_codg = serializers.CharField(max_length=30)
    dise_name = serializers.CharField(max_length=200)


class DischargeIn(serializers.Serializer[Any]):
    """2402 出院办理."""

    fixmedins_code = serializers.CharField(max_length=30, required=False, default="")
    mdtrt_id = serializers.CharField(max_length=30)
    endtime = BoundedDateField()


class CancelIn(serializers.Serializer[Any]):
    """2404 入院撤销."""

    fixmedins_code = serializers.CharField(max_length=30, required=False, default="")
    mdtrt_id = serializers.CharField(max_length=30)
    memo = serializers.CharField(max_length=300)


def _hospital(request: Request, code: str) -> Hospital:
    user: Any = request.user
    if user.scope_kind == "hospital":
        own = Hospital.objects.filter(pk=user.hospital_id).first() if user.hospital_id else None
        if own is None:
            raise NotFound("本账号未绑定医疗机构", code=CoreCode.UNKNOWN_HOSPITAL)
        return own
    hospital = Hospital.objects.filter(code=code, region_id__in=user.region_codes).first() if code else None
    if hospital is None:
        raise InvalidInput(f"无此医疗机构：{code}", code=CoreCode.UNKNOWN_HOSPITAL,
                           details=[{"path": "fixmedins_code", "message": "无此医疗机构"}])
    return hospital


class Admissions(generics.ListAPIView[Admission]):
    """入院登记: the admissions in the caller's scope (a hospital: its own); POST reports one (2401)."""

    serializer_class = AdmissionSerializer

    def get_queryset(self) -> Any:
        qs = Admission.objects.for_user(self.request.user).select_related("hospital")
        wanted = self.request.query_params.get("status", "")
        return qs.filter(status=wanted) if wanted in Admission.Status.values else qs

    @extend_schema(request=AdmissionIn, responses={201: AdmissionSerializer})
    def post(self, request: Request) -> Response:
        data = validated(AdmissionIn(data=request.data), "入院信息不完整或格式不正确")
        if data["begntime"] > timezone.localdate():
            raise InvalidInput("入院日期不能晚于今天", code=InputCode.INVALID_DATE, details=[{"path": "begntime", "message": "晚于今天"}])
        admission = actions.do_report_admission(
            hospital=_hospital(request, data["fixmedins_code"]), mdtrt_id=data["mdtrt_id"], psn_no=data["psn_no"],
            dept_code=data["adm_dept_codg"], dept_name=data["adm_dept_name"], bed_no=data["adm_bed"],
            adm_date=data["begntime"], dise_codg=data["dise_codg"], dise_name=data["dise_name"], actor=request.user,
            source=Admission.Source.API,
        )
        return Response(AdmissionSerializer(admission).data, status=status.HTTP_201_CREATED)


class Discharge(APIView):
    @extend_schema(request=DischargeIn, responses={200: AdmissionSerializer})
    def post(self, request: Request) -> Response:
        """2402 出院办理: the stay is closed."""
        data = validated(DischargeIn(data=request.data), "出院信息不完整或格式不正确")
        admission = actions.do_discharge_admission(hospital=_hospital(request, data["fixmedins_code"]),
                                                   mdtrt_id=data["mdtrt_id"], dscg_date=data["endtime"],
                                                   actor=request.user)
        return Response(AdmissionSerializer(admission).data)


class Cancel(APIView):
    @extend_schema(request=CancelIn, responses={200: AdmissionSerializer})
    def post(self, request: Request) -> Response:
        """2404 入院撤销: the admission is withdrawn."""
        data = validated(CancelIn(data=request.data), "撤销信息不完整或格式不正确")
        admission = actions.do_cancel_admission(hospital=_hospital(request, data["fixmedins_code"]),
                                                mdtrt_id=data["mdtrt_id"], reason=data["memo"], actor=request.user)
        return Response(AdmissionSerializer(admission).data)


class Statistics(APIView):
    @extend_schema(responses={200: dict})
    def get(self, request: Request) -> Response:
        """查床统计 for the statistics and the hospital evaluation: visits per visitor and per hospital between
        ``from`` and ``to`` (default: this year), late visits, absent patients, identity mismatches, findings and
        their confirmed amounts (decimal strings)."""
        from dae.core import inputs

        from . import queries
        from .models import Visit

        today = timezone.localdate()
        start = inputs.query_date(request.query_params, "from", today.replace(month=1, day=1), label="起始日期")
        end = inputs.query_date(request.query_params, "to", today, label="截止日期")
        visits = Visit.objects.for_user(request.user).filter(visit_date__gte=start, visit_date__lte=end)
        tables = queries.visit_statistics(visits)
        for rows in tables.values():
            for row in rows:
                row["confirmed"] = f"{row['confirmed']:.2f}" if row["confirmed"] is not None else None
        return Response({"from": start, "to": end, **tables})


api_urlpatterns = [
    path("monitoring/admissions", Admissions.as_view(), name="monitoring-admissions"),
    path("monitoring/discharges", Discharge.as_view(), name="monitoring-discharges"),
    path("monitoring/cancellations", Cancel.as_view(), name="monitoring-cancellations"),
    path("monitoring/statistics", Statistics.as_view(), name="monitoring-statistics"),
]
