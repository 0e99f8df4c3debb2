"""The engine's published JSON Schemas, and their errors turned into ``FieldError`` values a clerk can read.

The schema files live in ``dae/benefits/schemas/`` and are the public contract (rule sets, trial-calculation
input and output). jsonschema reports in English only and in its own words, so every keyword we use gets a
Chinese and an English sentence here; a schema node may add ``x-hint-zh`` / ``x-hint-en`` to say what the field
should look like. This module must never import Django.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from typing import Any

from jsonschema import Draft202012Validator, ValidationError, validators

from dae.benefits.engine.errors import FieldError

RULESET_SCHEMA = "ruleset.schema.json"
CALC_INPUT_SCHEMA = "calc-input.schema.json"
CALC_OUTPUT_SCHEMA = "calc-output.schema.json"

_TYPE_ZH = {
    "string": "字符串",
    "integer": "整数",
    "number": "数值",
    "object": "对象",
    "array": "数组",
    "boolean": "布尔值",
    "null": "null",
}


@cache
def load_schema(name: str) -> dict[str, Any]:
    """Read one of the published schemas (cached: they never change while the process runs)."""
    text = resources.files("dae.benefits").joinpath("schemas", name).read_text(encoding="utf-8")
    schema: dict[str, Any] = json.loads(text)
    return schema


def _is_integer(checker: Any, instance: Any) -> bool:
    # JSON Schema counts 100.0 as an integer; a float never touches money here, so only real ints count.
    return isinstance(instance, int) and not isinstance(instance, bool)


_extend: Any = validators.extend  # types-jsonschema leaves ``extend`` untyped
_StrictValidator = _extend(
    Draft202012Validator, type_checker=Draft202012Validator.TYPE_CHECKER.redefine("integer", _is_integer)
)


@cache
def _validator(name: str) -> Any:
    schema = load_schema(name)
    Draft202012Validator.check_schema(schema)
    return _StrictValidator(schema)


def schema_errors(name: str, document: Any) -> list[FieldError]:
    """Validate ``document`` against schema ``name``; one ``FieldError`` per problem, ordered by path."""
    found = [_field_error(error) for error in _validator(name).iter_errors(document)]
    return [error for _, error in sorted(found, key=lambda pair: pair[0])]


def format_path(parts: Iterable[str | int]) -> str:
    """``["segments", 1, "ratio"]`` -> ``segments[1].ratio``; the empty path is ``$``."""
    text = ""
    for part in parts:
        if isinstance(part, int):
            text += f"[{part}]"
        else:
            text += f".{part}" if text else part
    return text or "$"


def _type_names(expected: Any) -> tuple[str, str]:
    names = expected if isinstance(expected, list) else [expected]
    return "或".join(_TYPE_ZH.get(str(n), str(n)) for n in names), " or ".join(str(n) for n in names)


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, Mapping):
        return "object"
    return type(value).__name__


def _msg_required(e: ValidationError) -> tuple[str, str, str | None]:
    missing = e.message.split("'")[1] if "'" in e.message else str(e.validator_value)
    return f"缺少必填字段 {missing}", f"required field {missing} is missing", missing


def _msg_additional(e: ValidationError) -> tuple[str, str, str | None]:
    allowed = set(_schema_of(e).get("properties", {}))
    extra = sorted(k for k in e.instance if k not in allowed) if isinstance(e.instance, Mapping) else []
    names = ", ".join(extra)
    return f"不认识的字段: {names}", f"unknown field(s): {names}", extra[0] if len(extra) == 1 else None


def _msg_type(e: ValidationError) -> tuple[str, str, str | None]:
    zh, en = _type_names(e.validator_value)
    actual = _json_type(e.instance)
    if actual == "number":
        return (
            f'类型应为{zh}, 不能是带小数的 JSON 数值 (金额和比例请写成字符串, 如 "123.45")',
            f'must be {en}, not a JSON number with a fraction (write amounts and ratios as strings, e.g. "123.45")',
            None,
        )
    return f"类型应为{zh}, 实际是{_TYPE_ZH.get(actual, actual)}", f"must be {en}, got {actual}", None


def _msg_pattern(e: ValidationError) -> tuple[str, str, str | None]:
    return f"格式不正确: {e.instance!r}", f"wrong format: {e.instance!r}", None


def _msg_enum(e: ValidationError) -> tuple[str, str, str | None]:
    values: Any = e.validator_value
    allowed = ", ".join(str(v) for v in values)
    return f"取值 {e.instance!r} 不在允许范围内 ({allowed})", f"{e.instance!r} is not one of: {allowed}", None


def _msg_const(e: ValidationError) -> tuple[str, str, str | None]:
    return f"取值必须是 {e.validator_value!r}", f"must be {e.validator_value!r}", None


def _msg_min_items(e: ValidationError) -> tuple[str, str, str | None]:
    return f"至少需要 {e.validator_value} 项", f"needs at least {e.validator_value} item(s)", None


def _msg_max_items(e: ValidationError) -> tuple[str, str, str | None]:
    return f"最多 {e.validator_value} 项", f"at most {e.validator_value} item(s)", None


def _msg_min_length(e: ValidationError) -> tuple[str, str, str | None]:
    return f"长度不能少于 {e.validator_value}", f"must be at least {e.validator_value} character(s) long", None


def _msg_max_length(e: ValidationError) -> tuple[str, str, str | None]:
    return f"长度不能超过 {e.validator_value}", f"must be at most {e.validator_value} character(s) long", None


def _msg_unique(e: ValidationError) -> tuple[str, str, str | None]:
    return "各项不能重复", "items must be unique", None


def _msg_minimum(e: ValidationError) -> tuple[str, str, str | None]:
    return f"不能小于 {e.validator_value}", f"must be at least {e.validator_value}", None


def _msg_maximum(e: ValidationError) -> tuple[str, str, str | None]:
    return f"不能大于 {e.validator_value}", f"must be at most {e.validator_value}", None


def _msg_not(e: ValidationError) -> tuple[str, str, str | None]:
    return "出现了不应出现的字段组合", "a combination of fields that is not allowed", None


def _msg_dependent(e: ValidationError) -> tuple[str, str, str | None]:
    missing = e.message.split("'")[1] if "'" in e.message else ""
    return (
        f"缺少字段 {missing} (与已填写的字段须一起提供)",
        f"field {missing} must be given together with the others",
        missing,
    )


def _msg_other(e: ValidationError) -> tuple[str, str, str | None]:
    return f"不符合格式要求 ({e.validator})", f"does not match the schema ({e.validator}): {e.message}", None


_MESSAGES: dict[str, Callable[[ValidationError], tuple[str, str, str | None]]] = {
    "required": _msg_required,
    "additionalProperties": _msg_additional,
    "type": _msg_type,
    "pattern": _msg_pattern,
    "enum": _msg_enum,
    "const": _msg_const,
    "minItems": _msg_min_items,
    "maxItems": _msg_max_items,
    "minLength": _msg_min_length,
    "maxLength": _msg_max_length,
    "uniqueItems": _msg_unique,
    "minimum": _msg_minimum,
    "maximum": _msg_maximum,
    "not": _msg_not,
    "dependentRequired": _msg_dependent,
}


def _schema_of(error: ValidationError) -> Mapping[str, Any]:
    """The schema node that failed (jsonschema may also give a bare boolean or nothing)."""
    return error.schema if isinstance(error.schema, Mapping) else {}


def _sort_key(parts: Iterable[str | int]) -> tuple[tuple[int, int, str], ...]:
    # settlements[2] before settlements[10]: indexes compare as numbers, names as text.
    return tuple((0, p, "") if isinstance(p, int) else (1, 0, p) for p in parts)


def _field_error(error: ValidationError) -> tuple[tuple[tuple[int, int, str], ...], FieldError]:
    keyword = str(error.validator)
    zh, en, child = _MESSAGES.get(keyword, _msg_other)(error)
    parts: list[str | int] = list(error.absolute_path)
    if child is not None:
        parts.append(child)
    hint_zh = _schema_of(error).get("x-hint-zh")
    hint_en = _schema_of(error).get("x-hint-en")
    if hint_zh:
        zh = f"{zh}; {hint_zh}"
    if hint_en:
        en = f"{en}; {hint_en}"
    return _sort_key(parts), FieldError(format_path(parts), keyword, zh, en)
