"""A settlement's fee lines read column by column (issue 21): the declaration's hot path.

A declaration has millions of fee lines and nearly all of them are plain strings in the usual shapes. Rather than
reading each line field by field (a function call per value), :func:`plain_lines` takes the settlement's
``feedetail`` one column at a time — all the ``feedetl_sn``, then all the amounts … — checks each column with a
few list operations and parses each distinct text once (amounts, counts and times repeat across a file; the
parsed values are remembered in bounded tables). It gives exactly the values the field-by-field reading
(``declarations._plain_line``) gives, or ``None`` as soon as any value is not plain (a number where a string is
expected, a blank required field, a bound reached, an unknown code, a repeated serial number): the caller then
reads that settlement line by line, so every problem is still found and worded, with its line number, by the
checked reading.

:func:`stored_line_columns` goes the other way, for the audit of what was stored: the fee lines of many settlements
read back as Arrow columns with one SQL statement, without the ORM's conversion of each value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator, Sequence
from datetime import datetime
from decimal import Context, Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
from django.core.exceptions import EmptyResultSet
from django.db import connections, models
from django.db.models.functions import Cast

from dae.core import inputs
from dae.core.money import FEN

from .models import FeeLine

ZERO = Decimal("0.00")
_MAX, _MIN = inputs.CLAIM_MAX, -inputs.CLAIM_MAX
_MONEY = re.compile(r"-?\d{1,8}(?:\.\d{1,2})?")
_QUANTITY = {4: re.compile(r"-?\d{1,8}(?:\.\d{1,4})?"), 6: re.compile(r"-?\d{1,8}(?:\.\d{1,6})?")}
#: distinct texts remembered per kind; past this the table starts again (memory bounded, not by the file)
REMEMBERED = 200_000

_BAD = object()  # a value that is not plain, inside a column being checked
#: the fields of a fee line that :func:`plain_lines` reads
_COLUMNS = ("feedetl_sn", "init_feedetl_sn", "fee_ocur_time", "med_list_codg", "medins_list_codg", "det_item_fee_sumamt",
            "cnt", "pric", "chrgitm_lv", "med_chrgitm_type", "overlmt_amt", "fulamt_ownpay_amt", "preselfpay_amt",
            "inscp_scp_amt", "bilg_dept_codg", "bilg_dept_name", "bilg_dr_codg", "bilg_dr_name", "dae")  # fmt: skip


class Remembered:
    """The texts already parsed in one declaration: money (to the fen), counts (4 places), prices (6 places)."""

    def __init__(self) -> None:
        self.money: dict[str, Decimal] = {}
        self.quantity: dict[int, dict[str, Decimal]] = {4: {}, 6: {}}


def _texts(values: Sequence[Any], max_length: int, required: bool) -> list[str] | None:
    """A text column stripped; ``None`` when a value is not a string (or absent), a required one is blank or one
    is longer than ``max_length``."""
    out: list[Any] = [v.strip() if type(v) is str else ("" if v is None else _BAD) for v in values]
    if _BAD in out or (required and not all(out)) or max(map(len, out), default=0) > max_length:
        return None
    return out


def _parse_money(text: str) -> Decimal | None:
    if not _MONEY.fullmatch(text):
        return None
    number = Decimal(text).quantize(FEN)
    return number if _MIN <= number <= _MAX else None


def _parse_quantity(text: str, places: int) -> Decimal | None:
    if not _QUANTITY[places].fullmatch(text):
        return None
    number = Decimal(text)
    return number if _MIN <= number <= _MAX else None


def _remember(table: dict[str, Decimal], text: str, value: Decimal) -> None:
    if len(table) >= REMEMBERED:
        table.clear()
    table[text] = value


def _money(values: Sequence[Any], seen: dict[str, Decimal], required: bool) -> list[Decimal] | None:
    """An amount column: required ones as read (to the fen), optional ones blank or zero as ``ZERO``."""
    out: list[Any] = [seen.get(v) if type(v) is str else None for v in values]
    for i, got in enumerate(out):
        if got is not None:
            continue
        raw = values[i]
        if raw is None or raw == "":
            if required:
                return None
            out[i] = ZERO
            continue
        if type(raw) is not str:
            return None
        number = _parse_money(raw)
        if number is None:
            return None
        _remember(seen, raw, number)
        out[i] = number
    return out if required else [m or ZERO for m in out]


def _quantities(values: Sequence[Any], seen: dict[str, Decimal], places: int) -> list[Decimal] | None:
    """A count or price column: plain decimal strings (or whole numbers), bounded."""
    out: list[Any] = [seen.get(v) if type(v) is str else None for v in values]
    for i, got in enumerate(out):
        if got is not None:
            continue
        raw = values[i]
        if type(raw) is int:
            number: Decimal | None = Decimal(raw)
            if not _MIN <= number <= _MAX:  # type: ignore[operator]
                return None
        elif type(raw) is str:
            number = _parse_quantity(raw, places)
            if number is None:
                return None
            _remember(seen, raw, number)
        else:
            return None
        out[i] = number
    return out


def _times(values: Sequence[Any], parse: Callable[[str], datetime | None]) -> list[datetime] | None:
    """The fee times; a stay has few distinct ones, each parsed once."""
    times: dict[str, datetime | None] = {}
    out = []
    for v in values:
        if type(v) is not str:
            return None
        parsed = times.get(v, _BAD)
        if parsed is _BAD:
            parsed = times[v] = parse(v)
        if parsed is None:
            return None
        out.append(parsed)
    return out  # type: ignore[return-value]


def _sessions(values: Sequence[Any]) -> list[str]:
    if all(v is None for v in values):
        return [""] * len(values)
    return [str(v.get("dialysis_session") or "") if isinstance(v, dict) else "" for v in values]


def plain_lines(
    feedetail: list[Any],
    valid: Callable[[str, str], bool],
    seen: Remembered,
    parse_time: Callable[[str], datetime | None],
) -> list[tuple[Any, ...]] | None:
    """The value tuples of every fee line (``FEE_LINE_COLUMNS`` order without the settlement), read column by
    column; ``None`` when any line is not plain (the caller reads the settlement line by line instead)."""
    if not all(type(row) is dict for row in feedetail):
        return None

    if not feedetail:
        return []
    by_name = dict(zip(_COLUMNS, zip(*[tuple(map(row.get, _COLUMNS)) for row in feedetail], strict=True), strict=True))

    def column(name: str) -> Sequence[Any]:  # every field of every line taken in one pass (``map`` in C)
        return by_name[name]

    sn = _texts(column("feedetl_sn"), 30, True)
    if sn is None or len(set(sn)) != len(sn):
        return None
    levels, categories = _texts(column("chrgitm_lv"), 3, True), _texts(column("med_chrgitm_type"), 6, True)
    if (
        levels is None
        or categories is None
        or not all(valid("chrgitm_lv", v) for v in set(levels))
        or not all(valid("med_chrgitm_type", c) or valid("med_chrgitm_type", c[:2]) for c in set(categories))
    ):
        return None
    texts = [
        _texts(column(name), length, required)
        for name, length, required in (
            ("init_feedetl_sn", 30, False),
            ("med_list_codg", 50, True),
            ("medins_list_codg", 150, True),
            ("bilg_dept_codg", 30, False),
            ("bilg_dept_name", 100, False),
            ("bilg_dr_codg", 30, False),
            ("bilg_dr_name", 50, False),
        )
    ]
    amounts = _money(column("det_item_fee_sumamt"), seen.money, True)
    extras = [
        _money(column(name), seen.money, False)
        for name in ("overlmt_amt", "fulamt_ownpay_amt", "preselfpay_amt", "inscp_scp_amt")
    ]
    counts = _quantities(column("cnt"), seen.quantity[4], 4)
    prices = _quantities(column("pric"), seen.quantity[6], 6)
    times = _times(column("fee_ocur_time"), parse_time)
    if (
        amounts is None
        or counts is None
        or prices is None
        or times is None
        or any(t is None for t in texts)
        or any(e is None for e in extras)
    ):
        return None
    init, national, own, dept, dept_name, doctor, doctor_name = texts
    columns: list[Any] = [
        sn,
        init,
        times,
        national,
        own,
        amounts,
        counts,
        prices,
        levels,
        categories,
        *extras,
        dept,
        dept_name,
        doctor,
        doctor_name,
        _sessions(column("dae")),
    ]
    return list(zip(*columns, strict=True))


# -- reading stored fee lines back in columns ------------------------------------------------------------------


def stored_line_columns(settlements: Any, names: Sequence[str], chunk: int = 100_000) -> Iterator[list[pa.Array]]:
    """The fee lines of ``settlements`` (a ``Settlement`` queryset) in ``pk`` order, ``chunk`` lines at a time,
    as Arrow columns: ``settlement_id`` then ``names``. One SQL statement (the ORM's own, read through a chunked
    cursor: a server-side cursor on PostgreSQL), each column converted at once: SQLite gives a decimal back as a
    binary float, each distinct one converted here as the ORM converts it; date-times are UTC."""
    fields = [FeeLine._meta.get_field(name) for name in names]
    lines = FeeLine.objects.filter(settlement_id__in=settlements.values("id")).order_by("pk")
    connection = connections[lines.db]
    vendor = connection.vendor
    selected = [
        Cast(name, models.TextField()) if vendor == "sqlite" and isinstance(field, models.DateTimeField) else name
        for name, field in zip(names, fields, strict=True)
    ]  # SQLite: the text, not parsed per value
    query = lines.values_list("settlement_id", *selected)
    try:
        sql, params = query.query.get_compiler(lines.db).as_sql()
    except EmptyResultSet:  # an empty selection (``none()``, ``__in=[]``): no statement, no lines
        return
    with connection.chunked_cursor() as cursor:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(chunk):
            columns = list(zip(*rows, strict=True))
            yield [
                pa.array(columns[0], pa.int64()),
                *(_arrow(values, field, vendor) for values, field in zip(columns[1:], fields, strict=True)),
            ]


def _arrow(values: Sequence[Any], field: Any, vendor: str) -> pa.Array:
    if isinstance(field, models.DecimalField):
        decimal = pa.decimal128(field.max_digits, field.decimal_places)  # type: ignore[arg-type]
        if vendor == "sqlite":  # REAL (INTEGER when whole): each distinct value converted once, as the ORM converts it
            floats = pa.array(values, pa.float64())
            distinct = pc.unique(floats)
            exact = pa.array([_sqlite_decimal(v, field) for v in distinct.to_pylist()], decimal)
            return exact.take(pc.index_in(floats, value_set=distinct))
        return pa.array(values, decimal)
    if isinstance(field, models.DateTimeField):
        utc = pa.timestamp("us", tz="UTC")
        if vendor == "sqlite":  # stored as UTC text "YYYY-MM-DD HH:MM:SS[.ffffff]"
            return pa.array(values, pa.string()).cast(pa.timestamp("us")).cast(utc)
        return pa.array(values, utc)
    return pa.array(values, pa.string())


_SQLITE_DIGITS = Context(prec=15)  # SQLite keeps 15 significant digits: the float's noise beyond them is dropped


def _sqlite_decimal(value: float, field: Any) -> Decimal:
    """What Django's SQLite backend makes of a stored decimal (``get_decimalfield_converter``), to the same digit."""
    return _SQLITE_DIGITS.create_decimal_from_float(value).quantize(
        Decimal(1).scaleb(-field.decimal_places), context=field.context
    )
