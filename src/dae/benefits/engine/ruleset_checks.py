"""Checks of rule-set documents: the published JSON Schema first, then what a schema cannot say.

Pure functions returning ``FieldError`` values (never raising): segments contiguous and ascending, ratios in
[0, 1], adjustments in [-1, 0], validity dates real and ordered, and across the versions of one region the same
id, region and date bases and no overlapping periods. Must never import Django.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from decimal import Decimal
from typing import Any

from dae.benefits.engine.errors import FieldError
from dae.benefits.engine.schemas import RULESET_SCHEMA, schema_errors
from dae.core.money import D

ONE = Decimal(1)

_RATIO_FIELDS = (
    "class_a",
    "class_b_drugs",
    "class_b_treatment_items",
    "special_drug_in_basic_scope",
    "special_drug_class_b_managed",
)


def ruleset_errors(doc: Any) -> list[FieldError]:
    """Every problem of one rule-set document; empty when it is valid."""
    errors = schema_errors(RULESET_SCHEMA, doc)
    if errors:
        # Semantic checks read fields the schema guarantees; on a broken shape they would only add noise.
        return errors
    return _date_errors(doc) + _segment_errors(doc["segments"]) + _ratio_errors(doc) + _amount_errors(doc)


def book_errors(docs: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    """Problems across the versions of one region (each document already valid on its own)."""
    errors: list[FieldError] = []
    first = docs[0]
    for index, doc in enumerate(docs[1:], start=1):
        for field, zh in (
            ("id", "规则集编号"),
            ("region", "统筹区"),
            ("year_basis", "年度口径"),
            ("version_basis", "版本口径"),
        ):
            if doc[field] != first[field]:
                errors.append(
                    FieldError(
                        f"rules[{index}].{field}",
                        "book_mismatch",
                        f"同一规则集的各版本{zh}必须相同 ({doc[field]!r} 与 {first[field]!r})",
                        f"all versions of one rule set must share {field} ({doc[field]!r} vs {first[field]!r})",
                    )
                )
    seen: dict[str, int] = {}
    for index, doc in enumerate(docs):
        if doc["version"] in seen:
            errors.append(
                FieldError(
                    f"rules[{index}].version",
                    "duplicate_version",
                    f"版本号 {doc['version']} 重复 (已见于 rules[{seen[doc['version']]}])",
                    f"version {doc['version']} appears twice (also rules[{seen[doc['version']]}])",
                )
            )
        seen.setdefault(doc["version"], index)
    return errors + _overlap_errors(docs)


def _overlap_errors(docs: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    spans = sorted((_parse_day(d["valid_from"]), _parse_day(d["valid_to"]), i) for i, d in enumerate(docs))
    errors = []
    for (start, end, before), (later_start, _, index) in zip(spans, spans[1:], strict=False):
        if start is None or later_start is None:
            continue
        if end is None or end >= later_start:
            errors.append(
                FieldError(
                    f"rules[{index}].valid_from",
                    "overlapping_versions",
                    f"有效期与版本 {docs[before]['version']} 重叠: 同一天只能有一个版本生效",
                    f"validity overlaps version {docs[before]['version']}: one version per day",
                )
            )
    return errors


def _parse_day(text: str | None) -> date | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def _date_errors(doc: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    days = {}
    for field in ("valid_from", "valid_to"):
        text = doc[field]
        days[field] = _parse_day(text)
        if text is not None and days[field] is None:
            errors.append(
                FieldError(field, "invalid_date", f"{text!r} 不是有效日期", f"{text!r} is not a calendar date")
            )
    start, end = days["valid_from"], days["valid_to"]
    if start is not None and end is not None and start > end:
        errors.append(
            FieldError(
                "valid_to",
                "validity_reversed",
                f"有效期止 {end} 早于有效期起 {start}",
                f"valid_to {end} is before valid_from {start}",
            )
        )
    return errors


def _segment_errors(segments: Sequence[Mapping[str, Any]]) -> list[FieldError]:
    errors = []
    previous_upper: Decimal | None = Decimal(0)
    last = len(segments) - 1
    for index, segment in enumerate(segments):
        path = f"segments[{index}]"
        lower = D(segment["lower"])
        upper = None if segment["upper"] is None else D(segment["upper"])
        if index == 0 and lower != 0:
            errors.append(
                FieldError(f"{path}.lower", "segments_start", "第一段下限必须为 0", "the first segment must start at 0")
            )
        elif index > 0 and previous_upper is not None and lower != previous_upper:
            errors.append(
                FieldError(
                    f"{path}.lower",
                    "segments_not_contiguous",
                    f"分段不连续: 下限 {lower} 应等于上一段上限 {previous_upper}",
                    f"segments are not contiguous: lower {lower} should equal the previous upper {previous_upper}",
                )
            )
        errors += _segment_upper_errors(path, lower, upper, is_last=index == last)
        previous_upper = upper
    return errors


def _segment_upper_errors(path: str, lower: Decimal, upper: Decimal | None, *, is_last: bool) -> list[FieldError]:
    if is_last and upper is not None:
        return [
            FieldError(
                f"{path}.upper",
                "last_segment_closed",
                "最后一段上限必须为 null (不设上限)",
                "the last segment must be open-ended (upper: null)",
            )
        ]
    if not is_last and upper is None:
        return [
            FieldError(
                f"{path}.upper",
                "open_segment_not_last",
                "只有最后一段可以不设上限",
                "only the last segment may be open-ended",
            )
        ]
    if upper is not None and upper <= lower:
        return [
            FieldError(
                f"{path}.upper",
                "segments_not_ascending",
                f"分段上限 {upper} 必须大于下限 {lower}",
                f"upper {upper} must be above lower {lower}",
            )
        ]
    return []


def _ratio_error(path: str, value: Decimal) -> list[FieldError]:
    if 0 <= value <= ONE:
        return []
    return [
        FieldError(
            path, "ratio_out_of_range", f"比例 {value} 必须在 0 到 1 之间", f"ratio {value} must be within [0, 1]"
        )
    ]


def _ratio_errors(doc: Mapping[str, Any]) -> list[FieldError]:
    errors = []
    for index, segment in enumerate(doc["segments"]):
        errors += _ratio_error(f"segments[{index}].ratio", D(segment["ratio"]))
    for field in _RATIO_FIELDS:
        errors += _ratio_error(f"first_self_pay.{field}", D(doc["first_self_pay"][field]))
    for category, text in doc["place_adjustments"].items():
        value = D(text)
        if not -ONE <= value <= 0:
            errors.append(
                FieldError(
                    f"place_adjustments.{category}",
                    "adjustment_out_of_range",
                    f"异地调整 {value} 必须在 -1 到 0 之间 (只能降低比例)",
                    f"adjustment {value} must be within [-1, 0] (it only lowers ratios)",
                )
            )
    return errors


def _amount_errors(doc: Mapping[str, Any]) -> list[FieldError]:
    if D(doc["annual_maximum"]) > 0:
        return []
    return [
        FieldError(
            "annual_maximum",
            "annual_maximum_not_positive",
            "年度最高支付限额必须大于 0",
            "the annual maximum must be above 0",
        )
    ]
