"""The versioning rule (pure planner) and the catalogue on a date: item_on / items_on at the boundary days."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest

from dae.catalog.models import CatalogueItem
from dae.catalog.queries import item_on, items_on
from dae.catalog.versioning import Incoming, Version, plan

D1, D2, D3 = dt.date(2026, 1, 1), dt.date(2026, 4, 1), dt.date(2026, 7, 1)


def test_same_content_changes_nothing_whatever_the_begin_date() -> None:
    stored = {"A": [Version(D1, None, ("x",), pk=1)]}
    result = plan(stored, {"A": [Incoming(2, D2, None, ("x",))]})
    assert (result.new, result.changed, result.same) == (0, 0, 1)
    assert result.inserts == [] and result.ends == {}


def test_changed_content_closes_the_version_in_force_and_adds_one() -> None:
    stored = {"A": [Version(D1, None, ("x",), pk=1)]}
    result = plan(stored, {"A": [Incoming(2, D2, None, ("y",))]})
    assert (result.new, result.changed, result.same) == (0, 1, 0)
    assert result.ends == {1: D2}
    assert [(k, v.begin, v.end, v.attrs) for k, v in result.inserts] == [("A", D2, None, ("y",))]
    assert stored["A"][0].end is None  # the planner never touches what it was given


def test_a_change_on_the_same_begin_date_is_refused_never_edited_in_place() -> None:
    stored = {"A": [Version(D1, None, ("x",), pk=1)]}
    result = plan(stored, {"A": [Incoming(7, D1, None, ("y",))]})
    assert result.inserts == [] and result.ends == {}
    assert result.problems[0][:2] == (7, "begin_date")


def test_an_end_date_closes_an_unchanged_version() -> None:
    stored = {"A": [Version(D1, None, ("x",), pk=1)]}
    result = plan(stored, {"A": [Incoming(2, D1, D3, ("x",))]})
    assert result.ends == {1: D3} and result.changed == 1 and not result.inserts


def test_a_row_before_the_first_version_ends_where_the_next_begins() -> None:
    stored = {"A": [Version(D2, None, ("x",), pk=1)]}
    result = plan(stored, {"A": [Incoming(2, D1, None, ("old",))]})
    assert [(v.begin, v.end) for _k, v in result.inserts] == [(D1, D2)]
    overlapping = plan(stored, {"A": [Incoming(3, D1, D3, ("old",))]})
    assert overlapping.problems and overlapping.problems[0][1] == "end_date"


def test_several_rows_of_one_key_in_one_file_build_a_history() -> None:
    result = plan({}, {"A": [Incoming(3, D3, None, ("z",)), Incoming(2, D2, None, ("y",)),
                             Incoming(4, D1, None, ("x",))]})
    assert sorted((v.begin, v.end, v.attrs) for _k, v in result.inserts) == [
        (D1, D2, ("x",)), (D2, D3, ("y",)), (D3, None, ("z",))]
    assert (result.new, result.changed) == (1, 2)


def _item(code: str, begin: dt.date, end: dt.date | None, name: str, **extra: Any) -> CatalogueItem:
    return CatalogueItem.objects.create(med_list_codg=code, name=name, list_type="101", chrgitm_lv="01",
                                        med_chrgitm_type="09", begin_date=begin, end_date=end, **extra)


@pytest.mark.django_db
def test_item_on_at_the_boundary_days() -> None:
    _item("X1", D1, D2, "旧名称", pric_uplmt_amt=Decimal("10.00"))
    _item("X1", D2, D3, "新名称", pric_uplmt_amt=Decimal("11.00"))
    assert item_on("X1", D1 - dt.timedelta(days=1)) is None  # before the first version
    first = item_on("X1", D1)
    assert first is not None and first.name == "旧名称"
    last_day = item_on("X1", D2 - dt.timedelta(days=1))
    assert last_day is not None and last_day.name == "旧名称"
    changed = item_on("X1", D2)  # end_date is the first day the old version no longer applies
    assert changed is not None and changed.name == "新名称" and changed.pric_uplmt_amt == Decimal("11.00")
    assert item_on("X1", D3 - dt.timedelta(days=1)) is not None
    assert item_on("X1", D3) is None  # closed, nothing after
    assert item_on("NOPE", D2) is None


@pytest.mark.django_db
def test_items_on_returns_only_codes_in_force() -> None:
    _item("X1", D1, None, "甲")
    _item("X2", D2, None, "乙")
    _item("X3", D1, D2, "丙")
    found = items_on(["X1", "X2", "X3", "X9"], D1)
    assert sorted(found) == ["X1", "X3"]
    assert sorted(items_on(["X1", "X2", "X3"], D2)) == ["X1", "X2"]


def test_restriction_helpers() -> None:
    item = CatalogueItem(med_list_codg="X", name="n", list_type="101", chrgitm_lv="02", med_chrgitm_type="09",
                         begin_date=D1, lmt_sex="2", lmt_age_min=0, lmt_age_max=14, min_hosp_grade=2,
                         dise_prefixes=["C", "D0"], inpatient_only=True, max_per_day=Decimal("2"))
    assert item.allows_sex("2") and not item.allows_sex("1")
    assert item.allows_age(14) and not item.allows_age(15)
    assert item.allows_hospital("05") and item.allows_hospital("13") and item.allows_hospital("02")
    assert not item.allows_hospital("08") and not item.allows_hospital("11")
    assert item.allows_diagnosis(["I10", "c34.9"]) and not item.allows_diagnosis(["D10.1"])
    assert item.allows_setting(inpatient=True) and not item.allows_setting(inpatient=False)
    assert item.exceeds_per_day(Decimal("3")) and not item.exceeds_per_day(Decimal("2"))
