"""Monthly declarations (月结申报): read the national format, check every settlement, recompute, store.

Format (documented in docs/declarations.md): a JSON object ``{"fixmedins_code", "month", "idempotency_key"?,
"settlements": [...]}`` or the same as NDJSON (the header object on the first line, one settlement per line).
A settlement is ``{"setlinfo": {…2304/2305 output…}, "setldetail": [...], "feedetail": [...2301…]}``; dates
of the stay come as ``begndate`` / ``enddate`` (the platform's settlement table names), a cancellation (2305)
names the settlement it cancels in ``init_setl_id`` and carries negated amounts, and the place category of the
stay (not in the national message) goes in ``dae.place_category`` (default ``local``).

Numbers are read as ``Decimal`` (never float). Each settlement ends accepted, differing, rejected or replayed;
nothing of a rejected settlement is stored, and the store is one transaction.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.utils import timezone

from dae.core import inputs
from dae.core.errors import InvalidInput
from dae.core.money import FEN

from .codes import Code
from .stream import Remembered, plain_lines

ZERO = Decimal("0.00")
HOSPITAL_SHARE_FUNDS = frozenset({"999996", "999997"})
DAE_FUNDS = frozenset({"330100", "330101"})
PLACE_CATEGORIES = frozenset({"local", "long_term_offsite", "long_term_offsite_not_direct", "referred",
                              "self_referred", "emergency_away"})

#: Stable reason codes of a rejected settlement, with the clerk's message.
REASONS = {
    "bad_field": "字段缺失或格式错误",
    "duplicate_in_declaration": "同一申报中结算ID重复",
    "duplicate_setl_id": "结算ID已存在且内容不同",
    "hospital_mismatch": "结算的医疗机构与申报机构不一致",
    "unknown_person": "无此参保人",
    "not_covered": "结算日期不在参保期内",
    "region_mismatch": "参保地统筹区与医疗机构统筹区不一致",
    "unknown_code": "代码不在字典中",
    "identity": "金额勾稽关系不成立",
    "bad_cancellation": "撤销结算与原结算不符",
    "unknown_catalogue_code": "医疗目录编码不在基本医疗目录中",
    "engine_refused": "补偿计算拒绝该结算",
}

MONEY_FIELDS = ("medfee_sumamt", "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt",
                "hifob_pay", "fund_pay_sumamt")
OPTIONAL_MONEY = ("hifp_pay", "acct_pay", "psn_cash_pay", "hosp_part_amt", "ownpay_hosp_part", "psn_part_amt",
                  "cvlserv_pay", "hifes_pay", "hifmi_pay", "maf_pay", "oth_pay", "act_pay_dedc")
LINE_MONEY = ("det_item_fee_sumamt", "overlmt_amt", "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt")


class Rejected(Exception):
    def __init__(self, code: str, detail: str = "") -> None:
        self.code = code
        self.detail = detail
        super().__init__(code)

    @property
    def reason(self) -> str:
        base = REASONS[self.code]
        return f"{base}：{self.detail}" if self.detail else base


@dataclass
class Line:
    values: tuple[Any, ...]  # in FEE_LINE_COLUMNS order without the settlement id
    dialysis: bool


@dataclass
class Incoming:
    seq: int
    setl_id: str
    psn_no: str = ""
    init_setl_id: str = ""
    raw_hash: str = ""
    setlinfo: dict[str, Any] = field(default_factory=dict)
    setldetail: list[Any] = field(default_factory=list)
    money: dict[str, Decimal] = field(default_factory=dict)
    setl_time: datetime | None = None
    adm_date: date | None = None
    dscg_date: date | None = None
    med_type: str = ""
    mdtrt_id: str = ""
    place_category: str = "local"
    lines: list[Line] = field(default_factory=list)  # while read; afterwards kept only for dialysis (the engine)
    line_count: int = 0
    #: the distinct (hospital code, national code, fee day) of its lines, in line order (catalogue and mapping)
    line_keys: tuple[tuple[str, str, date], ...] = ()
    rejected: Rejected | None = None
    outcome: str = ""
    computed: Decimal | None = None
    explanation: str = ""
    mapping_note: str = ""
    region_id: str = ""

    @property
    def declared(self) -> Decimal | None:
        return self.money.get("hifob_pay")


@dataclass
class Header:
    fixmedins_code: str
    month: str
    idempotency_key: str


def loads(text: str | bytes) -> Any:
    """JSON through the input layer: numbers with a fraction as Decimal, exponent notation, NaN and nesting
    deeper than ``core.inputs.JSON_MAX_DEPTH`` refused (``InvalidInput``) before any recursion."""
    return inputs.json_document(text, field="file", label="申报文件")


def read_document(path: Path) -> tuple[Header, Iterator[tuple[int, dict[str, Any], str]], int]:
    """The header, an iterator of (seq, settlement object, content hash) and the number of settlements."""
    with path.open("rb") as fh:
        first = fh.readline()
        rest_start = fh.tell()
        second = fh.readline()
    try:
        head_obj = loads(first)
        ndjson = isinstance(head_obj, dict) and "settlements" not in head_obj and bool(second.strip())
    except InvalidInput:
        ndjson = False
    if ndjson:
        header = _header(head_obj)
        count = _count_lines(path) - 1

        def ndjson_items() -> Iterator[tuple[int, dict[str, Any], str]]:
            with path.open("rb") as fh:
                fh.seek(rest_start)
                seq = 0
                for raw in fh:
                    if not raw.strip():
                        continue
                    seq += 1
                    try:
                        obj = loads(raw)
                    except InvalidInput as exc:
                        yield seq, {"_error": f"第 {seq} 笔结算{exc.message}"}, ""
                        continue
                    yield seq, obj, content_hash(obj)

        return header, ndjson_items(), count
    document = loads(path.read_bytes())
    if not isinstance(document, dict) or not isinstance(document.get("settlements"), list):
        raise InvalidInput("申报文件须为含 settlements 列表的对象", code=Code.BAD_SHAPE)
    header = _header(document)
    items = document["settlements"]

    def json_items() -> Iterator[tuple[int, dict[str, Any], str]]:
        for seq, obj in enumerate(items, start=1):
            yield seq, obj, content_hash(obj)

    return header, json_items(), len(items)


def content_hash(obj: Any) -> str:
    """The same settlement hashes the same whatever the file's layout (JSON or NDJSON, key order, spacing)."""
    return hashlib.sha256(json.dumps(obj, sort_keys=True, default=str, ensure_ascii=False).encode()).hexdigest()


