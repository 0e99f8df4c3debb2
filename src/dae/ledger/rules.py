"""Posting rules of the double-entry ledger, as pure functions over plain values.

A journal entry is a list of ``Line`` (account code, debit, credit). ``check_lines`` returns every broken rule
as a ``Problem`` value (it never raises), so the posting API, the bulk path and the entry form give the same
answers. ``fingerprint`` reduces an entry to a hash that two retries of the same entry share. This module must
never import Django.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from dae.core.codes import InputCode
from dae.core.money import FEN, ZERO, D, MoneyError, MoneyLike, fmt_yuan, is_fen

from .codes import Code

#: DECIMAL(16,2): the largest amount a leg column holds.
MAX_AMOUNT = Decimal("99999999999999.99")


@dataclass(frozen=True)
class Line:
    """One leg to post: exactly one of ``debit`` and ``credit`` is positive, the other zero."""

    account: str
    debit: Decimal = ZERO
    credit: Decimal = ZERO

    @property
    def amount(self) -> Decimal:
        return self.debit if self.debit else self.credit


def Dr(account: str, amount: MoneyLike) -> Line:  # noqa: N802 - reads like the bookkeeping abbreviation
    """A debit leg (借): ``Dr("100202", "120.00")``. A float amount is refused."""
    return Line(account, debit=D(amount))


def Cr(account: str, amount: MoneyLike) -> Line:  # noqa: N802 - reads like the bookkeeping abbreviation
    """A credit leg (贷): ``Cr("2201", "120.00")``. A float amount is refused."""
    return Line(account, credit=D(amount))


@dataclass(frozen=True)
class Problem:
    """One broken rule. ``line`` is the 1-based leg number, 0 for the entry as a whole."""

    code: str
    message: str
    message_en: str
    line: int = 0

    def as_dict(self) -> dict[str, object]:
        return {"code": self.code, "line": self.line, "message": self.message, "message_en": self.message_en}


def check_amount(value: object) -> Decimal | None:
    """The amount as a Decimal when it is a Decimal, int or decimal string; None when it is not readable."""
    if isinstance(value, Decimal) and value.is_finite():
        return value
    try:
        return D(value)  # type: ignore[arg-type]
    except MoneyError:
        return None


def _check_line(number: int, line: Line) -> list[Problem]:
    problems: list[Problem] = []
    if not line.account:
        problems.append(Problem(Code.NO_ACCOUNT, f"第 {number} 条分录未填写科目", f"leg {number}: no account", number))
    debit, credit = check_amount(line.debit), check_amount(line.credit)
    if debit is None or credit is None:
        problems.append(Problem(InputCode.INVALID_AMOUNT, f"第 {number} 条分录的金额无法识别",
                                f"leg {number}: the amount is not a decimal number", number))
        return problems
    if debit < 0 or credit < 0:
        problems.append(Problem(Code.NEGATIVE_AMOUNT, f"第 {number} 条分录的金额不能为负数，请改记到另一方",
                                f"leg {number}: amounts are positive; post to the other side instead", number))
    elif (debit > 0) == (credit > 0):
        problems.append(Problem(Code.ONE_SIDE, f"第 {number} 条分录须且只能填写借方或贷方中的一方",
                                f"leg {number}: exactly one of debit and credit must be positive", number))
    for value in (debit, credit):
        if not is_fen(value):
            problems.append(Problem(Code.NOT_FEN, f"第 {number} 条分录的金额 {value} 超过两位小数，须精确到分",
                                    f"leg {number}: {value} has more than two decimal places", number))
        elif value > MAX_AMOUNT:
            problems.append(Problem(InputCode.TOO_LARGE, f"第 {number} 条分录的金额超出可记录的范围",
                                    f"leg {number}: the amount exceeds DECIMAL(16,2)", number))
    return problems


def check_lines(lines: Sequence[Line]) -> list[Problem]:
    """Every posting rule broken by ``lines``: at least two legs, each with exactly one positive side to the
    fen, and the debits equal to the credits."""
    problems: list[Problem] = []
    if len(lines) < 2:
        problems.append(Problem(Code.TOO_FEW_LEGS, "记账凭证至少需要两条分录（一借一贷）",
                                "an entry needs at least two legs (a debit and a credit)"))
    for number, line in enumerate(lines, start=1):
        problems.extend(_check_line(number, line))
    if problems:
        return problems
    debits = sum((line.debit for line in lines), ZERO)
    credits = sum((line.credit for line in lines), ZERO)
    if debits != credits:
        problems.append(Problem(
            Code.UNBALANCED, f"借贷不平衡：借方合计 {fmt_yuan(debits)}，贷方合计 {fmt_yuan(credits)}",
            f"debits {debits} do not equal credits {credits}"))
    return problems


def normalised(lines: Sequence[Line]) -> list[Line]:
    """The legs with amounts quantized to the fen (call after ``check_lines`` found nothing)."""
    return [Line(line.account, D(line.debit).quantize(FEN), D(line.credit).quantize(FEN)) for line in lines]


def mirror(lines: Sequence[Line]) -> list[Line]:
    """The legs of the reversal (冲正): every debit becomes a credit of the same amount and vice versa."""
    return [Line(line.account, debit=line.credit, credit=line.debit) for line in lines]


def fingerprint(lines: Sequence[Line], *, on: date, description: str, reference: tuple[str, str],
                region: str | None, reverses: int | None = None) -> str:
    """A hash of what makes two entries the same: the legs (in any order), date, text, reference and region."""
    legs = sorted((line.account, f"{line.debit:.2f}", f"{line.credit:.2f}") for line in lines)
    content = {"legs": legs, "date": on.isoformat(), "description": description, "reference": list(reference),
               "region": region, "reverses": reverses}
    return hashlib.sha256(json.dumps(content, ensure_ascii=False, sort_keys=True).encode()).hexdigest()
