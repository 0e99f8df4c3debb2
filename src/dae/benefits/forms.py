from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dae.core.inputs import CLAIM_MAX, AmountFormField, BoundedDateFormField
from dae.web.forms import StyledFormMixin


class SourceForm(StyledFormMixin, forms.Form):
    source_text = forms.CharField(label=_("规则文本 (YAML)"), widget=forms.Textarea(attrs={"rows": 28, "spellcheck": "false",
                                                                                   "class": "font-monospace small"}))


class PublishForm(StyledFormMixin, forms.Form):
    effective = BoundedDateFormField(label=_("生效日期"), widget=forms.DateInput(attrs={"type": "date"}))


PLACE_CHOICES = (
    ("local", _("本地就医")), ("long_term_offsite", _("长期异地就医")),
    ("long_term_offsite_not_direct", _("异地未直接结算")), ("referred", _("转诊转院")),
    ("self_referred", _("未履行程序自行异地就医")), ("emergency_away", _("临时外出急诊")),
)
WAY_CHOICES = (("direct", _("即时结算")), ("manual", _("手工报销")))
AMOUNT_FIELDS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


class TrialHeaderForm(StyledFormMixin, forms.Form):
    region = forms.ChoiceField(label=_("统筹区"), choices=())
    psn_no = forms.CharField(label=_("人员编号"), max_length=30, initial="P0001")
    upload = forms.FileField(label=_("或上传试算文件 (JSON)"), required=False)

    def __init__(self, *args: object, regions: list[tuple[str, str]] = (), **kwargs: object) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["region"].choices = regions


class TrialRowForm(StyledFormMixin, forms.Form):
    setl_id = forms.CharField(label=_("结算ID"), max_length=30)
    setl_time = forms.DateTimeField(label=_("结算时间"), widget=forms.DateTimeInput(attrs={"type": "datetime-local"}))
    adm_date = BoundedDateFormField(label=_("入院日期"), widget=forms.DateInput(attrs={"type": "date"}))
    dscg_date = BoundedDateFormField(label=_("出院日期"), widget=forms.DateInput(attrs={"type": "date"}))
    place_category = forms.ChoiceField(label=_("就医地类别"), choices=PLACE_CHOICES)
    settle_way = forms.ChoiceField(label=_("结算方式"), choices=WAY_CHOICES)
    medfee_sumamt = AmountFormField(label=_("医疗费总额"), maximum=CLAIM_MAX)
    fulamt_ownpay_amt = AmountFormField(label=_("全自费"), maximum=CLAIM_MAX)
    overlmt_selfpay = AmountFormField(label=_("超限价"), maximum=CLAIM_MAX)
    preselfpay_amt = AmountFormField(label=_("先行自付"), maximum=CLAIM_MAX)
    inscp_scp_amt = AmountFormField(label=_("符合范围"), maximum=CLAIM_MAX)


TrialRowFormSet = forms.formset_factory(TrialRowForm, extra=0, min_num=1, validate_min=True, max_num=200)
