"""Forms of the fund pages. Amounts are read as text and turned into ``Decimal`` by the actions (never float);
the entry form carries a hidden key generated when it is shown, so a double submit posts once (as the ledger's
手工记账 does)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.inputs import BoundedDateFormField

from .actions import FORM_KINDS
from .models import RED_LEVEL, YELLOW_LEVEL, FundEntry, RiskFundUse

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")
TEXT = {"class": "form-control"}
AMOUNT = {"class": "form-control text-end", "inputmode": "decimal"}


def _amount_field(label: Any, required: bool = True, help_text: Any = "", signed: bool = False) -> forms.CharField:
    """An amount as typed; the action reads it through ``core.inputs`` (bounded, to the fen) and words the refusal
    as finance knows it (``signed``: the action allows a negative amount)."""
    return forms.CharField(label=label, max_length=24, required=required, help_text=help_text,
                           widget=forms.TextInput(attrs=AMOUNT))


def _level_field(label: Any, initial: Any) -> forms.DecimalField:
    return forms.DecimalField(label=label, max_digits=5, decimal_places=2, min_value=0, max_value=100,
                              initial=initial, widget=forms.NumberInput(attrs={"class": "form-control",
                                                                                "step": "0.01"}))


class RegionChoiceForm(forms.Form):
    """A form with the region among the user's ones."""

    region = forms.ChoiceField(label=_("统筹区"), widget=forms.Select(attrs={"class": "form-select"}))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions


class FundYearForm(RegionChoiceForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2099,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    funds_raised = _amount_field(_("筹集资金（元）"))
    on = BoundedDateFormField(label=_("记账日期"), widget=DATE_WIDGET)
    contract_start = BoundedDateFormField(label=_("合同起始日"), required=False, widget=DATE_WIDGET)
    contract_end = BoundedDateFormField(label=_("合同终止日"), required=False, widget=DATE_WIDGET)
    yellow_level = _level_field(_("黄色预警线（%）"), YELLOW_LEVEL)
    red_level = _level_field(_("红色预警线（%）"), RED_LEVEL)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        today = timezone.localdate()
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("year", today.year)
        initial.setdefault("on", today)
        super().__init__(*args, **kwargs)


class FundsChangeForm(forms.Form):
    funds_raised = _amount_field(_("变更后筹集资金（元）"))
    on = BoundedDateFormField(label=_("记账日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    reason = forms.CharField(label=_("变更原因"), max_length=300, widget=forms.TextInput(attrs=TEXT))


class LevelsForm(forms.Form):
    yellow_level = _level_field(_("黄色预警线（%）"), YELLOW_LEVEL)
    red_level = _level_field(_("红色预警线（%）"), RED_LEVEL)
    contract_start = BoundedDateFormField(label=_("合同起始日"), required=False, widget=DATE_WIDGET)
    contract_end = BoundedDateFormField(label=_("合同终止日"), required=False, widget=DATE_WIDGET)
    reason = forms.CharField(label=_("变更原因"), max_length=300, widget=forms.TextInput(attrs=TEXT))


class PrepareForm(RegionChoiceForm):
    year = forms.IntegerField(label=_("年度"), min_value=2000, max_value=2099,
                              widget=forms.NumberInput(attrs={"class": "form-control"}))
    quarter = forms.TypedChoiceField(label=_("季度"), coerce=int, choices=[(q, q) for q in (1, 2, 3, 4)],
                                     widget=forms.Select(attrs={"class": "form-select"}))


class AdjustForm(forms.Form):
    adjustment = _amount_field(_("调整金额（元，可为负数）"), signed=True)
    reason = forms.CharField(label=_("调整原因"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))


class SubmitForm(forms.Form):
    on = BoundedDateFormField(label=_("提交日期"), widget=DATE_WIDGET, initial=timezone.localdate)


class ReceiveForm(forms.Form):
    amount = _amount_field(_("到账金额（元）"))
    on = BoundedDateFormField(label=_("到账日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    slip_no = forms.CharField(label=_("银行回单号"), max_length=64, widget=forms.TextInput(attrs=TEXT))


class EntryForm(RegionChoiceForm):
    """划转、经办费用、利息、临时周转金借入/归还."""

    on = BoundedDateFormField(label=_("业务日期"), widget=DATE_WIDGET)
    amount = _amount_field(_("金额（元）"))
    reference_no = forms.CharField(label=_("单据号"), max_length=64, required=False,
                                   help_text=_("银行回单号、发票号等"), widget=forms.TextInput(attrs=TEXT))
    description = forms.CharField(label=_("摘要"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))
    reason = forms.CharField(label=_("原因"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))
    approval_no = forms.CharField(label=_("审批文号"), max_length=64, required=False, widget=forms.TextInput(attrs=TEXT))
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, kind: str, **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("on", timezone.localdate())
        initial.setdefault("key", f"{kind}:{uuid.uuid4().hex}")
        super().__init__(*args, **kwargs)
        if kind != FundEntry.Kind.REVOLVING_DRAW:
            del self.fields["reason"]
            del self.fields["approval_no"]


def kind_label(kind: str) -> Any:
    return FundEntry.Kind(kind).label if kind in FORM_KINDS else kind


class ClearingForm(forms.Form):
    on = BoundedDateFormField(label=_("清算日期"), widget=DATE_WIDGET, initial=timezone.localdate)
    amount = _amount_field(_("退还金额（元）"), required=False, help_text=_("留空则按报告的超额利润退还"))
    reason = forms.CharField(label=_("清算说明"), max_length=300, widget=forms.TextInput(attrs=TEXT))


# -- risk-adjustment fund (风险调节基金) ------------------------------------------------------------------------

class ReserveRuleForm(forms.Form):
    """设置提取比例 (manager): a share of the year's surplus from a date, for every region or one region."""

    share = forms.CharField(label=_("提取比例（%）"), max_length=8, widget=forms.TextInput(attrs=AMOUNT))
    effective_from = BoundedDateFormField(label=_("生效日期"), widget=DATE_WIDGET)
    region = forms.ChoiceField(label=_("统筹区"), required=False, widget=forms.Select(attrs={"class": "form-select"}))
    reason = forms.CharField(label=_("说明"), max_length=300, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args: Any, regions: list[tuple[str, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = [("", _("全部统筹区")), *(regions or [])]


class RiskUseForm(RegionChoiceForm):
    """申请动用风险调节基金 (finance)."""

    purpose = forms.ChoiceField(label=_("用途"), widget=forms.Select(attrs={"class": "form-select"}))
    amount = _amount_field(_("金额（元）"))
    on = BoundedDateFormField(label=_("业务日期"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("申请理由"), max_length=300, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = RiskFundUse.Purpose.choices


class RiskDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", _("批准")), ("refuse", _("拒绝"))])
    reason = forms.CharField(label=_("意见"), max_length=300, required=False, widget=forms.TextInput(attrs=TEXT))
