"""Settlements in the national format (2304 setlinfo + setldetail + 2301 feedetail) for tests and the benchmark.

``sample_2304`` keeps the amounts of the national sample message (national-interface.md A.1b) and takes the
payout the region's rules give (``hifob_pay``), with the cash share balancing the identity; ``cancel_of`` makes
the matching 2305: the same amounts negated, naming the original in ``init_setl_id``.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

SAMPLE = {
    "medfee_sumamt": "23442.46", "fulamt_ownpay_amt": "2533.97", "overlmt_selfpay": "1396.89",
    "preselfpay_amt": "703.44", "inscp_scp_amt": "18808.16", "acct_pay": "170.04", "hosp_part_amt": "505.01",
}


def settlement(setl_id: str, psn_no: str, setl_time: str, *, medfee: str, fulamt: str = "0.00",
               overlmt: str = "0.00", preself: str = "0.00", inscp: str | None = None, hifob: str = "0.00",
               acct: str = "0.00", hosp: str = "0.00", fixmedins_code: str | None = None, lines: int = 0,
               med_type: str = "21", begndate: str | None = None) -> dict[str, Any]:
    m = {k: Decimal(v) for k, v in (("medfee", medfee), ("fulamt", fulamt), ("overlmt", overlmt),
                                     ("preself", preself), ("hifob", hifob), ("acct", acct), ("hosp", hosp))}
    inscp_d = Decimal(inscp) if inscp is not None else m["medfee"] - m["fulamt"] - m["overlmt"] - m["preself"]
    cash = m["medfee"] - m["hifob"] - m["acct"] - m["hosp"]
    info: dict[str, Any] = {
        "setl_id": setl_id, "mdtrt_id": "M" + setl_id, "psn_no": psn_no, "psn_cert_type": "01", "insutype": "330",
        "psn_type": "1101", "med_type": med_type, "setl_time": setl_time,
        "begndate": begndate or setl_time[:10], "enddate": setl_time[:10],
        "medfee_sumamt": str(m["medfee"]), "fulamt_ownpay_amt": str(m["fulamt"]), "overlmt_selfpay": str(m["overlmt"]),
        "preselfpay_amt": str(m["preself"]), "inscp_scp_amt": str(inscp_d), "act_pay_dedc": "0", "hifp_pay": "0",
        "hifob_pay": str(m["hifob"]), "fund_pay_sumamt": str(m["hifob"]), "hosp_part_amt": str(m["hosp"]),
        "acct_pay": str(m["acct"]), "psn_cash_pay": str(cash), "psn_part_amt": str(m["acct"] + cash),
        "clr_type": "21", "clr_way": "3",
    }
    if fixmedins_code:
        info["fixmedins_code"] = fixmedins_code
    detail = [{"fund_pay_type": "330100", "fund_payamt": str(m["hifob"]), "inscp_scp_amt": str(inscp_d)}]
    if m["hosp"]:
        detail.append({"fund_pay_type": "999996", "fund_payamt": str(m["hosp"]), "inscp_scp_amt": str(inscp_d)})
    out: dict[str, Any] = {"setlinfo": info, "setldetail": detail}
    if lines:
        out["feedetail"] = fee_lines(setl_id, psn_no, setl_time, m["medfee"], lines)
    return out


def fee_lines(setl_id: str, psn_no: str, setl_time: str, total: Decimal, count: int) -> list[dict[str, Any]]:
    """``count`` 甲类 lines adding up to ``total`` exactly (the last takes the remainder)."""
    each = (total / count).quantize(Decimal("0.01"))
    out = []
    for n in range(count):
        amount = each if n < count - 1 else total - each * (count - 1)
        out.append({"feedetl_sn": f"{setl_id}-{n:04d}", "mdtrt_id": "M" + setl_id, "psn_no": psn_no,
                    "med_type": "21", "fee_ocur_time": setl_time, "med_list_codg": f"XA01AAA{n % 500:04d}",
                    "medins_list_codg": f"H{n % 500:05d}", "det_item_fee_sumamt": str(amount), "cnt": "1",
                    "pric": str(amount), "chrgitm_lv": "01", "med_chrgitm_type": "09",
                    "bilg_dept_codg": "A03", "bilg_dept_name": "内科", "bilg_dr_codg": "D001", "bilg_dr_name": "王医生"})
    return out


def sample_2304(setl_id: str, psn_no: str, setl_time: str, hifob: str) -> dict[str, Any]:
    s = SAMPLE
    return settlement(setl_id, psn_no, setl_time, medfee=s["medfee_sumamt"], fulamt=s["fulamt_ownpay_amt"],
                      overlmt=s["overlmt_selfpay"], preself=s["preselfpay_amt"], inscp=s["inscp_scp_amt"],
                      hifob=hifob, acct=s["acct_pay"], hosp=s["hosp_part_amt"])


def cancel_of(original: dict[str, Any], setl_id: str, setl_time: str) -> dict[str, Any]:
    """The 2305 cancellation of ``original``: every amount negated; the hospital share as ownpay_hosp_part."""
    o = original["setlinfo"]
    info = {k: v for k, v in o.items()}
    for name in ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                 "hifob_pay", "fund_pay_sumamt", "acct_pay", "psn_cash_pay", "psn_part_amt", "hifp_pay",
                 "act_pay_dedc"):
        info[name] = str(-Decimal(o[name]))
    info["ownpay_hosp_part"] = str(-Decimal(o["hosp_part_amt"]))
    del info["hosp_part_amt"]
    info.update(setl_id=setl_id, init_setl_id=o["setl_id"], setl_time=setl_time, setl_type="2")
    detail = [{"fund_pay_type": "330100", "fund_payamt": info["hifob_pay"]}]
    if Decimal(o["hosp_part_amt"]):
        detail.append({"fund_pay_type": "999997", "fund_payamt": info["ownpay_hosp_part"]})
    return {"setlinfo": info, "setldetail": detail}


def declaration(fixmedins_code: str, month: str, settlements: list[dict[str, Any]], key: str = "") -> bytes:
    doc: dict[str, Any] = {"fixmedins_code": fixmedins_code, "month": month, "settlements": settlements}
    if key:
        doc["idempotency_key"] = key
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def ndjson(fixmedins_code: str, month: str, settlements: list[dict[str, Any]], key: str = "") -> bytes:
    head = {"fixmedins_code": fixmedins_code, "month": month, "idempotency_key": key}
    return ("\n".join(json.dumps(x, ensure_ascii=False) for x in [head, *settlements]) + "\n").encode("utf-8")
