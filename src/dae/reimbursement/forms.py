"""The window's forms: the claim (case, amounts, bank account, materials) and its invoices."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.catalog.models import Hospital
from dae.claims.models import Settlement
from dae.core.inputs import CLAIM_MAX, AmountFormField, BoundedDateFormField
from dae.dictionaries import codes
from dae.web.forms import StyledFormMixin

from . import checklist
from .feefile import LineInput
from .inputs import ClaimInput, InvoiceInput
from .models import TOTAL_FIELDS, ManualClaim

_DATE = {"type": "date"}
_MONEY = {"inputmode": "decimal", "class": "text-end"}


def _money(label: Any) -> AmountFormField:
    return AmountFormField(label=label, required=False, maximum=CLAIM_MAX)


class ClaimForm(StyledFormMixin, forms.Form):
    psn_no = forms.CharField(label=_("人员编号"), max_length=30)
    received_on = BoundedDateFormField(label=_("受理日期"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    phone = forms.CharField(label=_("手机号码（接收短信通知）"), max_length=20, required=False)
    hospital = forms.ChoiceField(label=_("医疗机构"))
    place_category = forms.ChoiceField(label=_("就医地类别"), choices=Settlement.PlaceCategory.choices)
    med_type = forms.ChoiceField(label=_("医疗类别"))
    adm_date = BoundedDateFormField(label=_("入院（就诊）日期"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    dscg_date = BoundedDateFormField(label=_("出院日期"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    dise_codg = forms.CharField(label=_("主诊断编码"), max_length=20)
    dise_name = forms.CharField(label=_("主诊断名称"), max_length=100)
    injury = forms.BooleanField(label=_("意外伤害"), required=False)
    entry_mode = forms.ChoiceField(label=_("费用录入方式"), choices=ManualClaim.EntryMode.choices,
                                   widget=forms.RadioSelect, initial=ManualClaim.EntryMode.TOTALS)
    medfee_sumamt = _money(_("医疗费总额"))
    fulamt_ownpay_amt = _money(_("全自费金额"))
    overlmt_selfpay = _money(_("超限价自费"))
    preselfpay_amt = _money(_("先行自付金额"))
    inscp_scp_amt = _money(_("符合政策范围金额"))
    fee_file = forms.FileField(label=_("费用明细文件（CSV / Excel）"), required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40)
    account_name = forms.CharField(label=_("账户名"), max_length=50)
    note = forms.CharField(label=_("备注"), max_length=500, required=False,
                           widget=forms.Textarea(attrs={"rows": 2}))
    materials = forms.MultipleChoiceField(label=_("已收材料"), required=False, widget=forms.CheckboxSelectMultiple)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hospital"].choices = [("", "—")] + [
            (h.code, f"{h.name}（{h.code}）") for h in Hospital.objects.order_by("region_id", "code")]
        self.fields["med_type"].choices = codes.choices("med_type")
        self.fields["materials"].choices = [(c, str(spec["label"])) for c, spec in checklist.MATERIALS.items()]
        self.fields["entry_mode"].widget.attrs.pop("class", None)
        self.fields["materials"].widget.attrs.pop("class", None)
        if not self.is_bound and "received_on" not in self.initial:
            self.initial["received_on"] = timezone.localdate()

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("entry_mode") == ManualClaim.EntryMode.TOTALS:
            for name in TOTAL_FIELDS:
                if data.get(name) is None and name not in self.errors:
                    self.add_error(name, _("按结算合计录入时必填"))
        return data


class InvoiceForm(StyledFormMixin, forms.Form):
    number = forms.CharField(label=_("发票号码"), max_length=50)
    date = BoundedDateFormField(label=_("开票日期"), widget=forms.DateInput(attrs=_DATE, format="%Y-%m-%d"))
    amount = AmountFormField(label=_("发票金额"), maximum=CLAIM_MAX)


InvoiceFormSet = forms.formset_factory(InvoiceForm, extra=2, min_num=1, validate_min=True, max_num=100)


class ReasonForm(StyledFormMixin, forms.Form):
    reason = forms.CharField(label=_("原因"), max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


def initial_for(claim: ManualClaim) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The form's initial values for editing ``claim``, and its invoices."""
    initial: dict[str, Any] = {name: getattr(claim, name) for name in (
        "psn_no", "received_on", "phone", "place_category", "med_type", "adm_date", "dscg_date", "dise_codg",
        "dise_name", "injury", "entry_mode", "bank_name", "bank_account", "account_name", "note", "materials",
        *TOTAL_FIELDS)}
    initial["hospital"] = claim.hospital.code
    invoices = [{"number": i.number, "date": i.date, "amount": i.amount} for i in claim.invoices.all()]
    return initial, invoices


def claim_input(form: ClaimForm, invoices: Any, fee_lines: list[LineInput]) -> ClaimInput:
    """A ``ClaimInput`` from valid forms (the fee lines already read from the file, or the claim's own)."""
    data = form.cleaned_data
    lines_mode = data["entry_mode"] == ManualClaim.EntryMode.LINES
    return ClaimInput(
        psn_no=data["psn_no"], hospital_code=data["hospital"], place_category=data["place_category"],
        med_type=data["med_type"], adm_date=data["adm_date"], dscg_date=data["dscg_date"],
        dise_codg=data["dise_codg"], dise_name=data["dise_name"], injury=data["injury"],
        invoices=[InvoiceInput(f.cleaned_data["number"], f.cleaned_data["date"], f.cleaned_data["amount"])
                  for f in invoices.forms if f.cleaned_data and not f.cleaned_data.get("DELETE")],
        bank_name=data["bank_name"], bank_account=data["bank_account"], account_name=data["account_name"],
        totals=None if lines_mode else {name: data[name] for name in TOTAL_FIELDS},
        fee_lines=fee_lines if lines_mode else (), phone=data.get("phone") or "", note=data.get("note") or "",
        received_on=data["received_on"], materials=data.get("materials") or [])
