"""Reads other apps call: the catalogue on a date, the mapping check, a diagnosis resolved.

- ``item_on(code, day)`` / ``items_on(codes, day)``: the catalogue version in force on ``day``.
- ``mapping_on(hospital, medins_list_codg, day)``: a hospital's mapping in force on ``day``.
- ``check_mapping(hospital, lines)``: every problem of fee lines' codes, listed, never guessed.
- ``resolve_diagnosis(code)``: code, name, WHO parent, chapter, 3-character group.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .icd10 import normalise
from .models import CatalogueItem, CodeMapping, Diagnosis, Hospital

CHUNK = 500


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _valid_on(day: date) -> Q:
    return Q(begin_date__lte=day) & (Q(end_date__isnull=True) | Q(end_date__gt=day))


def item_on(code: str, day: date) -> CatalogueItem | None:
    """The version of catalogue item ``code`` in force on ``day``, or ``None`` (not in the catalogue then)."""
    return CatalogueItem.objects.filter(_valid_on(day), med_list_codg=code).first()


def items_on(codes: Iterable[str], day: date) -> dict[str, CatalogueItem]:
    """The versions in force on ``day`` of ``codes``, by code; codes not in the catalogue then are absent."""
    wanted = sorted(set(codes))
    found: dict[str, CatalogueItem] = {}
    for chunk in _chunks(wanted):
        for item in CatalogueItem.objects.filter(_valid_on(day), med_list_codg__in=chunk):
            found[item.med_list_codg] = item
    return found


def item_versions(codes: Iterable[str]) -> dict[str, list[CatalogueItem]]:
    """Every version of ``codes``, by code, oldest first (for lines on many dates)."""
    wanted = sorted(set(codes))
    versions: dict[str, list[CatalogueItem]] = defaultdict(list)
    for chunk in _chunks(wanted):
        for item in CatalogueItem.objects.filter(med_list_codg__in=chunk).order_by("begin_date"):
            versions[item.med_list_codg].append(item)
    return versions


def mapping_on(hospital: Hospital | int, medins_list_codg: str, day: date) -> CodeMapping | None:
    hospital_id = hospital if isinstance(hospital, int) else hospital.pk
    return CodeMapping.objects.filter(_valid_on(day), hospital_id=hospital_id,
                                      medins_list_codg=medins_list_codg).first()


# -- the mapping check (对码检查) -------------------------------------------------------------------------------

UNMAPPED = "unmapped"
MISMATCH = "mismatch"
NOT_IN_CATALOGUE = "not_in_catalogue"
MISSING_CODE = "missing_code"

PROBLEM_LABELS = {
    UNMAPPED: _("未对码"),
    MISMATCH: _("对码不一致"),
    NOT_IN_CATALOGUE: _("不在目录中"),
    MISSING_CODE: _("缺少医院目录编码"),
}


@dataclass(frozen=True)
class MappingProblem:
    index: int  # position of the line in the input (from 0)
    medins_list_codg: str
    med_list_codg: str  # the national code the line gives ("" when none)
    day: date
    kind: str  # UNMAPPED, MISMATCH, NOT_IN_CATALOGUE, MISSING_CODE
    mapped_to: str  # the national code of the mapping in force ("" when unmapped)
    message: str

    @property
    def label(self) -> str:
        return str(PROBLEM_LABELS[self.kind])

    def as_dict(self) -> dict[str, Any]:
        return {"index": self.index, "medins_list_codg": self.medins_list_codg, "med_list_codg": self.med_list_codg,
                "date": self.day.isoformat(), "kind": self.kind, "label": self.label, "mapped_to": self.mapped_to,
                "message": self.message}


Line = tuple[str, "str | None", date]


def check_mapping(hospital: Hospital | int, lines: Sequence[Line]) -> list[MappingProblem]:
    """Check fee lines ``(medins_list_codg, med_list_codg or None, date)`` of ``hospital``.

    A problem is listed when the hospital code has no mapping on that date (``unmapped``: its national code is
    never guessed), when it is mapped to another national code than the line says (``mismatch``), or when the
    national code — the line's, or the mapping's when the line gives none — is not in the catalogue on that
    date (``not_in_catalogue``). Lines without problems are not listed.
    """
    hospital_id = hospital if isinstance(hospital, int) else hospital.pk
    own_codes = sorted({(code or "").strip() for code, _n, _d in lines} - {""})
    mappings: dict[str, list[CodeMapping]] = defaultdict(list)
    for chunk in _chunks(own_codes):
        for m in CodeMapping.objects.filter(hospital_id=hospital_id, medins_list_codg__in=chunk).order_by(
                "begin_date"):
            mappings[m.medins_list_codg].append(m)
    national = {(n or "").strip() for _c, n, _d in lines} | {m.med_list_codg for ms in mappings.values() for m in ms}
    catalogue = item_versions(national - {""})
    problems = []
    for index, (raw_own, raw_national, day) in enumerate(lines):
        own, line_national = (raw_own or "").strip(), (raw_national or "").strip()
        if not own:
            problems.append(MappingProblem(index, "", line_national, day, MISSING_CODE, "",
                                           "费用明细缺少医院目录编码"))
            continue
        mapping = next((m for m in mappings.get(own, ()) if m.covers(day)), None)
        if mapping is None:
            problems.append(MappingProblem(index, own, line_national, day, UNMAPPED, "",
                                           f"医院目录编码 {own} 在 {day.isoformat()} 没有有效的对码关系"))
            continue
        if line_national and line_national != mapping.med_list_codg:
            problems.append(MappingProblem(
                index, own, line_national, day, MISMATCH, mapping.med_list_codg,
                f"医院目录编码 {own} 对码为 {mapping.med_list_codg}，费用明细填写的是 {line_national}"))
        to_check = line_national or mapping.med_list_codg
        if not any(v.covers(day) for v in catalogue.get(to_check, ())):
            problems.append(MappingProblem(index, own, line_national, day, NOT_IN_CATALOGUE, mapping.med_list_codg,
                                           f"医疗目录编码 {to_check} 在 {day.isoformat()} 不在基本医疗目录中"))
    return problems


def settlement_lines(settlement: Any) -> list[Line]:
    """The fee lines of a settlement as mapping-check lines (the date is the fee's local date)."""
    from django.utils import timezone

    return [(medins, national, timezone.localtime(when).date()) for medins, national, when in
            settlement.lines.order_by("feedetl_sn").values_list("medins_list_codg", "med_list_codg",
                                                                 "fee_ocur_time")]


# -- diagnoses --------------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class ResolvedDiagnosis:
    code: str
    name: str  # Chinese where known, else English
    name_en: str
    who_code: str  # the WHO code itself, or the WHO parent of an extension code
    chapter: str  # Roman numeral
    chapter_name: str
    block: str
    group: str  # the 3-character category
    group_name: str
    is_extension: bool


def resolve_diagnosis(code: str) -> ResolvedDiagnosis | None:
    """Resolve a diagnosis code (WHO or 医保版 extension) from the loaded table; ``None`` when unknown."""
    if not code or not code.strip():
        return None
    diagnosis = Diagnosis.objects.filter(code=normalise(code)).first()
    if diagnosis is None or diagnosis.kind in (Diagnosis.Kind.CHAPTER, Diagnosis.Kind.BLOCK):
        return None
    related = {d.code: d for d in Diagnosis.objects.filter(code__in=[diagnosis.chapter, diagnosis.group])}
    chapter, group = related.get(diagnosis.chapter), related.get(diagnosis.group)
    return ResolvedDiagnosis(
        code=diagnosis.code, name=diagnosis.name or diagnosis.name_en, name_en=diagnosis.name_en,
        who_code=diagnosis.parent if diagnosis.is_extension else diagnosis.code,
        chapter=diagnosis.chapter, chapter_name=chapter.display_name if chapter else "",
        block=diagnosis.block, group=diagnosis.group, group_name=group.display_name if group else "",
        is_extension=diagnosis.is_extension)


def hospital_choices(user: Any) -> list[tuple[str, str]]:
    """``(code, name)`` of the hospitals ``user`` may see, by code (the list pages' hospital filter)."""
    return list(Hospital.objects.for_user(user).order_by("code").values_list("code", "name"))


def catalogue_names(codes: Iterable[str]) -> dict[str, str]:
    """``{med_list_codg: name}`` of the catalogue for the codes given (the latest version's name), one query."""
    wanted = {c for c in codes if c}
    if not wanted:
        return {}
    rows = (CatalogueItem.objects.filter(med_list_codg__in=wanted).order_by("med_list_codg", "begin_date")
            .values_list("med_list_codg", "name"))
    return dict(rows)  # later versions overwrite earlier ones
