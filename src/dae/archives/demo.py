"""The demo city's archive: a few closed objects of each kind made through the ordinary actions (window claims
paid and rejected, a month's declaration, a roster batch, an on-site inspection with its scan, permission
changes, remote investigations of 2014–2015 now past their ten years), then everything closed is archived; loans
(one active, one overdue, one waiting), a hold, one destruction list approved by the manager and the supervisor
and executed, and the log chains' anchor of yesterday."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from dae.accounts.actions import do_update_user
from dae.accounts.models import User
from dae.accounts.posts import Post
from dae.catalog.models import Hospital
from dae.claims.actions import do_submit_declaration
from dae.claims.models import Settlement
from dae.core.idcard import make_certno
from dae.core.jobs import run_job
from dae.core.models import Region
from dae.demo.finance import bank_result
from dae.demo.users import REGION_A
from dae.enrollment.importers import COLUMNS
from dae.enrollment.models import Person
from dae.fund import actions as fund_actions
from dae.fund.services import spending_shortfall
from dae.imports.actions import do_start_import
from dae.inspection.actions import documents, inspections, investigations
from dae.payments.actions import do_create_batch, do_export_batch, do_import_result
from dae.reimbursement import actions as claims
from dae.reimbursement.inputs import ClaimInput, InvoiceInput

from . import actions
from .actions import do_archive_daily
from .models import Item, Loan
from .render import _font


def _user(post: str, region: str | None = None) -> User:
    qs = User.objects.filter(post=post, is_active=True)
    if region is not None:
        qs = qs.filter(regions__admdvs=region)
    user = qs.order_by("pk").first()
    if user is None:
        raise LookupError(post)
    return user


def _scan_png(text: str) -> bytes:
    image = Image.new("RGB", (620, 877), "white")
    draw = ImageDraw.Draw(image)

    draw.text((40, 40), "现场检查记录（签字页扫描件）", font=_font(26), fill="black")
    for i, line in enumerate(text.split("\n")):
        draw.text((40, 110 + i * 36), line, font=_font(18), fill="black")
    draw.rectangle((30, 30, 590, 847), outline="black", width=2)
    out = io.BytesIO()
    image.save(out, format="PNG")
    return out.getvalue()


def _claims(region: str, year: int) -> list[Any]:
    """Three window claims: two paid (through a payment batch and the bank's result), one rejected."""
    clerk, checker = _user(Post.SETTLEMENT, region), _user(Post.CHECKER, region)
    local: list[tuple[str, str]] = []
    for psn_no, hospital in (Settlement.objects.filter(region_id=region, settle_way="direct",
                                                       hospital__region_id=region)
                             .values_list("psn_no", "hospital__code").order_by("psn_no")[:50]):
        if psn_no not in {p for p, _h in local}:
            local.append((psn_no, hospital))
    made = []
    for n, (psn_no, hospital) in enumerate(local[:3]):
        person = Person.objects.get(psn_no=psn_no)
        adm = dt.date(year, 10, 6 + n)
        medfee = Decimal(120000 + 25000 * n)
        data = ClaimInput(
            psn_no=psn_no, hospital_code=hospital, place_category="local", med_type="21", adm_date=adm,
            dscg_date=adm + dt.timedelta(days=12), dise_codg="I21.9", dise_name="急性心肌梗死",
            invoices=[InvoiceInput(f"DEMO-AR-{n + 1:04d}", adm + dt.timedelta(days=12), medfee)],
            bank_name="中国工商银行桦甸支行", bank_account=f"622202070000{n:07d}", account_name=person.psn_name,
            totals={"medfee_sumamt": medfee, "fulamt_ownpay_amt": Decimal("0.00"), "overlmt_selfpay": Decimal("0.00"),
                    "preselfpay_amt": Decimal("10000.00"), "inscp_scp_amt": medfee - Decimal("10000.00")},
            phone="", received_on=adm + dt.timedelta(days=20),
            materials=["application_form", "identity", "invoice", "fee_list", "discharge_summary",
                       "diagnosis_certificate", "bank_card"])
        claim = claims.do_register(clerk, data)
        if n == 2:
            made.append(claims.do_reject(checker, claim, "住院期间发生的美容项目费用，不属于大额补助支付范围"))
            continue
        claim = claims.do_compute(clerk, claim)
        claim = claims.do_check(checker, claim)
        made.append(claims.do_approve(checker, claim))
    _pay_persons(region)
    return made


def _pay_persons(region: str) -> None:
    finance = _user(Post.FINANCE, region)
    today = timezone.localdate()
    due = sum((s.hifob_pay or Decimal("0.00") for s in Settlement.objects.filter(
        region_id=region, settle_way="manual", state="payable", manual_claim__isnull=False)), Decimal("0.00"))
    short = spending_shortfall(region, due, today)
    if short > 0:
        fund_actions.do_record_entry(finance, "revolving_draw", region, on=today, amount=short,
                                     key=f"demo:{region}:archives:draw", approval_no="DEMO-SP-ARCHIVES",
                                     reason="演示：支付窗口报销前支出户余额不足，先行垫付")
    batch = do_create_batch(region, "person", actor=finance, on=today)
    do_export_batch(batch, actor=finance)
    do_import_result(batch, name=f"{batch.number}-result.csv", chunks=[bank_result(batch, {}, day=today, reason="")],
                     actor=finance, notify=False)


def _declaration(region: str, year: int) -> None:
    """One hospital's declaration of November, checked by the ordinary job: its two settlements name persons the
    roster does not know, so both are rejected and no money moves (the demo year's books stay as they are)."""
    hospital = Hospital.objects.filter(region_id=region).order_by("code").first()
    assert hospital is not None
    people = [f"DEMOAR{region}{n:04d}" for n in (1, 2)]
    month = f"{year}-11"
    settlements = []
    for n, psn_no in enumerate(people):
        medfee, inscp = Decimal("30000.00") + n * 5000, Decimal("27000.00") + n * 5000
        setl_id = f"DEMOAR{year}11{n + 1:03d}"
        info = {"setl_id": setl_id, "mdtrt_id": "M" + setl_id, "psn_no": psn_no, "psn_cert_type": "01",
                "insutype": "330", "psn_type": "1101", "med_type": "21", "setl_time": f"{month}-{12 + n} 10:00:00",
                "begndate": f"{month}-0{2 + n}", "enddate": f"{month}-{12 + n}", "medfee_sumamt": str(medfee),
                "fulamt_ownpay_amt": "0.00", "overlmt_selfpay": "0.00", "preselfpay_amt": str(medfee - inscp),
                "inscp_scp_amt": str(inscp), "act_pay_dedc": "0", "hifp_pay": "0", "hifob_pay": "0.00",
                "fund_pay_sumamt": "0.00", "hosp_part_amt": "0.00", "acct_pay": "0.00", "psn_cash_pay": str(medfee),
                "psn_part_amt": str(medfee), "clr_type": "21", "clr_way": "3"}
        settlements.append({"setlinfo": info, "setldetail": [
            {"fund_pay_type": "330100", "fund_payamt": "0.00", "inscp_scp_amt": str(inscp)}]})
    document = {"fixmedins_code": hospital.code, "month": month, "idempotency_key": f"demo-archive-{month}",
                "settlements": settlements}
    clerk = _user(Post.SETTLEMENT, region)
    declaration, created = do_submit_declaration(clerk, file_name="declaration.json",
                                              chunks=iter([json.dumps(document, ensure_ascii=False).encode()]))
    if created and declaration.job_id is not None:
        run_job.call(declaration.job_id)


def _roster(region: str, year: int) -> None:
    """A roster file of three new insured persons, loaded by the ordinary import job."""

    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=[c.name for c in COLUMNS], extrasaction="ignore")
    writer.writeheader()
    for i in range(3):
        born = dt.date(1968 + i, 3, 9 + i)
        gend = "1" if i % 2 else "2"
        writer.writerow({"psn_no": f"AR{region}{i + 1:06d}", "psn_cert_type": "01",
                         "certno": make_certno(region, born, 400 + i, gend), "psn_name": f"档案示例{i + 1}",
                         "gend": gend, "brdy": born.isoformat(), "insuplc_admdvs": region, "emp_no": f"EAR{region}",
                         "emp_name": "档案示例单位", "insutype": "330", "psn_type": "1101", "psn_insu_stas": "1",
                         "psn_insu_date": f"{year}-12-01", "paus_insu_date": "", "insu_end_date": "",
                         "contrib_year": str(year), "contrib_stas": "1"})
    clerk = _user(Post.SETTLEMENT, region)
    batch = do_start_import("roster", user=clerk, file_name=f"新增参保人员-{year}12.csv",
                         chunks=iter([out.getvalue().encode("utf-8")]), region_id=region)
    job_id = getattr(batch, "job_id", None)
    if job_id is not None:
        run_job.call(job_id)


