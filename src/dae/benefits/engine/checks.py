"""Checks of what the engine is given: settlements, fee lines, openings, cancellations, late settlements.

Pure functions returning every ``FieldError`` found (never raising), so the engine refuses bad input before it
computes anything: nothing half-computed, and the clerk sees all problems at once. Paths are those of the
trial-calculation input (``settlements[2].fee_lines[0].cnt``). Must never import Django.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

from dae.benefits.engine.errors import FieldError
from dae.benefits.engine.lines import compute_lines, totals_of
from dae.benefits.engine.model import (
    Cancellation,
    DateBasis,
    FeeLine,
    NationalTotals,
    Settlement,
    YearOpening,
    YearSums,
)
from dae.benefits.engine.rules import RuleBook
from dae.core.money import is_fen

TOTAL_FIELDS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt")


def settlements_errors(settlements: Sequence[Settlement], book: RuleBook) -> list[FieldError]:
    """Every problem of a list of settlements, with paths ``settlements[i]…``."""
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, settlement in enumerate(settlements):
        path = f"settlements[{index}]"
        if settlement.setl_id in seen:
            errors.append(
                FieldError(
                    f"{path}.setl_id",
                    "duplicate_setl_id",
                    f"结算ID {settlement.setl_id} 重复",
                    f"setl_id {settlement.setl_id} appears more than once",
                )
            )
        seen.add(settlement.setl_id)
        errors += settlement_errors(settlement, path, book)
    return errors


def settlement_errors(settlement: Settlement, path: str, book: RuleBook) -> list[FieldError]:
    errors = _identity_field_errors(settlement, path) + _date_errors(settlement, path, book)
    if settlement.totals is not None and settlement.fee_lines:
        errors.append(
            FieldError(
                path,
                "totals_and_lines",
                "费用明细与结算合计只能提供其一",
                "give either fee lines or the settlement totals, not both",
            )
        )
    elif settlement.totals is not None:
        errors += totals_errors(settlement.totals, path, negative=False)
    elif settlement.fee_lines:
        errors += fee_line_errors(settlement.fee_lines, f"{path}.fee_lines")
    else:
        errors.append(
            FieldError(
                path,
                "no_amounts",
                "须提供费用明细 (fee_lines) 或结算合计 (医疗费总额及四项合计)",
                "give fee_lines or the settlement totals (medfee_sumamt and the four totals)",
            )
        )
    return errors


def _identity_field_errors(settlement: Settlement, path: str) -> list[FieldError]:
    errors = []
    for field, zh in (("setl_id", "结算ID"), ("psn_no", "人员编号")):
        if not getattr(settlement, field).strip():
            errors.append(FieldError(f"{path}.{field}", "empty", f"{zh}不能为空", f"{field} must not be empty"))
    return errors


def _date_errors(settlement: Settlement, path: str, book: RuleBook) -> list[FieldError]:
    errors = []
    needs_admission = DateBasis.ADMISSION_DATE in (book.year_basis, book.version_basis)
    if settlement.adm_date is None and needs_admission:
        errors.append(
            FieldError(
                f"{path}.adm_date",
                "admission_date_required",
                "规则集按入院日期确定年度或版本, 必须提供入院日期",
                "the rule set uses the admission date for the year or version: adm_date is required",
            )
        )
    if settlement.adm_date is not None and settlement.adm_date > settlement.setl_time.date():
        errors.append(
            FieldError(
                f"{path}.adm_date",
                "admission_after_settlement",
                f"入院日期 {settlement.adm_date} 晚于结算日期 {settlement.setl_time.date()}",
                f"adm_date {settlement.adm_date} is after the settlement date {settlement.setl_time.date()}",
            )
        )
    if settlement.adm_date and settlement.dscg_date and settlement.dscg_date < settlement.adm_date:
        errors.append(
            FieldError(
                f"{path}.dscg_date",
                "discharge_before_admission",
                f"出院日期 {settlement.dscg_date} 早于入院日期 {settlement.adm_date}",
                f"dscg_date {settlement.dscg_date} is before adm_date {settlement.adm_date}",
            )
        )
    basis_day = settlement.basis_date(book.version_basis)
    if basis_day is not None and book.version_for(basis_day) is None:
        field = "adm_date" if book.version_basis is DateBasis.ADMISSION_DATE else "setl_time"
        errors.append(
            FieldError(
                f"{path}.{field}",
                "no_ruleset_in_force",
                f"{basis_day} 没有生效的规则集版本",
                f"no rule-set version is in force on {basis_day}",
            )
        )
    return errors


def _amount_errors(value: Decimal, path: str, *, allow_negative: bool) -> list[FieldError]:
    if not is_fen(value):
        return [FieldError(path, "not_fen", f"金额 {value} 超过两位小数", f"amount {value} has more than two decimals")]
    if value < 0 and not allow_negative:
        return [FieldError(path, "negative_amount", f"金额 {value} 不能为负数", f"amount {value} must not be negative")]
    return []


def totals_errors(totals: NationalTotals, path: str, *, negative: bool) -> list[FieldError]:
    """The five totals: fen amounts, signed as expected (negative only in a 2305 cancel), identity holds."""
    errors: list[FieldError] = []
    for field in TOTAL_FIELDS:
        value: Decimal = getattr(totals, field)
        errors += _amount_errors(value, f"{path}.{field}", allow_negative=negative)
        if negative and value > 0:
            errors.append(
                FieldError(
                    f"{path}.{field}",
                    "cancel_amount_positive",
                    f"撤销结算金额应为负数或 0, 实际 {value}",
                    f"amounts of a cancellation are negative or 0, got {value}",
                )
            )
    if not errors and not totals.identity_holds():
        errors.append(
            FieldError(
                f"{path}.medfee_sumamt",
                "identity_broken",
                f"医疗费总额 {totals.medfee_sumamt} 不等于 全自费+超限价+先行自付+符合政策范围 = {totals.parts_sum()}",
                f"medfee_sumamt {totals.medfee_sumamt} differs from the sum of the four totals {totals.parts_sum()}",
            )
        )
    return errors


def fee_line_errors(lines: Sequence[FeeLine], path: str) -> list[FieldError]:
    """Each line on its own, then refunds against their originals, then what is left after netting."""
    errors: list[FieldError] = []
    index_of: dict[str, int] = {}
    for index, line in enumerate(lines):
        line_path = f"{path}[{index}]"
        if line.feedetl_sn in index_of:
            errors.append(
                FieldError(
                    f"{line_path}.feedetl_sn",
                    "duplicate_feedetl_sn",
                    f"费用明细流水号 {line.feedetl_sn} 在本次结算中重复",
                    f"feedetl_sn {line.feedetl_sn} appears twice in this settlement",
                )
            )
        index_of.setdefault(line.feedetl_sn, index)
        errors += _line_errors(line, line_path)
    for index, line in enumerate(lines):
        if line.init_feedetl_sn is not None:
            errors += _refund_target_errors(line, lines, index_of, f"{path}[{index}]")
    if not errors:
        errors += _net_errors(lines, index_of, path)
    return errors


def _line_errors(line: FeeLine, path: str) -> list[FieldError]:
    errors = []
    if not line.feedetl_sn.strip():
        errors.append(
            FieldError(f"{path}.feedetl_sn", "empty", "费用明细流水号不能为空", "feedetl_sn must not be empty")
        )
    errors += _amount_errors(line.det_item_fee_sumamt, f"{path}.det_item_fee_sumamt", allow_negative=line.is_refund)
    errors += _amount_errors(line.overlmt_amt, f"{path}.overlmt_amt", allow_negative=line.is_refund)
    if line.is_refund and line.cnt >= 0:
        errors.append(
            FieldError(
                f"{path}.cnt",
                "refund_count_not_negative",
                "退费明细 (有原费用流水号) 的数量必须为负数",
                "a refund line (with init_feedetl_sn) must have a negative cnt",
            )
        )
    if not line.is_refund and line.cnt < 0:
        errors.append(
            FieldError(
                f"{path}.init_feedetl_sn",
                "refund_without_original",
                "数量为负数的退费明细必须填写原费用流水号 init_feedetl_sn",
                "a line with a negative cnt is a refund and must name init_feedetl_sn",
            )
        )
    if line.is_refund and line.det_item_fee_sumamt > 0:
        errors.append(
            FieldError(
                f"{path}.det_item_fee_sumamt",
                "refund_amount_positive",
                "退费明细金额必须为负数或 0",
                "a refund line's amount must be negative or 0",
            )
        )
    if line.dialysis_session is not None and not line.dialysis_session.strip():
        errors.append(
            FieldError(
                f"{path}.dialysis_session", "empty", "透析次标识不能为空串", "dialysis_session must not be empty"
            )
        )
    return errors


def _refund_target_errors(
    line: FeeLine, lines: Sequence[FeeLine], index_of: dict[str, int], path: str
) -> list[FieldError]:
    target = index_of.get(line.init_feedetl_sn or "")
    if target is None or lines[target].is_refund:
        return [
            FieldError(
                f"{path}.init_feedetl_sn",
                "refund_original_missing",
                f"原费用流水号 {line.init_feedetl_sn} 不是本次结算中的原始明细",
                f"init_feedetl_sn {line.init_feedetl_sn} is not an original line of this settlement",
            )
        ]
    return []


def _net_errors(lines: Sequence[FeeLine], index_of: dict[str, int], path: str) -> list[FieldError]:
    amount: dict[str, Decimal] = {}
    over_cap: dict[str, Decimal] = {}
    for line in lines:
        key = line.init_feedetl_sn or line.feedetl_sn
        amount[key] = amount.get(key, Decimal(0)) + line.det_item_fee_sumamt
        over_cap[key] = over_cap.get(key, Decimal(0)) + line.overlmt_amt
    errors = []
    for key, net in amount.items():
        line_path = f"{path}[{index_of[key]}]"
        if net < 0:
            errors.append(
                FieldError(
                    f"{line_path}.det_item_fee_sumamt",
                    "refund_exceeds_original",
                    f"退费合计超过原明细金额 (净额 {net})",
                    f"refunds exceed the original line (net {net})",
                )
            )
        elif not 0 <= over_cap[key] <= net:
            errors.append(
                FieldError(
                    f"{line_path}.overlmt_amt",
                    "over_cap_out_of_range",
                    f"超限价金额 {over_cap[key]} 必须在 0 与明细金额 {net} 之间",
                    f"overlmt_amt {over_cap[key]} must lie between 0 and the line amount {net}",
                )
            )
    return errors


def opening_errors(sums: YearSums, path: str) -> list[FieldError]:
    errors: list[FieldError] = []
    for field in ("eligible_amount", "dae_base", "paid"):
        errors += _amount_errors(getattr(sums, field), f"{path}.{field}", allow_negative=False)
    if not errors and sums.dae_base > sums.eligible_amount:
        errors.append(
            FieldError(
                f"{path}.dae_base",
                "opening_base_above_eligible",
                "累计大额基数不能大于累计符合范围金额",
                "the cumulative base cannot exceed the cumulative eligible amount",
            )
        )
    return errors


def original_totals(settlement: Settlement, book: RuleBook) -> NationalTotals | None:
    """The totals a settlement had (given, or summed from its lines); None when no version applies."""
    if settlement.totals is not None:
        return settlement.totals
    day = settlement.basis_date(book.version_basis)
    rules = None if day is None else book.version_for(day)
    if rules is None:
        return None
    return totals_of(compute_lines(settlement.fee_lines, rules.first_self_pay, trace=False))


def cancellation_errors(
    cancellation: Cancellation, original: Settlement | None, original_sums: NationalTotals | None, path: str
) -> list[FieldError]:
    """A 2305 cancel must name a known settlement of the same person, and mirror its amounts when it has any."""
    if original is None:
        return [
            FieldError(
                f"{path}.setl_id",
                "cancel_unknown_settlement",
                f"撤销的结算ID {cancellation.setl_id} 不存在",
                f"cancelled setl_id {cancellation.setl_id} is not a known settlement",
            )
        ]
    if original.psn_no != cancellation.psn_no:
        return [
            FieldError(
                f"{path}.psn_no",
                "cancel_person_mismatch",
                f"撤销记录的人员编号 {cancellation.psn_no} 与原结算 {original.psn_no} 不一致",
                f"psn_no {cancellation.psn_no} differs from the cancelled settlement's {original.psn_no}",
            )
        ]
    if cancellation.amounts is None:
        return []
    errors = totals_errors(cancellation.amounts, path, negative=True)
    if not errors and original_sums is not None and cancellation.amounts != original_sums.negated():
        errors.append(
            FieldError(
                f"{path}.medfee_sumamt",
                "cancel_amounts_mismatch",
                "撤销金额必须与原结算金额正负相反、数值相等",
                "a cancellation's amounts must be the exact negation of the settlement's",
            )
        )
    return errors


def duplicate_cancellation_errors(cancellations: Iterable[Cancellation]) -> list[FieldError]:
    errors = []
    seen: set[str] = set()
    for index, cancellation in enumerate(cancellations):
        if cancellation.setl_id in seen:
            errors.append(
                FieldError(
                    f"cancellations[{index}].setl_id",
                    "duplicate_cancellation",
                    f"结算ID {cancellation.setl_id} 被重复撤销",
                    f"setl_id {cancellation.setl_id} is cancelled twice",
                )
            )
        seen.add(cancellation.setl_id)
    return errors


def openings_errors(openings: Sequence[YearOpening]) -> list[FieldError]:
    errors = []
    seen: set[tuple[str, int]] = set()
    for index, opening in enumerate(openings):
        key = (opening.psn_no, opening.policy_year)
        if key in seen:
            errors.append(
                FieldError(
                    f"openings[{index}]",
                    "duplicate_opening",
                    f"人员 {opening.psn_no} {opening.policy_year} 年度的期初累计重复",
                    f"opening of {opening.psn_no} for {opening.policy_year} given twice",
                )
            )
        seen.add(key)
        errors += opening_errors(opening.sums, f"openings[{index}]")
    return errors


def cancellations_errors(
    cancellations: Sequence[Cancellation], settlements: Sequence[Settlement], book: RuleBook
) -> list[FieldError]:
    by_id = {s.setl_id: s for s in settlements}
    errors = duplicate_cancellation_errors(cancellations)
    for index, cancellation in enumerate(cancellations):
        original = by_id.get(cancellation.setl_id)
        sums = None if original is None else original_totals(original, book)
        errors += cancellation_errors(cancellation, original, sums, f"cancellations[{index}]")
    return errors


def input_errors(
    settlements: Sequence[Settlement],
    book: RuleBook,
    *,
    openings: Sequence[YearOpening] = (),
    cancellations: Sequence[Cancellation] = (),
) -> list[FieldError]:
    """Everything wrong with one calculation's input; cancellations are checked once settlements are sound."""
    errors = settlements_errors(settlements, book) + openings_errors(openings)
    if not errors:
        errors += cancellations_errors(cancellations, settlements, book)
    return errors
