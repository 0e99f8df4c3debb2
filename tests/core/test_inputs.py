"""The one input layer: amounts, dates, months, ids and text bounded with a Chinese message naming the field."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from dae.core import inputs
from dae.core.errors import InvalidInput, NotFound


@pytest.mark.parametrize("raw, expected", [
    ("123.45", Decimal("123.45")), ("1,234.50", Decimal("1234.50")), (7, Decimal("7.00")),
    (Decimal("0.1"), Decimal("0.10")), (" 99 ", Decimal("99.00")),
])
def test_amount_reads_decimal_text(raw: object, expected: Decimal) -> None:
    assert inputs.amount(raw) == expected


@pytest.mark.parametrize("raw, fragment", [
    (1.5, "十进制"), ("1E+5", "格式错误"), ("1e30", "格式错误"), ("NaN", "格式错误"), ("Infinity", "格式错误"),
    ("1.234", "2 位小数"), ("-1", "不能小于"), ("", "不能为空"), (True, "十进制"),
    ("999999999999999.99", "不能大于"), ("=HYPERLINK(1)", "格式错误"),
])
def test_amount_refuses_with_the_field_named(raw: object, fragment: str) -> None:
    with pytest.raises(InvalidInput) as err:
        inputs.amount(raw, field="total", label="合计金额")
    assert err.value.code == "invalid_amount"
    assert fragment in err.value.message and err.value.message.startswith("合计金额")
    assert err.value.details == [{"path": "total", "message": err.value.message}]


def test_amount_bounded_by_the_policy_cap() -> None:
    assert inputs.amount("10000000.00", maximum=inputs.CLAIM_MAX) == Decimal("10000000.00")
    with pytest.raises(InvalidInput):
        inputs.amount("10000000.01", maximum=inputs.CLAIM_MAX)
    assert inputs.signed_amount("-12.30") == Decimal("-12.30")


@pytest.mark.parametrize("raw", ["9999-12-31", "0001-01-01", "1989-12-31", "2025-02-30", "20250101", "x", 5])
def test_date_refuses_outside_range_or_format(raw: object) -> None:
    with pytest.raises(InvalidInput) as err:
        inputs.date(raw, field="on", label="记账日期")
    assert err.value.code == "invalid_date" and err.value.message.startswith("记账日期")


def test_date_month_year_period() -> None:
    assert inputs.date("2025-03-01") == dt.date(2025, 3, 1)
    assert inputs.month("2025-03") == dt.date(2025, 3, 1) == inputs.month("202503")
    assert inputs.year("2025") == 2025
    assert inputs.month_bounds(dt.date(2024, 12, 15)) == (dt.date(2024, 12, 1), dt.date(2025, 1, 1))
    with pytest.raises(InvalidInput) as err:
        inputs.period("2025-03-02", "2025-03-01")
    assert err.value.code == "invalid_period"
    for bad in ("2025-13", "9999-12", "abc"):
        with pytest.raises(InvalidInput):
            inputs.month(bad)


@pytest.mark.parametrize("raw", ["null", "AAA", "-1", "0", "1.5", "99999999999999999999", "１２"])
def test_object_id_that_is_not_an_id_is_not_found(raw: str) -> None:
    with pytest.raises(NotFound):
        inputs.object_id(raw)


def test_text_and_decoding() -> None:
    assert inputs.text("  说明 ", field="note", label="说明", max_length=10) == "说明"
    with pytest.raises(InvalidInput):
        inputs.text("x" * 11, field="note", label="说明", max_length=10)
    assert inputs.decode_text("姓名".encode("gb18030")) == "姓名"
    assert inputs.decode_text("\ufeff姓名".encode()) == "姓名"
    with pytest.raises(InvalidInput) as err:
        inputs.decode_text(b"\xff\xfe\x00\x81\x30", encoding="utf-8")
    assert err.value.code == "invalid_encoding"


def test_json_depth_skips_brackets_inside_strings_and_counts_after_an_unterminated_one() -> None:
    assert inputs.json_depth(b'{"a": "[[[{{{", "b": [{"c": "]]}}"}]}') == 3
    assert inputs.json_depth(b'{"a": ["x", "y"], "b": "{"}') == 2
    assert inputs.json_depth(b'{"a": "[[[') == 4  # a string that never ends: what follows its quote counts
    assert inputs.json_depth(b'[{"a": 1}, "x" ["') == 2
    assert inputs.json_depth(b'{"a": "\\"[["}') == 1  # escapes: the careful reading
    assert inputs.json_depth(b"[" * 70 + b"]" * 70, limit=64) == 65  # stops past the limit
