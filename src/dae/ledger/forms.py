"""Forms of the ledger pages: the manual journal entry (手工记账) and the reversal (冲正)."""

from __future__ import annotations

import uuid
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.core import inputs
from dae.core.errors import InvalidInput
from dae.core.inputs import BoundedDateFormField
from dae.core.money import ZERO

from .models import Account
from .rules import Line

#: Rows offered by the entry form; empty rows are ignored.
ENTRY_ROWS = 6
DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class EntryForm(forms.Form):
    """The header of a manual entry; its legs are the ``account_N``/``debit_N``/``credit_N`` rows of the POST."""

    date = BoundedDateFormField(label=_("记账日期"), widget=DATE_WIDGET)
    region = forms.ChoiceField(label=_("统筹区"), widget=forms.Select(attrs={"class": "form-select"}))
    description = forms.CharField(label=_("摘要"), max_length=300,
                                  widget=forms.TextInput(attrs={"class": "form-control"}))
    reference_id = forms.CharField(label=_("业务编号"), max_length=64, required=False,
                                   help_text=_("如发票号、银行回单号"),
                                   widget=forms.TextInput(attrs={"class": "form-control"}))
    key = forms.CharField(widget=forms.HiddenInput)

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        initial = kwargs.setdefault("initial", {})
        initial.setdefault("date", timezone.localdate())
        initial.setdefault("key", f"manual:{uuid.uuid4().hex}")
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
        self.lines: list[Line] = []

    def leg_rows(self) -> list[dict[str, str]]:
        """The rows as entered (for re-display after an error)."""
        source = self.data if self.is_bound else {}
        return [{"n": str(i), "account": source.get(f"account_{i}", ""), "debit": source.get(f"debit_{i}", ""),
                 "credit": source.get(f"credit_{i}", "")} for i in range(ENTRY_ROWS)]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        lines = []
        for row in self.leg_rows():
            if not (row["account"] or row["debit"].strip() or row["credit"].strip()):
                continue
            try:
                amounts = [inputs.optional_amount(row[side], field=f"{side}_{row['n']}", label="",
                                                  maximum=inputs.FUND_MAX) or ZERO for side in ("debit", "credit")]
            except InvalidInput as exc:
                if inputs.refusal_kind(exc) == "format":
                    raise forms.ValidationError(gettext("第 %(n)s 行的金额格式错误，请填写如 1234.56 的数字")
                                                % {"n": int(row["n"]) + 1}) from None
                raise forms.ValidationError(
                    gettext("第 %(n)s 行的金额：%(why)s") % {"n": int(row["n"]) + 1, "why": exc.message}) from None
            lines.append(Line(row["account"], amounts[0], amounts[1]))
        self.lines = lines
        return cleaned


class ReverseForm(forms.Form):
    date = BoundedDateFormField(label=_("冲正日期"), widget=DATE_WIDGET)
    reason = forms.CharField(label=_("冲正原因"), max_length=200,
                             widget=forms.TextInput(attrs={"class": "form-control"}))


def postable_accounts() -> list[Account]:
    return list(Account.objects.filter(active=True, postable=True).order_by("code"))
