"""The one input layer: every value a person, a client or a file gives dae is read and bounded here.

Amounts, dates, months, years, ids, free text, regions and uploaded text are parsed by these functions (and by
the matching DRF fields and form fields below), so that no stored value can break a page later: an amount fits
its column and what the policy makes plausible, a date lies in a sane range, exponent notation and floats are
refused, an id that is not an id answers 404. Each refusal is an ``InvalidInput`` with a stable code and a
Chinese message naming the field (``details = [{"path", "message"}]``).

Apps never write their own ``_amount`` / ``_date`` parsers: they call these. This module may import only
``dae.core`` and Django/DRF.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any, overload

from django import forms
from django.utils import timezone
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from .codes import CoreCode, InputCode
from .errors import InvalidInput, NotFound
from .models import Region
from .money import FEN

# -- bounds ------------------------------------------------------------------------------------------------

#: What a DECIMAL(16,2) column holds.
COLUMN_MAX = Decimal("99999999999999.99")
#: One settlement, fee line, invoice or claim: no single stay costs more than ten million yuan.
CLAIM_MAX = Decimal("10000000.00")
#: A fund-level amount (funds raised, an appropriation, a bank line, a ledger entry): ten billion yuan.
FUND_MAX = Decimal("10000000000.00")
DATE_MIN = dt.date(1990, 1, 1)
#: The earliest date of birth accepted (a person insured today may be born long before 1990).
BIRTH_MIN = dt.date(1900, 1, 1)
DATE_MAX = dt.date(2100, 12, 31)
#: The largest primary key (a signed 64-bit integer).
ID_MAX = 2**63 - 1


def refuse(code: StrEnum, field: str, label: str, message: str, kind: str = "format") -> InvalidInput:
    """The ``InvalidInput`` for one field: ``「label」message`` with the field's path in the details; ``kind``
    (``format``, ``empty``, ``places``, ``minimum``, ``maximum``, ``range``) lets a caller word its own message."""
    text = f"{label}{message}" if label else message
    error = InvalidInput(text, code=code, details=[{"path": field, "message": text}])
    error.kind = kind  # type: ignore[attr-defined]
    return error


def refusal_kind(error: InvalidInput) -> str:
    """What an input-layer refusal was about (see ``refuse``): ``format`` unless it said otherwise."""
    return str(getattr(error, "kind", "format"))


# -- amounts -----------------------------------------------------------------------------------------------

_AMOUNT_TEXT = re.compile(r"^[+-]?(\d{1,3}(,\d{3})+|\d+)(\.\d+)?$")


def amount(
    value: Any,
    *,
    field: str = "amount",
    label: str = "金额",
    maximum: Decimal = COLUMN_MAX,
    minimum: Decimal = Decimal("0.00"),
    places: int = 2,
) -> Decimal:
    """An amount in yuan as a ``Decimal`` with at most ``places`` decimals, ``minimum ≤ value ≤ maximum``.

    Accepts a ``Decimal``, an ``int`` or a plain decimal string (thousands separators allowed); refuses a float,
    a bool, exponent notation (``1E+5``), NaN and infinity — each with a Chinese message naming the field."""
    if isinstance(value, bool) or isinstance(value, float):
        raise refuse(InputCode.INVALID_AMOUNT, field, label,
                     "请写成十进制数字字符串，如 \"123.45\"（带小数的 JSON 数值会被转成浮点数）")
    if isinstance(value, int):
        number = Decimal(value)
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise refuse(InputCode.INVALID_AMOUNT, field, label, "必须是有限的数")
        number = value
    elif isinstance(value, str):
        text = value.strip()
        if not text:
            raise refuse(InputCode.INVALID_AMOUNT, field, label, "不能为空", "empty")
        if len(text) > 40 or not _AMOUNT_TEXT.match(text):
            raise refuse(InputCode.INVALID_AMOUNT, field, label, f"格式错误：{text[:40]}（应为如 1234.56 的数字）")
        try:
            number = Decimal(text.replace(",", ""))
        except InvalidOperation:  # the pattern admits only decimals; kept for safety with a clear message
            raise refuse(InputCode.INVALID_AMOUNT, field, label, f"格式错误：{text[:40]}") from None
    else:
        raise refuse(InputCode.INVALID_AMOUNT, field, label, "格式错误")
    if number != number.quantize(Decimal(1).scaleb(-places)):
        raise refuse(InputCode.INVALID_AMOUNT, field, label, f"最多 {places} 位小数", "places")
    if number < minimum:
        raise refuse(InputCode.INVALID_AMOUNT, field, label, f"不能小于 {minimum:,}", "minimum")
    if number > maximum:
        raise refuse(InputCode.INVALID_AMOUNT, field, label, f"不能大于 {maximum:,}", "maximum")
    return number.quantize(FEN) if places == 2 else number


def optional_amount(value: Any, **kwargs: Any) -> Decimal | None:
    """``amount(value)``, or ``None`` for an empty value."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return amount(value, **kwargs)


