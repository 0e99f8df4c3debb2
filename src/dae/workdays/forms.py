from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dae.core.inputs import BoundedDateFormField
from dae.web.forms import StyledFormMixin

from .actions import FIRST_YEAR, LAST_YEAR, NOTE_MAX
from .service import MAX_DAYS

DAY_CHOICES = (("off", _("休息（放假）")), ("work", _("上班（调休上班）")))


class OverrideForm(StyledFormMixin, forms.Form):
    date = BoundedDateFormField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    end = BoundedDateFormField(label=_("至（可选，含当日）"), required=False, widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("安排"), choices=DAY_CHOICES)
    note = forms.CharField(label=_("说明"), max_length=NOTE_MAX, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("如：春节，国办发明电〔2026〕X号")}))


class RemoveOverrideForm(forms.Form):
    date = BoundedDateFormField(label=_("日期"))


class ConfirmYearForm(StyledFormMixin, forms.Form):
    year = forms.IntegerField(label=_("年度"), min_value=FIRST_YEAR, max_value=LAST_YEAR)
    note = forms.CharField(label=_("说明"), max_length=NOTE_MAX, required=False,
                           widget=forms.TextInput(attrs={"placeholder": _("通知文号")}))


class DeadlineForm(StyledFormMixin, forms.Form):
    start = BoundedDateFormField(label=_("起算日（当日不计入）"), widget=forms.DateInput(attrs={"type": "date"}))
    days = forms.IntegerField(label=_("工作日天数"), min_value=0, max_value=MAX_DAYS)
