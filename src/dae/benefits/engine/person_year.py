"""A person's policy year: settlements in order, each under the rule-set version in force for it.

Settlements of one person and year are computed in order of settlement time, ties by settlement id (policy §2),
carrying the cumulative sums from one to the next. The policy year and the version are chosen per settlement by
the rule book's date bases. A version change mid-year keeps the sums as they stand: the new version's threshold,
segments and maximum apply to them from that settlement on, and earlier settlements are never reopened (see
docs/payout.md, "Versions within a year"). Pure; must never import Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from itertools import groupby

from dae.benefits.engine.checks import input_errors, opening_errors, settlements_errors
from dae.benefits.engine.errors import CalculationError, FieldError, InputInvalid
from dae.benefits.engine.model import Cancellation, DateBasis, Settlement, YearOpening, YearSums
from dae.benefits.engine.results import Calculation, PersonYearResult
from dae.benefits.engine.rules import RuleBook, RuleSet
from dae.benefits.engine.settlement import compute_settlement
from dae.benefits.engine.trace import StepCode, TraceStep, make_step


def policy_year_of(settlement: Settlement, book: RuleBook) -> int:
    """Policy §3: the calendar year of the settlement date, or of the admission date, as the rule book says."""
    day = settlement.basis_date(book.year_basis)
    if day is None:
        raise CalculationError(f"settlement {settlement.setl_id} has no {book.year_basis.value}")
    return day.year


def computation_order(settlements: Iterable[Settlement]) -> list[Settlement]:
    """By settlement time, ties by settlement id (policy §2)."""
    return sorted(settlements, key=lambda s: (s.setl_time, s.setl_id))


def compute_person_year(
    psn_no: str,
    policy_year: int,
    settlements: Sequence[Settlement],
    book: RuleBook,
    *,
    opening: YearSums | None = None,
    trace: bool = True,
) -> PersonYearResult:
    """Compute every settlement of one person-year; raises ``InputInvalid`` before computing anything."""
    errors = settlements_errors(settlements, book)
    errors += _membership_errors(psn_no, policy_year, settlements, book)
    if opening is not None:
        errors += opening_errors(opening, "opening")
    if errors:
        raise InputInvalid(errors)
    return _compute_checked(psn_no, policy_year, settlements, book, opening or YearSums(), trace=trace)


def calculate(
    settlements: Sequence[Settlement],
    book: RuleBook,
    *,
    openings: Sequence[YearOpening] = (),
    cancellations: Sequence[Cancellation] = (),
    trace: bool = True,
) -> Calculation:
    """Compute many persons and years at once: check everything, drop cancelled settlements, group, compute."""
    errors = input_errors(settlements, book, openings=openings, cancellations=cancellations)
    if errors:
        raise InputInvalid(errors)
    cancelled = {c.setl_id for c in cancellations}
    live = [s for s in settlements if s.setl_id not in cancelled]
    opening_of = {(o.psn_no, o.policy_year): o.sums for o in openings}
    keyed = sorted((((s.psn_no, policy_year_of(s, book)), s) for s in live), key=lambda pair: pair[0])
    person_years = []
    for (psn_no, year), group in groupby(keyed, key=lambda pair: pair[0]):
        members = [s for _, s in group]
        opening = opening_of.get((psn_no, year), YearSums())
        person_years.append(_compute_checked(psn_no, year, members, book, opening, trace=trace))
    return Calculation(tuple(person_years), tuple(c.setl_id for c in cancellations))


def _compute_checked(
    psn_no: str,
    policy_year: int,
    settlements: Sequence[Settlement],
    book: RuleBook,
    opening: YearSums,
    *,
    trace: bool,
) -> PersonYearResult:
    sums = opening
    results = []
    for settlement in computation_order(settlements):
        rules = _version_for(settlement, book)
        lead = _lead_steps(settlement, book, rules, policy_year) if trace else ()
        result = compute_settlement(settlement, rules, sums, policy_year=policy_year, trace=trace, lead_steps=lead)
        results.append(result)
        sums = result.after
    return PersonYearResult(psn_no, policy_year, opening, tuple(results))


def _version_for(settlement: Settlement, book: RuleBook) -> RuleSet:
    day = settlement.basis_date(book.version_basis)
    rules = None if day is None else book.version_for(day)
    if rules is None:
        raise CalculationError(f"no rule-set version for settlement {settlement.setl_id}")
    return rules


def _membership_errors(
    psn_no: str, policy_year: int, settlements: Sequence[Settlement], book: RuleBook
) -> list[FieldError]:
    errors = []
    for index, settlement in enumerate(settlements):
        day = settlement.basis_date(book.year_basis)
        if settlement.psn_no != psn_no:
            errors.append(
                FieldError(
                    f"settlements[{index}].psn_no",
                    "other_person",
                    f"结算属于人员 {settlement.psn_no}, 不是 {psn_no}",
                    f"the settlement belongs to {settlement.psn_no}, not {psn_no}",
                )
            )
        elif day is not None and day.year != policy_year:
            errors.append(
                FieldError(
                    f"settlements[{index}].setl_time",
                    "other_policy_year",
                    f"结算属于 {day.year} 年度, 不是 {policy_year} 年度",
                    f"the settlement belongs to policy year {day.year}, not {policy_year}",
                )
            )
    return errors


def _lead_steps(settlement: Settlement, book: RuleBook, rules: RuleSet, policy_year: int) -> tuple[TraceStep, ...]:
    year_day = settlement.basis_date(book.year_basis)
    version_day = settlement.basis_date(book.version_basis)
    year_zh = _BASIS_ZH[book.year_basis]
    version_zh = _BASIS_ZH[book.version_basis]
    validity = f"自 {rules.valid_from} 起" if rules.valid_to is None else f"{rules.valid_from} 至 {rules.valid_to}"
    return (
        make_step(
            StepCode.POLICY_YEAR,
            "benefit-policy.md §3",
            inputs={book.year_basis.value: None if year_day is None else year_day.isoformat()},
            rule={"year_basis": book.year_basis.value},
            output={"policy_year": policy_year},
            zh=f"结算 {settlement.setl_id}: 按{year_zh} {year_day} 计入 {policy_year} 年度.",
            en=f"Settlement {settlement.setl_id}: counted in policy year {policy_year} by its "
            f"{book.year_basis.value} {year_day}.",
        ),
        make_step(
            StepCode.RULESET_VERSION,
            "benefit-policy.md §3",
            inputs={book.version_basis.value: None if version_day is None else version_day.isoformat()},
            rule={
                "version_basis": book.version_basis.value,
                "valid_from": rules.valid_from.isoformat(),
                "valid_to": None if rules.valid_to is None else rules.valid_to.isoformat(),
            },
            output={"version_id": rules.version_id},
            zh=f"按{version_zh} {version_day} 选用规则集版本 {rules.version_id} (有效期 {validity}).",
            en=f"Rule-set version {rules.version_id} (in force {rules.valid_from} to {rules.valid_to or 'open'}) "
            f"chosen by the {book.version_basis.value} {version_day}.",
        ),
    )


_BASIS_ZH: Mapping[DateBasis, str] = {DateBasis.SETTLEMENT_DATE: "结算日期", DateBasis.ADMISSION_DATE: "入院日期"}