def signed_amount(value: Any, *, maximum: Decimal = COLUMN_MAX, **kwargs: Any) -> Decimal:
    """An amount that may be negative (a cancellation, a correction), bounded by ``±maximum``."""
    return amount(value, maximum=maximum, minimum=-maximum, **kwargs)


def claim_amount(value: Any, *, field: str = "amount", label: str = "金额") -> Decimal:
    """An amount about one claim (a settlement's field, a finding's amount): signed, within ``±CLAIM_MAX``."""
    return signed_amount(value, field=field, label=label, maximum=CLAIM_MAX)


#: How ``clerk_amount`` words a negative amount or one finer than a fen: the message and its detail.
FEN_RULE = ("须为不小于 0 的金额，精确到分", "须不小于 0 且精确到分")


def clerk_amount(
    value: Any, *, field: str, label: str, maximum: Decimal = FUND_MAX, rule: tuple[str, str] = FEN_RULE
) -> Decimal:
    """An amount ≥ 0 to the fen, refused in the words the business pages use: empty → 「请填写…」, malformed →
    「…格式错误，请填写如 1234.56 的数字」, negative or finer than a fen → 「…」 + ``rule`` (all ``invalid_amount``);
    one too large keeps ``amount``'s words."""
    if value is None or (isinstance(value, str) and not value.strip()):
        raise InvalidInput(f"请填写{label}", code=InputCode.INVALID_AMOUNT,
                           details=[{"path": field, "message": f"请填写{label}"}])
    try:
        return amount(value, field=field, label=label, maximum=maximum)
    except InvalidInput as exc:
        kind = refusal_kind(exc)
        if kind == "maximum":
            raise
        if kind == "format":
            raise InvalidInput(f"{label}格式错误，请填写如 1234.56 的数字", code=InputCode.INVALID_AMOUNT,
                               details=[{"path": field, "message": f"{label}格式错误"}]) from None
        raise InvalidInput(f"{label}{rule[0]}", code=InputCode.INVALID_AMOUNT,
                           details=[{"path": field, "message": f"{label}{rule[1]}"}]) from None


def percent(value: Any, *, field: str = "percent", label: str = "比例") -> Decimal:
    """A percentage 0–100 with at most two decimals, e.g. ``"12.50"``."""
    return amount(value, field=field, label=label, maximum=Decimal(100), places=2)


def ratio(value: Any, *, field: str = "ratio", label: str = "比例") -> Decimal:
    """A ratio 0–1 with at most four decimals, e.g. ``"0.8500"``."""
    return amount(value, field=field, label=label, maximum=Decimal(1), places=4)


# -- whole numbers ----------------------------------------------------------------------------------------

def whole(value: Any, *, field: str, label: str, minimum: int = 0, maximum: int = 1_000_000_000) -> int:
    """A whole number within ``[minimum, maximum]``; refuses floats, exponents and text."""
    if isinstance(value, bool) or isinstance(value, float):
        raise refuse(InputCode.INVALID_NUMBER, field, label, "应为整数")
    if isinstance(value, str):
        text = value.strip()
        if not re.fullmatch(r"[+-]?\d{1,19}", text):
            raise refuse(InputCode.INVALID_NUMBER, field, label, f"应为整数：{text[:20]}")
        value = int(text)
    if not isinstance(value, int):
        raise refuse(InputCode.INVALID_NUMBER, field, label, "应为整数")
    if not minimum <= value <= maximum:
        raise refuse(InputCode.INVALID_NUMBER, field, label, f"应在 {minimum} 到 {maximum} 之间")
    return value


def object_id(value: Any) -> int:
    """A primary key from a URL or a query; anything that is not one answers 404 (never 500)."""
    text = str(value).strip()
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise NotFound()
    number = int(text)
    if not 0 < number <= ID_MAX:
        raise NotFound()
    return number


