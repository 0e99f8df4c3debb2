"""Which rules a single-claim check runs (``dae.audit.relevance``): only those that may find something on the claim
— asked of the claim's own lines and stays, with refunds netted — and none at all for a clean claim; every rule it
leaves out finds nothing there (the batch run agrees)."""

from __future__ import annotations

from typing import Any

from dae.audit import RULES, check_one, run_rules
from dae.audit.engine import resolve_params
from dae.audit.relevance import INPATIENT_PREFIXES, rules_that_may_fire
from dae.audit.rules.base import INPATIENT_MED_TYPE_PREFIXES

from .builders import World, basic

ALL = tuple(RULES)


def world() -> World:
    w = basic()  # a man
    w.item("F", lmt_sex="2")  # women only
    w.item("A")
    w.stay("S1", adm=0, dscg=5)  # the women's item, one day of treatment in five nights
    w.line("S1", "1", "F", 1)
    w.stay("S2", adm=100, dscg=101)  # clean: one night, treated
    w.line("S2", "1", "A", 100)
    w.stay("S4", adm=300, dscg=304)  # treated every day, but three of the four days refunded in full
    for n, on in enumerate((300, 301, 302, 303), start=1):
        w.line("S4", str(n), "A", on)
    for n in (2, 3, 4):
        w.line("S4", f"R{n}", "A", 300 + n - 1, cnt="-1", refund_of=str(n))
    return w


def _may_fire(w: World, focus: str | None) -> tuple[str, ...]:
    return rules_that_may_fire(ALL, w.data(), resolve_params(list(RULES.values()), None), focus)


def _fired(w: World) -> dict[str, set[str]]:
    out: dict[str, set[str]] = {}
    for r in run_rules(w.data()).records():
        out.setdefault(r["setl_id"], set()).add(r["rule_id"])
    return out


def test_the_rules_run_for_a_claim_are_those_that_may_find_something_on_it() -> None:
    w = world()
    fired = _fired(w)
    assert fired == {"S1": {"R06_SEX", "R14_IDLE_BED"}, "S4": {"R14_IDLE_BED"}}
    assert _may_fire(w, "S2") == ()  # nothing to run: no query at all
    assert check_one(w.data(), "S2").findings.num_rows == 0
    assert set(_may_fire(w, "S1")) == {"R06_SEX", "R14_IDLE_BED"}
    assert set(_may_fire(w, "S4")) == {"R14_IDLE_BED"}  # idle only once the refunds are netted
    assert {"R06_SEX", "R14_IDLE_BED"} <= set(_may_fire(w, None))  # the whole slice: any settlement


def test_a_claim_the_rules_must_pass_over_may_still_be_named_by_another_stay() -> None:
    w = world()
    w.hospital("H2")
    w.stay("T1", hospital="H2", adm=302, dscg=306)  # overlaps S4 at another hospital: the finding is on T1
    w.line("T1", "1", "A", 302)
    fired: dict[str, Any] = _fired(w)
    assert "R15_OVERLAP" in fired["T1"]
    assert "R15_OVERLAP" in _may_fire(w, "S4")  # S4 is the finding's 涉及项
    assert "R15_OVERLAP" in {r["rule_id"] for r in check_one(w.data(), "S4").records()}
    assert "R15_OVERLAP" not in _may_fire(w, "S2")


def test_inpatient_prefixes_are_the_rules() -> None:
    assert INPATIENT_PREFIXES == INPATIENT_MED_TYPE_PREFIXES
