"""Figures as people read them: yuan with thousands separators, "无数据" for a period without data, "—" for a
ratio over zero or a change against nothing, and an arrow for a change."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


def _number(value: Decimal, money: bool) -> str:
    return f"{value:,.2f}" if money else f"{value:,}"


@register.filter
def fig(f: Any) -> str:
    """A ``Figure`` (or a cell) as text."""
    value = getattr(f, "value", None)
    if value is None:
        return _("无数据") if getattr(f, "status", "") == "no_data" else "—"
    return _number(value, bool(getattr(f, "money", False)))


@register.filter
def num(value: Any) -> str:
    if value is None or value == "":
        return "—"
    value = Decimal(str(value))
    return f"{value:,.2f}" if value != value.to_integral() or "." in str(value) else f"{value:,}"


@register.filter
def change(value: Any) -> str:
    """A growth in % with an arrow: ▲ 3.2% / ▼ 1.0% / —."""
    if value is None or value == "":
        return format_html('<span class="text-body-secondary">—</span>')
    value = Decimal(str(value))
    if value > 0:
        return format_html('<span class="text-danger">▲ {}%</span>', value)
    if value < 0:
        return format_html('<span class="text-success">▼ {}%</span>', -value)
    return format_html("<span>0.0%</span>")


@register.filter
def at(row: Any, key: str) -> Any:
    return row.get(key) if isinstance(row, dict) else None


@register.simple_tag(takes_context=True)
def tab(context: Any, route: str, label: Any, key: str) -> str:
    """A tab of the statistics pages, shown only to posts the matrix lets open it."""
    from django.urls import reverse

    from dae.accounts.permissions import can

    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can(user, route, write=False):
        return ""
    active = " active" if context.get("tab") == key else ""
    return format_html('<li class="nav-item"><a class="nav-link{}" href="{}">{}</a></li>', active, reverse(route),
                       label)
