"""Rule sets: the versioned parameters of the payout model, and the book of a region's versions.

A rule set is a document (YAML or JSON, schema ``schemas/ruleset.schema.json``); every number of the model is in
it, none in code (benefit-policy.md §0: "Every parameter below is data in a versioned rule set"). This module
turns a validated document into frozen ``RuleSet`` values and picks the version in force on a date. It must never
compute a payout and never import Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import Any

import yaml

from dae.benefits.engine.errors import FieldError, RuleSetInvalid, prefixed
from dae.benefits.engine.model import ChargeLevel, DateBasis, PlaceCategory, SettleWay, SpecialDrugKind
from dae.benefits.engine.ruleset_checks import book_errors, ruleset_errors
from dae.core.money import D

DEFAULT_RULESET = "huadian.yaml"


@dataclass(frozen=True, slots=True)
class Segment:
    """One band of the cumulative 大额 base: (lower, upper], paid at ``ratio``; ``upper`` None = open-ended."""

    lower: Decimal
    upper: Decimal | None
    ratio: Decimal


@dataclass(frozen=True, slots=True)
class FirstSelfPayRatios:
    """First self-pay (先行自付) ratios by charge level and special-drug kind (policy §2 step 1)."""

    class_a: Decimal
    class_b_drugs: Decimal
    class_b_treatment_items: Decimal
    drug_fee_types: frozenset[str]
    special_drug_in_basic_scope: Decimal
    special_drug_class_b_managed: Decimal

    def ratio_for(self, level: ChargeLevel, fee_type: str, special: SpecialDrugKind | None) -> tuple[Decimal, str]:
        """The ratio for a 甲/乙 line and the name of the parameter it comes from (for the trace)."""
        if special is SpecialDrugKind.IN_BASIC_SCOPE:
            return self.special_drug_in_basic_scope, "first_self_pay.special_drug_in_basic_scope"
        if special is SpecialDrugKind.CLASS_B_MANAGED:
            return self.special_drug_class_b_managed, "first_self_pay.special_drug_class_b_managed"
        if level is ChargeLevel.CLASS_B:
            # Regional sub-codes (e.g. 0801) belong to the national category of their first two digits.
            if fee_type[:2] in self.drug_fee_types:
                return self.class_b_drugs, "first_self_pay.class_b_drugs"
            return self.class_b_treatment_items, "first_self_pay.class_b_treatment_items"
        return self.class_a, "first_self_pay.class_a"


@dataclass(frozen=True, slots=True)
class DialysisRule:
    """Outpatient haemodialysis: per-session limit, and where and how a session must be settled to count."""

    per_session_limit: Decimal
    eligible_place_categories: frozenset[PlaceCategory]
    eligible_settle_ways: frozenset[SettleWay]

    def is_eligible(self, place: PlaceCategory, way: SettleWay) -> bool:
        return place in self.eligible_place_categories and way in self.eligible_settle_ways


@dataclass(frozen=True, slots=True)
class RuleSet:
    """One version of a region's payout parameters, in force from ``valid_from`` to ``valid_to`` (inclusive)."""

    ruleset_id: str
    version: str
    region: str
    name: str
    valid_from: date
    valid_to: date | None
    year_basis: DateBasis
    version_basis: DateBasis
    entry_threshold: Decimal
    segments: tuple[Segment, ...]
    first_self_pay: FirstSelfPayRatios
    annual_maximum: Decimal
    dialysis: DialysisRule
    place_adjustments: Mapping[PlaceCategory, Decimal]

    @property
    def version_id(self) -> str:
        """Stored with every result so the result can be reproduced (policy §3)."""
        return f"{self.ruleset_id}@{self.version}"

    def in_force_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


@dataclass(frozen=True, slots=True)
class RuleBook:
    """All versions of one region's rule set, ordered by ``valid_from``; periods never overlap."""

    versions: tuple[RuleSet, ...]

    @property
    def year_basis(self) -> DateBasis:
        return self.versions[0].year_basis

    @property
    def version_basis(self) -> DateBasis:
        return self.versions[0].version_basis

    def version_for(self, day: date) -> RuleSet | None:
        """The version in force on ``day``, or None when the day falls outside every version."""
        for ruleset in self.versions:
            if ruleset.in_force_on(day):
                return ruleset
        return None


