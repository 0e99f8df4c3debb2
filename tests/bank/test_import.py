"""Reading and importing a bank statement: the documented layout in UTF-8, GB18030 and Excel; every bad row
reported with row, column, value and a Chinese reason, and then nothing stored; the same file refused twice."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest

from dae.bank.actions import do_import_statement
from dae.bank.models import BankLine, BankStatement
from dae.bank.parser import parse_statement, template_csv
from dae.core.errors import Conflict, DaeError, InvalidInput
from dae.core.models import Event
from tests.factories import REGION_A

from .books import statement_csv

pytestmark = pytest.mark.django_db

GOOD = (
    "2026-03-02,S001,收,20000.00,桦甸市财政局,2201 0001,拨款,20000.00",
    "2026-03-03,S002,付,1200.00,桦甸市人民医院,6222 0002,DAE-PO101,18800.00",
    "2026-03-05,S003,付,0.50,,,手续费,18799.50",
)


def test_a_good_utf8_file_is_read_in_file_order() -> None:
    parsed = parse_statement(statement_csv(*GOOD), "march.csv")
    assert parsed.encoding == "UTF-8" and parsed.period == (dt.date(2026, 3, 2), dt.date(2026, 3, 5))
    assert [(x.row_no, x.date, x.serial, x.direction, x.amount, x.counterparty, x.counterparty_account, x.memo,
             x.balance) for x in parsed.lines] == [
        (2, dt.date(2026, 3, 2), "S001", "in", Decimal("20000.00"), "桦甸市财政局", "2201 0001", "拨款",
         Decimal("20000.00")),
        (3, dt.date(2026, 3, 3), "S002", "out", Decimal("1200.00"), "桦甸市人民医院", "6222 0002", "DAE-PO101",
         Decimal("18800.00")),
        (4, dt.date(2026, 3, 5), "S003", "out", Decimal("0.50"), "", "", "手续费", Decimal("18799.50"))]
    assert (parsed.opening_balance, parsed.closing_balance) == (Decimal("0.00"), Decimal("18799.50"))


def test_gb18030_with_columns_in_another_order_and_without_the_optional_ones() -> None:
    raw = "金额,收支方向,交易日期,银行流水号,附言\r\n1200.00,付,2026-03-03,S002,支付 DAE-PO101 医院\r\n".encode("gb18030")
    parsed = parse_statement(raw, "MARCH.CSV")
    line = parsed.lines[0]
    assert parsed.encoding == "GB18030"
    assert (line.serial, line.direction, line.amount, line.memo, line.balance) == (
        "S002", "out", Decimal("1200.00"), "支付 DAE-PO101 医院", None)
    assert parsed.opening_balance is None and parsed.closing_balance is None


def test_an_excel_file_with_date_and_number_cells() -> None:
    from openpyxl import Workbook

    wb = Workbook()
    ws = wb.active
    ws.append(["交易日期", "银行流水号", "收支方向", "金额", "摘要", "余额"])
    ws.append([dt.datetime(2026, 3, 2), 880012, "收", 20000.1, "拨款", 20000.1])
    out = io.BytesIO()
    wb.save(out)
    line = parse_statement(out.getvalue(), "march.xlsx").lines[0]
    assert (line.date, line.serial, line.amount, line.balance) == (
        dt.date(2026, 3, 2), "880012", Decimal("20000.1"), Decimal("20000.1"))


def test_every_bad_row_is_reported_in_chinese_with_row_column_and_value() -> None:
    raw = statement_csv(
        "2026-03-02,S001,收,20000.00,,,拨款,",
        "2026-02-30,S002,付,10.00,,,,",        # no such day
        ",S003,付,10.00,,,,",                  # date missing
        "2026-03-04,,付,10.00,,,,",            # serial missing
        "2026-03-04,S005,借,10.00,,,,",        # direction neither 收 nor 付
        "2026-03-04,S006,付,-10.00,,,,",       # negative
        "2026-03-04,S007,付,0,,,,",            # zero
        "2026-03-04,S008,付,10.001,,,,",       # more than 2 decimals
        "2026-03-04,S009,付,十元,,,,",          # not a number
        "2026-03-04,S010,付,10.00,,,,12.345",  # balance with 3 decimals
        "2026-03-04," + "X" * 65 + ",付,10.00,,,,",
    )
    with pytest.raises(InvalidInput) as caught:
        parse_statement(raw, "bad.csv")
    assert (caught.value.code, caught.value.message) == ("bad_statement", "对账单有 10 行错误，未导入任何数据")
    assert [(d["row"], d["column"], d["value"], d["reason"]) for d in caught.value.details] == [
        (3, "交易日期", "2026-02-30", "交易日期不是有效日期（格式 YYYY-MM-DD）"),
        (4, "交易日期", "", "交易日期不能为空"),
        (5, "银行流水号", "", "银行流水号不能为空"),
        (6, "收支方向", "借", "收支方向应为“收”或“付”"),
        (7, "金额", "-10.00", "金额须为正数（收付由收支方向列表示）"),
        (8, "金额", "0", "金额须为正数（收付由收支方向列表示）"),
        (9, "金额", "10.001", "金额最多2位小数"),
        (10, "金额", "十元", "金额应为数字"),
        (11, "余额", "12.345", "余额最多2位小数"),
        (12, "银行流水号", "X" * 65, "银行流水号超过64个字符"),
    ]


@pytest.mark.parametrize(("raw", "name", "code", "message"), [
    (statement_csv("2026-03-02,S1,收,1.00", header="交易日期,银行流水号,收支方向,金额,备注"), "a.csv",
     "bad_statement", "对账单有 1 行错误，未导入任何数据"),
    ("交易日期,收支方向,金额\n2026-03-02,收,1.00\n".encode(), "a.csv", "bad_statement", "对账单有 1 行错误，未导入任何数据"),
    (statement_csv(), "a.csv", "no_lines", "对账单没有交易流水行"),
    (b"", "a.csv", "empty_file", "文件为空"),
    (b"\xff\xfe\x00\x00\xff", "a.csv", "invalid_encoding", "文件编码无法识别（请使用 UTF-8 或 GB18030/GBK）"),
    (b"x", "a.txt", "bad_format", "不支持的文件格式“.txt”，请上传 CSV 或 Excel (.xlsx) 文件"),
])
def test_file_level_problems(raw: bytes, name: str, code: str, message: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_statement(raw, name)
    assert (caught.value.code, caught.value.message) == (code, message)


def test_header_problems_name_the_column() -> None:
    raw = "交易日期,收支方向,金额,备注,金额\n2026-03-02,收,1.00,x,1.00\n".encode()
    with pytest.raises(InvalidInput) as caught:
        parse_statement(raw, "a.csv")
    assert [(d["row"], d["column"], d["reason"]) for d in caught.value.details] == [
        (1, "备注", "未知的列（请使用对账单格式说明中的列名）"), (1, "金额", "列重复"), (1, "银行流水号", "缺少必填列：银行流水号")]


def test_the_template_is_the_documented_header() -> None:
    assert template_csv().decode("utf-8-sig") == "交易日期,银行流水号,收支方向,金额,对方户名,对方账号,摘要,余额\r\n"


def test_import_stores_the_statement_and_its_lines(clerk: Any) -> None:
    imported = do_import_statement(region=REGION_A, account="100202", file_name="march.csv",
                                content=statement_csv(*GOOD), actor=clerk)
    st = imported.statement
    assert (st.region_id, st.account.code, st.period_from, st.period_to, st.file_name, st.line_count, st.encoding,
            st.opening_balance, st.closing_balance, st.imported_by) == (
        REGION_A, "100202", dt.date(2026, 3, 2), dt.date(2026, 3, 5), "march.csv", 3, "UTF-8", Decimal("0.00"),
        Decimal("18799.50"), clerk)
    assert list(st.lines.values_list("seq", "serial", "state")) == [
        (1, "S001", "unmatched"), (2, "S002", "unmatched"), (3, "S003", "unmatched")]
    event = Event.objects.get(action="bank.statement_imported")
    assert (event.object_id, event.after["lines"], event.after["duplicates"]) == (str(st.pk), 3, 0)


def test_a_bad_file_stores_nothing(clerk: Any) -> None:
    content = statement_csv(GOOD[0], "2026-03-03,S002,付,abc,,,,")
    with pytest.raises(InvalidInput) as caught:
        do_import_statement(region=REGION_A, account="100202", file_name="bad.csv", content=content, actor=clerk)
    assert caught.value.details == [{"row": 3, "column": "金额", "value": "abc", "reason": "金额应为数字"}]
    assert (BankStatement.objects.count(), BankLine.objects.count(), Event.objects.count()) == (0, 0, 0)


def test_the_same_file_twice_is_refused(clerk: Any) -> None:
    first = do_import_statement(region=REGION_A, account="100202", file_name="march.csv", content=statement_csv(*GOOD),
                             actor=clerk).statement
    with pytest.raises(Conflict) as caught:
        do_import_statement(region=REGION_A, account="100202", file_name="copy.csv", content=statement_csv(*GOOD),
                         actor=clerk)
    assert caught.value.code == "duplicate_file"
    assert caught.value.message.startswith("该文件已于 ") and caught.value.message.endswith(
        f"导入为对账单 #{first.pk}（march.csv），同一文件不能重复导入")
    assert (BankStatement.objects.count(), BankLine.objects.count()) == (1, 3)


@pytest.mark.parametrize(("kwargs", "code"), [
    ({"account": "5101"}, "not_cash_account"),
    ({"region": "999999"}, "invalid_region"),
    ({"period_from": dt.date(2026, 3, 3)}, "invalid_period"),
    ({"period_to": dt.date(2026, 3, 4)}, "invalid_period"),
])
def test_import_checks_account_region_and_period(clerk: Any, kwargs: dict[str, Any], code: str) -> None:
    args: dict[str, Any] = {"region": REGION_A, "account": "100202", "file_name": "m.csv",
                            "content": statement_csv(*GOOD), "actor": clerk, **kwargs}
    with pytest.raises(DaeError) as caught:
        do_import_statement(**args)
    assert caught.value.code == code and BankStatement.objects.count() == 0


def test_an_explicit_period_wider_than_the_lines(clerk: Any) -> None:
    st = do_import_statement(region=REGION_A, account="100202", file_name="m.csv", content=statement_csv(*GOOD),
                          actor=clerk, period_from=dt.date(2026, 3, 1), period_to=dt.date(2026, 3, 31)).statement
    assert (st.period_from, st.period_to) == (dt.date(2026, 3, 1), dt.date(2026, 3, 31))
