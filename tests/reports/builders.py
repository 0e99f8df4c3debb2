"""A small hand-built city for the indicator tests: every figure below can be worked out on paper.

Region A, March–April 2026 (and March 2025 for 同比):
- P1 (male, born 1960): stay M1 at H1 (三级) 1–11 March, two settlements (mid-stay S1a on 6 March: 4,000.00
  cost, 400.00 payout; final S1b on 11 March: 6,000.00 cost, 600.00 payout), ICD I21; special outpatient S2
  (med_type 14) on 5 March: 500.00 cost, 0 payout.
- P2 (female, born 1980): stay M3 at H2 (二级), off-site (referred), 2–4 March, 3,000.00 cost, 500.00 payout,
  ICD C34; cancelled on 2 April by the 2305 reversal S3R (−3,000.00 / −500.00).
- P3 (female, born 1990): stay M4 at H1 1–2 March 2025 (last year): 2,000.00 cost, 100.00 payout, ICD J18.
Enrolments: P1, P2 from 2020; P3 from 2020 ending 2026-03-15; P4 joins 2026-03-10 (male 2000).
Fee lines of S1b: drugs (09, 甲) 2,000.00, examinations (03, 乙) 1,000.00, surgery (06, 丙) 3,000.00.
Deductions: audit 120.00 at H1 on 20 March; carried 50.00 (never counted).
Ledger: funds raised 100,000.00 and received into 100201 on 1 March; claims expense 1,500.00 in March; operating costs 500.00;
payment 900.00 from 100202 on 25 March; transfer 5,000.00 into 100202 on 1 March; operating
costs of 10.00 in April (a period with movements but no income: the profit rate is undefined there).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

D = dt.date


def settlements() -> dict[str, list[Any]]:
    rows = [
        # setl_id, mdtrt, psn, hosp, level, med, place, dise, sex, birth, adm, dscg, setl, rev, canc, fee, inscp, pay
        ("S1a", "M1", "P1", "1", "3", "21", "local", "I21.0", "1", 1960, D(2026, 3, 1), D(2026, 3, 6),
         D(2026, 3, 6), False, False, 400_000, 300_000, 40_000),
        ("S1b", "M1", "P1", "1", "3", "21", "local", "I21.0", "1", 1960, D(2026, 3, 1), D(2026, 3, 11),
         D(2026, 3, 11), False, False, 600_000, 500_000, 60_000),
        ("S2", "M2", "P1", "1", "3", "14", "local", "N18.5", "1", 1960, D(2026, 3, 5), D(2026, 3, 5),
         D(2026, 3, 5), False, False, 50_000, 40_000, 0),
        ("S3", "M3", "P2", "2", "2", "21", "referred", "C34.1", "2", 1980, D(2026, 3, 2), D(2026, 3, 4),
         D(2026, 3, 4), False, True, 300_000, 200_000, 50_000),
        ("S3R", "M3", "P2", "2", "2", "21", "referred", "C34.1", "2", 1980, D(2026, 3, 2), D(2026, 3, 4),
         D(2026, 4, 2), True, False, -300_000, -200_000, -50_000),
        ("S4", "M4", "P3", "1", "3", "21", "local", "J18.9", "2", 1990, D(2025, 3, 1), D(2025, 3, 2),
         D(2025, 3, 2), False, False, 200_000, 150_000, 10_000),
    ]
    names = ("setl_id", "mdtrt_id", "psn_no", "hospital", "hospital_level", "med_type", "place", "dise_codg", "sex",
             "birth_year", "adm_date", "dscg_date", "setl_date", "reversal", "cancelled", "medfee_fen", "inscp_fen",
             "payout_fen")
    out: dict[str, list[Any]] = {n: [r[i] for r in rows] for i, n in enumerate(names)}
    out["region"] = ["A"] * len(rows)
    return out


def tables() -> dict[str, Any]:
    from dae.reports import indicator_data

    lines = {"setl_id": ["S1b", "S1b", "S1b"], "chrg_type": ["09", "03", "06"], "chrg_lv": ["01", "02", "03"],
             "amount_fen": [200_000, 100_000, 300_000]}
    enrol = {"psn_no": ["P1", "P2", "P3", "P4"], "region": ["A"] * 4, "sex": ["1", "2", "2", "1"],
             "birth_year": [1960, 1980, 1990, 2000],
             "begin_date": [D(2020, 1, 1), D(2020, 1, 1), D(2020, 1, 1), D(2026, 3, 10)],
             "end_date": [None, None, D(2026, 3, 15), None]}
    ded = {"region": ["A", "A"], "hospital": ["1", "1"], "hospital_level": ["3", "3"], "kind": ["audit", "carried"],
           "confirmed_on": [D(2026, 3, 20), D(2026, 3, 21)], "amount_fen": [12_000, 5_000]}
    legs = [
        ("1131", D(2026, 3, 1), 10_000_000, 0, "fund"), ("4001", D(2026, 3, 1), 0, 10_000_000, "fund"),
        ("100201", D(2026, 3, 1), 10_000_000, 0, "fund"), ("1131", D(2026, 3, 1), 0, 10_000_000, "fund"),
        ("100202", D(2026, 3, 1), 500_000, 0, "fund"), ("100201", D(2026, 3, 1), 0, 500_000, "fund"),
        ("5001", D(2026, 3, 31), 150_000, 0, "claims"), ("2201", D(2026, 3, 31), 0, 150_000, "claims"),
        ("5101", D(2026, 3, 31), 50_000, 0, "fund"), ("100202", D(2026, 3, 31), 0, 50_000, "fund"),
        ("2201", D(2026, 3, 25), 90_000, 0, "payments.order"), ("100202", D(2026, 3, 25), 0, 90_000, "payments.order"),
        ("5101", D(2026, 4, 10), 1_000, 0, "fund"), ("100202", D(2026, 4, 10), 0, 1_000, "fund"),
    ]
    leg_cols = {"region": ["A"] * len(legs), "account": [r[0] for r in legs], "date": [r[1] for r in legs],
                "debit_fen": [r[2] for r in legs], "credit_fen": [r[3] for r in legs],
                "reference_type": [r[4] for r in legs]}
    return {"settlements": indicator_data.conform("settlements", settlements()), "lines": indicator_data.conform("lines", lines),
            "enrolments": indicator_data.conform("enrolments", enrol), "deductions": indicator_data.conform("deductions", ded),
            "legs": indicator_data.conform("legs", leg_cols)}
