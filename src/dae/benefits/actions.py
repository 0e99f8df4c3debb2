"""Writes on rule sets: install the default, draft a new version, edit the draft, publish it. Each an event."""

from __future__ import annotations

import datetime as dt
import json
import re
from importlib import resources
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone

from dae.benefits.engine.errors import DocumentInvalid
from dae.benefits.engine.rules import (
    DEFAULT_RULESET,
    default_ruleset_document,
    load_rulebook,
    load_ruleset,
    normalise_document,
)
from dae.core.errors import Conflict, InvalidInput
from dae.core.events import record_event
from dae.core.models import Region

from .codes import Code
from .models import RuleSet, RuleSetVersion
from .queries import chain_documents, published_versions


def invalid_input(error: DocumentInvalid, message: str, code: str) -> InvalidInput:
    """The engine's field errors as the API's ``InvalidInput`` (path, code, Chinese and English reason)."""
    details = [{"path": e.path, "code": e.code, "message": e.message_zh, "message_en": e.message_en}
               for e in error.errors]
    return InvalidInput(message, code=code, details=details)


def parse_source(source_text: str) -> dict[str, Any]:
    """Read YAML (or JSON) text into a validated rule-set document, or raise ``InvalidInput`` with every error."""
    try:
        raw = yaml.safe_load(source_text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"第 {mark.line + 1} 行第 {mark.column + 1} 列" if mark else ""
        raise InvalidInput(f"规则文本不是有效的 YAML {where}".strip(), code=Code.RULESET_YAML,
                           details=[{"path": "$", "code": "yaml", "message": str(exc), "message_en": str(exc)}]
                           ) from exc
    document = normalise_document(raw)
    try:
        load_ruleset(document)
    except DocumentInvalid as exc:
        raise invalid_input(exc, "规则集校验未通过", Code.RULESET_INVALID) from exc
    return dict(document)


def set_top_level(source_text: str, values: dict[str, str | None]) -> str:
    """Set top-level scalar keys in YAML text, keeping every comment of the text (they cite the sources).

    Each key must already stand on a line of its own (``key: value``); the value is written quoted.
    """
    for key, value in values.items():
        pattern = re.compile(rf"^{re.escape(key)}:[^\n#]*(#.*)?$", re.MULTILINE)
        rendered = "null" if value is None else json.dumps(value, ensure_ascii=False)
        line = f"{key}: {rendered}"
        source_text, count = pattern.subn(lambda m, line=line: line + (f"  {m.group(1)}" if m.group(1) else ""),
                                          source_text, count=1)
        if count != 1:
            raise InvalidInput(f"规则文本缺少顶层字段 {key}", code=Code.RULESET_INVALID,
                               details=[{"path": key, "code": "required", "message": "缺少顶层字段",
                                         "message_en": "top-level key missing"}])
    return source_text


def default_source_text() -> str:
    return resources.files("dae.benefits").joinpath("rulesets", DEFAULT_RULESET).read_text(encoding="utf-8")


def do_install_default(region: Region, *, code: str | None = None, name: str | None = None) -> RuleSetVersion:
    """Install the shipped default (桦甸市, seed 003) as the published first version for ``region``."""
    defaults = default_ruleset_document()
    source_text = set_top_level(default_source_text(), {
        "region": region.admdvs, "id": code or defaults["id"], "name": name or defaults["name"]})
    document = parse_source(source_text)
    with transaction.atomic():
        ruleset, _ = RuleSet.objects.get_or_create(code=document["id"],
                                                   defaults={"name": document["name"], "region": region})
        existing = ruleset.versions.filter(status=RuleSetVersion.Status.PUBLISHED).first()
        if existing is not None:
            return existing
        version = RuleSetVersion.objects.create(
            ruleset=ruleset, version=document["version"], status=RuleSetVersion.Status.PUBLISHED,
            source_text=source_text, document=document,
            valid_from=dt.date.fromisoformat(document["valid_from"]), published_at=timezone.now())
        record_event(None, "benefits.ruleset_installed", version, region_id=region.admdvs,
                     after={"version_id": version.version_id, "valid_from": document["valid_from"]})
    return version


def do_create_draft(actor: Any, ruleset: RuleSet, source_text: str | None = None) -> RuleSetVersion:
    """A new draft based on the latest published version (its text, with the version number bumped)."""
    base = published_versions(ruleset).last()
    if source_text is None:
        if base is None:
            raise Conflict("该规则集尚无已发布版本", code=Code.NO_PUBLISHED_VERSION)
        source_text = set_top_level(base.source_text, {"version": _next_version(ruleset, base.version)})
    document = parse_source(source_text)
    _check_identity(ruleset, document)
    with transaction.atomic():
        if ruleset.versions.filter(version=document["version"]).exists():
            raise InvalidInput(f"版本号 {document['version']} 已存在", code=Code.DUPLICATE_VERSION,
                               details=[{"path": "version", "code": "duplicate_version",
                                         "message": "版本号已存在", "message_en": "version already exists"}])
        draft = RuleSetVersion.objects.create(ruleset=ruleset, version=document["version"], source_text=source_text,
                                              document=document, based_on=base, created_by=actor)
        record_event(actor, "benefits.version_drafted", draft, region_id=ruleset.region_id,
                     after={"version_id": draft.version_id, "based_on": base.version_id if base else None})
    return draft


def do_update_draft(actor: Any, draft: RuleSetVersion, source_text: str) -> RuleSetVersion:
    if RuleSetVersion.objects.filter(pk=draft.pk, status=RuleSetVersion.Status.PUBLISHED).exists():
        raise Conflict("已发布的规则版本不可修改，请新建版本", code=Code.VERSION_PUBLISHED)
    document = parse_source(source_text)
    _check_identity(draft.ruleset, document)
    with transaction.atomic():
        draft = RuleSetVersion.objects.select_for_update().get(pk=draft.pk)
        if draft.status != RuleSetVersion.Status.DRAFT:
            raise Conflict("已发布的规则版本不可修改，请新建版本", code=Code.VERSION_PUBLISHED)
        if document["version"] != draft.version and draft.ruleset.versions.filter(
                version=document["version"]).exists():
            raise InvalidInput(f"版本号 {document['version']} 已存在", code=Code.DUPLICATE_VERSION)
        before = {"version": draft.version, "document": draft.document}
        draft.version, draft.source_text, draft.document = document["version"], source_text, document
        draft.save()
        record_event(actor, "benefits.version_edited", draft, region_id=draft.ruleset.region_id,
                     before=before, after={"version": draft.version, "document": document})
    return draft


def do_publish(actor: Any, draft: RuleSetVersion, effective: dt.date, *, today: dt.date | None = None
               ) -> RuleSetVersion:
    """Publish a draft effective from ``effective`` (today or later, after the latest published version)."""
    today = today or timezone.localdate()
    if effective < today:
        raise InvalidInput("生效日期不能早于今天：已计算的结算不会被追溯改变", code=Code.EFFECTIVE_IN_PAST,
                           details={"effective": effective.isoformat()})
    from dae.approvals.actions import require

    require(actor, "benefits.publish", amount=None, region_id=draft.ruleset.region_id,
            target=("benefits.rulesetversion", draft.pk), summary=f"发布规则集 {draft.ruleset.code} 新版本",
            payload={"version": draft.pk, "effective": effective.isoformat()})
    with transaction.atomic():
        draft = RuleSetVersion.objects.select_for_update().select_related("ruleset").get(pk=draft.pk)
        if draft.status != RuleSetVersion.Status.DRAFT:
            raise Conflict("该版本已发布", code=Code.VERSION_PUBLISHED)
        latest = published_versions(draft.ruleset).last()
        if latest is not None and latest.valid_from is not None and effective <= latest.valid_from:
            raise InvalidInput(f"生效日期必须晚于当前版本的生效日期 {latest.valid_from}", code=Code.EFFECTIVE_TOO_EARLY)
        document = dict(draft.document, valid_from=effective.isoformat(), valid_to=None)
        try:
            load_rulebook(chain_documents([*(v.document for v in published_versions(draft.ruleset)), document]))
        except DocumentInvalid as exc:
            raise invalid_input(exc, "规则集校验未通过", Code.RULESET_INVALID) from exc
        draft.document, draft.valid_from = document, effective
        draft.source_text = set_top_level(draft.source_text, {"valid_from": effective.isoformat(), "valid_to": None})
        draft.status, draft.published_by, draft.published_at = (
            RuleSetVersion.Status.PUBLISHED, actor, timezone.now())
        draft.save()
        record_event(actor, "benefits.version_published", draft, region_id=draft.ruleset.region_id,
                     before={"status": "draft"},
                     after={"status": "published", "version_id": draft.version_id, "valid_from": str(effective)})
    return draft


def _check_identity(ruleset: RuleSet, document: dict[str, Any]) -> None:
    if document["id"] != ruleset.code or document["region"] != ruleset.region_id:
        raise InvalidInput("规则集编号与统筹区不可在新版本中更改", code=Code.RULESET_IDENTITY,
                           details=[{"path": "id", "code": "ruleset_identity",
                                     "message": f"应为 {ruleset.code} / {ruleset.region_id}",
                                     "message_en": f"must stay {ruleset.code} / {ruleset.region_id}"}])


def _next_version(ruleset: RuleSet, current: str) -> str:
    head, _, tail = current.rpartition(".")
    number = int(tail) + 1 if tail.isdigit() else 1
    candidate = f"{head}.{number}" if head else f"{current}.1"
    while ruleset.versions.filter(version=candidate).exists():
        number += 1
        candidate = f"{head}.{number}" if head else f"{current}.{number}"
    return candidate
