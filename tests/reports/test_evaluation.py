"""The annual hospital evaluation: exact scores on a hand-built sheet, and the engine's profile of the
hand-built city (readmissions included)."""

from __future__ import annotations

from decimal import Decimal

from dae.reports import indicator_data
from dae.reports import indicators as engine
from dae.reports.evaluation import Criterion, Profile, score
from dae.reports.periods import Period

from .builders import tables

SHEET = (
    Criterion("cost_index", "次均费用指数", Decimal("50"), ((Decimal("1.00"), Decimal("1")),
                                                      (Decimal("1.20"), Decimal("0.5"))), ""),
    Criterion("drug_share", "药占比", Decimal("30"), ((Decimal("30"), Decimal("1")), (Decimal("40"), Decimal("0.5"))),
              "%"),
    Criterion("deduction_rate", "扣款率", Decimal("20"), ((Decimal("0"), Decimal("1")), (Decimal("2"), Decimal("0.5"))),
              "%"),
)


def test_scores_on_a_hand_built_sheet() -> None:
    profiles = [
        # three 三级 hospitals: costs per stay 8,000 / 10,000 / 11,500 → median 10,000
        Profile("H1", "3", 10, 8_000_000, 250, 1000, 0, 0, 500_000),  # index 0.80, drugs 25%, no deductions
        Profile("H2", "3", 10, 10_000_000, 350, 1000, 1, 5_000, 500_000),  # 1.00, 35%, 1%
        Profile("H3", "3", 10, 11_500_000, 450, 1000, 2, 20_000, 500_000),  # 1.15, 45%, 4%
        Profile("H4", "2", 0, 0, 0, 0, 0, 0, 0),  # no stays, no lines: nothing measurable, no points
    ]
    scores = {s.hospital: s for s in score(profiles, SHEET)}
    assert scores["H1"].total == Decimal("100.00")
    assert scores["H2"].points == {"cost_index": Decimal("50.00"), "drug_share": Decimal("15.00"),
                                   "deduction_rate": Decimal("10.00")}
    assert scores["H2"].total == Decimal("75.00")
    assert scores["H3"].values["cost_index"] == Decimal("1.15") and scores["H3"].total == Decimal("25.00")
    assert scores["H4"].values == {"cost_index": None, "drug_share": None, "readmit_rate": None,
                                   "deduction_rate": Decimal("0.00")}
    assert scores["H4"].total == Decimal("20.00")  # only "no deductions" is measured
    assert [s.hospital for s in score(profiles, SHEET)] == ["H1", "H2", "H3", "H4"]


def test_profile_of_the_hand_built_city() -> None:
    b = indicator_data.bind_duckdb(tables())
    rows = {r["hospital"]: r for r in engine.hospital_profile(b, Period.parse("2026"))}
    assert rows["1"] == {"hospital": "1", "level": "3", "admissions": 1, "cost_fen": 1_000_000, "drug_fen": 200_000,
                         "lines_fen": 600_000, "readmissions": 0, "deductions_fen": 12_000, "payout_fen": 100_000}
    assert rows["2"]["payout_fen"] == 0 and rows["2"]["admissions"] == 0  # cancelled and reversed
