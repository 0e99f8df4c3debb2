from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django import template
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext

from dae.accounts.permissions import can
from dae.accounts.posts import Post
from dae.core import masking
from dae.core.money import fmt_yuan
from dae.dictionaries import codes
from dae.web import names

register = template.Library()


@register.simple_tag
def cell(obj: Any, column: Any) -> Any:
    codelist = getattr(column, "codelist", None)
    if codelist:
        code = column.raw(obj)
        shown = coded(code, codelist)
        href = column.href(obj)
        return format_html('<a href="{}">{}</a>', href, shown) if href else shown
    value = column.render(obj)
    if isinstance(value, Decimal):
        value = fmt_yuan(value)
    elif isinstance(value, datetime):
        value = timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else value
        value = format_html('<span class="text-nowrap">{}</span>', value)
    elif isinstance(value, date):
        value = format_html('<span class="text-nowrap">{}</span>', value.isoformat())
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
    return masking.mask_account(account or "")


@register.filter
def codename(code: str | None, codelist: str) -> str:
    """``{{ value|codename:"med_type" }}`` → ``21 普通住院`` (the code alone when the dictionary lacks it)."""
    return codes.label(codelist, code)


@register.filter
def coded(code: Any, codelist: str) -> str:
    """A dictionary code as its name with the code in small type beside it (staff pages):
    ``{{ s.med_type|coded:"med_type" }}`` → ``普通住院 <small>21</small>``; the code alone (marked as unknown)
    when the dictionary lacks it."""
    if code is None or code == "":
        return ""
    text = str(code)
    name = codes.name(codelist, text)
    if name == text:
        return format_html('<span class="code-unknown" title="{}">{}</span>', _unknown(), text)
    return format_html('{} <small class="text-body-secondary code">{}</small>', name, text)


def _unknown() -> str:
    return gettext("字典中没有此代码")


@register.simple_tag(takes_context=True)
def crumb(context: Any, route: str, label: Any, *args: Any) -> str:
    """A breadcrumb that links only where the user may go (the permission matrix); plain text otherwise:
    ``{% crumb "claims:settlement_list" _("结算记录") %}``."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is not None and can(user, route, write=False):
        return format_html('<li class="breadcrumb-item"><a href="{}">{}</a></li>', reverse(route, args=args), label)
    return format_html('<li class="breadcrumb-item">{}</li>', label)


@register.filter
def event_name(action: str | None) -> str:
    """``{{ e.action|event_name }}`` → ``报销申请·已受理`` (never the dotted name alone; see ``web.names``)."""
    return names.event_name(action)


@register.filter
def object_name(object_type: str | None) -> str:
    """``{{ e.object_type|object_name }}`` → ``结算记录``."""
    return names.object_name(object_type)


@register.filter
def nameof(code: str | None, codelist: str) -> str:
    """Only the name of a dictionary code (for insured persons and printed documents): ``普通住院``."""
    return codes.name(codelist, code)


@register.filter
def policy_basis(ref: str | None) -> str:
    """A trace step's reference to the calculation model as a person reads it, never a file name:
    ``benefit-policy.md §2 step 5, §4`` → ``补偿计算模型 第2节第5步、第4节``."""
    if not ref:
        return ""
    text = re.sub(r"^[\w-]+\.md\s*", "", ref)

    def part(match: re.Match[str]) -> str:
        section, steps = match.group(1), match.group(3)
        if not steps:
            return gettext("第%(s)s节") % {"s": section}
        return gettext("第%(s)s节第%(n)s步") % {"s": section, "n": steps.replace("-", "–")}

    parts = [re.sub(r"§(\d+)(\s+steps?\s+([\d-]+))?", part, p.strip()) for p in text.split(",")]
    return gettext("补偿计算模型") + " " + "、".join(parts)


@register.filter
def may_open(user: Any, route: str) -> bool:
    """Whether ``user`` may open the page ``route`` (the permission matrix), for a link shown only then:
    ``{% if request.user|may_open:"security:token_new" %}``."""
    return can(user, route, write=False)


@register.filter
def post_name(code: str | None) -> str:
    """A post's code (``reviewer``) as its name (复核岗)."""
    if not code:
        return ""
    return str(dict(Post.choices).get(code, code))
