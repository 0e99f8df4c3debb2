"""The single-claim check reads a person's slice with plain SQL (:mod:`dae.auditing.person_slice`) and keeps the
hospitals, catalogue and rule book resident; the tables must be exactly those the ORM path
(``engine_adapters.data_from_querysets``) builds — types, time zones, empty → null — for every person of a demo
city, and a change to a hospital or a rule setting must be seen by the next check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from dae.auditing import check, rulebook
from dae.auditing.engine_adapters import data_from_querysets
from dae.auditing.runs import CONTEXT_DAYS

from ..factories import make_user

pytestmark = pytest.mark.django_db


def test_the_slice_read_with_sql_is_the_orm_slice_for_every_settlement_of_a_demo_city(chart: Any) -> None:
    from dae.auditing.demo import install_settings
    from dae.catalog.models import CatalogueItem, Hospital
    from dae.claims.models import Settlement
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.demo.plants import DEFAULT_PLANTS
    from dae.enrollment.models import Person

    load_city(generate_city(persons=300, hospitals=12, plants=DEFAULT_PLANTS))
    install_settings(make_user("manager", regions=("220282", "220281")))
    book, _tables = check.current_book()
    settlements = list(Settlement.objects.order_by("pk"))
    assert len(settlements) > 20
    refunds = 0
    for s in settlements:
        got = check._person_data(s.psn_no, (s.adm_date, s.dscg_date), book)
        lo, hi = s.adm_date - dt.timedelta(days=CONTEXT_DAYS), s.dscg_date + dt.timedelta(days=CONTEXT_DAYS)
        want = data_from_querysets(
            Settlement.objects.filter(psn_no=s.psn_no, dscg_date__gte=lo, adm_date__lte=hi),
            persons=Person.objects.filter(psn_no=s.psn_no),
            hospitals=Hospital.objects.all(),
            catalogue=CatalogueItem.objects.all(),
            params=rulebook.current_book().engine_tables(),
        )
        assert set(got.tables) == set(want.tables)
        for name in want.tables:
            assert got[name].schema == want[name].schema, name
            assert got[name].to_pylist() == want[name].to_pylist(), (s.setl_id, name)
        refunds += got["fee_line"]["init_feedetl_sn"].null_count < got["fee_line"].num_rows
    assert refunds  # some slices carry refund lines (init_feedetl_sn set), the others nulls


def test_a_hospital_level_edited_in_place_and_a_new_rule_setting_are_seen_by_the_next_check(chart: Any) -> None:
    from dae.auditing.actions.rules import do_change_setting
    from dae.catalog.models import Hospital

    from ..factories import region

    hospital = Hospital.objects.create(code="HA9001", name="桦甸测试医院", level="05", region=region("220282"))
    before = check.person_slice.hospitals()
    assert check.person_slice.hospitals() is before  # resident while unchanged
    Hospital.objects.filter(pk=hospital.pk).update(level="03")
    after = check.person_slice.hospitals()
    assert after is not before and after != before
    book, _ = check.current_book()
    assert check.current_book()[0] is book
    do_change_setting("R14_IDLE_BED", enabled=False, params={}, tables={}, reason="测试", actor=make_user("m2"))
    assert "R14_IDLE_BED" in book.rule_ids
    assert "R14_IDLE_BED" not in check.current_book()[0].rule_ids
