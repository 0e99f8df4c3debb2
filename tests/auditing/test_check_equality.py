"""The single-claim check runs only the rules that may fire on the claim, with the reference tables kept loaded;
its findings must still be exactly the batch's: for every settlement of a planted demo city, the findings on it
or naming it as evidence, with their amounts, explanations and evidence."""

from __future__ import annotations

from typing import Any

import pytest

from dae.auditing import check, rulebook, runs
from dae.auditing.demo import install_settings

from ..factories import make_user

pytestmark = pytest.mark.django_db


def _touching(findings: list[dict[str, Any]], evidence: list[dict[str, Any]], setl_id: str) -> tuple[set, set]:
    keys = {(e["rule_id"], e["finding_key"]) for e in evidence if e["ev_setl_id"] == setl_id}
    keys |= {(f["rule_id"], f["finding_key"]) for f in findings if f["setl_id"] == setl_id}
    kept = {tuple(f.values()) for f in findings if (f["rule_id"], f["finding_key"]) in keys}
    ev = {tuple(e.values()) for e in evidence if (e["rule_id"], e["finding_key"]) in keys}
    return kept, ev


def test_single_claim_findings_equal_the_batch_on_every_settlement_of_a_demo_city(chart: Any) -> None:
    from dae.claims.models import Settlement
    from dae.demo.generator import generate_city
    from dae.demo.loader import load_city
    from dae.demo.plants import plants

    from ..demo.test_plants import RATE, RATES

    load_city(generate_city(persons=1500, hospitals=12, plants=plants(RATE, RATES)))
    install_settings(make_user("manager", regions=("220282", "220281")))
    book = rulebook.current_book()
    batch = runs.evaluate(runs.context_data(Settlement.objects.all(), book), book)
    findings, evidence = batch.records(), batch.evidence_records()
    fired = {f["rule_id"] for f in findings}
    assert len(fired) >= 15, sorted(fired)

    settlements = list(Settlement.objects.order_by("pk"))
    assert len(settlements) > 100
    checked_rules: set[str] = set()
    for settlement in settlements:
        found = check.check_settlement(settlement)
        got = {tuple(f.values()) for f in found.records()}, {tuple(e.values()) for e in found.evidence_records()}
        assert got == _touching(findings, evidence, settlement.setl_id), settlement.setl_id
        checked_rules |= {f["rule_id"] for f in found.records()}
    assert checked_rules == fired
