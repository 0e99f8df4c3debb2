"""Pages for insured persons and employer units. Every staff view of a person is written to the access log."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from dae.core.access import record_access
from dae.core.models import AccessRecord
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, Filter, ScopedListView

from .models import Enrolment, Person, Unit

#: Posts that may see a full certificate number (each full view is recorded).
FULL_CERTNO_POSTS = frozenset({"manager", "settlement", "checker", "service"})


class PersonList(ScopedListView):
    log_access = True
    model = Person
    title = _("参保人")
    columns = (
        Column(_("人员编号"), "psn_no", link="enrollment:person_detail", link_kw="psn_no"),
        Column(_("姓名"), "psn_name"),
        Column(_("证件号码"), "masked_certno"),
        Column(_("性别"), "gend"),
        Column(_("出生日期"), "brdy"),
        Column(_("统筹区"), "region.name"),
        Column(_("单位"), "unit.emp_name"),
    )
    search_fields = ("psn_no", "psn_name", "certno")
    search_placeholder = _("人员编号 / 姓名 / 证件号码")
    filters = (Filter("gend", _("性别"), "gend", Person.Gender.choices),)

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "unit")


def person_detail(request: HttpRequest, psn_no: str) -> HttpResponse:
    user: Any = request.user
    person = get_scoped_or_404(Person, request, psn_no=psn_no)
    show_full = request.GET.get("full") == "1" and user.post in FULL_CERTNO_POSTS
    record_access(request, person, AccessRecord.Why.FULL_CERTNO if show_full else AccessRecord.Why.BUSINESS)
    context = {
        "title": person.psn_name,
        "person": person,
        "certno": person.certno if show_full else person.masked_certno,
        "can_show_full": user.post in FULL_CERTNO_POSTS and not show_full,
        "enrolments": Enrolment.objects.filter(person=person).order_by("recorded_at", "id"),
        "settlements": person.settlement_set.select_related("hospital").order_by("setl_time")[:200],
    }
    return render(request, "enrollment/person_detail.html", context)


class UnitList(ScopedListView):
    model = Unit
    title = _("参保单位")
    columns = (Column(_("单位编号"), "emp_no"), Column(_("单位名称"), "emp_name"), Column(_("统筹区"), "region.name"))
    search_fields = ("emp_no", "emp_name__icontains")
    search_placeholder = _("单位编号 / 名称")

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region")
