"""The manager's rule settings (规则参数) as writes: each change is a new version with its reason and event
(what a version holds and how a run reads it: :mod:`dae.auditing.rulebook`)."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal
from typing import Any

from django.db import transaction

from dae.audit import RULES, SCHEMAS, AuditInputError, ParamError
from dae.audit.engine import resolve_params
from dae.audit.schemas import conform
from dae.core.errors import InvalidInput, require_reason
from dae.core.events import record_event, user_or_none

from ..codes import Code
from ..models import RuleSetting
from ..rulebook import jsonable_params, rows_table, table_params


def do_change_setting(
    rule_id: str,
    *,
    enabled: bool | None,
    params: Mapping[str, Any],
    tables: Mapping[str, list[dict[str, Any]]] | None,
    reason: str,
    actor: Any,
) -> RuleSetting:
    """A new version of ``rule_id``'s setting. Parameters not given keep their values of the previous version
    (``enabled=None`` keeps it on or off); parameters are checked by the rule's own specs, table rows by the
    engine's schemas; a bad value changes nothing."""
    if rule_id not in RULES:
        raise InvalidInput(f"未知的规则：{rule_id}", code=Code.UNKNOWN_RULE)
    reason = require_reason(reason, "修改原因")
    clean_tables = _checked_tables(rule_id, tables or {})
    own = set(table_params(rule_id).values())
    with transaction.atomic():
        previous = RuleSetting.objects.select_for_update().filter(rule_id=rule_id).order_by("-version").first()
        given = {**(previous.params if previous else {}), **params}
        try:
            resolved = resolve_params([RULES[rule_id]], {rule_id: given})[rule_id]
        except ParamError as exc:
            raise InvalidInput(str(exc), code=Code.BAD_RULE_PARAM) from exc
        chosen = {k: v for k, v in jsonable_params(resolved).items() if k in given}
        if enabled is None:
            enabled = previous.enabled if previous else True
        if previous is not None:
            clean_tables = {t: clean_tables.get(t, previous.tables.get(t, [])) for t in own}
        setting = RuleSetting.objects.create(
            rule_id=rule_id,
            version=(previous.version + 1) if previous else 1,
            enabled=enabled,
            params=chosen,
            tables=clean_tables,
            reason=reason,
            created_by=user_or_none(actor),
        )
        record_event(
            actor,
            "audit.rule_setting",
            setting,
            before=(
                {"enabled": previous.enabled, "params": previous.params, "tables": previous.tables} if previous else {}
            ),
            after={"enabled": enabled, "params": chosen, "tables": clean_tables},
            note=reason,
        )
    return setting


def _checked_tables(rule_id: str, tables: Mapping[str, list[dict[str, Any]]]) -> dict[str, list[dict[str, Any]]]:
    """The rule's parameter tables checked against the engine's schemas (a bad row refuses the whole change)."""
    clean_tables: dict[str, list[dict[str, Any]]] = {}
    own = set(table_params(rule_id).values())
    for name, rows in tables.items():
        if name not in own:
            raise InvalidInput(f"规则 {rule_id} 没有参数表 {name}", code=Code.BAD_RULE_TABLE)
        columns = set(SCHEMAS[name].names)
        for i, row in enumerate(rows):
            extra = sorted(set(row) - columns) if isinstance(row, dict) else ["?"]
            if extra:
                raise InvalidInput(
                    f"参数表 {name} 第 {i + 1} 行有未知的列：{', '.join(extra)}（应为 {', '.join(sorted(columns))}）",
                    code=Code.BAD_RULE_TABLE,
                )
        try:
            conform(name, rows_table(name, rows))
        except (AuditInputError, ValueError, TypeError, ArithmeticError) as exc:
            raise InvalidInput(f"参数表 {name} 格式错误：{exc}", code=Code.BAD_RULE_TABLE) from exc
        clean_tables[name] = [{k: (str(v) if isinstance(v, Decimal) else v) for k, v in row.items()} for row in rows]
    return clean_tables
