"""Pages for insured persons and employer units. Every staff view of a person is written to the access log."""

from __future__ import annotations

from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can, can_unmask
from dae.core.access import record_access
from dae.core.errors import DaeError
from dae.core.inputs import BoundedDateFormField
from dae.core.models import AccessRecord
from dae.core.scoping import get_scoped_or_404
from dae.dictionaries import codes
from dae.web.forms import StyledFormMixin
from dae.web.listing import Column, DateRange, Filter, RegionFilter, ScopedListView, TextFilter

from . import actions
from .coverage import coverage_on, effective_records, periods
from .models import ContributionYear, Enrolment, Person, Unit


class PersonList(ScopedListView):
    log_access = True
    model = Person
    title = _("参保人")
    columns = (
        Column(_("人员编号"), "psn_no", link="enrollment:person_detail", link_kw="psn_no"),
        Column(_("姓名"), "psn_name", mask="name"),
        Column(_("证件号码"), "masked_certno", sort="certno"),
        Column(_("性别"), "gend"),
        Column(_("出生日期"), "brdy"),
        Column(_("统筹区"), "region.name"),
        Column(_("单位"), "unit.emp_name"),
    )
    search_fields = ("psn_no", "psn_name")
    search_placeholder = _("人员编号 / 姓名 / 证件号码")
    filters = (RegionFilter(), Filter("gend", _("性别"), "gend", Person.Gender.choices),
               DateRange("brdy", _("出生日期"), "brdy"), TextFilter("unit", _("单位名称"), "unit__emp_name__icontains"))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region", "unit")

    def get_queryset(self) -> Any:
        """An ID number is searched through its keyed hash (the number itself is stored encrypted)."""
        from django.db.models import Q

        from dae.core.crypto import blind_index

        term = self.request.GET.get("q", "").strip()
        if len(term) in (15, 18) and term[:-1].isdigit():
            qs = self.base_queryset().filter(Q(certno_hash=blind_index(term)) | Q(psn_no=term))
            for flt in self.filters:
                value = self.request.GET.get(flt.param, "").strip()
                if value:
                    qs = flt.apply(qs, value)
            return qs
        return super().get_queryset()


class ChangeForm(StyledFormMixin, forms.Form):
    action = forms.ChoiceField(label=_("变更类型"), choices=[("suspend", _("暂停参保")), ("resume", _("恢复参保")),
                                                          ("end", _("终止参保"))])
    day = BoundedDateFormField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}),
                          help_text=_("暂停、终止：当日起不再享受待遇；恢复：当日起恢复"))
    reason = forms.CharField(label=_("变更原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))


class CorrectForm(StyledFormMixin, forms.Form):
    psn_type = forms.ChoiceField(label=_("人员类别"))
    begin_date = BoundedDateFormField(label=_("参保日期"), widget=forms.DateInput(attrs={"type": "date"}))
    pause_date = BoundedDateFormField(label=_("暂停日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end_date = BoundedDateFormField(label=_("终止日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    valid_from = BoundedDateFormField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("更正原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["psn_type"].choices = codes.choices("psn_type")


def _apply_errors(form: forms.Form, error: DaeError) -> None:
    details = error.details if isinstance(error.details, list) else []
    placed = False
    for detail in details:
        name = detail.get("path", "")
        if name in form.fields:
            form.add_error(name, detail["message"])
            placed = True
    if not placed:
        form.add_error(None, error.message)


def person_detail(request: HttpRequest, psn_no: str) -> HttpResponse:
    user: Any = request.user
    person = get_scoped_or_404(Person, request, psn_no=psn_no)
    may_unmask = can_unmask(user, "enrollment:person_detail")  # the matrix's unmask entry
    show_full = request.GET.get("full") == "1" and may_unmask
    can_change = can(user, "enrollment:person_detail")
    change_form = ChangeForm(request.POST or None) if can_change else None
    if request.method == "POST":
        if change_form is None:
            from dae.core.errors import PermissionDenied

            raise PermissionDenied()
        if change_form.is_valid():
            data = change_form.cleaned_data
            do = {"suspend": actions.do_suspend, "resume": actions.do_resume, "end": actions.do_end}[data["action"]]
            try:
                do(user, person, data["day"], data["reason"])
            except DaeError as exc:
                _apply_errors(change_form, exc)
            else:
                return redirect("enrollment:person_detail", psn_no=person.psn_no)
    record_access(request, person, AccessRecord.Why.FULL_CERTNO if show_full else AccessRecord.Why.BUSINESS)
    records = list(Enrolment.objects.filter(person=person).select_related("region", "unit", "recorded_by")
                   .order_by("recorded_at", "id"))
    effective = {r.pk for r in effective_records(records)}
    today = timezone.localdate()
    context = {
        "title": person.psn_name,
        "person": person,
        "certno": person.certno if show_full else person.masked_certno,
        "can_show_full": may_unmask and not show_full,
        "records": [(r, r.pk in effective) for r in records],
        "timeline": periods(records, until=today),
        "coverage": coverage_on(person.psn_no, today),
        "today": today,
        "contributions": ContributionYear.objects.filter(person=person).order_by("-year"),
        "change_form": change_form,
        "can_change": can_change,
        "settlements": person.settlement_set.select_related("hospital").order_by("setl_time")[:200],
    }
    return render(request, "enrollment/person_detail.html", context)


def enrolment_correct(request: HttpRequest, pk: int) -> HttpResponse:
    user: Any = request.user
    record = get_scoped_or_404(Enrolment, request, pk=pk)
    initial = {name: getattr(record, name) for name in actions.CORRECTABLE}
    form = CorrectForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        changes = {k: v for k, v in data.items() if v != getattr(record, k)}
        try:
            actions.do_correct(user, record, changes, reason)
        except DaeError as exc:
            _apply_errors(form, exc)
        else:
            return redirect("enrollment:person_detail", psn_no=record.person.psn_no)
    record_access(request, record.person)
    return render(request, "enrollment/enrolment_correct.html",
                  {"title": _("更正参保记录"), "record": record, "form": form})


class UnitList(ScopedListView):
    model = Unit
    title = _("参保单位")
    columns = (Column(_("单位编号"), "emp_no"), Column(_("单位名称"), "emp_name"), Column(_("统筹区"), "region.name"))
    search_fields = ("emp_no", "emp_name__icontains")
    search_placeholder = _("单位编号 / 名称")
    filters = (RegionFilter(),)

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region")
