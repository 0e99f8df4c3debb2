"""Forms of the inspection pages. They parse and present; every rule is checked again by the action (amounts are
read as text and turned into ``Decimal`` there, never float), so a page and the API refuse the same input with
the same Chinese message."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.inputs import BoundedDateFormField

from .models import Comparison, Inspection, Investigation, SampleItem

DATE_WIDGET = forms.DateInput(attrs={"type": "date", "class": "form-control form-control-sm"}, format="%Y-%m-%d")
TEXT = {"class": "form-control form-control-sm"}
SELECT = {"class": "form-select form-select-sm"}
AMOUNT = {"class": "form-control form-control-sm text-end", "inputmode": "decimal"}
RADIO = {"class": "form-check-input"}


def _text(label: Any, *, required: bool = True, max_length: int = 300, rows: int = 0, help_text: Any = "") -> Any:
    widget = forms.Textarea(attrs={**TEXT, "rows": rows}) if rows else forms.TextInput(attrs=TEXT)
    return forms.CharField(label=label, required=required, max_length=max_length, widget=widget, help_text=help_text)




def _typed_amount_field(label: Any, *, required: bool = True, initial: Any = None) -> Any:
    """An amount as typed; the action reads it through ``core.inputs`` and words the refusal."""
    return forms.CharField(
        label=label, required=required, max_length=24, initial=initial, widget=forms.TextInput(attrs=AMOUNT)
    )


class DrawForm(forms.Form):
    region = forms.ChoiceField(label=_("统筹区"), widget=forms.Select(attrs=SELECT))
    month = forms.CharField(
        label=_("结算月份"),
        max_length=7,
        widget=forms.TextInput(attrs={**TEXT, "type": "month", "placeholder": "YYYY-MM"}),
    )
    seed = forms.CharField(
        label=_("随机种子"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs=TEXT),
        help_text=_("留空由系统随机生成；填写相同种子可重现抽样"),
    )
    inpatient_ratio = forms.CharField(
        label=_("住院结算抽样比例（%）"), max_length=6, widget=forms.TextInput(attrs=TEXT)
    )
    cross_province_ratio = forms.CharField(
        label=_("跨省异地住院抽样比例（%）"), max_length=6, widget=forms.TextInput(attrs=TEXT)
    )
    deadline_days = forms.CharField(label=_("完成时限（工作日）"), max_length=3, widget=forms.TextInput(attrs=TEXT))

    def __init__(self, *args: Any, regions: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions


class SettingsForm(forms.Form):
    inpatient_ratio = forms.CharField(
        label=_("住院结算抽样比例（%）"), max_length=6, widget=forms.TextInput(attrs=TEXT)
    )
    cross_province_ratio = forms.CharField(
        label=_("跨省异地住院抽样比例（%）"), max_length=6, widget=forms.TextInput(attrs=TEXT)
    )
    deadline_days = forms.CharField(label=_("复审完成时限（工作日）"), max_length=3, widget=forms.TextInput(attrs=TEXT))
    reason = _text(_("变更原因"))


class ReviewForm(forms.Form):
    """The three comparisons (三比对), the amount not payable and the conclusion."""

    system_vs_record = forms.ChoiceField(
        label=_("系统明细与病历"), choices=Comparison.choices, required=False, widget=forms.RadioSelect(attrs=RADIO)
    )
    system_vs_record_note = _text(_("说明"), required=False, max_length=500)
    record_vs_bill = forms.ChoiceField(
        label=_("病历与费用清单"), choices=Comparison.choices, required=False, widget=forms.RadioSelect(attrs=RADIO)
    )
    record_vs_bill_note = _text(_("说明"), required=False, max_length=500)
    system_vs_bill = forms.ChoiceField(
        label=_("系统明细与费用清单"), choices=Comparison.choices, required=False, widget=forms.RadioSelect(attrs=RADIO)
    )
    system_vs_bill_note = _text(_("说明"), required=False, max_length=500)
    not_payable = _typed_amount_field(_("不予支付金额（元）"), required=False, initial="0.00")
    conclusion = forms.ChoiceField(
        label=_("审核结论"),
        choices=SampleItem.Conclusion.choices,
        required=False,
        widget=forms.RadioSelect(attrs=RADIO),
    )
    opinion = _text(_("审核意见"), required=False, max_length=500, rows=2)

    COMPARISON_ROWS = (
        ("system_vs_record", "system_vs_record_note"),
        ("record_vs_bill", "record_vs_bill_note"),
        ("system_vs_bill", "system_vs_bill_note"),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for _result, note in self.COMPARISON_ROWS:
            self.fields[note].widget.attrs["placeholder"] = _("不一致时须填写说明")

    def rows(self) -> list[tuple[Any, Any]]:
        return [(self[result], self[note]) for result, note in self.COMPARISON_ROWS]


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("文件（JPG、PNG 或 PDF，不超过 10 MB）"),
        widget=forms.ClearableFileInput(attrs={**TEXT, "accept": ".jpg,.jpeg,.png,.pdf"}),
    )
    note = _text(_("说明"), required=False, max_length=200)
    finding = forms.TypedChoiceField(
        label=_("所属问题"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=SELECT)
    )

    def __init__(self, *args: Any, findings: list[tuple[Any, str]] | None = None, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if findings is None:
            del self.fields["finding"]
        else:
            self.fields["finding"].choices = [("", _("整次巡查"))] + [(f, label) for f, label in findings]


class InspectionForm(forms.Form):
    hospital = forms.TypedChoiceField(label=_("医疗机构"), coerce=int, widget=forms.Select(attrs=SELECT))
    inspected_on = BoundedDateFormField(label=_("巡查日期"), initial=timezone.localdate)
    kind = forms.ChoiceField(label=_("巡查类型"), choices=Inspection.Kind.choices, widget=forms.Select(attrs=SELECT))
    inspectors = forms.TypedMultipleChoiceField(
        label=_("巡查人员"),
        coerce=int,
        help_text=_("通常两人"),
        widget=forms.SelectMultiple(attrs={**SELECT, "size": 4}),
    )
    summary = _text(_("巡查情况"), required=False, max_length=2000, rows=3)

    def __init__(
        self,
        *args: Any,
        hospitals: list[tuple[int, str]],
        inspectors: list[tuple[int, str]],
        with_hospital: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["hospital"].choices = hospitals
        self.fields["inspectors"].choices = inspectors
        if not with_hospital:
            del self.fields["hospital"]


class FindingForm(forms.Form):
    description = _text(_("问题描述"), max_length=500)
    basis = _text(_("违规依据"), help_text=_("协议条款、政策文件或收费标准"))
    amount = _typed_amount_field(_("扣款金额（元）"), initial="0.00")


class ReasonForm(forms.Form):
    reason = _text(_("退回原因"))


class ConfirmForm(forms.Form):
    on = BoundedDateFormField(label=_("确认日期"), initial=timezone.localdate)


class InvestigationForm(forms.Form):
    region = forms.ChoiceField(label=_("委托统筹区"), widget=forms.Select(attrs=SELECT))
    setl_id = forms.CharField(label=_("结算ID"), required=False, max_length=30, widget=forms.TextInput(attrs=TEXT))
    psn_no = forms.CharField(label=_("人员编号"), required=False, max_length=30, widget=forms.TextInput(attrs=TEXT))
    hospital_name = forms.CharField(
        label=_("就医机构"), required=False, max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    hospital_place = forms.CharField(
        label=_("就医地"), required=False, max_length=100, widget=forms.TextInput(attrs=TEXT)
    )
    subject = _text(_("协查事项"), max_length=1000, rows=2)
    assignee = forms.TypedChoiceField(
        label=_("承办人"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=SELECT)
    )
    assigned_region = forms.ChoiceField(
        label=_("承办机构（统筹区）"), required=False, widget=forms.Select(attrs=SELECT)
    )
    created_on = BoundedDateFormField(label=_("委托日期"), initial=timezone.localdate)

    def __init__(
        self,
        *args: Any,
        regions: list[tuple[str, str]],
        branches: list[tuple[str, str]],
        assignees: list[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions
        self.fields["assigned_region"].choices = [("", "—"), *branches]
        self.fields["assignee"].choices = [("", "—"), *assignees]


class AssignForm(forms.Form):
    assignee = forms.TypedChoiceField(
        label=_("承办人"), required=False, coerce=int, empty_value=None, widget=forms.Select(attrs=SELECT)
    )
    assigned_region = forms.ChoiceField(
        label=_("承办机构（统筹区）"), required=False, widget=forms.Select(attrs=SELECT)
    )

    def __init__(
        self, *args: Any, branches: list[tuple[str, str]], assignees: list[tuple[int, str]], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_region"].choices = [("", "—"), *branches]
        self.fields["assignee"].choices = [("", "—"), *assignees]


class ResultForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("协查结论"), choices=Investigation.Outcome.choices, widget=forms.Select(attrs=SELECT)
    )
    amount = _typed_amount_field(_("涉及金额（元）"), initial="0.00")
    result_on = BoundedDateFormField(label=_("结果日期"), initial=timezone.localdate)
    result_text = _text(_("协查结果"), max_length=1000, rows=3)


class FeedbackForm(forms.Form):
    feedback_on = BoundedDateFormField(label=_("反馈日期"), initial=timezone.localdate)
    feedback_text = _text(_("反馈内容"), max_length=1000, rows=2)
