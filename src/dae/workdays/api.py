"""API of the working-day calendar: deadline computation (staff read), overrides and confirmed years (manager
writes). The routes are listed in ``api_urlpatterns`` and included in ``dae.urls``' API list."""

from __future__ import annotations

from typing import Any

from django.urls import path
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from dae.core import inputs
from dae.core.errors import InvalidInput, NotFound
from dae.core.inputs import BoundedDateField

from . import actions, service
from .codes import Code
from .models import CalendarOverride, CalendarYear


def _field_errors(errors: dict[str, Any]) -> list[dict[str, str]]:
    return [{"path": name, "code": "invalid", "message": "；".join(str(m) for m in messages),
             "message_en": "; ".join(str(m) for m in messages)} for name, messages in errors.items()]


def _validated(serializer: serializers.Serializer[Any], message: str) -> dict[str, Any]:
    if not serializer.is_valid():
        raise InvalidInput(message, details=_field_errors(serializer.errors))
    return dict(serializer.validated_data)


class DeadlineQuerySerializer(serializers.Serializer[Any]):
    start = BoundedDateField(label="起算日", input_formats=["%Y-%m-%d"], error_messages={
        "required": "请填写起算日", "invalid": "起算日格式应为 YYYY-MM-DD"})
    days = serializers.IntegerField(min_value=0, max_value=service.MAX_DAYS, error_messages={
        "required": "请填写工作日天数", "invalid": "工作日天数应为整数",
        "min_value": f"工作日天数须在 0 到 {service.MAX_DAYS} 之间",
        "max_value": f"工作日天数须在 0 到 {service.MAX_DAYS} 之间"})


class WarningSerializer(serializers.Serializer[Any]):
    code = serializers.CharField()
    year = serializers.IntegerField()
    message = serializers.CharField()
    message_en = serializers.CharField()


class DeadlineSerializer(serializers.Serializer[Any]):
    start = BoundedDateField()
    days = serializers.IntegerField()
    due = BoundedDateField()
    exact = serializers.BooleanField()
    warnings = WarningSerializer(many=True)


class DeadlineView(APIView):
    """期限计算: the due date of ``days`` working days from ``start`` (the start day not counted, 《民法典》 Art. 201).

    When a counted day lies in a year whose holiday schedule is not entered and confirmed, that part is counted
    with Saturdays/Sundays off, ``exact`` is false and ``warnings`` names the year (Chinese and English).
    """

    @extend_schema(parameters=[
        OpenApiParameter("start", OpenApiTypes.DATE, required=True, description="起算日 YYYY-MM-DD (not counted)"),
        OpenApiParameter("days", int, required=True, description=f"工作日天数 0–{service.MAX_DAYS}"),
    ], responses={200: DeadlineSerializer})
    def get(self, request: Request) -> Response:
        query = _validated(DeadlineQuerySerializer(data=request.query_params), "期限计算参数有误")
        result = service.deadline(query["start"], query["days"])
        return Response({"start": result.start.isoformat(), "days": result.days, "due": result.due.isoformat(),
                         "exact": result.exact, "warnings": [service.warning_dict(w) for w in result.warnings]})


class OverrideSerializer(serializers.ModelSerializer[CalendarOverride]):
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)
    date = BoundedDateField(input_formats=["%Y-%m-%d"], error_messages={
        "required": "请填写日期", "invalid": "日期格式应为 YYYY-MM-DD"})
    is_working_day = serializers.BooleanField(error_messages={"invalid": "is_working_day 应为 true 或 false"})

    class Meta:
        model = CalendarOverride
        fields = ["date", "is_working_day", "note", "created_by", "created_at"]
        read_only_fields = ["created_at"]
        extra_kwargs = {"note": {"required": False, "allow_blank": True}}

    def get_validators(self) -> list[Any]:
        return []  # setting a date again replaces its entry (the action decides), so no unique check here


class OverrideListCreate(generics.ListCreateAPIView[CalendarOverride]):
    """工作日调整: the manager's entries (date → working day or day off). ``?year=`` filters by year.
    POST (manager) sets one date; setting a date again replaces its entry."""

    serializer_class = OverrideSerializer

    def get_queryset(self) -> Any:
        qs = CalendarOverride.objects.for_user(self.request.user).select_related("created_by")
        year = self.request.query_params.get("year", "").strip()
        if year:
            qs = qs.filter(date__year=inputs.year(year))
        return qs

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        data = _validated(OverrideSerializer(data=request.data), "工作日调整有误")
        row = actions.do_set_override(request.user, data["date"], data["is_working_day"], data.get("note", ""))
        return Response(OverrideSerializer(row).data, status=status.HTTP_201_CREATED)


class OverrideDetail(APIView):
    """One entry by its date; DELETE (manager) removes it (the day follows the package again)."""

    @extend_schema(responses={200: OverrideSerializer})
    def get(self, request: Request, day: str) -> Response:
        row = CalendarOverride.objects.for_user(request.user).filter(date=inputs.date(day, field="day")).first()
        if row is None:
            raise NotFound(f"{day} 没有录入调整", code=Code.OVERRIDE_NOT_FOUND)
        return Response(OverrideSerializer(row).data)

    @extend_schema(responses={204: None})
    def delete(self, request: Request, day: str) -> Response:
        actions.do_remove_override(request.user, inputs.date(day, field="day"))
        return Response(status=status.HTTP_204_NO_CONTENT)


class ConfirmYearSerializer(serializers.Serializer[Any]):
    year = serializers.IntegerField(min_value=actions.FIRST_YEAR, max_value=actions.LAST_YEAR, error_messages={
        "required": "请填写年度", "invalid": "年度应为整数",
        "min_value": f"年度须在 {actions.FIRST_YEAR} 到 {actions.LAST_YEAR} 之间",
        "max_value": f"年度须在 {actions.FIRST_YEAR} 到 {actions.LAST_YEAR} 之间"})
    note = serializers.CharField(required=False, allow_blank=True, max_length=actions.NOTE_MAX)


class YearSerializer(serializers.ModelSerializer[CalendarYear]):
    confirmed_by = serializers.CharField(source="confirmed_by.username", default=None, read_only=True)

    class Meta:
        model = CalendarYear
        fields = ["year", "confirmed_by", "confirmed_at", "note"]


class YearsView(APIView):
    """Known years: those the chinesecalendar package covers and those the manager confirmed. POST (manager)
    confirms a year after every day of its State Council notice is entered."""

    @extend_schema(responses={200: OpenApiTypes.OBJECT})
    def get(self, request: Request) -> Response:
        cal = service.calendar()
        confirmed = CalendarYear.objects.for_user(request.user).select_related("confirmed_by")
        return Response({"package_years": sorted(cal.package_years),
                         "confirmed": YearSerializer(confirmed, many=True).data})

    @extend_schema(request=ConfirmYearSerializer, responses={201: YearSerializer})
    def post(self, request: Request) -> Response:
        data = _validated(ConfirmYearSerializer(data=request.data), "年度确认参数有误")
        row = actions.do_confirm_year(request.user, data["year"], data.get("note", ""))
        return Response(YearSerializer(row).data, status=status.HTTP_201_CREATED)


api_urlpatterns = [
    path("workdays/deadline", DeadlineView.as_view(), name="workdays-deadline"),
    path("workdays/overrides", OverrideListCreate.as_view(), name="workdays-overrides"),
    path("workdays/overrides/<str:day>", OverrideDetail.as_view(), name="workdays-override-detail"),
    path("workdays/years", YearsView.as_view(), name="workdays-years"),
]
