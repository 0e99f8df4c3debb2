"""The payout engine of 职工大额医疗费用补助 (fund type 330100, ``hifob_pay``): pure functions over frozen data.

Model: ``shared/domain/benefit-policy.md``; formats and choices: ``docs/payout.md``. The engine reads nothing and
writes nothing: the caller loads rule sets and settlements before and stores results after. It must never import
Django, never use a float for money, and never hold a parameter of the model in code.

Entry points (the modules hold the rest):

- rules: ``load_ruleset``, ``load_rulebook``, ``read_rulebook``, ``default_rulebook``
- computing: ``calculate`` (many persons), ``compute_person_year`` (one person-year)
- changes: ``recompute_person_year`` (cancellation, late settlement -> 补付/追回 adjustments)
- explaining: ``format_trace_zh``
- trial calculation (JSON formats): ``calculate_from_json``; command line: ``cli.main``
- batch (DuckDB): ``dae.benefits.engine.batch.run_batch`` (imported on demand, it loads DuckDB)
"""

from dae.benefits.engine.errors import (
    CalculationError,
    DocumentInvalid,
    EngineError,
    FieldError,
    InputInvalid,
    RuleSetInvalid,
)
from dae.benefits.engine.explain import format_trace_zh
from dae.benefits.engine.model import (
    Cancellation,
    ChargeLevel,
    DateBasis,
    FeeLine,
    NationalTotals,
    PlaceCategory,
    Settlement,
    SettleWay,
    SpecialDrugKind,
    YearOpening,
    YearSums,
)
from dae.benefits.engine.person_year import calculate, compute_person_year, policy_year_of
from dae.benefits.engine.recompute import recompute_person_year
from dae.benefits.engine.results import (
    AdjustmentKind,
    AdjustmentReason,
    Calculation,
    LineResult,
    PayoutAdjustment,
    PersonYearResult,
    Recomputation,
    SettlementResult,
)
from dae.benefits.engine.rules import (
    RuleBook,
    RuleSet,
    default_rulebook,
    load_rulebook,
    load_ruleset,
    read_rulebook,
)
from dae.benefits.engine.trial_io import calculate_from_json

__all__ = [
    "AdjustmentKind",
    "AdjustmentReason",
    "Calculation",
    "CalculationError",
    "Cancellation",
    "ChargeLevel",
    "DateBasis",
    "DocumentInvalid",
    "EngineError",
    "FeeLine",
    "FieldError",
    "InputInvalid",
    "LineResult",
    "NationalTotals",
    "PayoutAdjustment",
    "PersonYearResult",
    "PlaceCategory",
    "Recomputation",
    "RuleBook",
    "RuleSet",
    "RuleSetInvalid",
    "SettleWay",
    "Settlement",
    "SettlementResult",
    "SpecialDrugKind",
    "YearOpening",
    "YearSums",
    "calculate",
    "calculate_from_json",
    "compute_person_year",
    "default_rulebook",
    "format_trace_zh",
    "load_rulebook",
    "load_ruleset",
    "policy_year_of",
    "read_rulebook",
    "recompute_person_year",
]