def normalise_document(document: Any) -> Any:
    """YAML turns ``2025-01-01`` into a date; the schema speaks JSON, so dates go back to ISO strings."""
    if isinstance(document, Mapping):
        return {str(k): normalise_document(v) for k, v in document.items()}
    if isinstance(document, list):
        return [normalise_document(v) for v in document]
    if isinstance(document, date):
        return document.isoformat()
    return document


def load_ruleset(document: Mapping[str, Any]) -> RuleSet:
    """Validate a rule-set document and build the ``RuleSet``; raises ``RuleSetInvalid`` with every error."""
    doc = normalise_document(document)
    errors = ruleset_errors(doc)
    if errors:
        raise RuleSetInvalid(errors)
    return _build(doc)


def load_rulebook(documents: Sequence[Mapping[str, Any]]) -> RuleBook:
    """Validate the versions of one region together (same id and bases, no overlapping periods)."""
    docs = [normalise_document(d) for d in documents]
    errors = []
    for index, doc in enumerate(docs):
        errors += prefixed(f"rules[{index}]", ruleset_errors(doc))
    if not errors:
        errors += book_errors(docs)
    if errors:
        raise RuleSetInvalid(errors)
    return RuleBook(tuple(sorted((_build(d) for d in docs), key=lambda r: r.valid_from)))


def read_document(path: str | Path) -> Any:
    """Read a rule-set file, YAML or JSON (JSON is YAML); a file that cannot be parsed is a ``RuleSetInvalid``."""
    try:
        text = Path(path).read_text(encoding="utf-8")
        return yaml.safe_load(text)
    except (OSError, UnicodeDecodeError, yaml.YAMLError) as exc:
        raise RuleSetInvalid(
            [FieldError("$", "unreadable", f"规则集文件无法读取或解析: {exc}", f"rule-set file cannot be read: {exc}")]
        ) from exc


def read_rulebook(paths: Iterable[str | Path]) -> RuleBook:
    return load_rulebook([read_document(p) for p in paths])


def default_ruleset_document() -> Any:
    """The shipped default (桦甸市, seed 003) as a document."""
    text = resources.files("dae.benefits").joinpath("rulesets", DEFAULT_RULESET).read_text(encoding="utf-8")
    return yaml.safe_load(text)


def default_rulebook() -> RuleBook:
    return load_rulebook([default_ruleset_document()])


def _rule_date(text: str | None) -> date | None:
    """A rule document's validity date (the schema has checked its ISO form; ``None`` for an open end)."""
    return None if text is None else date.fromisoformat(text)


def _build(doc: Mapping[str, Any]) -> RuleSet:
    fsp = doc["first_self_pay"]
    dialysis = doc["dialysis"]
    valid_from = _rule_date(doc["valid_from"])
    assert valid_from is not None  # the schema requires it
    return RuleSet(
        ruleset_id=doc["id"],
        version=doc["version"],
        region=doc["region"],
        name=doc["name"],
        valid_from=valid_from,
        valid_to=_rule_date(doc["valid_to"]),
        year_basis=DateBasis(doc["year_basis"]),
        version_basis=DateBasis(doc["version_basis"]),
        entry_threshold=D(doc["entry_threshold"]),
        segments=tuple(
            Segment(D(s["lower"]), None if s["upper"] is None else D(s["upper"]), D(s["ratio"]))
            for s in doc["segments"]
        ),
        first_self_pay=FirstSelfPayRatios(
            class_a=D(fsp["class_a"]),
            class_b_drugs=D(fsp["class_b_drugs"]),
            class_b_treatment_items=D(fsp["class_b_treatment_items"]),
            drug_fee_types=frozenset(fsp["drug_fee_types"]),
            special_drug_in_basic_scope=D(fsp["special_drug_in_basic_scope"]),
            special_drug_class_b_managed=D(fsp["special_drug_class_b_managed"]),
        ),
        annual_maximum=D(doc["annual_maximum"]),
        dialysis=DialysisRule(
            per_session_limit=D(dialysis["per_session_limit"]),
            eligible_place_categories=frozenset(PlaceCategory(c) for c in dialysis["eligible_place_categories"]),
            eligible_settle_ways=frozenset(SettleWay(w) for w in dialysis["eligible_settle_ways"]),
        ),
        place_adjustments=MappingProxyType({PlaceCategory(k): D(v) for k, v in doc["place_adjustments"].items()}),
    )
