"""Pages for master data: hospitals, the catalogue with its versions, code mappings and the mapping check,
diagnoses. The catalogue and diagnoses are national reference data (the same for every reader); hospitals and
mappings are scoped (a hospital user sees only its own)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone, translation
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can
from dae.core.codes import CoreCode
from dae.core.errors import DaeError, InvalidInput
from dae.core.scoping import get_scoped_or_404
from dae.dictionaries import codes
from dae.web.listing import AmountRange, Column, DictChoices, Filter, HospitalFilter, RegionFilter, ScopedListView

from . import actions
from .codes import Code
from .forms import HospitalForm, ItemRevisionForm, MappingCheckForm, decode_upload, item_initial, parse_code_lines
from .models import CatalogueItem, CodeMapping, Diagnosis, Hospital
from .queries import check_mapping, settlement_lines

VALIDITY_CHOICES = (("current", _("当前有效")), ("future", _("未生效")), ("ended", _("已失效")))


class ValidityFilter(Filter):
    """Versions by their validity today: current, future, ended (blank: every version)."""

    def apply(self, qs: QuerySet[Any], value: str) -> QuerySet[Any]:
        today = timezone.localdate()
        if value == "current":
            return qs.filter(Q(begin_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gt=today)))
        if value == "future":
            return qs.filter(begin_date__gt=today)
        if value == "ended":
            return qs.filter(end_date__lte=today)
        return qs


def _validity(obj: Any) -> str:
    today = timezone.localdate()
    if obj.begin_date > today:
        return gettext("未生效")
    if obj.end_date is not None and obj.end_date <= today:
        return gettext("已失效")
    return gettext("当前有效")


def _user(request: HttpRequest) -> Any:
    return request.user


# -- hospitals ------------------------------------------------------------------------------------------------------

class HospitalList(ScopedListView):
    model = Hospital
    title = _("定点医疗机构")
    columns = (
        Column(_("机构编码"), "code", link="catalog:hospital_detail", link_kw="code"),
        Column(_("机构名称"), "name"),
        Column(_("医院等级"), "level_label"),
        Column(_("机构类型"), "kind"),
        Column(_("统筹区"), "region.name"),
        Column(_("状态"), "status"),
    )
    search_fields = ("code", "name__icontains")
    search_placeholder = _("机构编码 / 名称")
    filters = (RegionFilter(), Filter("level", _("医院等级"), "level", DictChoices("hosp_lv")),
               Filter("status", _("状态"), "status", Hospital.Status.choices))

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("region")


def hospital_detail(request: HttpRequest, code: str) -> HttpResponse:
    from dae.claims.models import Settlement

    hospital = get_scoped_or_404(Hospital, request, code=code)
    today = timezone.localdate()
    mappings = CodeMapping.objects.for_user(_user(request)).filter(hospital=hospital)
    context = {
        "title": hospital.name, "hospital": hospital,
        "users": hospital.users.order_by("username"),  # type: ignore[attr-defined]
        "mapping_count": mappings.filter(Q(begin_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gt=today)))
        .count(),
        "mapping_versions": mappings.count(),
        "settlement_count": Settlement.objects.for_user(_user(request)).filter(hospital=hospital).count(),
        "can_edit": can(request.user, "catalog:hospital_edit"),
    }
    return render(request, "catalog/hospital_detail.html", context)


def hospital_edit(request: HttpRequest, code: str) -> HttpResponse:
    hospital = get_scoped_or_404(Hospital, request, code=code)
    initial = {name: getattr(hospital, name) for name in actions.HOSPITAL_FIELDS}
    form = HospitalForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        reason = data.pop("reason")
        try:
            actions.do_update_hospital(request.user, hospital, data, reason)
        except DaeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, gettext("医疗机构信息已保存"))
            return redirect("catalog:hospital_detail", code=hospital.code)
    return render(request, "catalog/hospital_edit.html",
                  {"title": gettext("修改医疗机构信息"), "hospital": hospital, "form": form})


# -- catalogue ------------------------------------------------------------------------------------------------------

class ItemList(ScopedListView):
    model = CatalogueItem
    title = _("基本医疗目录")
    template_name = "catalog/item_list.html"
    columns = (
        Column(_("医疗目录编码"), "med_list_codg", link="catalog:item_detail", link_kw="med_list_codg"),
        Column(_("目录名称"), "name"),
        Column(_("目录类别"), lambda o: codes.label("list_type", o.list_type)),
        Column(_("收费项目等级"), lambda o: codes.label("chrgitm_lv", o.chrgitm_lv)),
        Column(_("医疗收费项目类别"), lambda o: codes.label("med_chrgitm_type", o.med_chrgitm_type)),
        Column(_("定价上限金额"), "price_cap", css="amount"),
        Column(_("开始日期"), "begin_date"),
        Column(_("结束日期（不含）"), "end_date"),
        Column(_("有效状态"), _validity),
    )
    search_fields = ("med_list_codg__istartswith", "name__icontains")
    search_placeholder = _("医疗目录编码 / 名称")
    filters = (
        ValidityFilter("valid", _("有效状态"), "begin_date", VALIDITY_CHOICES),
        Filter("list_type", _("目录类别"), "list_type", DictChoices("list_type")),
        Filter("lv", _("收费项目等级"), "chrgitm_lv", DictChoices("chrgitm_lv")),
        Filter("type", _("医疗收费项目类别"), "med_chrgitm_type", DictChoices("med_chrgitm_type")),
        Filter("sp", _("特殊药品"), {"yes": {"sp_drug_flag": True}, "no": {"sp_drug_flag": False}},
               (("yes", _("是")), ("no", _("否")))),
        AmountRange("cap", _("定价上限金额"), "price_cap"),
    )

    def base_queryset(self) -> Any:
        # National reference data: every reader sees the same catalogue (hospitals included).
        return CatalogueItem.objects.order_by("med_list_codg", "begin_date")


def item_detail(request: HttpRequest, med_list_codg: str) -> HttpResponse:
    versions = list(CatalogueItem.objects.filter(med_list_codg=med_list_codg).select_related("batch")
                    .order_by("-begin_date"))
    if not versions:
        raise Http404
    today = timezone.localdate()
    shown = next((v for v in versions if v.covers(today)), versions[0])
    mapped = (CodeMapping.objects.for_user(_user(request)).filter(med_list_codg=med_list_codg)
              .filter(Q(begin_date__lte=today) & (Q(end_date__isnull=True) | Q(end_date__gt=today))).count())
    return render(request, "catalog/item_detail.html", {
        "title": f"{shown.med_list_codg} {shown.name}", "item": shown, "versions": versions, "mapped": mapped,
        "labels": {"list_type": codes.label("list_type", shown.list_type),
                   "chrgitm_lv": codes.label("chrgitm_lv", shown.chrgitm_lv),
                   "med_chrgitm_type": codes.label("med_chrgitm_type", shown.med_chrgitm_type),
                   "lmt_sex": codes.label("gend", shown.lmt_sex),
                   "hosp_lvs": "、".join(codes.label("hosp_lv", c) for c in shown.hosp_lvs or [])},
        "can_revise": can(request.user, "catalog:item_revise"),
    })


def item_revise(request: HttpRequest, med_list_codg: str) -> HttpResponse:
    versions = list(CatalogueItem.objects.filter(med_list_codg=med_list_codg).order_by("-begin_date"))
    if not versions:
        raise Http404
    today = timezone.localdate()
    current = next((v for v in versions if v.covers(today)), versions[0])
    form = ItemRevisionForm(request.POST or None, initial={**item_initial(current), "begin_date": today})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        begin, end, reason = data.pop("begin_date"), data.pop("end_date"), data.pop("reason")
        try:
            actions.do_revise_item(request.user, med_list_codg, data, begin, end, reason)
        except DaeError as error:
            form.add_error(None, error.message)
        else:
            messages.success(request, gettext("已保存新版本，自 %(d)s 起适用") % {"d": begin.isoformat()})
            return redirect("catalog:item_detail", med_list_codg=med_list_codg)
    return render(request, "catalog/item_revise.html",
                  {"title": gettext("修订目录项"), "item": current, "form": form})


# -- code mappings --------------------------------------------------------------------------------------------------

class MappingList(ScopedListView):
    model = CodeMapping
    title = _("对码关系")
    template_name = "catalog/mapping_list.html"
    columns = (
        Column(_("医疗机构"), "hospital.name"),
        Column(_("医药机构目录编码"), "medins_list_codg", link="catalog:mapping_detail"),
        Column(_("医药机构目录名称"), "medins_list_name"),
        Column(_("医疗目录编码"), "med_list_codg", link="catalog:item_detail", link_kw="med_list_codg"),
        Column(_("开始日期"), "begin_date"),
        Column(_("结束日期（不含）"), "end_date"),
        Column(_("有效状态"), _validity),
    )
    search_fields = ("medins_list_codg__istartswith", "med_list_codg__istartswith", "medins_list_name__icontains")
    search_placeholder = _("医院编码 / 医疗目录编码 / 名称")

    @property
    def filters(self) -> tuple[Filter, ...]:  # type: ignore[override]
        return (
            HospitalFilter(),
            ValidityFilter("valid", _("有效状态"), "begin_date", VALIDITY_CHOICES),
        )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital").order_by("hospital__code", "medins_list_codg",
                                                                           "begin_date")


def mapping_detail(request: HttpRequest, pk: int) -> HttpResponse:
    mapping = get_scoped_or_404(CodeMapping, request, pk=pk)
    history = CodeMapping.objects.filter(hospital_id=mapping.hospital_id, medins_list_codg=mapping.medins_list_codg
                                         ).select_related("batch").order_by("-begin_date")
    from .queries import item_on

    return render(request, "catalog/mapping_detail.html", {
        "title": f"{mapping.medins_list_codg} → {mapping.med_list_codg}", "mapping": mapping, "history": history,
        "item": item_on(mapping.med_list_codg, mapping.begin_date)})


def mapping_check(request: HttpRequest) -> HttpResponse:
    """Paste or upload hospital codes (or name a settlement) and see which are unmapped or mapped otherwise."""
    user = _user(request)
    hospitals = list(Hospital.objects.for_user(user).values_list("code", "name"))
    form = MappingCheckForm(request.POST or None, request.FILES or None,
                            hospitals=[(c, f"{c} {n}") for c, n in hospitals],
                            initial={"day": timezone.localdate()})
    result: dict[str, Any] | None = None
    if request.method == "POST" and form.is_valid():
        try:
            result = _run_check(request, form.cleaned_data)
        except DaeError as error:
            form.add_error(None, error.message)
    return render(request, "catalog/mapping_check.html", {"title": gettext("对码检查"), "form": form, "result": result})


def _run_check(request: HttpRequest, data: dict[str, Any]) -> dict[str, Any]:
    from dae.claims.models import Settlement

    setl_id = (data.get("setl_id") or "").strip()
    if setl_id:
        settlement = get_scoped_or_404(Settlement, request, setl_id=setl_id)
        hospital = settlement.hospital
        lines = settlement_lines(settlement)
        source = gettext("结算 %(s)s 的费用明细") % {"s": setl_id}
    else:
        hospital = get_scoped_or_404(Hospital, request, code=data["hospital"])
        text = data.get("codes") or ""
        if data.get("upload"):
            text += "\n" + decode_upload(data["upload"].read())
        lines, errors = parse_code_lines(text, data.get("day") or timezone.localdate())
        if errors:
            raise InvalidInput("；".join(errors[:10]), code=Code.INVALID_LINES)
        if not lines:
            raise InvalidInput(gettext("请填写或上传医院目录编码，或填写结算ID"), code=CoreCode.NO_LINES)
        source = gettext("输入的编码")
    problems = check_mapping(hospital, lines)
    return {"hospital": hospital, "source": source, "checked": len(lines), "problems": problems,
            "bad_lines": len({p.index for p in problems})}


# -- diagnoses ------------------------------------------------------------------------------------------------------


ROMAN = ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X", "XI", "XII", "XIII", "XIV", "XV", "XVI",
         "XVII", "XVIII", "XIX", "XX", "XXI", "XXII")


class ChapterChoices(list[tuple[str, str]]):
    """The 22 chapters as (numeral, numeral and Chinese name), read when the page is drawn."""

    def __iter__(self) -> Any:
        from .icd10 import zh_names

        names = zh_names() if translation.get_language() != "en" else {}
        return iter([(r, f"{r} {names.get(r, '')}".strip()) for r in ROMAN])

    def __len__(self) -> int:
        return len(ROMAN)


def _chapter(diagnosis: Diagnosis) -> Any:
    """The chapter by its name, the Roman numeral in small type beside it."""
    if not diagnosis.chapter:
        return ""
    from .icd10 import zh_names

    name = zh_names().get(diagnosis.chapter, "") if translation.get_language() != "en" else ""
    return format_html('{} <small class="code text-body-secondary">{}</small>', name, diagnosis.chapter)


class DiagnosisList(ScopedListView):
    model = Diagnosis
    title = _("疾病诊断（ICD-10）")
    template_name = "catalog/diagnosis_list.html"
    columns = (
        Column(_("诊断编码"), "code", link="catalog:diagnosis_detail", link_kw="code"),
        Column(_("名称"), "display_name"),
        Column(_("层级"), "kind"),
        Column(_("章"), _chapter, sort="chapter"),
        Column(_("三位码类目"), "group", css="code"),
        Column(_("上级编码"), "parent"),
    )
    search_fields = ("code__istartswith", "name__icontains", "name_en__icontains")
    search_placeholder = _("诊断编码 / 中文或英文名称")
    filters = (
        Filter("kind", _("层级"), "kind", Diagnosis.Kind.choices),
        Filter("chapter", _("章"), "chapter", ChapterChoices()),
        Filter("named", _("中文名称"), {"yes": {"name__gt": ""}, "no": {"name": ""}},
               (("yes", _("有")), ("no", _("无")))),
    )

    def base_queryset(self) -> Any:
        return Diagnosis.objects.all()  # national reference data

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_load"] = can(self.request.user, "catalog:diagnosis_load")
        context["loaded"] = Diagnosis.objects.filter(is_extension=False).exists()
        return context


def diagnosis_detail(request: HttpRequest, code: str) -> HttpResponse:
    diagnosis = Diagnosis.objects.filter(code=code).first()
    if diagnosis is None:
        raise Http404
    related = {d.code: d for d in Diagnosis.objects.filter(code__in=[diagnosis.chapter, diagnosis.block,
                                                                      diagnosis.group, diagnosis.parent])}
    children = Diagnosis.objects.filter(parent=diagnosis.code).order_by("code")[:200]
    return render(request, "catalog/diagnosis_detail.html", {
        "title": f"{diagnosis.code} {diagnosis.display_name}", "d": diagnosis,
        "chapter": related.get(diagnosis.chapter), "section": related.get(diagnosis.block),
        "group": related.get(diagnosis.group), "parent": related.get(diagnosis.parent), "children": children})


def diagnosis_load(request: HttpRequest) -> HttpResponse:
    """The manager loads (or refreshes) ICD-10 from the shipped package."""
    if request.method == "POST":
        counts = actions.do_load_icd10(request.user)
        messages.success(request, gettext("ICD-10 已加载：新增 %(new)s，更新 %(changed)s，无变化 %(same)s") % counts)
    return redirect("catalog:diagnosis_list")

