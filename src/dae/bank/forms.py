"""Forms of the bank reconciliation pages: statement upload, manual match and its undo, notes, the day close."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dae.core.inputs import BoundedDateFormField
from dae.core.models import Region
from dae.ledger.entries import CASH_ACCOUNTS
from dae.web.forms import StyledFormMixin

from .actions import MAX_STATEMENT_BYTES
from .queries import cash_accounts

DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def region_choices(user: Any) -> list[tuple[str, str]]:
    return [(r.admdvs, str(r)) for r in Region.objects.filter(admdvs__in=user.region_codes)]


def account_choices() -> list[tuple[str, str]]:
    return [(a.code, f"{a.code} {a.name}") for a in cash_accounts(CASH_ACCOUNTS)]


class UploadForm(StyledFormMixin, forms.Form):
    region = forms.ChoiceField(label=_("统筹区"))
    account = forms.ChoiceField(label=_("银行账户（科目）"))
    period_from = BoundedDateFormField(label=_("对账单起始日期"), required=False, widget=DATE_WIDGET,
                                  help_text=_("可空：默认为最早的交易日期"))
    period_to = BoundedDateFormField(label=_("对账单截止日期"), required=False, widget=DATE_WIDGET,
                                help_text=_("可空：默认为最晚的交易日期"))
    file = forms.FileField(label=_("对账单文件（CSV 或 Excel）"))

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = region_choices(user)
        self.fields["account"].choices = account_choices()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_STATEMENT_BYTES:
            raise forms.ValidationError(_("对账单文件超过 20 MB"))
        return upload


class MatchForm(forms.Form):
    leg = forms.IntegerField(label=_("账面分录"), error_messages={"required": _("请选择要匹配的账面分录"),
                                                               "invalid": _("请选择要匹配的账面分录")})
    reason = forms.CharField(label=_("手工匹配原因"), max_length=300, required=False)


class ReasonForm(forms.Form):
    reason = forms.CharField(label=_("撤销原因"), max_length=300, required=False)


class NoteForm(forms.Form):
    line = forms.IntegerField(required=False)
    leg = forms.IntegerField(required=False)
    text = forms.CharField(label=_("备注"), max_length=300, required=False)


class MatchRunForm(forms.Form):
    region = forms.CharField(max_length=6)
    account = forms.CharField(max_length=20)
    window = forms.IntegerField(min_value=0, max_value=31, required=False)


class CloseForm(forms.Form):
    region = forms.CharField(max_length=6)
    day = BoundedDateFormField(input_formats=["%Y-%m-%d"])
    note = forms.CharField(max_length=300, required=False)
