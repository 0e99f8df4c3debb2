"""The review priority of a new finding (审核优先级): the amount at issue, the result type, and whether the
hospital, the insured person or a doctor on the violating lines is on the credit watch or black list
(:func:`dae.credit.actions.violations.listed_levels`) — listed parties are looked at first."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from dae.audit import RULES
from dae.claims.models import FeeLine
from dae.credit.actions.violations import listed_levels
from dae.credit.queries import priority_boost

#: (amount from, points): the larger the amount at issue, the earlier a reviewer looks.
AMOUNT_TIERS = ((Decimal("10000"), 3), (Decimal("1000"), 2), (Decimal("100"), 1))
LEVEL_ZH = {"watch": "关注名单", "black": "黑名单"}
KIND_ZH = {"hospital": "医疗机构", "doctor": "医师", "person": "参保人"}


def priorities(
    rows: list[dict[str, Any]],
    evidence: dict[tuple[str, str], list[tuple[str, str, str]]],
    line_ids: dict[tuple[int, str], int],
    setl: dict[str, tuple[int, int, str]],
) -> list[tuple[int, list[str]]]:
    """(priority, reasons) for each row, in order."""
    levels = listed_levels(None)
    doctors = _doctors(rows, evidence, line_ids, setl) if any(k == "doctor" for k, _c in levels) else {}
    out: list[tuple[int, list[str]]] = []
    for r in rows:
        amount = Decimal(str(r["amount_at_issue"]))
        points, reasons = 0, []
        for floor, tier in AMOUNT_TIERS:
            if amount >= floor:
                points += tier
                reasons.append(f"疑点金额≥{floor}元 +{tier}")
                break
        if RULES[r["rule_id"]].result == "violation":
            points += 1
            reasons.append("违规类规则 +1")
        parties = [("hospital", r["fixmedins_code"]), ("person", r["psn_no"])]
        parties += [("doctor", d) for d in sorted(doctors.get((r["rule_id"], r["finding_key"]), ()))]
        for kind, code in parties:
            level = levels.get((kind, code))
            if level:
                boost = priority_boost(level)
                points += boost
                reasons.append(f"{KIND_ZH[kind]} {code} 在{LEVEL_ZH[level]} +{boost}")
        out.append((points, reasons))
    return out


def _doctors(
    rows: list[dict[str, Any]],
    evidence: dict[tuple[str, str], list[tuple[str, str, str]]],
    line_ids: dict[tuple[int, str], int],
    setl: dict[str, tuple[int, int, str]],
) -> dict[tuple[str, str], set[str]]:
    """The billing doctors of each finding's violating lines."""
    wanted: dict[int, list[tuple[str, str]]] = {}
    for r in rows:
        k = (r["rule_id"], r["finding_key"])
        for ev_setl, sn, role in evidence[k]:
            pk = line_ids.get((setl[ev_setl][0], sn)) if sn and ev_setl in setl else None
            if pk is not None and role == "violation":
                wanted.setdefault(pk, []).append(k)
    out: dict[tuple[str, str], set[str]] = {}
    ids = sorted(wanted)
    for i in range(0, len(ids), 500):
        for pk, dr in (
            FeeLine.objects.filter(pk__in=ids[i : i + 500]).exclude(bilg_dr_codg="").values_list("pk", "bilg_dr_codg")
        ):
            for k in wanted[pk]:
                out.setdefault(k, set()).add(dr)
    return out
