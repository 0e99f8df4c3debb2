"""What the window enters for a claim (``ClaimInput``), checked in one place for the page and the API.

``check_input`` returns every problem at once as ``{"path", "message"}`` (Chinese); the actions refuse the
claim with ``InvalidInput`` when any is found. The engine's own fee-line checks run on fee lines, so the window
accepts exactly what the payout engine can compute.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from dae.benefits.engine import model as em
from dae.benefits.engine.checks import fee_line_errors
from dae.core.money import is_fen

from .feefile import LineInput
from .models import TOTAL_FIELDS

TOTAL_LABELS = {"medfee_sumamt": "医疗费总额", "fulamt_ownpay_amt": "全自费金额", "overlmt_selfpay": "超限价自费",
                "preselfpay_amt": "先行自付金额", "inscp_scp_amt": "符合政策范围金额"}
PLACE_CATEGORIES = tuple(c.value for c in em.PlaceCategory)
CHARGE_LEVELS = tuple(c.value for c in em.ChargeLevel)
ACCOUNT_RE = re.compile(r"^\d{8,30}$")
MAX_STAY_DAYS = 366


@dataclass(frozen=True)
class InvoiceInput:
    number: str
    date: dt.date
    amount: Decimal


@dataclass(frozen=True)
class ClaimInput:
    psn_no: str
    hospital_code: str
    place_category: str
    med_type: str
    adm_date: dt.date
    dscg_date: dt.date
    dise_codg: str
    dise_name: str
    invoices: Sequence[InvoiceInput]
    bank_name: str
    bank_account: str
    account_name: str
    injury: bool = False
    totals: dict[str, Decimal] | None = None  # the five national totals, or None with fee_lines
    fee_lines: Sequence[LineInput] = ()
    phone: str = ""
    note: str = ""
    received_on: dt.date | None = None  # default: today
    materials: Sequence[str] = field(default_factory=tuple)

    @property
    def entry_mode(self) -> str:
        return "lines" if self.fee_lines else "totals"

    @property
    def has_self_paid_items(self) -> bool:
        """Claims 丙类/全自费 (目录外) items: a class-C line, or a positive 全自费金额."""
        if self.fee_lines:
            return any(line.chrgitm_lv == em.ChargeLevel.CLASS_C and line.det_item_fee_sumamt > 0
                       for line in self.fee_lines)
        return bool(self.totals) and (self.totals or {}).get("fulamt_ownpay_amt", Decimal(0)) > 0


def engine_lines(lines: Sequence[LineInput]) -> tuple[em.FeeLine, ...]:
    """Engine fee lines (call only after ``check_input`` found the charge levels valid)."""
    special = {"": None, "in_basic_scope": em.SpecialDrugKind.IN_BASIC_SCOPE,
               "class_b_managed": em.SpecialDrugKind.CLASS_B_MANAGED}
    return tuple(em.FeeLine(feedetl_sn=x.feedetl_sn, det_item_fee_sumamt=x.det_item_fee_sumamt,
                            chrgitm_lv=em.ChargeLevel(x.chrgitm_lv), med_chrgitm_type=x.med_chrgitm_type, cnt=x.cnt,
                            pric=x.pric, med_list_codg=x.med_list_codg, overlmt_amt=x.overlmt_amt,
                            special_drug=special[x.special_drug], init_feedetl_sn=x.init_feedetl_sn or None)
                 for x in lines)


def fee_total(data: ClaimInput) -> Decimal | None:
    """医疗费总额: the entered total, or the net sum of the fee lines."""
    if data.fee_lines:
        return sum((x.det_item_fee_sumamt for x in data.fee_lines), Decimal("0.00"))
    if data.totals is not None:
        return data.totals.get("medfee_sumamt")
    return None


def check_input(data: ClaimInput, *, today: dt.date, med_types: frozenset[str]) -> list[dict[str, Any]]:
    """Every problem of the input, as ``{"path", "message"}`` (nothing about the database: see the actions)."""
    received = data.received_on or today
    errors = [{"path": path, "message": message} for path, message in (
        *_claim_problems(data, med_types), *_stay_problems(data, received, today), *_payee_problems(data))]
    errors += _amount_errors(data)
    errors += _invoice_errors(data, received)
    return errors


def _claim_problems(data: ClaimInput, med_types: frozenset[str]) -> list[tuple[str, str]]:
    """Person, hospital, place and medical type."""
    found: list[tuple[str, str]] = []
    if not data.psn_no.strip():
        found.append(("psn_no", "请填写人员编号"))
    if not data.hospital_code.strip():
        found.append(("hospital", "请选择医疗机构"))
    if data.place_category not in PLACE_CATEGORIES:
        found.append(("place_category", f"就医地类别“{data.place_category}”无效"))
    if data.med_type not in med_types:
        found.append(("med_type", f"医疗类别“{data.med_type}”不在字典中"))
    return found


def _stay_problems(data: ClaimInput, received: dt.date, today: dt.date) -> list[tuple[str, str]]:
    """The receiving day, the stay's dates and the main diagnosis."""
    found: list[tuple[str, str]] = []
    if received > today:
        found.append(("received_on", "受理日期不能晚于今天"))
    if data.adm_date > data.dscg_date:
        found.append(("dscg_date", "出院日期不能早于入院日期"))
    elif (data.dscg_date - data.adm_date).days > MAX_STAY_DAYS:
        found.append(("dscg_date", f"住院天数超过 {MAX_STAY_DAYS} 天，请分段申请（中途结算）"))
    if data.dscg_date > received:
        found.append(("dscg_date", "出院日期不能晚于受理日期（治疗结束后方可申请手工报销）"))
    if not data.dise_name.strip():
        found.append(("dise_name", "请填写主诊断名称"))
    if not data.dise_codg.strip():
        found.append(("dise_codg", "请填写主诊断编码（ICD-10）"))
    return found