def _count_lines(path: Path) -> int:
    with path.open("rb") as fh:
        return sum(1 for line in fh if line.strip())


def _header(obj: Any) -> Header:
    if not isinstance(obj, dict):
        raise InvalidInput("申报头缺失", code=Code.BAD_SHAPE)
    code = str(obj.get("fixmedins_code") or "").strip()
    month = str(obj.get("month") or "").strip()
    if not code:
        raise InvalidInput("申报头缺少 fixmedins_code（医疗机构编码）", code=Code.BAD_HEADER)
    if len(month) != 7 or month[4] != "-" or not (month[:4] + month[5:]).isdigit() or not 1 <= int(month[5:]) <= 12:
        raise InvalidInput("申报月份 month 格式应为 YYYY-MM", code=Code.BAD_HEADER)
    return Header(code, month, str(obj.get("idempotency_key") or "").strip()[:100])


# -- parsing one settlement ------------------------------------------------------------------------------

def _money(obj: dict[str, Any], name: str, path: str, required: bool = True) -> Decimal | None:
    value = obj.get(name)
    if value is None or value == "":
        if required:
            raise Rejected("bad_field", f"{path}.{name} 缺失")
        return None
    try:  # one settlement's amount: bounded by what a stay can cost, negative only for a cancellation
        return inputs.claim_amount(value, field=f"{path}.{name}", label=f"{path}.{name} ")
    except InvalidInput as exc:
        raise Rejected("bad_field", exc.message) from None


def _quantity(value: Any, path: str, places: int) -> Decimal:
    if value is None or isinstance(value, bool | float):
        raise Rejected("bad_field", f"{path} 缺失或格式错误")
    try:  # a count or a unit price: may be negative on a returned line, never absurd
        return inputs.amount(value, field=path, label=f"{path} ", maximum=inputs.CLAIM_MAX,
                             minimum=-inputs.CLAIM_MAX, places=places)
    except InvalidInput as exc:
        raise Rejected("bad_field", exc.message) from None


def _text(obj: dict[str, Any], name: str, path: str, max_length: int, required: bool = True) -> str:
    value = obj.get(name)
    if value is None or str(value).strip() == "":
        if required:
            raise Rejected("bad_field", f"{path}.{name} 缺失")
        return ""
    text = str(value).strip()
    if len(text) > max_length:
        raise Rejected("bad_field", f"{path}.{name} 超过 {max_length} 个字符")
    return text


