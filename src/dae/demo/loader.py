"""Loads a generated demo city into the database in one transaction: all of it or nothing.

Rows go in through ``core.bulk.insert_rows`` (the ORM object by object would take minutes for 400,000 lines).
The plants' ground truth (``City.planted``) is not a table: ``dae demo`` writes it to :func:`truth_path` with
``dae.demo.audit_data.write_truth``, so an audit run on the loaded data can be scored (``read_truth``, ``score``).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from dae.catalog.demo import load_demo_reference
from dae.catalog.models import Hospital
from dae.claims.adjustments import book_cancellation
from dae.claims.models import FeeLine, Settlement
from dae.core.bulk import insert_rows
from dae.core.events import record_event
from dae.core.models import Region
from dae.demo.finance import post_payables
from dae.enrollment.models import Enrolment, Person, Unit

from .city import City

TZ = ZoneInfo("Asia/Shanghai")

#: psn_insu_stas of the demo roster → our enrolment status (4 marks an ended enrolment in the generator).
STATUS = {"1": Enrolment.Status.NORMAL, "2": Enrolment.Status.SUSPENDED, "4": Enrolment.Status.ENDED}

Progress = Callable[[str, int, int], None]

#: Names of the other divisions where the demo's off-site hospitals stand (not pooling regions we administer).
OTHER_DIVISIONS = {
    "220202": "吉林市昌邑区", "220203": "吉林市龙潭区", "220204": "吉林市船营区", "220211": "吉林市丰满区",
    "220102": "长春市南关区", "220104": "长春市朝阳区", "220106": "长春市绿园区", "460203": "三亚市吉阳区",
    "110105": "北京市朝阳区", "110102": "北京市西城区", "210203": "大连市西岗区",
}


def truth_path() -> Path:
    """Where ``dae demo`` keeps the ground truth of the loaded city's plants (JSON, under ``DAE_VAR_DIR``)."""
    return Path(settings.VAR_DIR) / "demo" / "planted.json"


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=TZ)


def load_city(city: City, progress: Progress = lambda label, done, total: None,
              payouts: Mapping[str, Decimal] | None = None) -> dict[str, int]:
    """Insert every table of ``city`` (with ``payouts`` as the declared ``hifob_pay``). Returns the row counts.

    Raises, and leaves nothing, on any failure.
    """
    payouts = payouts or {}
    with transaction.atomic():
        for r in city.regions:
            Region.objects.update_or_create(admdvs=r.admdvs, defaults={"name": r.name})
        for code in sorted({h.admdvs for h in city.hospitals} - {r.admdvs for r in city.regions}):
            Region.objects.get_or_create(admdvs=code, defaults={"name": OTHER_DIVISIONS.get(code, f"区划 {code}")})
        _insert(Unit, ("emp_no", "emp_name", "region"), ((u.emp_no, u.emp_name, u.admdvs) for u in city.units),
                "单位 units", len(city.units), progress)
        unit_ids = dict(Unit.objects.values_list("emp_no", "id"))
        _insert(Hospital, ("code", "name", "level", "kind", "region", "bank_name", "bank_account", "status"),
                ((h.fixmedins_code, h.fixmedins_name, h.hosp_lv, h.fixmedins_type, h.admdvs, h.bank_name,
                  h.bank_acct, h.status) for h in city.hospitals), "医院 hospitals", len(city.hospitals), progress)
        hospital_ids = dict(Hospital.objects.values_list("code", "id"))
        progress("目录与对码 catalogue", 0, 1)
        load_demo_reference(city)  # catalogue items, each hospital's code mappings, ICD-10 names
        progress("目录与对码 catalogue", 1, 1)
        _insert(Person, ("psn_no", "psn_cert_type", "certno", "psn_name", "gend", "brdy", "region", "unit"),
                ((p.psn_no, p.psn_cert_type, p.certno, p.psn_name, p.gend, p.brdy, p.admdvs,
                  unit_ids.get(p.emp_no)) for p in city.persons), "参保人 persons", len(city.persons), progress)
        person_ids = dict(Person.objects.values_list("psn_no", "id"))
        recorded = timezone.now()
        _insert(Enrolment, ("person", "insutype", "psn_type", "status", "valid_from", "begin_date", "pause_date",
                            "end_date", "region", "unit", "source", "reason", "recorded_at"),
                ((person_ids[p.psn_no], p.insutype, p.psn_type, STATUS[p.psn_insu_stas], p.psn_insu_date,
                  p.psn_insu_date, p.paus_insu_date, p.insu_end_date, p.admdvs, unit_ids.get(p.emp_no),
                  Enrolment.Source.DEMO, "", recorded) for p in city.persons),
                "参保记录 enrolments", len(city.persons), progress)
        cancelled = {s.init_setl_id for s in city.settlements if s.init_setl_id}
        _insert(Settlement, SETTLEMENT_COLUMNS,
                (_settlement(s, person_ids, hospital_ids, payouts, cancelled) for s in city.settlements),
                "结算 settlements", len(city.settlements), progress)
        settlement_ids = dict(Settlement.objects.values_list("setl_id", "id"))
        _insert(FeeLine, FEE_LINE_COLUMNS, (_fee_line(f, settlement_ids) for f in city.fee_lines),
                "费用明细 fee lines", len(city.fee_lines), progress)
        progress("应付记账 payables", 0, 1)

        for code in sorted({s.admdvs for s in city.settlements}):
            post_payables(code)
        progress("应付记账 payables", 1, 1)
        if payouts:
            _book_cancellations(city, progress)
        counts = {name: len(rows) for name, rows in city.tables().items()}
        if city.planted:
            counts["planted"] = len(city.planted)
        record_event(None, "demo.loaded", object_type="demo.city", object_id=str(city.seed),
                     after={"seed": city.seed, "year": city.year, **counts})
    return counts