# -- dates ----------------------------------------------------------------------------------------------

def date(
    value: Any, *, field: str = "date", label: str = "日期", minimum: dt.date = DATE_MIN, maximum: dt.date = DATE_MAX
) -> dt.date:
    """A date (``YYYY-MM-DD`` or a ``date``) within ``[minimum, maximum]`` (by default 1990–2100)."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        day = value
    elif isinstance(value, str):
        text = value.strip()
        try:
            if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                raise ValueError(text)
            day = dt.date.fromisoformat(text)
        except ValueError:
            raise refuse(InputCode.INVALID_DATE, field, label, f"格式应为 YYYY-MM-DD：{text[:20]}") from None
    else:
        raise refuse(InputCode.INVALID_DATE, field, label, "格式应为 YYYY-MM-DD")
    if not minimum <= day <= maximum:
        raise refuse(InputCode.INVALID_DATE, field, label, f"应在 {minimum} 到 {maximum} 之间", "range")
    return day


def leading_date(value: Any, **kwargs: Any) -> dt.date:
    """The date of a date, a date-time, or a text starting with ``YYYY-MM-DD`` (a date-time text's date part)."""
    return date(value if isinstance(value, dt.date) else str(value).strip()[:10], **kwargs)


def optional_date(value: Any, **kwargs: Any) -> dt.date | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return date(value, **kwargs)


def done_date(value: Any, *, field: str, label: str, default: dt.date | None = None) -> dt.date:
    """The day something was done (an inspection, a result, a feedback): not after today. Empty → ``default``,
    or 「请填写…」 (``required``) without one; after today → ``future_date``; malformed → 「…格式应为 YYYY-MM-DD」."""
    if value in (None, ""):
        if default is None:
            raise InvalidInput(f"请填写{label}", code=CoreCode.REQUIRED, details=[{"path": field, "message": f"请填写{label}"}])
        return default
    today = timezone.localdate()
    future = InvalidInput(f"{label}不能晚于今天", code=CoreCode.FUTURE_DATE,
                          details=[{"path": field, "message": f"{label}不能晚于今天"}])
    if isinstance(value, dt.date) and value > today:
        raise future
    try:
        day = date(value, field=field, label=label)
    except InvalidInput as exc:
        if refusal_kind(exc) != "format":
            raise
        raise InvalidInput(f"{label}格式应为 YYYY-MM-DD", code=InputCode.INVALID_DATE,
                           details=[{"path": field, "message": f"{label}格式错误"}]) from None
    if day > today:
        raise future
    return day


def month(value: Any, *, field: str = "month", label: str = "月份") -> dt.date:
    """A month ``YYYY-MM`` (or ``YYYYMM``) as the first day of that month, within the sane range."""
    text = str(value).strip() if value is not None else ""
    found = re.fullmatch(r"(\d{4})-?(\d{2})", text)
    if not found or not 1 <= int(found.group(2)) <= 12:
        raise refuse(InputCode.INVALID_MONTH, field, label, f"格式应为 YYYY-MM：{text[:20]}")
    first = dt.date(int(found.group(1)), int(found.group(2)), 1)
    if not DATE_MIN <= first <= DATE_MAX:
        raise refuse(InputCode.INVALID_MONTH, field, label, f"应在 {DATE_MIN:%Y-%m} 到 {DATE_MAX:%Y-%m} 之间")
    return first


def year(value: Any, *, field: str = "year", label: str = "年度") -> int:
    return whole(value, field=field, label=label, minimum=DATE_MIN.year, maximum=DATE_MAX.year)


def period(start: Any, end: Any, *, field: str = "start", label: str = "起始日期") -> tuple[dt.date, dt.date]:
    """Two dates with ``start ≤ end``."""
    first = date(start, field=field, label=label)
    last = date(end, field="end", label="截止日期")
    if first > last:
        raise refuse(InputCode.INVALID_PERIOD, field, "", "起始日期不能晚于截止日期")
    return first, last


def month_bounds(first: dt.date) -> tuple[dt.date, dt.date]:
    """The first day of ``first``'s month and the first day of the next month (half-open)."""
    start = first.replace(day=1)
    following = (start + dt.timedelta(days=32)).replace(day=1)
    return start, following


@overload
def query_date(params: Any, name: str, default: dt.date, *, label: str = ...) -> dt.date: ...
@overload
def query_date(params: Any, name: str, default: None = None, *, label: str = ...) -> dt.date | None: ...
def query_date(params: Any, name: str, default: dt.date | None = None, *, label: str = "日期") -> dt.date | None:
    """A date from a query string (``request.GET`` or ``request.query_params``), ``default`` when absent."""
    raw = params.get(name, "")
    if raw is None or not str(raw).strip():
        return default
    return date(raw, field=name, label=label)


def as_of(params: Any, name: str = "date", *, label: str = "截至日期") -> dt.date:
    """The day a read is asked for (``?date=``), today when absent."""
    from django.utils import timezone

    day = query_date(params, name, label=label)
    return day if day is not None else timezone.localdate()


def query_month(params: Any, name: str = "month", default: dt.date | None = None) -> dt.date | None:
    raw = params.get(name, "")
    if raw is None or not str(raw).strip():
        return default
    return month(raw, field=name)


# -- text ------------------------------------------------------------------------------------------------

def text(value: Any, *, field: str, label: str, max_length: int, required: bool = True) -> str:
    """Stripped text of at most ``max_length`` characters; empty refused when ``required``."""
    content = "" if value is None else str(value).strip()
    if required and not content:
        raise refuse(InputCode.INVALID_TEXT, field, label, "不能为空")
    if len(content) > max_length:
        raise refuse(InputCode.INVALID_TEXT, field, label, f"不能超过 {max_length} 个字符")
    if "\x00" in content:
        raise refuse(InputCode.INVALID_TEXT, field, label, "含有不可见的控制字符")
    return content


#: the control characters a stored text may not hold (PostgreSQL refuses NUL), shown as their escape instead
_SHOWN_CONTROLS = {code: f"\\x{code:02x}" for code in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20), 0x7F)}