def _datetime(value: Any, path: str) -> datetime:
    text = str(value or "").strip()
    try:
        parsed = datetime.fromisoformat(text.replace("T", " ")) if text and len(text) <= 40 else None
    except ValueError:
        parsed = None
    if parsed is None:
        raise Rejected("bad_field", f"{path} 不是有效的日期时间")
    try:
        inputs.date(parsed.date(), field=path, label=f"{path} ")
    except InvalidInput as exc:
        raise Rejected("bad_field", exc.message) from None
    return timezone.make_aware(parsed) if timezone.is_naive(parsed) else parsed


def _field_date(obj: dict[str, Any], name: str, path: str) -> date | None:
    """An optional date field (the date part of a date-time text too), read by ``core.inputs``."""
    value = obj.get(name)
    if value is None or str(value).strip() == "":
        return None
    try:
        return inputs.leading_date(value, field=f"{path}.{name}", label=f"{path}.{name} ")
    except InvalidInput as exc:
        raise Rejected("bad_field", exc.message) from None


def parse_settlement(seq: int, obj: dict[str, Any], digest: str, valid: Callable[[str, str], bool]) -> Incoming:
    """Read one settlement and check its own consistency; on a problem the result carries ``rejected``."""
    info = obj.get("setlinfo") if isinstance(obj, dict) else None
    setl_id = str(info.get("setl_id") or "").strip()[:30] if isinstance(info, dict) else ""
    item = Incoming(seq=seq, setl_id=setl_id or f"#{seq}", raw_hash=digest)
    try:
        if "_error" in obj:
            raise Rejected("bad_field", obj["_error"])
        if not isinstance(info, dict):
            raise Rejected("bad_field", "缺少 setlinfo")
        _parse_into(item, obj, info, valid)
    except Rejected as exc:
        item.rejected = exc
    return item


def _parse_into(item: Incoming, obj: dict[str, Any], info: dict[str, Any], valid: Callable[[str, str], bool]) -> None:
    path = "setlinfo"
    item.setl_id = _text(info, "setl_id", path, 30)
    item.psn_no = _text(info, "psn_no", path, 30)
    item.mdtrt_id = _text(info, "mdtrt_id", path, 30)
    item.init_setl_id = _text(info, "init_setl_id", path, 30, required=False)
    item.med_type = _text(info, "med_type", path, 6)
    if not valid("med_type", item.med_type):
        raise Rejected("unknown_code", f"医疗类别 med_type “{item.med_type}”")
    item.setl_time = _datetime(info.get("setl_time"), f"{path}.setl_time")
    item.adm_date = _field_date(info, "begndate", path) or item.setl_time.date()
    item.dscg_date = _field_date(info, "enddate", path) or item.setl_time.date()
    if item.dscg_date < item.adm_date:
        raise Rejected("bad_field", "出院日期早于入院日期")
    extension = obj.get("dae") if isinstance(obj.get("dae"), dict) else {}
    item.place_category = str(extension.get("place_category") or "local")
    if item.place_category not in PLACE_CATEGORIES:
        raise Rejected("unknown_code", f"就医地类别 place_category “{item.place_category}”")
    for name in MONEY_FIELDS:
        item.money[name] = _money(info, name, path)  # type: ignore[assignment]
    for name in OPTIONAL_MONEY:
        value = _money(info, name, path, required=False)
        if value is not None:
            item.money[name] = value
    item.setlinfo = info
    detail = obj.get("setldetail") or []
    if not isinstance(detail, list):
        raise Rejected("bad_field", "setldetail 应为列表")
    item.setldetail = detail
    _identities(item, detail)
    feedetail = obj.get("feedetail") or []
    if not isinstance(feedetail, list):
        raise Rejected("bad_field", "feedetail 应为列表")
    _lines(item, feedetail, valid)