def _payee_problems(data: ClaimInput) -> list[tuple[str, str]]:
    """The bank account paid into and the phone number."""
    found: list[tuple[str, str]] = []
    if not data.bank_name.strip():
        found.append(("bank_name", "请填写开户银行"))
    if not ACCOUNT_RE.match(data.bank_account.replace(" ", "")):
        found.append(("bank_account", "银行账号应为 8 至 30 位数字"))
    if not data.account_name.strip():
        found.append(("account_name", "请填写账户名"))
    if data.phone and not re.match(r"^1[3-9]\d{9}$", data.phone):
        found.append(("phone", "手机号码应为 11 位数字，以 1 开头"))
    return found


def _amount_errors(data: ClaimInput) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if data.fee_lines and data.totals is not None:
        return [{"path": "totals", "message": "费用明细与结算合计只能提供其一"}]
    if data.fee_lines:
        for i, line in enumerate(data.fee_lines):
            if line.chrgitm_lv not in CHARGE_LEVELS:
                errors.append({"path": f"fee_lines[{i}].chrgitm_lv",
                               "message": f"收费项目等级“{line.chrgitm_lv}”无效（01 甲类、02 乙类、03 丙类）"})
        if errors:
            return errors
        for e in fee_line_errors(engine_lines(data.fee_lines), "fee_lines"):
            errors.append({"path": e.path, "message": e.message_zh})
        return errors
    if data.totals is None:
        return [{"path": "totals", "message": "请填写医疗费总额及四项合计，或导入费用明细"}]
    for name in TOTAL_FIELDS:
        value = data.totals.get(name)
        if value is None:
            errors.append({"path": name, "message": f"请填写{TOTAL_LABELS[name]}"})
        elif value < 0:
            errors.append({"path": name, "message": f"{TOTAL_LABELS[name]}不能为负数"})
        elif not is_fen(value):
            errors.append({"path": name, "message": f"{TOTAL_LABELS[name]}最多两位小数"})
    if errors:
        return errors
    parts = sum((data.totals[name] for name in TOTAL_FIELDS[1:]), Decimal(0))
    if data.totals["medfee_sumamt"] != parts:
        errors.append({"path": "medfee_sumamt",
                       "message": f"医疗费总额 {data.totals['medfee_sumamt']} 不等于全自费、超限价自费、先行自付、"
                                  f"符合政策范围四项之和 {parts}（差 {data.totals['medfee_sumamt'] - parts}）"})
    return errors


def _invoice_errors(data: ClaimInput, received: dt.date) -> list[dict[str, Any]]:
    errors: list[dict[str, Any]] = []
    if not data.invoices:
        return [{"path": "invoices", "message": "请至少录入一张发票"}]
    seen: set[str] = set()
    for i, inv in enumerate(data.invoices):
        path = f"invoices[{i}]"
        number = inv.number.strip()
        if not number:
            errors.append({"path": f"{path}.number", "message": "请填写发票号码"})
        elif number in seen:
            errors.append({"path": f"{path}.number", "message": f"发票号码 {number} 重复"})
        seen.add(number)
        if inv.amount <= 0:
            errors.append({"path": f"{path}.amount", "message": "发票金额应大于 0"})
        elif not is_fen(inv.amount):
            errors.append({"path": f"{path}.amount", "message": "发票金额最多两位小数"})
        if inv.date > received:
            errors.append({"path": f"{path}.date", "message": "开票日期不能晚于受理日期"})
        elif inv.date < data.adm_date:
            errors.append({"path": f"{path}.date", "message": "开票日期不能早于入院（就诊）日期"})
    total = fee_total(data)
    if not errors and total is not None:
        invoiced = sum((inv.amount for inv in data.invoices), Decimal(0))
        if invoiced != total:
            errors.append({"path": "invoices", "message": f"发票金额合计 {invoiced} 与医疗费总额 {total} 不一致"})
    return errors
