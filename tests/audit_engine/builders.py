"""Small hand-built audit tables: a world of one or two persons, hospitals and stays, lines added by day.

``World`` collects rows with sensible defaults so each test states only what matters to its rule; ``data()``
conforms them to the engine's schemas. Amounts are Decimals from strings; a line's amount is cnt × pric.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from decimal import Decimal
from typing import Any

import pyarrow as pa

from dae.audit import AuditData, Findings, run_rules
from dae.audit.schemas import SCHEMAS

D0 = date(2026, 3, 1)


def day(n: int) -> date:
    """Day ``n`` of the test calendar (day 0 = 2026-03-01)."""
    return D0 + timedelta(days=n)


@dataclass
class World:
    persons: list[dict[str, Any]] = field(default_factory=list)
    hospitals: list[dict[str, Any]] = field(default_factory=list)
    settlements: list[dict[str, Any]] = field(default_factory=list)
    lines: list[dict[str, Any]] = field(default_factory=list)
    catalogue: list[dict[str, Any]] = field(default_factory=list)
    extra: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def person(self, psn_no: str = "P1", gend: str = "1", brdy: date = date(1970, 6, 15)) -> str:
        self.persons.append({"psn_no": psn_no, "gend": gend, "brdy": brdy})
        return psn_no

    def hospital(self, code: str = "H1", hosp_lv: str = "02") -> str:
        self.hospitals.append({"fixmedins_code": code, "hosp_lv": hosp_lv})
        return code

    def item(self, code: str, **restrictions: Any) -> str:
        row = {f.name: None for f in SCHEMAS["catalogue"]}
        row.update(med_list_codg=code, name=code, begin_date=date(2020, 1, 1), inpatient_only=False,
                   outpatient_only=False)  # fmt: skip
        for name in ("pric_uplmt_amt", "max_per_day", "max_per_stay"):
            if name in restrictions and restrictions[name] is not None:
                restrictions[name] = Decimal(str(restrictions[name]))
        row.update(restrictions)
        self.catalogue.append(row)
        return code

    def stay(
        self,
        setl_id: str,
        *,
        psn_no: str = "P1",
        hospital: str = "H1",
        adm: int = 0,
        dscg: int = 5,
        med_type: str = "21",
        dise: str | None = "I21.000",
        mdtrt_id: str | None = None,
        medfee: str = "1000.00",
        init_setl_id: str | None = None,
        setl_day: int | None = None,
    ) -> str:
        self.settlements.append({
            "setl_id": setl_id, "init_setl_id": init_setl_id, "mdtrt_id": mdtrt_id or f"M{setl_id}",
            "psn_no": psn_no, "fixmedins_code": hospital, "med_type": med_type, "adm_date": day(adm),
            "dscg_date": day(dscg), "setl_time": datetime.combine(day(dscg if setl_day is None else setl_day),
                                                                  time(10)),
            "dise_codg": dise, "medfee_sumamt": Decimal(medfee),
        })  # fmt: skip
        return setl_id

    def line(
        self,
        setl_id: str,
        sn: str,
        code: str,
        on: int,
        *,
        cnt: str = "1",
        pric: str = "10",
        at: int = 9,
        kind: str = "05",
        refund_of: str | None = None,
    ) -> str:
        setl = next(s for s in self.settlements if s["setl_id"] == setl_id)
        count, price = Decimal(cnt), Decimal(pric)
        self.lines.append({
            "feedetl_sn": sn, "init_feedetl_sn": refund_of, "setl_id": setl_id, "mdtrt_id": setl["mdtrt_id"],
            "psn_no": setl["psn_no"], "fixmedins_code": setl["fixmedins_code"],
            "fee_ocur_time": datetime.combine(day(on), time(at)), "med_list_codg": code, "med_chrgitm_type": kind,
            "cnt": count, "pric": price, "det_item_fee_sumamt": (count * price).quantize(Decimal("0.01")),
        })  # fmt: skip
        return sn

    def add(self, table: str, **row: Any) -> None:
        self.extra.setdefault(table, []).append(row)

    def data(self) -> AuditData:
        def table(name: str, rows: list[dict[str, Any]]) -> pa.Table:
            schema = SCHEMAS[name]
            return pa.Table.from_pylist(rows, schema=schema) if rows else schema.empty_table()

        tables = {
            "person": table("person", self.persons),
            "hospital": table("hospital", self.hospitals),
            "settlement": table("settlement", self.settlements),
            "fee_line": table("fee_line", self.lines),
            "catalogue": table("catalogue", self.catalogue),
        }
        for name, rows in self.extra.items():
            tables[name] = table(name, rows)
        return AuditData.of(tables)

    def run(self, rule_id: str, **params: Any) -> Findings:
        return run_rules(self.data(), [rule_id], {rule_id: params} if params else None)


def basic(**person: Any) -> World:
    """One person (man, born 1970-06-15) and one hospital (H1, 三级甲等 02)."""
    w = World()
    w.person(**person)
    w.hospital()
    return w


def summary(found: Findings) -> list[tuple[str, str, str, str]]:
    """Findings as (rule_id, setl_id, finding_key, amount)."""
    return [(r["rule_id"], r["setl_id"], r["finding_key"], str(r["amount_at_issue"])) for r in found.records()]


def evidence(found: Findings) -> list[tuple[str | None, str | None, str]]:
    """Evidence as (settlement, line, role), in the engine's order."""
    return [(r["ev_setl_id"], r["ev_feedetl_sn"], r["ev_role"]) for r in found.evidence_records()]


def details(found: Findings) -> list[str]:
    return [r["detail"] for r in found.records()]