def _identities(item: Incoming, detail: list[Any]) -> None:
    """The identities of benefit-policy §2 / national-interface A.1b, each a stable rejection."""
    m = item.money
    parts = m["fulamt_ownpay_amt"] + m["overlmt_selfpay"] + m["preselfpay_amt"] + m["inscp_scp_amt"]
    if parts != m["medfee_sumamt"]:
        raise Rejected("identity", f"医疗费总额 {m['medfee_sumamt']} ≠ 全自费+超限价+先行自付+符合范围 {parts}")
    if "acct_pay" in m and "psn_cash_pay" in m:
        hospital = m.get("hosp_part_amt", m.get("ownpay_hosp_part", ZERO))
        paid = m["fund_pay_sumamt"] + m["acct_pay"] + m["psn_cash_pay"] + hospital
        if paid != m["medfee_sumamt"]:
            raise Rejected("identity", f"医疗费总额 {m['medfee_sumamt']} ≠ 基金+个人账户+现金+医院负担 {paid}")
        if "psn_part_amt" in m and m["psn_part_amt"] != m["acct_pay"] + m["psn_cash_pay"]:
            raise Rejected("identity", "个人负担总金额 ≠ 个人账户支出 + 个人现金支出")
    if detail:
        funds: dict[str, Decimal] = defaultdict(Decimal)
        for index, row in enumerate(detail):
            if not isinstance(row, dict):
                raise Rejected("bad_field", f"setldetail[{index}] 应为对象")
            code = str(row.get("fund_pay_type") or "")
            funds[code] += _money(row, "fund_payamt", f"setldetail[{index}]") or ZERO
        fund_total = sum((v for k, v in funds.items() if k not in HOSPITAL_SHARE_FUNDS), ZERO)
        if fund_total != m["fund_pay_sumamt"]:
            raise Rejected("identity", f"基金支付总额 {m['fund_pay_sumamt']} ≠ setldetail 基金合计 {fund_total}")
        dae_total = sum((v for k, v in funds.items() if k in DAE_FUNDS), ZERO)
        if dae_total != m["hifob_pay"]:
            raise Rejected("identity", f"大额支付 hifob_pay {m['hifob_pay']} ≠ setldetail 330100 合计 {dae_total}")
    if m["hifob_pay"] > m["inscp_scp_amt"] and m["medfee_sumamt"] >= 0:
        raise Rejected("identity", "大额支付超过符合政策范围金额")


#: the texts already parsed while reading fee lines column by column (``stream.plain_lines``); bounded
_REMEMBERED = Remembered()


def _fee_time(text: str) -> datetime | None:
    try:
        return _datetime(text, "")
    except Rejected:
        return None


def _lines(item: Incoming, feedetail: list[Any], valid: Callable[[str, str], bool]) -> None:
    plain = plain_lines(feedetail, valid, _REMEMBERED, _fee_time)  # the usual settlement: column by column
    if plain is not None:
        item.lines = [Line(values, bool(values[18])) for values in plain]
        total = sum((values[5] for values in plain), ZERO)
        if item.lines and total != item.money["medfee_sumamt"]:
            raise Rejected("identity", f"费用明细合计 {total} ≠ 医疗费总额 {item.money['medfee_sumamt']}")
        return
    total = ZERO
    seen: set[str] = set()
    times: dict[str, datetime] = {}
    for index, row in enumerate(feedetail):
        try:  # the usual line (plain strings) read inline; anything else goes the checked way below
            line = _plain_line(row, seen, valid, times)
        except _NotPlain:
            line = _checked_line(index, row, seen, valid)
        seen.add(line.values[0])
        item.lines.append(line)
        total += line.values[5]
    if item.lines and total != item.money["medfee_sumamt"]:
        raise Rejected("identity", f"费用明细合计 {total} ≠ 医疗费总额 {item.money['medfee_sumamt']}")


def _checked_line(index: int, row: Any, seen: set[str], valid: Callable[[str, str], bool]) -> Line:
    """One fee line read field by field, each problem a ``Rejected`` with its path (the reference reading)."""
    path = f"feedetail[{index}]"
    if not isinstance(row, dict):
        raise Rejected("bad_field", f"{path} 应为对象")
    sn = _text(row, "feedetl_sn", path, 30)
    if sn in seen:
        raise Rejected("bad_field", f"{path}.feedetl_sn “{sn}” 重复")
    amount = _money(row, "det_item_fee_sumamt", path)
    assert amount is not None
    level = _text(row, "chrgitm_lv", path, 3)
    category = _text(row, "med_chrgitm_type", path, 6)
    if not valid("chrgitm_lv", level):
        raise Rejected("unknown_code", f"{path}.chrgitm_lv “{level}”")
    if not valid("med_chrgitm_type", category) and not valid("med_chrgitm_type", category[:2]):
        raise Rejected("unknown_code", f"{path}.med_chrgitm_type “{category}”")
    extras = [(_money(row, name, path, required=False) or ZERO) for name in LINE_MONEY[1:]]
    session = str((row.get("dae") or {}).get("dialysis_session") or "") if isinstance(row.get("dae"), dict) \
        else ""
    return Line((
        sn, _text(row, "init_feedetl_sn", path, 30, required=False),
        _datetime(row.get("fee_ocur_time"), f"{path}.fee_ocur_time"),
        _text(row, "med_list_codg", path, 50), _text(row, "medins_list_codg", path, 150), amount,
        _quantity(row.get("cnt"), f"{path}.cnt", 4), _quantity(row.get("pric"), f"{path}.pric", 6), level,
        category, *extras,
        _text(row, "bilg_dept_codg", path, 30, required=False), _text(row, "bilg_dept_name", path, 100, False),
        _text(row, "bilg_dr_codg", path, 30, required=False), _text(row, "bilg_dr_name", path, 50, False),
        session,
    ), bool(session))


