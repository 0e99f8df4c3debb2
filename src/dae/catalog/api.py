"""Read API for master data, and the mapping check (POST, nothing stored)."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiExample, OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core import inputs
from dae.core.api import ScopedViewSetMixin
from dae.core.errors import InvalidInput, NotFound
from dae.core.scoping import get_scoped_or_404
from dae.imports.framework import parse_date

from .codes import Code
from .models import CatalogueItem, CodeMapping, Diagnosis, Hospital
from .queries import check_mapping, settlement_lines


class HospitalSerializer(serializers.ModelSerializer[Hospital]):
    region = serializers.CharField(source="region_id", read_only=True)
    level_name = serializers.CharField(source="level_label", read_only=True)

    class Meta:
        model = Hospital
        fields = ["code", "name", "level", "level_name", "kind", "region", "status"]


class HospitalViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[Hospital]):
    """定点医疗机构 (designated hospitals) in the caller's scope."""

    queryset = Hospital.objects.all()
    serializer_class = HospitalSerializer
    lookup_field = "code"


def _valid_on(day: date) -> Q:
    return Q(begin_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


class CatalogueItemSerializer(serializers.ModelSerializer[CatalogueItem]):
    class Meta:
        model = CatalogueItem
        fields = ["id", "med_list_codg", *CatalogueItem.CONTENT, "begin_date", "end_date"]


_ON = OpenApiParameter("on", OpenApiTypes.DATE, description="only versions valid on this date (YYYY-MM-DD)")


@extend_schema_view(list=extend_schema(parameters=[
    _ON, OpenApiParameter("code", str, description="医疗目录编码 (exact)"),
    OpenApiParameter("q", str, description="code prefix or part of the name"),
    OpenApiParameter("list_type", str), OpenApiParameter("chrgitm_lv", str)]))
class CatalogueItemViewSet(viewsets.ReadOnlyModelViewSet[CatalogueItem]):
    """基本医疗目录: catalogue item versions (national data, the same for every reader). ``end_date`` is the
    first day a version no longer applies."""

    serializer_class = CatalogueItemSerializer

    def get_queryset(self) -> Any:
        qs = CatalogueItem.objects.order_by("med_list_codg", "begin_date")
        params = self.request.query_params
        day = inputs.query_date(self.request.query_params, "on")
        if day is not None:
            qs = qs.filter(_valid_on(day))
        if params.get("code"):
            qs = qs.filter(med_list_codg=params["code"])
        if params.get("q"):
            qs = qs.filter(Q(med_list_codg__istartswith=params["q"]) | Q(name__icontains=params["q"]))
        for name in ("list_type", "chrgitm_lv"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        return qs


class CodeMappingSerializer(serializers.ModelSerializer[CodeMapping]):
    hospital = serializers.CharField(source="hospital.code", read_only=True)

    class Meta:
        model = CodeMapping
        fields = ["id", "hospital", "medins_list_codg", "medins_list_name", "med_list_codg", "begin_date",
                  "end_date"]


@extend_schema_view(list=extend_schema(parameters=[
    _ON, OpenApiParameter("hospital", str, description="医疗机构编码"),
    OpenApiParameter("medins_list_codg", str), OpenApiParameter("med_list_codg", str)]))
class CodeMappingViewSet(ScopedViewSetMixin, viewsets.ReadOnlyModelViewSet[CodeMapping]):
    """对码关系: hospitals' own codes mapped to national codes, in the caller's scope (a hospital sees its own)."""

    queryset = CodeMapping.objects.all()
    serializer_class = CodeMappingSerializer
    lookup_field = "pk"

    def get_queryset(self) -> Any:
        qs = super().get_queryset().select_related("hospital").order_by("hospital__code", "medins_list_codg",
                                                                        "begin_date")
        params = self.request.query_params
        day = inputs.query_date(self.request.query_params, "on")
        if day is not None:
            qs = qs.filter(_valid_on(day))
        if params.get("hospital"):
            qs = qs.filter(hospital__code=params["hospital"])
        for name in ("medins_list_codg", "med_list_codg"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        return qs


class DiagnosisSerializer(serializers.ModelSerializer[Diagnosis]):
    display_name = serializers.CharField(read_only=True)

    class Meta:
        model = Diagnosis
        fields = ["code", "kind", "name", "name_en", "display_name", "chapter", "block", "group", "parent",
                  "is_extension"]


@extend_schema_view(list=extend_schema(parameters=[
    OpenApiParameter("q", str, description="code prefix or part of the Chinese / English name"),
    OpenApiParameter("kind", str), OpenApiParameter("chapter", str), OpenApiParameter("group", str)]))
class DiagnosisViewSet(viewsets.ReadOnlyModelViewSet[Diagnosis]):
    """ICD-10 diagnoses: WHO entries and 医保版 extension codes (``parent`` = the WHO code)."""

    serializer_class = DiagnosisSerializer
    lookup_field = "code"
    lookup_value_regex = "[^/]+"

    def get_queryset(self) -> Any:
        qs = Diagnosis.objects.order_by("code")
        params = self.request.query_params
        if params.get("q"):
            term = params["q"]
            qs = qs.filter(Q(code__istartswith=term) | Q(name__icontains=term) | Q(name_en__icontains=term))
        for name in ("kind", "chapter", "group"):
            if params.get(name):
                qs = qs.filter(**{name: params[name]})
        return qs

    def get_object(self) -> Diagnosis:
        found = Diagnosis.objects.filter(code=self.kwargs["code"]).first()
        if found is None:
            raise NotFound()
        return found


_CHECK_EXAMPLE = {"hospital": "H22028200001", "lines": [
    {"medins_list_codg": "YP00123", "med_list_codg": "XA01AAA0001", "date": "2026-03-02"},
    {"medins_list_codg": "ZL00456"}]}


class MappingCheckView(APIView):
    """对码检查: which hospital codes are unmapped on their date, mapped to another national code than the line
    says, or mapped to a code not in the catalogue. Unknown codes are listed, never guessed. Nothing is stored.

    Body: ``{"hospital": code, "lines": [{"medins_list_codg", "med_list_codg"?, "date"?}], "date"?}`` or
    ``{"setl_id": id}`` (the settlement's fee lines). A hospital user checks only its own hospital.
    """

    @extend_schema(request=OpenApiTypes.OBJECT, responses={200: OpenApiTypes.OBJECT},
                   examples=[OpenApiExample("two codes", value=_CHECK_EXAMPLE, request_only=True)])
    def post(self, request: Request) -> Response:
        data = request.data if isinstance(request.data, dict) else {}
        user: Any = request.user
        if data.get("setl_id"):
            from dae.claims.models import Settlement

            settlement = get_scoped_or_404(Settlement, request, setl_id=str(data["setl_id"]))  # type: ignore[arg-type]
            hospital, lines = settlement.hospital, settlement_lines(settlement)
        else:
            code = data.get("hospital") or (user.hospital.code if user.hospital_id else None)
            if not code:
                raise InvalidInput("请指定医疗机构编码 hospital", code=Code.HOSPITAL_REQUIRED)
            hospital = get_scoped_or_404(Hospital, request, code=str(code))  # type: ignore[arg-type]
            lines = self._lines(data)
        problems = check_mapping(hospital, lines)
        return Response({"hospital": hospital.code, "checked": len(lines),
                         "problems": [p.as_dict() for p in problems]})

    @staticmethod
    def _lines(data: dict[str, Any]) -> list[tuple[str, str | None, date]]:
        raw_lines = data.get("lines")
        if not isinstance(raw_lines, list) or not raw_lines:
            raise InvalidInput("lines 应为非空列表", code=Code.LINES_REQUIRED)
        if len(raw_lines) > 100_000:
            raise InvalidInput("一次最多检查 100000 行", code=Code.TOO_MANY_LINES)
        errors: list[dict[str, Any]] = []
        default_day = timezone.localdate()
        if data.get("date"):
            try:
                default_day = parse_date(data["date"], "日期")
            except ValueError as exc:
                raise InvalidInput(str(exc), code=inputs.InputCode.INVALID_DATE, details=[{"path": "date"}]) from None
        lines: list[tuple[str, str | None, date]] = []
        for i, item in enumerate(raw_lines):
            if isinstance(item, str):
                item = {"medins_list_codg": item}
            if not isinstance(item, dict) or not str(item.get("medins_list_codg") or "").strip():
                errors.append({"path": f"lines[{i}].medins_list_codg", "message": "缺少医院目录编码"})
                continue
            day = default_day
            if item.get("date"):
                try:
                    day = parse_date(item["date"], "日期")
                except ValueError as exc:
                    errors.append({"path": f"lines[{i}].date", "message": str(exc)})
                    continue
            national = item.get("med_list_codg")
            lines.append((str(item["medins_list_codg"]).strip(), str(national).strip() if national else None, day))
        if errors:
            raise InvalidInput("检查请求有误", code=Code.INVALID_LINES, details=errors[:100])
        return lines