def visible(value: Any) -> str:
    """``value`` as text fit to store and show when it quotes what someone sent (a bad cell, an unknown column
    name): control characters, NUL among them, are written as their ``\\xNN`` escape."""
    return str(value).translate(_SHOWN_CONTROLS)


def known_region(value: Any) -> str:
    """The code of an existing pooling region (a ``Region`` or its code), for a write that names its region
    itself (a bank statement, a fund entry); an unknown one is refused with ``invalid_region``."""
    code = str(value.pk if isinstance(value, Region) else (value or ""))
    if not Region.objects.filter(pk=code).exists():
        raise InvalidInput(f"统筹区 {code or '（空）'} 不存在", code=InputCode.INVALID_REGION)
    return code


def region(user: Any, value: Any, *, field: str = "region") -> str:
    """A pooling region of the user's own (``user.region_codes``); another one is refused."""
    code = "" if value is None else str(value).strip()
    if code not in set(getattr(user, "region_codes", ())):
        raise refuse(InputCode.INVALID_REGION, field, "统筹区", f" {code[:12]} 不在本人的统筹区内")
    return code


def actor_region(actor: Any, value: Any, *, field: str = "region", label: str = "统筹区") -> str:
    """An existing pooling region (a ``Region`` or its code) among the actor's own; a system actor (no user) may
    name any. Both refusals are ``invalid_region``: 「统筹区 X 不存在」, 「统筹区 X 不在本人负责的统筹区内」."""
    code = str(getattr(value, "pk", value) or "").strip()
    if not Region.objects.filter(pk=code).exists():
        raise InvalidInput(f"{label} {code or '（空）'} 不存在", code=InputCode.INVALID_REGION,
                           details=[{"path": field, "message": f"{label}不存在"}])
    user = actor if getattr(actor, "is_authenticated", False) else None
    if user is not None and getattr(user, "scope_kind", "") == "region" and code not in user.region_codes:
        raise InvalidInput(f"{label} {code} 不在本人负责的统筹区内", code=InputCode.INVALID_REGION,
                           details=[{"path": field, "message": "不是本人负责的统筹区"}])
    return code


# -- uploaded text ------------------------------------------------------------------------------------------

def decode_text(data: bytes, encoding: str | None = None) -> str:
    """Bytes of an uploaded text file as text: the given encoding, else UTF-8 (with or without BOM), else
    GB18030 (which covers GBK and GB2312). Undecodable bytes are refused, never replaced."""
    candidates = [encoding] if encoding else ["utf-8-sig", "gb18030"]
    for name in candidates:
        try:
            return data.decode(name)  # type: ignore[arg-type]
        except (UnicodeDecodeError, LookupError):
            continue
    raise refuse(InputCode.INVALID_ENCODING, "file", "文件", "编码无法识别（请使用 UTF-8 或 GB18030/GBK）")