def _book_cancellations(city: City, progress: Progress) -> None:
    """The payouts were computed with every original counting, as if each 2305 came after the person-year's
    other payouts: each cancellation books the 补付 / 追回 the declaration's check would have (in its own
    statement month), in the order of the person's cancellations."""
    cancellations = sorted((s for s in city.settlements if s.init_setl_id),
                           key=lambda s: (s.psn_no, s.setl_time, s.setl_id))
    later: dict[str, list[str]] = defaultdict(list)
    for s in cancellations:
        later[s.psn_no].append(s.init_setl_id)
    stored = Settlement.objects.in_bulk([s.setl_id for s in cancellations], field_name="setl_id")
    label = "补付追回 adjustments"
    for done, s in enumerate(cancellations, 1):
        later[s.psn_no].remove(s.init_setl_id)
        book_cancellation(None, stored[s.setl_id], pending=later[s.psn_no])
        if done % 100 == 0 or done == len(cancellations):
            progress(label, done, len(cancellations))


def _insert(model: type[Any], columns: tuple[str, ...], rows: Iterable[tuple[Any, ...]], label: str, total: int,
            progress: Progress) -> None:
    insert_rows(model, columns, rows, progress=lambda done: progress(label, done, total))


SETTLEMENT_COLUMNS = (
    "setl_id", "mdtrt_id", "init_setl_id", "psn_no", "person", "hospital", "region", "med_type", "adm_date",
    "dscg_date", "setl_time", "dise_codg", "dise_name", "place_category", "settle_way", "mid_setl_flag",
    "medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "hifob_pay",
    "computed_pay", "state", "paid_on", "national",
)


def _settlement(s: Any, person_ids: dict[str, int], hospital_ids: dict[str, int],
                payouts: Mapping[str, Decimal], cancelled: set[str]) -> tuple[Any, ...]:
    """Every settlement is loaded payable (an original cancelled by a 2305 as cancelled); finance pays them
    month by month afterwards (``dae.demo.finance``)."""
    state = "cancelled" if s.setl_id in cancelled else "payable"
    return (
        s.setl_id, s.mdtrt_id, s.init_setl_id or "", s.psn_no, person_ids[s.psn_no], hospital_ids[s.fixmedins_code],
        s.admdvs, s.med_type, s.adm_date, s.dscg_date, _aware(s.setl_time), s.dise_codg, s.dise_name,
        s.place_category, s.settle_way, s.mid_setl_flag == "1", s.medfee_sumamt, s.fulamt_ownpay_amt,
        s.overlmt_selfpay, s.preselfpay_amt, s.inscp_scp_amt, payouts.get(s.setl_id), payouts.get(s.setl_id),
        state, None, "{}",
    )


FEE_LINE_COLUMNS = (
    "settlement", "feedetl_sn", "init_feedetl_sn", "fee_ocur_time", "med_list_codg", "medins_list_codg",
    "det_item_fee_sumamt", "cnt", "pric", "chrgitm_lv", "med_chrgitm_type", "overlmt_amt", "fulamt_ownpay_amt",
    "preselfpay_amt", "inscp_scp_amt", "bilg_dept_codg", "bilg_dept_name", "bilg_dr_codg", "bilg_dr_name",
    "dialysis_session",
)


def _fee_line(f: Any, settlement_ids: dict[str, int]) -> tuple[Any, ...]:
    return (
        settlement_ids[f.setl_id], f.feedetl_sn, f.init_feedetl_sn or "", _aware(f.fee_ocur_time), f.med_list_codg,
        f.medins_list_codg, f.det_item_fee_sumamt, f.cnt, f.pric, f.chrgitm_lv, f.med_chrgitm_type, f.overlmt_amt,
        f.fulamt_ownpay_amt, f.preselfpay_amt, f.inscp_scp_amt, f.bilg_dept_codg, f.bilg_dept_name,
        f.bilg_dr_codg, f.bilg_dr_name, f.dialysis_session_id or "",
    )
