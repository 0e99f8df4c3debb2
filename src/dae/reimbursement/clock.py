"""The completion clock of a manual claim (办结时限) — the rule chosen, in one place.

Policy: a manual reimbursement is paid "within 20 working days of receiving complete materials"
(benefit-policy.md §6; seed 000 第十七条 "在收到申请材料后 20 个工作日"; seed 003 "在收齐报销材料之日起20个工作日内").

Rule implemented here:

1. The clock starts on the day the required materials are complete (收齐材料之日). That day is not counted
   (《民法典》 Art. 201); the expected completion date (预计办结日期) is the 20th working day after it, counted by
   ``dae.workdays.service.deadline`` (statutory holidays and make-up days; a year the calendar does not know
   yet gives a warning that is stored and shown, never a silent guess).
2. While a required item is missing the claim stays 已受理 and the clock does not run: "材料不全，时限暂停".
   A claim registered with missing items has no expected date until they are all in.
3. If the materials become incomplete later (an item un-ticked, or a change of the case that makes a new item
   required, e.g. the place category becomes 转诊转院), the clock pauses: the working days already used are kept
   and, when the materials are complete again, only the remaining days run from that day. The insurer never
   gains days by finding a gap late, and the insured never loses the days already waited.
4. Returns by the checker (退回) and recomputations do not stop the clock: they are the insurer's own work.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from dae.workdays.calendar import iter_dates, unknown_year_warning
from dae.workdays.service import calendar, deadline, warning_dict

#: Working days from complete materials to payment (benefit-policy.md §6).
PERIOD = 20


@dataclass(frozen=True)
class Clock:
    start: dt.date | None
    used: int
    due: dt.date | None
    warnings: tuple[dict[str, object], ...] = ()


def started(day: dt.date, used: int) -> Clock:
    """The clock running from ``day`` with ``used`` working days already spent."""
    remaining = max(PERIOD - used, 0)
    result = deadline(day, remaining)
    return Clock(day, used, result.due, tuple(warning_dict(w) for w in result.warnings))


def paused(start: dt.date, used: int, day: dt.date) -> Clock:
    """The clock stopped on ``day``: the working days in (start, day] are added to ``used``."""
    spent, _unknown = count_between(start, day)
    return Clock(None, min(used + max(spent, 0), PERIOD), None, ())


def transition(*, start: dt.date | None, used: int, was_complete: bool, complete: bool, day: dt.date,
               due: dt.date | None = None, warnings: tuple[dict[str, object], ...] = ()) -> Clock:
    """The clock after the materials went from ``was_complete`` to ``complete`` on ``day``."""
    if complete and not was_complete:
        return started(day, used)
    if was_complete and not complete and start is not None:
        return paused(start, used, day)
    return Clock(start, used, due, warnings)


def count_between(a: dt.date, b: dt.date) -> tuple[int, tuple[int, ...]]:
    """Working days in (a, b] (negative, mirrored, when b < a), lenient: a year the calendar does not know is
    counted with the weekend rule and named in the second value."""
    if a == b:
        return 0, ()
    cal = calendar()
    low, high, sign = (a + dt.timedelta(days=1), b, 1) if b > a else (b + dt.timedelta(days=1), a, -1)
    unknown = tuple(y for y in range(low.year, high.year + 1) if not cal.is_known_year(y))
    n = sum(1 for d in iter_dates(low, high) if cal.day(d).is_working_day)
    return sign * n, unknown


@dataclass(frozen=True)
class DaysLeft:
    days: int  # working days from today to the due date; negative = overdue by that many
    exact: bool
    warnings: tuple[dict[str, object], ...] = ()

    @property
    def overdue(self) -> bool:
        return self.days < 0


def days_left(today: dt.date, due: dt.date) -> DaysLeft:
    n, unknown = count_between(today, due)
    return DaysLeft(n, not unknown, tuple(warning_dict(unknown_year_warning(y)) for y in unknown))