def header_index(header: Iterable[Any], names: dict[str, str],
                 required: Iterable[str] = ()) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """The column positions of an uploaded table's header row, by column name or Chinese label (``names`` maps
    each accepted cell text to the column name), and its problems as ``(cell text, kind)`` with kind
    ``unknown``, ``duplicate`` or ``missing`` (a required column absent) — every parser words them itself."""
    index: dict[str, int] = {}
    problems: list[tuple[str, str]] = []
    for position, cell in enumerate(header):
        text = str(cell if cell is not None else "").strip()
        if not text:
            continue
        name = names.get(text)
        if name is None:
            problems.append((text, "unknown"))
        elif name in index:
            problems.append((text, "duplicate"))
        else:
            index[name] = position
    problems += [(name, "missing") for name in required if name not in index]
    return index, problems


# -- JSON ------------------------------------------------------------------------------------------------

#: Deepest nesting a JSON document may have (a declaration is ~6 levels deep; Python's parser recurses).
JSON_MAX_DEPTH = 64
_JSON_STRINGS = re.compile(rb'"[^"\\]*(?:\\.[^"\\]*)*"')  # "(?:[^"\\]|\\.)*" unrolled: the same, ~3x faster
_JSON_NOT_BRACKETS = re.compile(rb"[^\[\]{}]+")
_JSON_PLAIN_STRINGS = re.compile(rb'"[^"]*"')
_JSON_STRUCTURE = bytes(range(256)).translate(None, b'"[]{}')  # every byte but quotes and brackets


def json_depth(data: bytes, limit: int = JSON_MAX_DEPTH) -> int:
    """The nesting depth of a JSON text, counted without parsing it (strings skipped), stopping past ``limit``."""
    if b"\\" not in data:  # no escapes: a string is quote to quote, so only quotes and brackets matter (fast path)
        structure = data.translate(None, _JSON_STRUCTURE)
        pieces = structure.split(b'"')
        if len(pieces) % 2:  # quotes in pairs: every other piece is outside a string (one C pass, no regex)
            brackets = b"".join(pieces[0::2])
        else:  # an unterminated string: what follows its quote counts, as the reference reading counts it
            brackets = _JSON_PLAIN_STRINGS.sub(b"", structure).translate(None, b'"')
    else:
        brackets = _JSON_NOT_BRACKETS.sub(b"", _JSON_STRINGS.sub(b"", data))
    depth = deepest = 0
    for byte in brackets:
        if byte in (0x5B, 0x7B):  # [ {
            depth += 1
            if depth > deepest:
                deepest = depth
                if deepest > limit:
                    return deepest
        else:
            depth -= 1
    return deepest


def json_document(data: bytes | str, *, field: str = "body", label: str = "请求内容",
                  max_bytes: int | None = None, max_depth: int = JSON_MAX_DEPTH, decimals: bool = True) -> Any:
    """A JSON document read safely: refused when larger than ``max_bytes`` or nested deeper than ``max_depth``
    (before parsing, so a hostile body costs no recursion), when it is not UTF-8 or not JSON. NaN and Infinity
    are refused. With ``decimals`` (files: declarations, imports) a number with a fraction is read as ``Decimal``
    and exponent notation is refused; without (API bodies) it stays a JSON float, which every amount field
    refuses with its own message (an amount is sent as a string)."""
    raw = data.encode("utf-8") if isinstance(data, str) else data
    if max_bytes is not None and len(raw) > max_bytes:
        raise refuse(InputCode.TOO_LARGE, field, label, f"超过 {max_bytes // 1024} KB")
    if json_depth(raw, max_depth) > max_depth:
        raise refuse(InputCode.JSON_TOO_DEEP, field, label, f"嵌套超过 {max_depth} 层")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise refuse(InputCode.INVALID_ENCODING, field, label, "不是 UTF-8 编码的 JSON") from None

    def no_constant(name: str) -> Any:
        raise ValueError(f"{name} 不是有效的数")

    def plain_number(number: str) -> Decimal:
        if "e" in number or "E" in number:
            raise ValueError(f"数字不能使用科学计数法：{number[:40]}")
        return Decimal(number)

    try:
        return json.loads(text, parse_float=plain_number if decimals else float, parse_constant=no_constant)
    except json.JSONDecodeError as exc:
        raise refuse(InputCode.INVALID_JSON, field, label,
                     f"不是有效的 JSON（第 {exc.lineno} 行第 {exc.colno} 列：{exc.msg}）") from None
    except (ValueError, RecursionError) as exc:
        raise refuse(InputCode.INVALID_JSON, field, label, f"不是有效的 JSON（{str(exc)[:80]}）") from None