# -- the usual fee line, read inline ----------------------------------------------------------------------
# A declaration has millions of lines; nearly all are plain strings in the usual shapes. ``_plain_line`` reads
# such a line to exactly the values ``_checked_line`` gives and gives up (``_NotPlain``) on anything else — a
# number, a blank with spaces, a bound reached, an unknown code — so every problem is still found and worded by
# the checked reading.

class _NotPlain(Exception):
    pass


_PLAIN_MONEY = re.compile(r"-?\d{1,8}(?:\.\d{1,2})?")
_PLAIN_QUANTITY = {4: re.compile(r"-?\d{1,8}(?:\.\d{1,4})?"), 6: re.compile(r"-?\d{1,8}(?:\.\d{1,6})?")}
_MAX, _MIN = inputs.CLAIM_MAX, -inputs.CLAIM_MAX


def _plain_text(value: Any, max_length: int, required: bool) -> str:
    if type(value) is str:
        text = value.strip()
        if text:
            if len(text) > max_length:
                raise _NotPlain
            return text
    elif value is not None:
        raise _NotPlain
    if required:
        raise _NotPlain
    return ""


def _plain_money(value: Any, required: bool) -> Decimal | None:
    if value is None or value == "":
        if required:
            raise _NotPlain
        return None
    if type(value) is not str or not _PLAIN_MONEY.fullmatch(value):
        raise _NotPlain
    number = Decimal(value).quantize(FEN)
    if number > _MAX or number < _MIN:
        raise _NotPlain
    return number


def _plain_quantity(value: Any, places: int) -> Decimal:
    if type(value) is int:
        number = Decimal(value)
    elif type(value) is str and _PLAIN_QUANTITY[places].fullmatch(value):
        number = Decimal(value)
    else:
        raise _NotPlain
    if number > _MAX or number < _MIN:
        raise _NotPlain
    return number


def _plain_time(value: Any, times: dict[str, datetime]) -> datetime:
    """A fee time; ``times`` holds the settlement's times already read (a stay has few)."""
    if type(value) is not str:
        raise _NotPlain
    parsed = times.get(value)
    if parsed is None:
        try:
            parsed = _datetime(value, "")
        except Rejected:
            raise _NotPlain from None
        times[value] = parsed
    return parsed


def _plain_line(row: Any, seen: set[str], valid: Callable[[str, str], bool], times: dict[str, datetime]) -> Line:
    if type(row) is not dict:
        raise _NotPlain
    get = row.get
    sn = _plain_text(get("feedetl_sn"), 30, True)
    if sn in seen:
        raise _NotPlain
    amount = _plain_money(get("det_item_fee_sumamt"), True)
    level = _plain_text(get("chrgitm_lv"), 3, True)
    category = _plain_text(get("med_chrgitm_type"), 6, True)
    if not valid("chrgitm_lv", level) or not (valid("med_chrgitm_type", category)
                                              or valid("med_chrgitm_type", category[:2])):
        raise _NotPlain
    extras = [_plain_money(get(name), False) or ZERO for name in LINE_MONEY[1:]]
    dae = get("dae")
    session = str(dae.get("dialysis_session") or "") if isinstance(dae, dict) else ""
    return Line((
        sn, _plain_text(get("init_feedetl_sn"), 30, False), _plain_time(get("fee_ocur_time"), times),
        _plain_text(get("med_list_codg"), 50, True), _plain_text(get("medins_list_codg"), 150, True), amount,
        _plain_quantity(get("cnt"), 4), _plain_quantity(get("pric"), 6), level, category, *extras,
        _plain_text(get("bilg_dept_codg"), 30, False), _plain_text(get("bilg_dept_name"), 100, False),
        _plain_text(get("bilg_dr_codg"), 30, False), _plain_text(get("bilg_dr_name"), 50, False), session,
    ), bool(session))