def _inspection(region: str, year: int) -> None:
    inspector, manager = _user(Post.INSPECTOR, region), _user(Post.MANAGER, region)
    hospital = Hospital.objects.filter(region_id=region).order_by("code").first()
    inspection = inspections.do_create_inspection(inspector, hospital=hospital,
                                           inspected_on=dt.date(year, 12, 9), kind="routine",
                                           summary="抽查住院病房在床情况与费用清单，未发现挂床住院。",
                                           inspectors=[inspector])
    inspections.do_add_finding(inspector, inspection, description="部分病历首页主要诊断书写不规范", basis="病历书写基本规范",
                        amount="0.00")
    documents.do_attach_document(inspector, chunks=[_scan_png(f"{hospital}\n{year}-12-09 日常巡查\n巡查人员签字：{inspector}")],
                            name="现场检查记录.png", inspection=inspection)
    inspections.do_submit_inspection(inspector, inspection)
    inspections.do_confirm_inspection(manager, inspection, on=dt.date(year, 12, 15))


def _old_investigations(region: str) -> list[Any]:
    """Remote investigations of 2014 and 2015, fed back then: their ten years are over."""
    inspector = _user(Post.INSPECTOR, region)
    persons = list(Person.objects.filter(region_id=region).order_by("psn_no")[10:13])
    made = []
    for n, person in enumerate(persons):
        day = dt.date(2014 + n // 2, 3 + n, 3)
        inv = investigations.do_create_investigation(inspector, region=region, psn_no=person.psn_no,
                                           subject="核实异地住院的真实性与费用清单", hospital_name="长春市某医院",
                                           hospital_place="吉林省长春市", created_on=day)
        inv = investigations.do_record_result(inspector, inv, outcome="unfounded", result_text="住院属实，费用清单与病历一致",
                                    amount="0.00", result_on=day + dt.timedelta(days=3))
        made.append(investigations.do_feed_back(inspector, inv, feedback_text="协查结果已反馈委托方",
                                      feedback_on=day + dt.timedelta(days=5)))
    return made


def _permission_changes(region_b: str) -> None:
    it = _user(Post.IT)
    archivist = _user(Post.ARCHIVIST)
    regions = list(Region.objects.filter(admdvs__in=[*archivist.region_codes, region_b]))
    do_update_user(it, archivist, display_name=archivist.display_name, post=archivist.post, regions=regions,
                   hospital=None, psn_no="", is_active=True)


def seed_demo(year: int, regions: list[str]) -> dict[str, Any]:
    """Make the demo's archive (once). Returns what was made."""

    region = REGION_A if REGION_A in regions else regions[0]
    _claims(region, year + 1)
    _declaration(region, year + 1)
    _roster(region, year + 1)
    _inspection(region, year)
    old = _old_investigations(region)
    others = [r for r in regions if r != region]
    if others:
        _permission_changes(others[0])
    counts = actions.do_archive_pending()
    archivist = _user(Post.ARCHIVIST, region)
    _loans(region, archivist)
    held = Item.objects.get(kind="investigation", object_id=str(old[-1].pk))
    actions.do_place_hold(archivist, held, reason="参保人对协查结论提出复议，案件未结", reference="FY-2026-007")
    expired = [Item.objects.get(kind="investigation", object_id=str(inv.pk)) for inv in old[:-1]]
    dl = actions.do_propose_destruction(archivist, expired, reason="保管期满（定期10年），经鉴定无继续保存价值",
                                        region_id=region)
    actions.do_approve_destruction(_user(Post.MANAGER, region), dl, approve=True, note="同意销毁")
    actions.do_approve_destruction(_user(Post.SUPERVISOR, region), dl, approve=True, note="经审核，同意销毁")
    actions.do_execute_destruction(archivist, dl)
    summary = do_archive_daily(timezone.localdate(), actor=archivist)  # the anchor of the day the demo was made
    return {"archived": counts["archived"], "failed": counts["failed"], "destruction": dl.number,
            "anchors": [c.get("item") for c in summary["chains"].values()]}


def _loans(region: str, archivist: User) -> None:
    claim_item = Item.objects.filter(kind="manual_claim", status="archived").order_by("code").first()
    inv_item = Item.objects.filter(kind="investigation", status="archived", year__gte=2025).order_by("code").first()
    finding_item = Item.objects.filter(kind="audit_finding", status="archived").order_by("code").first()
    reviewer, inspector = _user(Post.REVIEWER, region), _user(Post.INSPECTOR, region)
    if claim_item is not None:
        loan = actions.do_request_loan(reviewer, claim_item, purpose="复核同一参保人后续住院时核对原始材料", days=14)
        actions.do_decide_loan(archivist, loan, approve=True, note="同意")
    target = inv_item or claim_item
    if target is not None:
        loan = actions.do_request_loan(inspector, target, purpose="稽核检查调阅协查档案", days=7)
        actions.do_decide_loan(archivist, loan, approve=True, note="同意，请按期归还")
        with transaction.atomic():  # as if approved three weeks ago: its seven days are over
            start = timezone.localdate() - dt.timedelta(days=21)
            Loan.objects.filter(pk=loan.pk).update(starts_on=start, due_on=start + dt.timedelta(days=6))
        actions.do_expire_loans(archivist)
    if finding_item is not None:
        actions.do_request_loan(_user(Post.SERVICE, region), finding_item, purpose="答复参保人咨询", days=3)
