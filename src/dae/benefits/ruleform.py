"""The rule-set version as a form: the manager edits the parameters a bureau changes (threshold, segments,
percentages, limits) without touching YAML; the YAML stays available as the advanced view.

The form reads the draft's document, and on save writes a new document — the same keys, the edited values as the
engine's decimal strings (a percentage typed as ``85`` is the ratio ``"0.85"``) — and hands its YAML text to
``actions.do_update_draft``, so the form and the YAML editor share one validation, one event and one diff. The
engine's errors come back with their paths (``segments[1].ratio``) and are put beside the field they name.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import yaml
from django import forms
from django.utils.translation import gettext_lazy as _

from dae.core.inputs import AmountFormField
from dae.web.forms import StyledFormMixin

HUNDRED = Decimal(100)

#: percentages of the first self-pay (先行自付) block, as (document key, label)
SELF_PAY = (
    ("class_a", _("甲类先行自付比例")),
    ("class_b_drugs", _("乙类药品先行自付比例")),
    ("class_b_treatment_items", _("乙类诊疗项目先行自付比例")),
    ("special_drug_in_basic_scope", _("特殊药品（纳入基本医保）先行自付比例")),
    ("special_drug_class_b_managed", _("特殊药品（按乙类管理）先行自付比例")),
)
#: percentage points added to every segment for each place of treatment (就医地调整)
PLACES = (
    ("local", _("本地就医")), ("long_term_offsite", _("长期异地就医")),
    ("long_term_offsite_not_direct", _("异地未直接结算")), ("referred", _("转诊转院")),
    ("self_referred", _("未履行程序自行异地就医")), ("emergency_away", _("临时外出急诊")),
)
#: Chinese names of the document's parameter paths, for the diff and the error list
PATH_LABELS: dict[str, Any] = {
    "version": _("版本号"), "name": _("名称"), "entry_threshold": _("起付线（进入大额的门槛）"),
    "annual_maximum": _("年度最高赔付限额"), "notes": _("说明"), "valid_from": _("生效日期"),
    "valid_to": _("失效日期"), "dialysis.per_session_limit": _("血液透析每次限额"),
    "rounding.mode": _("舍入方式"), "rounding.unit": _("舍入单位"), "rounding.per": _("舍入对象"),
    "region": _("统筹区"), "id": _("规则集编号"), "format_version": _("格式版本"), "year_basis": _("年度依据"),
    "version_basis": _("版本依据"), "first_self_pay.drug_fee_types": _("药品费用类别"),
    "dialysis.eligible_place_categories": _("血液透析适用就医地类别"),
    "dialysis.eligible_settle_ways": _("血液透析适用结算方式"),
    **{f"first_self_pay.{k}": v for k, v in SELF_PAY},
    **{f"place_adjustments.{k}": _("就医地调整：") + v for k, v in PLACES},  # type: ignore[operator]
}


def path_label(path: str) -> str:
    """``segments[1].ratio`` → ``第 2 段 · 赔付比例``; a known path → its name; else the path itself."""
    if path.startswith("segments[") and "]" in path:
        index = int(path[len("segments["):path.index("]")]) + 1
        part = path[path.index("]") + 2:] if "." in path[path.index("]"):] else ""
        names = {"lower": _("下限"), "upper": _("上限"), "ratio": _("赔付比例")}
        return str(_("第 %(n)s 段") % {"n": index}) + (f" · {names.get(part, part)}" if part else "")
    label = PATH_LABELS.get(path)
    if label is None and path.endswith("]") and "[" in path:  # an item of a list: the list's name and its number
        head, _bracket, index = path[:-1].rpartition("[")
        listed = PATH_LABELS.get(head)
        if listed is not None and index.isdigit():
            return f"{listed}（{int(index) + 1}）"
    return str(label) if label is not None else path


def _percent(ratio: Any) -> str:
    """``"0.85"`` → ``"85"``; ``"-0.10"`` → ``"-10"`` (at most two decimals)."""
    if ratio in (None, ""):
        return ""
    value = (Decimal(str(ratio)) * HUNDRED).quantize(Decimal("0.01")).normalize()
    return format(value, "f")


def _ratio(percent: Decimal, old: Any = None) -> str:
    """``85`` → ``"0.85"`` (the engine's ratio string, two places or four when needed); the old string when the
    value did not change, so an untouched field never shows in the diff."""
    value = percent / HUNDRED
    if old not in (None, "") and Decimal(str(old)) == value:
        return str(old)
    two = value.quantize(Decimal("0.01"))
    return f"{two}" if two == value else f"{value.quantize(Decimal('0.0001'))}"


class PercentField(forms.DecimalField):
    def __init__(self, *, minimum: int = 0, maximum: int = 100, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.TextInput(attrs={"inputmode": "decimal", "class": "text-end"}))
        range_message = _("应在 %(min)s 到 %(max)s 之间") % {"min": minimum, "max": maximum}
        kwargs.setdefault("error_messages", {"min_value": range_message, "max_value": range_message,
                                             "invalid": _("请填写数字，如 85 或 12.5"),
                                             "max_decimal_places": _("最多两位小数"),
                                             "required": _("请填写比例")})
        super().__init__(min_value=Decimal(minimum), max_value=Decimal(maximum), decimal_places=2, max_digits=5,
                         **kwargs)


class ParametersForm(StyledFormMixin, forms.Form):
    version = forms.CharField(label=_("版本号"), max_length=30)
    name = forms.CharField(label=_("名称"), max_length=100)
    entry_threshold = AmountFormField(label=_("起付线（元）"),
                                      help_text=_("进入大额医疗费用补助的门槛：基本医疗统筹基金年度最高支付限额"))
    annual_maximum = AmountFormField(label=_("年度最高赔付限额（元）"))
    per_session_limit = AmountFormField(label=_("血液透析每次限额（元）"), required=False)
    notes = forms.CharField(label=_("说明"), max_length=2000, required=False,
                            widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, label in SELF_PAY:
            self.fields[f"fsp_{key}"] = PercentField(label=label, required=False)
        for key, label in PLACES:
            self.fields[f"place_{key}"] = PercentField(label=label, minimum=-100, maximum=100, required=False,
                                                       help_text=_("百分点，加到每段比例上"))
        for name in self.fields:  # the mixin styled the declared fields before these were added
            if name.startswith(("fsp_", "place_")):
                widget = self.fields[name].widget
                widget.attrs["class"] = (widget.attrs.get("class", "") + " form-control").strip()

    def self_pay_fields(self) -> list[Any]:
        return [self[f"fsp_{key}"] for key, _label in SELF_PAY]

    def place_fields(self) -> list[Any]:
        return [self[f"place_{key}"] for key, _label in PLACES]


class SegmentForm(StyledFormMixin, forms.Form):
    lower = AmountFormField(label=_("下限（元）"))
    upper = AmountFormField(label=_("上限（元）"), required=False, help_text=_("空白表示以上"))
    ratio = PercentField(label=_("赔付比例（%）"))


SegmentFormSet = forms.formset_factory(SegmentForm, extra=0, min_num=1, validate_min=True, max_num=20,
                                       validate_max=True, can_delete=True)


def initial_from(document: dict[str, Any]) -> tuple[dict[str, Any], list[dict[str, Any]]]:
    """The forms' initial values from a rule-set document."""
    fsp = document.get("first_self_pay") or {}
    places = document.get("place_adjustments") or {}
    params: dict[str, Any] = {
        "version": document.get("version", ""), "name": document.get("name", ""),
        "entry_threshold": document.get("entry_threshold", ""), "annual_maximum": document.get("annual_maximum", ""),
        "per_session_limit": (document.get("dialysis") or {}).get("per_session_limit", ""),
        "notes": document.get("notes", ""),
    }
    params.update({f"fsp_{key}": _percent(fsp.get(key)) for key, _l in SELF_PAY})
    params.update({f"place_{key}": _percent(places.get(key)) for key, _l in PLACES})
    segments = [{"lower": s.get("lower"), "upper": s.get("upper") or "", "ratio": _percent(s.get("ratio"))}
                for s in document.get("segments") or []]
    return params, segments


def _money(value: Decimal | None) -> str | None:
    return None if value is None else f"{value:.2f}"


def document_from(base: dict[str, Any], params: dict[str, Any], segments: list[dict[str, Any]]) -> dict[str, Any]:
    """A new document: ``base`` with the form's values (keys the form does not show are kept as they are)."""
    document = dict(base)
    document["version"] = params["version"]
    document["name"] = params["name"]
    document["entry_threshold"] = _money(params["entry_threshold"])
    document["annual_maximum"] = _money(params["annual_maximum"])
    document["notes"] = params.get("notes") or ""
    if "dialysis" in base or params.get("per_session_limit") is not None:
        dialysis = dict(base.get("dialysis") or {})
        dialysis["per_session_limit"] = _money(params.get("per_session_limit"))
        document["dialysis"] = dialysis
    fsp = dict(base.get("first_self_pay") or {})
    for key, _label in SELF_PAY:
        value = params.get(f"fsp_{key}")
        if value is not None:
            fsp[key] = _ratio(value, fsp.get(key))
    document["first_self_pay"] = fsp
    places = dict(base.get("place_adjustments") or {})
    for key, _label in PLACES:
        value = params.get(f"place_{key}")
        if value is not None:
            places[key] = _ratio(value, places.get(key))
    document["place_adjustments"] = places
    before = list(base.get("segments") or [])
    document["segments"] = [{"lower": _money(s["lower"]), "upper": _money(s.get("upper")),
                             "ratio": _ratio(s["ratio"], before[i].get("ratio") if i < len(before) else None)}
                            for i, s in enumerate(segments)]
    return document


def source_from(document: dict[str, Any], previous_source: str) -> str:
    """YAML text of ``document``, under the leading comment block of the previous text (it names the sources)."""
    head = []
    for line in previous_source.splitlines():
        if not line.startswith("#"):
            break
        head.append(line)
    head.append("# 由规则参数表单保存 (saved from the parameters form); 各参数的来源见上一版本的注释。")
    body = yaml.safe_dump(document, allow_unicode=True, sort_keys=False, default_flow_style=False, width=110)
    return "\n".join(head) + "\n" + body


def place_errors(details: list[dict[str, Any]], params: forms.Form, segments: Any) -> list[dict[str, str]]:
    """Put each engine error beside its field; return those that belong to no field (shown above the form)."""
    rest = []
    for detail in details:
        path = str(detail.get("path", ""))
        message = str(detail.get("message", ""))
        placed = False
        if path.startswith("segments[") and "]" in path:
            index = int(path[len("segments["):path.index("]")])
            part = path[path.index("]") + 2:] if "." in path[path.index("]"):] else ""
            kept = [f for f in segments.forms if not (f.cleaned_data or {}).get("DELETE")]
            if index < len(kept):
                kept[index].add_error(part if part in kept[index].fields else None, message)
                placed = True
        else:
            field = {"dialysis.per_session_limit": "per_session_limit"}.get(path, path)
            if path.startswith("first_self_pay."):
                field = "fsp_" + path.split(".", 1)[1]
            elif path.startswith("place_adjustments."):
                field = "place_" + path.split(".", 1)[1]
            if field in params.fields:
                params.add_error(field, message)
                placed = True
        if not placed:
            rest.append({"path": path, "label": path_label(path), "message": message})
    return rest
