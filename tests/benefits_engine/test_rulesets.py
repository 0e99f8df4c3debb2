"""Rule sets: the shipped default validates and says what seed 003 says; broken ones name the field and the fault."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from dae.benefits.engine.errors import RuleSetInvalid
from dae.benefits.engine.model import DateBasis, PlaceCategory, SettleWay
from dae.benefits.engine.rules import default_ruleset_document, load_rulebook, load_ruleset, read_rulebook
from dae.benefits.engine.ruleset_checks import ruleset_errors
from dae.benefits.engine.schemas import RULESET_SCHEMA, load_schema

from .helpers import ruleset_doc

SCHEMA_DIR = Path(__file__).resolve().parents[2] / "src" / "dae" / "benefits" / "schemas"


def errors_of(doc: Any) -> list[tuple[str, str, str]]:
    return [(e.path, e.code, e.message_zh) for e in ruleset_errors(doc)]


def test_published_schemas_are_valid_draft_2020_12() -> None:
    for name in ("ruleset.schema.json", "calc-input.schema.json", "calc-output.schema.json"):
        schema = json.loads((SCHEMA_DIR / name).read_text(encoding="utf-8"))
        assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
        Draft202012Validator.check_schema(schema)
    assert load_schema(RULESET_SCHEMA)["$id"] == "urn:dae:schema:ruleset:1"


def test_default_ruleset_validates_and_carries_seed_003_parameters() -> None:
    ruleset = load_ruleset(default_ruleset_document())
    assert ruleset.version_id == "huadian-dae@2025.1"
    assert ruleset.region == "220282"
    assert ruleset.year_basis is DateBasis.SETTLEMENT_DATE
    assert ruleset.version_basis is DateBasis.SETTLEMENT_DATE
    assert ruleset.entry_threshold == Decimal("60000.00")
    assert [(s.lower, s.upper, s.ratio) for s in ruleset.segments] == [
        (Decimal("0"), Decimal("50000"), Decimal("0.85")),
        (Decimal("50000"), Decimal("100000"), Decimal("0.90")),
        (Decimal("100000"), None, Decimal("0.95")),
    ]
    fsp = ruleset.first_self_pay
    assert (fsp.class_a, fsp.class_b_drugs, fsp.class_b_treatment_items) == (0, Decimal("0.10"), Decimal("0.10"))
    assert (fsp.special_drug_in_basic_scope, fsp.special_drug_class_b_managed) == (Decimal("0.20"), Decimal("0.10"))
    assert fsp.drug_fee_types == {"09", "10", "11"}
    assert ruleset.annual_maximum == Decimal("410000.00")
    assert ruleset.dialysis.per_session_limit == Decimal("430.00")
    assert ruleset.dialysis.eligible_place_categories == {PlaceCategory.LOCAL}
    assert ruleset.dialysis.eligible_settle_ways == {SettleWay.DIRECT}
    assert dict(ruleset.place_adjustments) == {
        PlaceCategory.LOCAL: 0,
        PlaceCategory.LONG_TERM_OFFSITE: 0,
        PlaceCategory.LONG_TERM_OFFSITE_NOT_DIRECT: Decimal("-0.10"),
        PlaceCategory.REFERRED: 0,
        PlaceCategory.SELF_REFERRED: Decimal("-0.20"),
        PlaceCategory.EMERGENCY_AWAY: 0,
    }


def test_default_file_marks_the_entry_threshold_as_an_example() -> None:
    text = (SCHEMA_DIR.parent / "rulesets" / "huadian.yaml").read_text(encoding="utf-8")
    threshold_lines = [ln for ln in text.splitlines() if "entry_threshold" in ln or "EXAMPLE" in ln]
    assert any("EXAMPLE VALUE" in ln and "示例值" in ln for ln in threshold_lines)


def test_rule_files_are_read_as_yaml_or_json(tmp_path: Path) -> None:
    json_file = tmp_path / "r.json"
    json_file.write_text(json.dumps(default_ruleset_document()), encoding="utf-8")
    book = read_rulebook([json_file])
    assert book.versions[0].version_id == "huadian-dae@2025.1"


@pytest.mark.parametrize(
    ("changes", "path", "code", "zh_fragment"),
    [
        (
            {
                "segments": [
                    {"lower": "0", "upper": "50000", "ratio": "0.85"},
                    {"lower": "60000", "upper": None, "ratio": "0.9"},
                ]
            },
            "segments[1].lower",
            "segments_not_contiguous",
            "分段不连续",
        ),
        (
            {"segments": [{"lower": "100", "upper": None, "ratio": "0.85"}]},
            "segments[0].lower",
            "segments_start",
            "第一段下限必须为 0",
        ),
        (
            {"segments": [{"lower": "0", "upper": "50000", "ratio": "0.85"}]},
            "segments[0].upper",
            "last_segment_closed",
            "最后一段上限必须为 null",
        ),
        (
            {
                "segments": [
                    {"lower": "0", "upper": None, "ratio": "0.85"},
                    {"lower": "0", "upper": None, "ratio": "0.9"},
                ]
            },
            "segments[0].upper",
            "open_segment_not_last",
            "只有最后一段可以不设上限",
        ),
        (
            {
                "segments": [
                    {"lower": "0", "upper": "0", "ratio": "0.85"},
                    {"lower": "0", "upper": None, "ratio": "0.9"},
                ]
            },
            "segments[0].upper",
            "segments_not_ascending",
            "必须大于下限",
        ),
        (
            {"segments": [{"lower": "0", "upper": None, "ratio": "1.5"}]},
            "segments[0].ratio",
            "ratio_out_of_range",
            "必须在 0 到 1 之间",
        ),
        ({"first_self_pay": {"class_b_drugs": "2"}}, "first_self_pay.class_b_drugs", "ratio_out_of_range", "0 到 1"),
        (
            {"place_adjustments": {"self_referred": "0.20"}},
            "place_adjustments.self_referred",
            "adjustment_out_of_range",
            "只能降低比例",
        ),
        ({"valid_from": "2025-07-01", "valid_to": "2025-06-30"}, "valid_to", "validity_reversed", "早于有效期起"),
        ({"valid_from": "2025-02-30"}, "valid_from", "invalid_date", "不是有效日期"),
        ({"annual_maximum": "0"}, "annual_maximum", "annual_maximum_not_positive", "必须大于 0"),
    ],
)
def test_semantic_errors_name_the_field_and_say_what_is_wrong(
    changes: dict[str, Any], path: str, code: str, zh_fragment: str
) -> None:
    found = errors_of(ruleset_doc(**changes))
    assert [(p, c) for p, c, _ in found] == [(path, code)]
    assert zh_fragment in found[0][2]


@pytest.mark.parametrize(
    ("doc_change", "path", "code", "zh_fragment"),
    [
        ({"entry_threshold": 60000.5}, "entry_threshold", "type", "不能是带小数的 JSON 数值"),
        ({"entry_threshold": "60,000"}, "entry_threshold", "pattern", "格式不正确"),
        ({"entry_threshold": "60000.001"}, "entry_threshold", "pattern", "最多两位小数"),
        ({"year_basis": "discharge_date"}, "year_basis", "enum", "不在允许范围内"),
        ({"rounding": {"mode": "half_even"}}, "rounding.mode", "const", "取值必须是 'half_up'"),
        ({"surprise": 1}, "surprise", "additionalProperties", "不认识的字段"),
        ({"segments": []}, "segments", "minItems", "至少需要 1 项"),
    ],
)
def test_schema_errors_are_translated_with_field_path(
    doc_change: dict[str, Any], path: str, code: str, zh_fragment: str
) -> None:
    found = errors_of(ruleset_doc(**doc_change))
    assert (found[0][0], found[0][1]) == (path, code)
    assert zh_fragment in found[0][2]


def test_missing_field_is_reported_at_its_own_path() -> None:
    doc = ruleset_doc()
    del doc["entry_threshold"]
    assert errors_of(doc) == [("entry_threshold", "required", "缺少必填字段 entry_threshold")]


def test_float_that_looks_like_an_integer_is_still_refused() -> None:
    found = errors_of(ruleset_doc(annual_maximum=410000.0))
    assert [(p, c) for p, c, _ in found] == [("annual_maximum", "type")]


def test_every_error_has_chinese_and_english_and_the_exception_carries_all_of_them() -> None:
    doc = ruleset_doc(segments=[{"lower": "0", "upper": None, "ratio": "1.5"}], annual_maximum="0")
    with pytest.raises(RuleSetInvalid) as caught:
        load_ruleset(doc)
    assert [e.path for e in caught.value.errors] == ["segments[0].ratio", "annual_maximum"]
    assert all(e.message_zh and e.message_en for e in caught.value.errors)
    assert caught.value.to_doc()["error"] == "ruleset_invalid"


def test_versions_of_one_region_must_not_overlap_and_must_agree() -> None:
    first = ruleset_doc(valid_from="2025-01-01", valid_to="2025-06-30")
    overlapping = ruleset_doc(version="2025.2", valid_from="2025-06-01", valid_to=None)
    with pytest.raises(RuleSetInvalid) as caught:
        load_rulebook([first, overlapping])
    assert [(e.path, e.code) for e in caught.value.errors] == [("rules[1].valid_from", "overlapping_versions")]

    other_basis = ruleset_doc(version="2025.2", valid_from="2025-07-01", year_basis="admission_date")
    with pytest.raises(RuleSetInvalid) as caught:
        load_rulebook([first, other_basis])
    assert [(e.path, e.code) for e in caught.value.errors] == [("rules[1].year_basis", "book_mismatch")]

    same_version = ruleset_doc(valid_from="2025-07-01")
    with pytest.raises(RuleSetInvalid) as caught:
        load_rulebook([first, same_version])
    assert [(e.path, e.code) for e in caught.value.errors] == [("rules[1].version", "duplicate_version")]


def test_errors_inside_one_version_of_a_book_are_prefixed_with_its_index() -> None:
    with pytest.raises(RuleSetInvalid) as caught:
        load_rulebook([ruleset_doc(), ruleset_doc(version="2", valid_from="2026-01-01", entry_threshold="x")])
    assert [(e.path, e.code) for e in caught.value.errors] == [("rules[1].entry_threshold", "pattern")]


def test_book_picks_the_version_in_force_on_a_date() -> None:
    first = ruleset_doc(valid_from="2025-01-01", valid_to="2025-06-30")
    second = ruleset_doc(version="2025.2", valid_from="2025-07-01", valid_to=None)
    book = load_rulebook([second, first])
    from datetime import date

    assert book.version_for(date(2025, 6, 30)).version == "2025.1"  # type: ignore[union-attr]
    assert book.version_for(date(2025, 7, 1)).version == "2025.2"  # type: ignore[union-attr]
    assert book.version_for(date(2024, 12, 31)) is None
