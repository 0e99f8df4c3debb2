"""Every write of the statistics system, one transaction each with its event: saved pivot views, and the
analysis reports' sign-off chain (``reports/signoff.py`` holds the report writes)."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dae.core.errors import InvalidInput
from dae.core.events import record_event
from dae.core.inputs import text

from . import indicators as engine
from .errors import ErrorCode
from .models import SavedView
from .periods import Period, PeriodError

MAX_VIEWS = 50  # per person: saved views are capped (a BI instance with 8,000 saved pivots did not cope)


def do_save_view(user: Any, *, name: str, indicator: str, dims: tuple[str, ...], period: str) -> SavedView:
    name = text(name, field="name", label="视图名称", max_length=60)
    ind = engine.REGISTRY.get(indicator)
    if ind is None:
        raise InvalidInput(f"未知的统计指标: {indicator}", code=ErrorCode.BAD_INDICATOR)
    dims = tuple(d for d in dims if d)
    if not 1 <= len(dims) <= 2 or any(d not in ind.dims for d in dims):
        raise InvalidInput("分组维度不适用于该指标", code=ErrorCode.BAD_DIMENSION)
    try:
        Period.parse(period)
    except PeriodError as error:
        raise InvalidInput(str(error), code=ErrorCode.BAD_PERIOD) from error
    with transaction.atomic():
        if SavedView.objects.filter(owner=user).count() >= MAX_VIEWS:
            raise InvalidInput(f"最多保存 {MAX_VIEWS} 个视图, 请先删除不用的", code=ErrorCode.TOO_MANY_VIEWS)
        view, _created = SavedView.objects.update_or_create(
            owner=user, name=name, defaults={"indicator": indicator, "dims": ",".join(dims), "period": period})
        record_event(user, "reports.view_saved", object_type="reports.savedview", object_id=str(view.pk),
                     after={"name": name, "indicator": indicator, "dims": list(dims), "period": period})
    return view


def do_delete_view(user: Any, view: SavedView) -> None:
    if view.owner_id != user.pk:
        from dae.core.errors import NotFound

        raise NotFound("视图不存在")
    with transaction.atomic():
        pk = view.pk
        view.delete()
        record_event(user, "reports.view_deleted", object_type="reports.savedview", object_id=str(pk),
                     before={"name": view.name})
