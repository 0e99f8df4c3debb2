"""Reports that are not paged lists, downloaded as the lists are: the unmatched items (未达账项), the trial balance
and the balances of the chart, read back — rows and totals equal the page's; refused for posts that may not read
them; one access record per download."""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from dae.core.models import AccessRecord
from tests.web.test_converted_lists import exported

from .test_pages_api import ledger, upload, users  # noqa: F401 - fixtures of the bank pages

pytestmark = pytest.mark.django_db


def _money(html: str, testid: str) -> Decimal:
    value = re.search(rf'data-testid="{testid}">([^<]*)<', html).group(1)  # type: ignore[union-attr]
    return Decimal(value.replace(",", ""))


def test_unmatched_items_exported_with_the_pages_totals(users: dict[str, Client], ledger: dict[str, Any]) -> None:  # noqa: F811
    upload(users["finance"])
    url = "/bank/unmatched/?account=100202&date=2026-03-31"
    page = users["manager"].get(url).content.decode()
    assert 'data-testid="export-xlsx"' in page
    count = int(re.search(r'data-testid="count">(\d+)<', page).group(1))  # type: ignore[union-attr]
    for fmt in ("xlsx", "csv"):
        header, body, footer = exported(users["manager"], url, fmt)
        assert header[0] == f"未达账项（共 {count} 条）"
        assert "截至日期：2026-03-31" in header[3] and "银行账户：" in header[3]
        assert len(body) == count and footer is not None
        assert Decimal(str(footer[5])) == _money(page, "long-total") == Decimal("450.00")
        assert Decimal(str(footer[6])) == _money(page, "short-total") == Decimal("12.50")
        assert sum(Decimal(str(r[5] or 0)) for r in body) == Decimal("450.00")
    assert AccessRecord.objects.filter(why="export", object_type="list:bank:unmatched").count() == 2
    assert users["settlement"].get(url + "&export=xlsx").status_code == 403


def test_trial_balance_and_balances_exported(users: dict[str, Client], ledger: dict[str, Any]) -> None:  # noqa: F811
    url = "/ledger/trial-balance/?date=2026-03-31"
    page = users["supervisor"].get(url).content.decode()
    rows = page.count("<tr><td><a href=\"/ledger/accounts/")
    header, body, footer = exported(users["supervisor"], url, "xlsx")
    assert header[0] == f"试算平衡表（共 {rows} 条）" and len(body) == rows
    assert footer is not None
    assert Decimal(str(footer[2])) == _money(page, "tb-total-debit")
    assert Decimal(str(footer[3])) == _money(page, "tb-total-credit")
    assert Decimal(str(footer[2])) == Decimal(str(footer[3])) == sum(Decimal(str(r[2] or 0)) for r in body)
    assert Decimal(str(footer[4])) == Decimal(str(footer[5]))  # debit balances equal credit balances

    header, body, footer = exported(users["finance"], "/ledger/?date=2026-03-31", "csv")
    spending = next(r for r in body if r[0] == "100202")
    assert footer is None and header[3] == "筛选条件：截至日期：2026-03-31"
    assert Decimal(spending[6]) == Decimal("10000.00") - Decimal("1200.00") - Decimal("300.00") - Decimal("450.00")
    assert users["settlement"].get("/ledger/trial-balance/?export=xlsx").status_code == 403
    kinds = set(AccessRecord.objects.filter(why="export").values_list("object_type", flat=True))
    assert kinds == {"list:ledger:trial_balance", "list:ledger:accounts"}


def test_a_statements_lines_filtered_and_exported(users: dict[str, Client], ledger: dict[str, Any]) -> None:  # noqa: F811
    """The statement page lists its lines with the list component: filtered by state and direction, 收入 and 支出
    totalled over the filtered lines, exported with the same rows and totals."""
    from dae.bank.models import BankStatement
    from tests.web.test_converted_lists import assert_read_back, page_figures

    upload(users["finance"])
    statement = BankStatement.objects.get()
    url = f"/bank/statements/{statement.pk}/?direction=out"
    count, totals = page_figures(users["manager"], url)
    # 支出 1,200 + 300 + 300 (the duplicate) + 12.50; no 收入 among them
    assert (count, totals) == (4, {4: Decimal("0.00"), 5: Decimal("1812.50")})
    body = assert_read_back(users["manager"], url, 4)
    assert [str(r[0]) for r in body] == ["2", "3", "4", "5"] and {r[3] for r in body} == {"付"}
    body = assert_read_back(users["manager"], f"/bank/statements/{statement.pk}/?state=duplicate", 1)
    assert body[0][9] == "重复流水"
