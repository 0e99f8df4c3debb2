from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from django import template
from django.utils import timezone
from django.utils.html import format_html

from dae.core.money import fmt_yuan

register = template.Library()


@register.simple_tag
def cell(obj: Any, column: Any) -> Any:
    value = column.render(obj)
    if isinstance(value, Decimal):
        value = fmt_yuan(value)
    elif isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
    href = column.href(obj)
    if href:
        return format_html('<a href="{}">{}</a>', href, value)
    return value


@register.filter
def yuan(value: Decimal | None) -> str:
    return "" if value is None else fmt_yuan(value)


@register.filter
def mask_account(account: str | None) -> str:
    """``{{ order.bank_account|mask_account }}`` → ``0811 **** 0001``."""
    from dae.core.masking import mask_account as mask

    return mask(account or "")


@register.filter
def codename(code: str | None, codelist: str) -> str:
    """``{{ value|codename:"med_type" }}`` → ``21 普通住院`` (the code alone when the dictionary lacks it)."""
    from dae.dictionaries import codes

    return codes.label(codelist, code)
