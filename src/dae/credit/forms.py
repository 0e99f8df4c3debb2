"""Forms of the credit pages. Amounts are read as text and turned into ``Decimal`` by the actions (never float);
the violation form carries a hidden key generated when it is shown, so a double submit records once."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.inputs import BoundedDateFormField

from .models import DEFAULTS, Level, PartyKind, PeriodKind

TEXT = {"class": "form-control"}
SELECT = {"class": "form-select"}
NUMBER = {"class": "form-control"}
DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
LIST_LEVELS = [(Level.WATCH.value, Level.WATCH.label), (Level.BLACK.value, Level.BLACK.label)]


def _reason(label: Any) -> forms.CharField:
    return forms.CharField(label=label, max_length=300, widget=forms.TextInput(attrs=TEXT))


class RegionForm(forms.Form):
    region = forms.ChoiceField(label=_("统筹区"), widget=forms.Select(attrs=SELECT))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions


class ListForm(forms.Form):
    """人工列入 an existing party."""

    level = forms.ChoiceField(label=_("名单"), choices=LIST_LEVELS, widget=forms.Select(attrs=SELECT))
    reason = _reason(_("列入原因"))


class DelistForm(forms.Form):
    reason = _reason(_("移出原因"))


class NewListingForm(RegionForm):
    """人工列入 a party by its kind and code (it need not have any violation yet)."""

    kind = forms.ChoiceField(label=_("对象类型"), choices=PartyKind.choices, widget=forms.Select(attrs=SELECT))
    code = forms.CharField(
        label=_("编码"), max_length=30, help_text=_("机构编码、医师编码或人员编号"), widget=forms.TextInput(attrs=TEXT)
    )
    level = forms.ChoiceField(label=_("名单"), choices=LIST_LEVELS, widget=forms.Select(attrs=SELECT))
    reason = _reason(_("列入原因"))


class ViolationForm(RegionForm):
    """登记违规: a violation found outside the smart audit (on-site inspection, a report, …)."""

    kind = forms.ChoiceField(label=_("对象类型"), choices=PartyKind.choices, widget=forms.Select(attrs=SELECT))
    code = forms.CharField(
        label=_("编码"), max_length=30, help_text=_("机构编码、医师编码或人员编号"), widget=forms.TextInput(attrs=TEXT)
    )
    amount = forms.CharField(
        label=_("违规金额（元）"),
        max_length=20,
        widget=forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "decimal"}),
    )
    on = BoundedDateFormField(label=_("认定日期"), widget=DATE_WIDGET)
    document = forms.CharField(label=_("认定文书号"), max_length=40, required=False, widget=forms.TextInput(attrs=TEXT))
    note = forms.CharField(label=_("违规情况"), max_length=300, widget=forms.TextInput(attrs=TEXT))
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("on", timezone.localdate())
        initial.setdefault("key", uuid.uuid4().hex)
        super().__init__(*args, **kwargs)


def _int(label: Any, low: int, high: int, help_text: Any = "") -> forms.IntegerField:
    return forms.IntegerField(
        label=label, min_value=low, max_value=high, help_text=help_text, widget=forms.NumberInput(attrs=NUMBER)
    )


class SettingsForm(forms.Form):
    window_months = _int(_("计分周期（月）"), 1, 120, _("违规扣分在此期间内有效"))
    base_points = _int(_("每次违规基础扣分"), 0, 100)
    points_per_thousand = _int(_("每千元加扣分"), 0, 100, _("按违规金额每满 1,000 元"))
    max_points = _int(_("单次违规扣分上限"), 1, 100)
    watch_below = _int(_("关注名单线（低于）"), 1, 100)
    black_below = _int(_("黑名单线（低于）"), 0, 100)
    anomaly_threshold = forms.DecimalField(
        label=_("异常阈值（稳健 z）"),
        min_value=1,
        max_value=99,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}),
    )
    min_peers = _int(_("最少同类单位数"), 3, 1000)
    min_volume = _int(_("最少住院人次"), 1, 100000)
    readmit_days = _int(_("再入院间隔（天）"), 1, 90)
    reason = _reason(_("变更原因"))


class ScreeningForm(RegionForm):
    period_kind = forms.ChoiceField(label=_("期间类型"), choices=PeriodKind.choices, widget=forms.Select(attrs=SELECT))
    period = forms.CharField(
        label=_("期间"),
        max_length=10,
        help_text=_("月度 2026-03，季度 2026Q1，年度 2026"),
        widget=forms.TextInput(attrs=TEXT),
    )
    threshold = forms.DecimalField(
        label=_("异常阈值（稳健 z）"),
        required=False,
        min_value=1,
        max_value=99,
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={**NUMBER, "step": "0.01"}),
    )
    min_peers = forms.IntegerField(
        label=_("最少同类单位数"), required=False, min_value=3, max_value=1000, widget=forms.NumberInput(attrs=NUMBER)
    )
    min_volume = forms.IntegerField(
        label=_("最少住院人次"), required=False, min_value=1, max_value=100000, widget=forms.NumberInput(attrs=NUMBER)
    )
    readmit_days = forms.IntegerField(
        label=_("再入院间隔（天）"), required=False, min_value=1, max_value=90, widget=forms.NumberInput(attrs=NUMBER)
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        today = timezone.localdate()
        initial.setdefault("period_kind", PeriodKind.YEAR)
        initial.setdefault("period", str(today.year))
        super().__init__(*args, **kwargs)
        for name in ("min_peers", "min_volume", "readmit_days"):
            self.fields[name].widget.attrs["placeholder"] = str(DEFAULTS[name])
        self.fields["threshold"].widget.attrs["placeholder"] = str(DEFAULTS["anomaly_threshold"])
