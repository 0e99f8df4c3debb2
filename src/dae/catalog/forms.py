from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from dae.core.codes import InputCode
from dae.core.inputs import BoundedDateFormField, decode_text
from dae.dictionaries import codes
from dae.web.forms import StyledFormMixin

from .models import CatalogueItem, Hospital


class HospitalForm(StyledFormMixin, forms.Form):
    name = forms.CharField(label=_("机构名称"), max_length=100)
    level = forms.ChoiceField(label=_("医院等级"), choices=())
    kind = forms.CharField(label=_("机构类型"), max_length=30, required=False)
    bank_name = forms.CharField(label=_("开户银行"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("银行账号"), max_length=40, required=False)
    status = forms.ChoiceField(label=_("状态"), choices=Hospital.Status.choices)
    reason = forms.CharField(label=_("变更原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = codes.choices("hosp_lv")  # type: ignore[attr-defined]


def _dict_field(label: Any, key: str, required: bool = True) -> forms.ChoiceField:
    field = forms.ChoiceField(label=label, required=required, choices=())
    field.codelist = key  # type: ignore[attr-defined]
    return field


class ItemRevisionForm(StyledFormMixin, forms.Form):
    """A new version of a catalogue item (the fields of ``CatalogueItem.CONTENT``), from a begin date."""

    name = forms.CharField(label=_("目录名称"), max_length=200)
    list_type = _dict_field(_("目录类别"), "list_type")
    chrgitm_lv = _dict_field(_("收费项目等级"), "chrgitm_lv")
    med_chrgitm_type = _dict_field(_("医疗收费项目类别"), "med_chrgitm_type")
    spec = forms.CharField(label=_("规格"), max_length=200, required=False)
    dosform = forms.CharField(label=_("剂型"), max_length=100, required=False)
    unit = forms.CharField(label=_("计价单位"), max_length=20, required=False)
    pric_uplmt_amt = forms.DecimalField(label=_("定价上限金额"), max_digits=16, decimal_places=6, min_value=0,
                                        required=False)
    selfpay_prop = forms.DecimalField(label=_("自付比例"), max_digits=5, decimal_places=4, min_value=0, max_value=1,
                                      required=False)
    sp_drug_kind = forms.ChoiceField(label=_("特殊药品类别"), choices=CatalogueItem.SpecialDrug.choices, required=False)
    lmt_sex = _dict_field(_("限定性别"), "gend", required=False)
    lmt_age_min = forms.IntegerField(label=_("限定最小年龄"), min_value=0, max_value=150, required=False)
    lmt_age_max = forms.IntegerField(label=_("限定最大年龄"), min_value=0, max_value=150, required=False)
    max_per_day = forms.DecimalField(label=_("每日最大数量"), max_digits=16, decimal_places=4, min_value=0,
                                     required=False)
    max_per_stay = forms.DecimalField(label=_("每次住院最大数量"), max_digits=16, decimal_places=4, min_value=0,
                                      required=False)
    min_hosp_grade = forms.TypedChoiceField(label=_("限定最低医院级别"), coerce=int, empty_value=None,
                                            choices=[("", "—"), *CatalogueItem.Grade.choices], required=False)
    hosp_lvs = forms.MultipleChoiceField(label=_("限定医院等级"), choices=(), required=False,
                                         widget=forms.SelectMultiple(attrs={"size": 5}))
    dise_prefixes = forms.CharField(label=_("限定诊断编码前缀"), required=False, help_text=_("多个用逗号分隔，如 C,D0"))
    inpatient_only = forms.BooleanField(label=_("限住院使用"), required=False)
    outpatient_only = forms.BooleanField(label=_("限门诊使用"), required=False)
    begin_date = BoundedDateFormField(label=_("新版本开始日期"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    end_date = BoundedDateFormField(label=_("结束日期（不含，可空）"), required=False,
                               widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))
    reason = forms.CharField(label=_("变更原因"), max_length=300, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            key = getattr(field, "codelist", None)
            if key:
                blank = [] if field.required else [("", "—")]
                field.choices = [*blank, *codes.choices(key)]  # type: ignore[attr-defined]
        self.fields["hosp_lvs"].choices = codes.choices("hosp_lv")  # type: ignore[attr-defined]

    def clean_dise_prefixes(self) -> list[str]:
        from .importers import parse_list

        return [p.upper() for p in parse_list(self.cleaned_data.get("dise_prefixes"))]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("inpatient_only") and data.get("outpatient_only"):
            self.add_error("outpatient_only", _("不能同时限住院和限门诊使用"))
        low, high = data.get("lmt_age_min"), data.get("lmt_age_max")
        if low is not None and high is not None and low > high:
            self.add_error("lmt_age_max", _("限定最大年龄小于最小年龄"))
        data["sp_drug_flag"] = bool(data.get("sp_drug_kind"))
        return data


def item_initial(item: CatalogueItem) -> dict[str, Any]:
    initial = {name: getattr(item, name) for name in CatalogueItem.CONTENT}
    initial["dise_prefixes"] = ",".join(item.dise_prefixes or [])
    return initial


class MappingCheckForm(StyledFormMixin, forms.Form):
    hospital = forms.ChoiceField(label=_("医疗机构"), choices=())
    day = BoundedDateFormField(label=_("检查日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                          help_text=_("未在行内写日期的编码按此日期检查（空白为今天）"))
    codes = forms.CharField(label=_("医院目录编码"), required=False,
                            widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
                            help_text=_("每行一个；可写“医院编码,医疗目录编码,日期”"))
    upload = forms.FileField(label=_("或上传 CSV / 文本文件（同样格式）"), required=False)
    setl_id = forms.CharField(label=_("或按结算ID检查其费用明细"), max_length=30, required=False)

    def __init__(self, *args: Any, hospitals: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        self.fields["hospital"].choices = hospitals  # type: ignore[attr-defined]
        if self.data.get("setl_id"):
            self.fields["hospital"].required = False


HEADER_WORDS = {"medins_list_codg", "医药机构目录编码", "医院目录编码", "医院编码"}
MAX_UPLOAD = 5 * 1024 * 1024


def decode_upload(raw: bytes) -> str:
    """Text of an uploaded code list (UTF-8 or GB18030), or ``InvalidInput``."""
    from dae.core.errors import InvalidInput

    if len(raw) > MAX_UPLOAD:
        raise InvalidInput("文件超过 5 MB", code=InputCode.TOO_LARGE)
    return decode_text(raw)


def parse_code_lines(text: str, default_day: Any) -> tuple[list[tuple[str, str | None, Any]], list[str]]:
    """Lines ``hospital code[,national code[,date]]`` (comma or tab), deduplicated in order. Returns the lines
    and the errors (Chinese, with line numbers)."""
    import re

    from dae.imports.framework import parse_date

    lines: list[tuple[str, str | None, Any]] = []
    seen: set[tuple[str, str | None, Any]] = set()
    errors: list[str] = []
    for number, raw in enumerate(text.splitlines(), start=1):
        cells = [c.strip().strip('"') for c in re.split(r"[,\t，]", raw)]
        if not cells or not cells[0]:
            continue
        if number == 1 and cells[0] in HEADER_WORDS:
            continue
        national = cells[1] if len(cells) > 1 and cells[1] else None
        day = default_day
        if len(cells) > 2 and cells[2]:
            try:
                day = parse_date(cells[2], "日期")
            except ValueError as exc:
                errors.append(f"第 {number} 行：{exc}")
                continue
        line = (cells[0], national, day)
        if line not in seen:
            seen.add(line)
            lines.append(line)
    return lines, errors
