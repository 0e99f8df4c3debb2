"""The download of a page that is not a paged list (a trial balance, balances at a date, unmatched items), and the
header block every export carries (what, how many rows, who, when, which filters)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext

from dae.core.access import record_export
from dae.core.errors import InvalidInput, PermissionDenied
from dae.core.exports import ExportColumn, csv_bytes, export_response, xlsx_bytes

from .codes import Code
from .lookups import LOOKUPS


def header_lines(request: HttpRequest, title: str, count: int, described: Sequence[str]) -> list[str]:
    """The header block of every export: what and how many rows, who (name and post), when, which filters."""
    user: Any = request.user
    who = f"{getattr(user, 'display_name', '') or user.get_username()}（{getattr(user, 'post_label', '')}）"
    return [
        gettext("%(title)s（共 %(n)s 条）") % {"title": title, "n": count},
        gettext("导出人：%(who)s") % {"who": who},
        gettext("导出时间：%(at)s") % {"at": timezone.localtime().strftime("%Y-%m-%d %H:%M:%S")},
        gettext("筛选条件：%(f)s") % {"f": "；".join(described) if described else gettext("无（全部记录）")},
    ]


def export_report(request: HttpRequest, fmt: str, *, title: str, columns: Sequence[ExportColumn],
                  rows: Sequence[Sequence[Any]], totals: Sequence[Any] | None, described: Sequence[str]) -> HttpResponse:
    """A report that is not a paged list (a trial balance, balances at a date, unmatched items) downloaded as the
    lists are: refused for posts the matrix does not let export the page, the same header block, yuan formats,
    its totals row, and one access record (原因 export) with the full address."""
    if fmt not in ("xlsx", "csv"):
        raise InvalidInput(gettext("导出格式只能是 xlsx 或 csv"), code=Code.BAD_EXPORT_FORMAT)
    match = request.resolver_match
    route = match.view_name if match else ""
    if not LOOKUPS.may_export(request.user, route):
        raise PermissionDenied(gettext("当前岗位不能导出此列表"))
    header = header_lines(request, title, len(rows), described)
    if fmt == "xlsx":
        content = xlsx_bytes([(title, columns, rows)], header_lines=header, totals=totals)
    else:
        content = csv_bytes(columns, rows, header_lines=header, totals=totals)
    record_export(request, route, len(rows), fmt)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    return export_response(content, f"{title}-{stamp}", fmt)


def report_export_links(request: HttpRequest) -> dict[str, Any]:
    """What ``web/_report_export.html`` needs: whether the post may export the page, and its query string."""
    match = request.resolver_match
    query = request.GET.copy()
    query.pop("export", None)
    return {"can_export": LOOKUPS.may_export(request.user, match.view_name if match else ""),
            "querystring": query.urlencode()}

