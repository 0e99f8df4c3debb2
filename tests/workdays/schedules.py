"""Test data for the working-day calendar.

``ILLUSTRATIVE_2027`` is NOT the State Council's 2027 notice (unpublished when these tests were written): it is a
plausible schedule shaped like the 2026 one, used only to show that entered days and a confirmed year give exact
results. Replace nothing in production from it.
"""

from __future__ import annotations

import datetime as dt

from dae.workdays.calendar import Override, iter_dates


def d(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def _off(first: str, last: str, note: str) -> list[Override]:
    return [Override(day, False, note) for day in iter_dates(d(first), d(last))]


ILLUSTRATIVE_2027: list[Override] = [
    *_off("2027-01-01", "2027-01-03", "元旦"),
    *_off("2027-02-05", "2027-02-13", "春节"),
    Override(d("2027-02-20"), True, "春节调休上班"),
    *_off("2027-05-01", "2027-05-05", "劳动节"),
    Override(d("2027-04-25"), True, "劳动节调休上班"),
    Override(d("2027-09-26"), True, "国庆节调休上班"),
    *_off("2027-10-01", "2027-10-07", "国庆节"),
    Override(d("2027-10-09"), True, "国庆节调休上班"),
]
