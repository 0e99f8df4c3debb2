"""Fee lines read column by column (``claims.stream``) give exactly the values of the line-by-line reading, and
give up (the checked reading then words the problem) on anything not plain."""

from __future__ import annotations

import copy
from decimal import Decimal
from typing import Any

import pytest

from dae.claims import declarations
from dae.claims.stream import Remembered, plain_lines
from tests.claims.builders import fee_lines


def _valid(kind: str, code: str) -> bool:
    return (kind, code) in {("chrgitm_lv", "01"), ("chrgitm_lv", "02"), ("med_chrgitm_type", "09"),
                            ("med_chrgitm_type", "01")}


def _line_by_line(rows: list[Any]) -> list[tuple[Any, ...]]:
    seen: set[str] = set()
    times: dict[str, Any] = {}
    out = []
    for row in rows:
        line = declarations._plain_line(row, seen, _valid, times)
        seen.add(line.values[0])
        out.append(line.values)
    return out


def _columns(rows: list[Any]) -> list[tuple[Any, ...]] | None:
    return plain_lines(rows, _valid, Remembered(), declarations._fee_time)


def _varied() -> list[dict[str, Any]]:
    rows = fee_lines("S1", "P1", "2026-10-02 10:00:00", Decimal("1000.00"), 12)
    rows[1]["cnt"] = 3  # a whole number
    rows[2]["pric"] = "12.345678"
    rows[3]["overlmt_amt"] = "0.00"
    rows[4]["fulamt_ownpay_amt"] = "-0.00"
    rows[5]["preselfpay_amt"] = "12.5"
    rows[6]["init_feedetl_sn"] = "   "
    rows[7]["bilg_dr_name"] = None
    rows[8]["dae"] = {"dialysis_session": "D1"}
    rows[9]["dae"] = {"other": 1}
    rows[10]["fee_ocur_time"] = "2026-10-03T08:30:00"
    rows[11]["med_list_codg"] = "  XA01AAA0001  "
    return rows


def test_the_same_values_as_line_by_line() -> None:
    for rows in (fee_lines("S1", "P1", "2026-10-02 10:00:00", Decimal("23442.46"), 100), _varied()):
        expected = _line_by_line(rows)
        got = _columns(rows)
        assert got == expected
        assert [[type(v) for v in t] for t in got] == [[type(v) for v in t] for t in expected]
        assert [str(v) for t in got for v in t] == [str(v) for t in expected for v in t]  # -0.00 vs 0.00 too


@pytest.mark.parametrize("change", [
    lambda r: r[3].update(det_item_fee_sumamt=12.5),  # a JSON number where a string is expected
    lambda r: r[3].update(det_item_fee_sumamt=Decimal("12.50")),
    lambda r: r[3].update(overlmt_amt=Decimal("0.00")),
    lambda r: r[3].update(cnt=True),
    lambda r: r[3].update(cnt=Decimal("1")),
    lambda r: r[3].update(pric="1e3"),
    lambda r: r[3].update(det_item_fee_sumamt="1.234"),
    lambda r: r[3].update(det_item_fee_sumamt=" 1.00"),
    lambda r: r[3].update(det_item_fee_sumamt="99999999.00"),  # above the bound
    lambda r: r[3].update(det_item_fee_sumamt=""),
    lambda r: r[3].pop("det_item_fee_sumamt"),
    lambda r: r[3].update(feedetl_sn=r[2]["feedetl_sn"]),  # repeated serial number
    lambda r: r[3].update(feedetl_sn="x" * 31),
    lambda r: r[3].update(feedetl_sn=123),
    lambda r: r[3].update(med_list_codg="  "),
    lambda r: r[3].update(chrgitm_lv="99"),
    lambda r: r[3].update(med_chrgitm_type="77"),
    lambda r: r[3].update(fee_ocur_time="2026-13-01 00:00:00"),
    lambda r: r[3].update(fee_ocur_time=None),
    lambda r: r[3].update(bilg_dept_name=5),
    lambda r: r.__setitem__(3, ["not", "an", "object"]),
])
def test_gives_up_on_what_is_not_plain(change: Any) -> None:
    rows = copy.deepcopy(fee_lines("S1", "P1", "2026-10-02 10:00:00", Decimal("1000.00"), 6))
    change(rows)
    assert _columns(rows) is None


def test_remembered_tables_are_bounded(monkeypatch: pytest.MonkeyPatch) -> None:
    from dae.claims import stream

    monkeypatch.setattr(stream, "REMEMBERED", 5)
    seen = Remembered()
    rows = fee_lines("S1", "P1", "2026-10-02 10:00:00", Decimal("1000.00"), 30)
    assert plain_lines(rows, _valid, seen, declarations._fee_time) == _line_by_line(rows)
    assert len(seen.money) <= 5 and len(seen.quantity[6]) <= 5