# -- DRF fields -------------------------------------------------------------------------------------------

#: How an amount looks in the API (both ways): a decimal string with at most two decimals.
AMOUNT_SCHEMA = {"type": "string", "pattern": r"^-?\d{1,14}(\.\d{1,2})?$", "example": "1234.56"}


@extend_schema_field(AMOUNT_SCHEMA)
class AmountField(serializers.Field):  # type: ignore[type-arg]
    """An amount as a decimal string both ways, bounded (see ``amount``). Documented as a string."""

    def __init__(self, *, maximum: Decimal = COLUMN_MAX, minimum: Decimal = Decimal("0.00"), label_zh: str = "",
                 **kwargs: Any) -> None:
        self.maximum, self.minimum, self.label_zh = maximum, minimum, label_zh
        super().__init__(**kwargs)

    def to_internal_value(self, data: Any) -> Decimal:
        try:
            return amount(data, field=self.field_name or "amount", label=self.label_zh or "金额",
                          maximum=self.maximum, minimum=self.minimum)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message) from None

    def to_representation(self, value: Any) -> str:
        return f"{Decimal(str(value)):.2f}"


class BoundedDateField(serializers.DateField):
    """A ``YYYY-MM-DD`` date within 1990–2100 (``minimum`` lowers the bound, e.g. for a date of birth)."""

    def __init__(self, *args: Any, minimum: dt.date = DATE_MIN, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.minimum = minimum

    def to_internal_value(self, value: Any) -> dt.date:
        try:
            return date(value, field=self.field_name or "date", label=str(self.label or "日期"), minimum=self.minimum)
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message) from None


class MonthField(serializers.CharField):
    """A month ``YYYY-MM``, read as the month's first day."""

    def to_internal_value(self, data: Any) -> dt.date:  # type: ignore[override]
        try:
            return month(data, field=self.field_name or "month")
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.message) from None

    def to_representation(self, value: Any) -> str:
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else str(value)


# -- form fields ------------------------------------------------------------------------------------------

class AmountFormField(forms.CharField):
    """An amount typed on a page, read as text and bounded (never a float)."""

    def __init__(self, *, maximum: Decimal = COLUMN_MAX, minimum: Decimal = Decimal("0.00"), **kwargs: Any) -> None:
        self.maximum, self.minimum = maximum, minimum
        # no max_length: Django would run its length validator on the Decimal; ``amount`` bounds the text itself
        kwargs.setdefault("widget", forms.TextInput(attrs={"class": "form-control text-end", "inputmode": "decimal",
                                                           "maxlength": "24"}))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        content = super().to_python(value)
        if not content:
            return None
        try:
            return amount(content, label="", maximum=self.maximum, minimum=self.minimum)
        except InvalidInput as exc:
            raise forms.ValidationError(exc.message) from None


class BoundedDateFormField(forms.DateField):
    """A date picked on a page, within 1990–2100."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.DateInput(attrs={"type": "date", "class": "form-control"},
                                                    format="%Y-%m-%d"))
        super().__init__(**kwargs)

    def to_python(self, value: Any) -> dt.date | None:
        day = super().to_python(value)
        if day is not None and not DATE_MIN <= day <= DATE_MAX:
            raise forms.ValidationError(f"日期应在 {DATE_MIN} 到 {DATE_MAX} 之间")
        return day


# -- a region or a month already known to be of the right kind -----------------------------------------------

def chosen_region(value: Any, allowed: Iterable[str]) -> str | None:
    """The region asked for (``?region=``) when it is one of ``allowed`` (the user's own), else the first of them;
    ``None`` when the user has none. For pages that show one region and default to the user's first."""
    regions = list(allowed)
    if not regions:
        return None
    wanted = "" if value is None else str(value).strip()
    return wanted if wanted in regions else regions[0]


def month_of(value: dt.date | dt.datetime) -> dt.date:
    """The first day of the month of a date or an instant (a month truncated by the database comes as either)."""
    if isinstance(value, dt.datetime):
        return value.date().replace(day=1)
    return value.replace(day=1)
