"""Loads a generated demo city into the database in one transaction: all of it or nothing.

Rows go in with ``bulk_create`` in batches (the ORM row by row would take minutes for 100,000 persons).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from django.db import models, transaction

from dae.catalog.models import Hospital
from dae.claims.models import FeeLine, Settlement
from dae.core.events import record_event
from dae.core.models import Region
from dae.enrollment.models import Enrolment, Person, Unit

from .city import City

TZ = ZoneInfo("Asia/Shanghai")
BATCH = 5000
T = TypeVar("T")

#: psn_insu_stas of the demo roster → our enrolment status (4 marks an ended enrolment in the generator).
STATUS = {"1": Enrolment.Status.NORMAL, "2": Enrolment.Status.SUSPENDED, "4": Enrolment.Status.ENDED}

Progress = Callable[[str, int, int], None]

#: Names of the other divisions where the demo's off-site hospitals stand (not pooling regions we administer).
OTHER_DIVISIONS = {
    "220202": "吉林市昌邑区", "220203": "吉林市龙潭区", "220204": "吉林市船营区", "220211": "吉林市丰满区",
    "220102": "长春市南关区", "220104": "长春市朝阳区", "220106": "长春市绿园区", "460203": "三亚市吉阳区",
    "110105": "北京市朝阳区", "110102": "北京市西城区", "210203": "大连市西岗区",
}


def _aware(value: dt.datetime) -> dt.datetime:
    return value if value.tzinfo else value.replace(tzinfo=TZ)


def _chunks(rows: Iterable[T], size: int = BATCH) -> Iterator[list[T]]:
    chunk: list[T] = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk


def _bulk(model: type[models.Model], objs: Iterable[models.Model], label: str, total: int,
          progress: Progress) -> None:
    done = 0
    for chunk in _chunks(objs):
        model._default_manager.bulk_create(chunk, batch_size=BATCH)
        done += len(chunk)
        progress(label, done, total)


def load_city(city: City, progress: Progress = lambda label, done, total: None) -> dict[str, int]:
    """Insert every table of ``city``. Returns the row counts. Raises (and leaves nothing) on any failure."""
    with transaction.atomic():
        for r in city.regions:
            Region.objects.update_or_create(admdvs=r.admdvs, defaults={"name": r.name})
        for code in sorted({h.admdvs for h in city.hospitals} - {r.admdvs for r in city.regions}):
            Region.objects.get_or_create(admdvs=code, defaults={"name": OTHER_DIVISIONS.get(code, f"区划 {code}")})
        _bulk(Unit, (Unit(emp_no=u.emp_no, emp_name=u.emp_name, region_id=u.admdvs) for u in city.units),
              "单位 units", len(city.units), progress)
        unit_ids = dict(Unit.objects.values_list("emp_no", "id"))
        _bulk(Hospital, (Hospital(code=h.fixmedins_code, name=h.fixmedins_name, level=h.hosp_lv,
                                  kind=h.fixmedins_type, region_id=h.admdvs, bank_name=h.bank_name,
                                  bank_account=h.bank_acct, status=h.status) for h in city.hospitals),
              "医院 hospitals", len(city.hospitals), progress)
        hospital_ids = dict(Hospital.objects.values_list("code", "id"))
        _bulk(Person, (Person(psn_no=p.psn_no, psn_cert_type=p.psn_cert_type, certno=p.certno,
                              psn_name=p.psn_name, gend=p.gend, brdy=p.brdy, region_id=p.admdvs,
                              unit_id=unit_ids.get(p.emp_no)) for p in city.persons),
              "参保人 persons", len(city.persons), progress)
        person_ids = dict(Person.objects.values_list("psn_no", "id"))
        _bulk(Enrolment, (Enrolment(person_id=person_ids[p.psn_no], insutype=p.insutype, psn_type=p.psn_type,
                                    status=STATUS[p.psn_insu_stas], begin_date=p.psn_insu_date,
                                    pause_date=p.paus_insu_date, end_date=p.insu_end_date)
                          for p in city.persons),
              "参保记录 enrolments", len(city.persons), progress)
        _bulk(Settlement, (_settlement(s, person_ids, hospital_ids) for s in city.settlements),
              "结算 settlements", len(city.settlements), progress)
        settlement_ids = dict(Settlement.objects.values_list("setl_id", "id"))
        _bulk(FeeLine, (_fee_line(f, settlement_ids) for f in city.fee_lines),
              "费用明细 fee lines", len(city.fee_lines), progress)
        counts = {name: len(rows) for name, rows in city.tables().items()}
        record_event(None, "demo.loaded", object_type="demo.city", object_id=str(city.seed),
                     after={"seed": city.seed, "year": city.year, **counts})
    return counts


def _settlement(s: Any, person_ids: dict[str, int], hospital_ids: dict[str, int]) -> Settlement:
    return Settlement(
        setl_id=s.setl_id, mdtrt_id=s.mdtrt_id, init_setl_id=s.init_setl_id or "", psn_no=s.psn_no,
        person_id=person_ids[s.psn_no], hospital_id=hospital_ids[s.fixmedins_code], region_id=s.admdvs,
        med_type=s.med_type, adm_date=s.adm_date, dscg_date=s.dscg_date, setl_time=_aware(s.setl_time),
        dise_codg=s.dise_codg, dise_name=s.dise_name, place_category=s.place_category, settle_way=s.settle_way,
        mid_setl_flag=s.mid_setl_flag == "1", medfee_sumamt=s.medfee_sumamt, fulamt_ownpay_amt=s.fulamt_ownpay_amt,
        overlmt_selfpay=s.overlmt_selfpay, preselfpay_amt=s.preselfpay_amt, inscp_scp_amt=s.inscp_scp_amt,
    )


def _fee_line(f: Any, settlement_ids: dict[str, int]) -> FeeLine:
    return FeeLine(
        settlement_id=settlement_ids[f.setl_id], feedetl_sn=f.feedetl_sn, init_feedetl_sn=f.init_feedetl_sn or "",
        fee_ocur_time=_aware(f.fee_ocur_time), med_list_codg=f.med_list_codg, medins_list_codg=f.medins_list_codg,
        det_item_fee_sumamt=f.det_item_fee_sumamt, cnt=f.cnt, pric=f.pric, chrgitm_lv=f.chrgitm_lv,
        med_chrgitm_type=f.med_chrgitm_type, overlmt_amt=f.overlmt_amt, fulamt_ownpay_amt=f.fulamt_ownpay_amt,
        preselfpay_amt=f.preselfpay_amt, inscp_scp_amt=f.inscp_scp_amt, bilg_dept_codg=f.bilg_dept_codg,
        bilg_dept_name=f.bilg_dept_name, bilg_dr_codg=f.bilg_dr_codg, bilg_dr_name=f.bilg_dr_name,
        dialysis_session=f.dialysis_session_id or "",
    )
