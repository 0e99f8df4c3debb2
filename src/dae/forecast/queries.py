"""Reads of forecasting and warnings, and the one access check per object kind."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import HttpRequest

from dae.core.scoping import access_by_id

from .models import Alert, Budget, ForecastRun, Scenario


def access_alert_by_id(request: HttpRequest, pk: Any) -> Alert:
    return access_by_id(Alert, request, pk)


def access_run_by_id(request: HttpRequest, pk: Any) -> ForecastRun:
    return access_by_id(ForecastRun, request, pk)


def latest_run(user: Any, region: str) -> ForecastRun | None:
    return ForecastRun.objects.for_user(user).filter(region_id=region).order_by("-made_at", "-id").first()


def open_alerts(user: Any) -> QuerySet[Alert]:
    return Alert.objects.for_user(user).exclude(status=Alert.Status.CLOSED)


def access_budget_by_id(request: HttpRequest, pk: Any) -> Budget:
    return access_by_id(Budget, request, pk)


def access_scenario_by_id(request: HttpRequest, pk: Any) -> Scenario:
    return access_by_id(Scenario, request, pk)
