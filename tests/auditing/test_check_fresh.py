"""The single-claim check keeps the catalogue's audit tables, the compiled rules and the reference tables between
checks (for speed); a change to the catalogue, a rule's setting or its parameters must show in the very next check,
and checks running in several threads at once must give each settlement its own findings."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest

from dae.audit import check_one
from dae.auditing import check, rulebook
from dae.auditing.actions.rules import do_change_setting
from dae.catalog.actions import content, content_dict, do_revise_item
from dae.catalog.models import CatalogueItem

from ..factories import make_user

pytestmark = pytest.mark.django_db

CODE = "001102000010000"  # the fee lines' item (tests.factories.FeeLineFactory)


def _item() -> CatalogueItem:
    return CatalogueItem.objects.create(med_list_codg=CODE, name="一般检查", list_type="201", chrgitm_lv="01",
                                        med_chrgitm_type="05", begin_date=dt.date(2020, 1, 1))  # fmt: skip


def _rules(found: Any) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in found.records():
        out.setdefault(r["rule_id"], set()).add(str(r["amount_at_issue"]))
    return out


def test_a_catalogue_revision_shows_in_the_next_check(audit_world: dict[str, Any]) -> None:
    item = _item()
    first = audit_world["first"]  # the person is a man (gend 1); SA0001 charges the item twice (900.00 + 100.00)
    assert "R06_SEX" not in _rules(check.check_settlement(first))
    values = content_dict(CatalogueItem, content(CatalogueItem, {n: getattr(item, n) for n in CatalogueItem.CONTENT}))
    manager = make_user("manager", username="check-manager")
    do_revise_item(manager, CODE, {**values, "lmt_sex": "2"}, dt.date(2026, 1, 1), None, "限女性")
    assert _rules(check.check_settlement(first))["R06_SEX"] == {"1000.00"}
    do_revise_item(manager, CODE, {**values, "lmt_sex": ""}, dt.date(2026, 3, 2), None, "取消限女性")
    # the line of 2026-03-02 falls under the new version, the one of 2026-02-20 still under the restricted one
    assert _rules(check.check_settlement(first))["R06_SEX"] == {"100.00"}


def test_a_rule_setting_shows_in_the_next_check(audit_world: dict[str, Any]) -> None:
    first = audit_world["first"]
    manager = make_user("manager", username="check-manager")
    assert _rules(check.check_settlement(first))["R17_CROSS_PERIOD"] == {"100.00"}
    do_change_setting("R17_CROSS_PERIOD", enabled=None, params={"min_amount": "100.01"}, tables=None,
                               reason="只报超过100元的", actor=manager)  # fmt: skip
    assert "R17_CROSS_PERIOD" not in _rules(check.check_settlement(first))
    do_change_setting("R17_CROSS_PERIOD", enabled=None, params={"min_amount": "0"}, tables=None,
                               reason="恢复", actor=manager)  # fmt: skip
    assert "R17_CROSS_PERIOD" in _rules(check.check_settlement(first))
    do_change_setting("R17_CROSS_PERIOD", enabled=False, params={}, tables=None, reason="停用",
                               actor=manager)  # fmt: skip
    assert "R17_CROSS_PERIOD" not in _rules(check.check_settlement(first))


def test_a_parameter_table_change_shows_in_the_next_check(audit_world: dict[str, Any]) -> None:
    first = audit_world["first"]
    manager = make_user("manager", username="check-manager")
    assert "R05_FREQ_PERIOD" not in _rules(check.check_settlement(first))
    do_change_setting("R05_FREQ_PERIOD", enabled=None, params={}, reason="每30天至多1次", actor=manager,
                               tables={"period_limit": [{"med_list_codg": CODE, "window_days": 30,
                                                         "max_cnt": "1"}]})  # fmt: skip
    assert "R05_FREQ_PERIOD" in _rules(check.check_settlement(first))
    do_change_setting("R05_FREQ_PERIOD", enabled=None, params={}, reason="放宽", actor=manager,
                               tables={"period_limit": [{"med_list_codg": CODE, "window_days": 30,
                                                         "max_cnt": "5"}]})  # fmt: skip
    assert "R05_FREQ_PERIOD" not in _rules(check.check_settlement(first))


def test_checks_in_threads_at_once_give_each_settlement_its_own_findings(audit_world: dict[str, Any]) -> None:
    book = rulebook.current_book()
    first, second = audit_world["first"], audit_world["second"]
    data = {s.setl_id: check._person_data(s.psn_no, (s.adm_date, s.dscg_date), book) for s in (first, second)}
    alone = {sid: check_one(d, sid, book.rule_ids, book.engine_params()) for sid, d in data.items()}
    assert alone["SA0001"].records() != alone["ST0002"].records()
    got: dict[int, list[tuple[str, Any]]] = {}
    errors: list[BaseException] = []

    def worker(n: int) -> None:
        try:
            for i in range(10):
                sid = ("SA0001", "ST0002")[(n + i) % 2]
                got.setdefault(n, []).append((sid, check_one(data[sid], sid, book.rule_ids, book.engine_params())))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread, which fails with it
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    results = [r for rows in got.values() for r in rows]
    assert len(results) == 40
    for sid, found in results:
        assert found.same_as(alone[sid]), sid
