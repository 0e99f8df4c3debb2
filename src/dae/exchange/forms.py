"""Forms of the exchange pages: they parse and present; the actions check again (the month through
``core.inputs``)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}


class MonthRunForm(forms.Form):
    region = forms.ChoiceField(label=_("统筹区"), widget=forms.Select(attrs=SELECT))
    month = forms.CharField(label=_("对账月份"), max_length=7,
                            widget=forms.TextInput(attrs={**TEXT, "type": "month", "placeholder": "YYYY-MM"}))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions


class ResolveForm(forms.Form):
    note = forms.CharField(label=_("处理说明"), max_length=500, widget=forms.Textarea(attrs={**TEXT, "rows": 2}))


class PersonQueryForm(forms.Form):
    region = forms.ChoiceField(label=_("统筹区"), widget=forms.Select(attrs=SELECT))
    certno = forms.CharField(label=_("证件号码"), max_length=18, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
