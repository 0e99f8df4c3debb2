"""Pages for designated hospitals."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, Filter, ScopedListView

from .models import Hospital

LEVELS = (("02", "三级甲等"), ("05", "二级甲等"), ("08", "一级甲等"), ("11", "无等级"))


class HospitalList(ScopedListView):
    model = Hospital
    title = _("定点医疗机构")
    columns = (
        Column(_("机构编码"), "code", link="catalog:hospital_detail", link_kw="code"),
        Column(_("机构名称"), "name"),
        Column(_("医院等级"), "level"),
        Column(_("机构类型"), "kind"),
        Column(_("统筹区"), "region.name"),
        Column(_("状态"), "status"),
    )
    search_fields = ("code", "name__icontains")
    search_placeholder = _("机构编码 / 名称")
    filters = (Filter("level", _("医院等级"), "level", LEVELS), Filter("status", _("状态"), "status",
                                                                    Hospital.Status.choices))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region")


def hospital_detail(request: HttpRequest, code: str) -> HttpResponse:
    hospital = get_scoped_or_404(Hospital, request, code=code)
    return render(request, "catalog/hospital_detail.html", {"title": hospital.name, "hospital": hospital})
