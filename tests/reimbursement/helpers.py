"""Building manual claims for the tests: a valid input for person PA0001 (region A) and shortcuts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from dae.reimbursement.inputs import ClaimInput, InvoiceInput

BASE_MATERIALS = ["application_form", "identity", "invoice", "fee_list", "discharge_summary",
                  "diagnosis_certificate", "bank_card"]
TOTALS = {"medfee_sumamt": Decimal("120000.00"), "fulamt_ownpay_amt": Decimal("0.00"),
          "overlmt_selfpay": Decimal("0.00"), "preselfpay_amt": Decimal("10000.00"),
          "inscp_scp_amt": Decimal("110000.00")}


def claim_input(**overrides: Any) -> ClaimInput:
    values: dict[str, Any] = {
        "psn_no": "PA0001", "hospital_code": "HA0001", "place_category": "local", "med_type": "21",
        "adm_date": dt.date(2026, 4, 1), "dscg_date": dt.date(2026, 4, 20), "dise_codg": "I21.9",
        "dise_name": "急性心肌梗死", "invoices": [InvoiceInput("INV-0001", dt.date(2026, 4, 20), Decimal("120000.00"))],
        "bank_name": "中国工商银行桦甸支行", "bank_account": "6222020700001234567", "account_name": "张三",
        "totals": dict(TOTALS), "phone": "13812345678", "received_on": dt.date(2026, 9, 25),
        "materials": list(BASE_MATERIALS),
    }
    values.update(overrides)
    return ClaimInput(**values)


def totals(medfee: str, inscp: str, ownpay: str = "0.00", over: str = "0.00") -> dict[str, Decimal]:
    """Totals whose parts add up: the first self-pay is the rest."""
    pre = Decimal(medfee) - Decimal(inscp) - Decimal(ownpay) - Decimal(over)
    return {"medfee_sumamt": Decimal(medfee), "fulamt_ownpay_amt": Decimal(ownpay), "overlmt_selfpay": Decimal(over),
            "preselfpay_amt": pre, "inscp_scp_amt": Decimal(inscp)}


def api_body(**overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "psn_no": "PA0001", "hospital": "HA0001", "place_category": "local", "med_type": "21",
        "adm_date": "2026-04-01", "dscg_date": "2026-04-20", "dise_codg": "I21.9", "dise_name": "急性心肌梗死",
        "totals": {"medfee_sumamt": "120000.00", "fulamt_ownpay_amt": "0.00", "overlmt_selfpay": "0.00",
                   "preselfpay_amt": "10000.00", "inscp_scp_amt": "110000.00"},
        "invoices": [{"number": "INV-API-1", "date": "2026-04-20", "amount": "120000.00"}],
        "bank_name": "中国工商银行桦甸支行", "bank_account": "6222020700001234567", "account_name": "张三",
        "phone": "13812345678", "received_on": "2026-09-25", "materials": list(BASE_MATERIALS),
    }
    body.update(overrides)
    return body
