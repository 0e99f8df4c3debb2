"""Stored fee lines read back in columns (``claims.stream.stored_line_columns``, the automatic audit's read) give
exactly the values the ORM gives: decimals to the field's places (SQLite keeps them as binary floats), date-times
in UTC, texts as stored — and nothing, without an error, for an empty selection."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pyarrow as pa
import pytest

from dae.claims.models import FeeLine, Settlement
from dae.claims.stream import stored_line_columns

from ..factories import FeeLineFactory, SettlementFactory

NAMES = ("feedetl_sn", "init_feedetl_sn", "fee_ocur_time", "med_list_codg", "cnt", "pric", "det_item_fee_sumamt",
         "overlmt_amt")  # fmt: skip


def _as_read(settlements: Any, chunk: int) -> list[tuple[Any, ...]]:
    parts = list(stored_line_columns(settlements, NAMES, chunk=chunk))
    columns = [pa.chunked_array([p[i] for p in parts]).to_pylist() for i in range(len(NAMES) + 1)] if parts else []
    return list(zip(*columns, strict=True))


@pytest.mark.django_db
def test_stored_lines_read_in_columns_equal_the_orm() -> None:
    first, second = SettlementFactory(), SettlementFactory()
    utc = dt.UTC
    values = [  # awkward decimals (binary floats on SQLite), negatives, whole numbers, microseconds, a blank
        (first, Decimal("0.01"), Decimal("0.1000"), Decimal("0.100000"), dt.datetime(2026, 3, 2, 1, 0, tzinfo=utc)),
        (first, Decimal("-12345678.99"), Decimal("-3.3333"), Decimal("12.345678"),
         dt.datetime(2026, 3, 2, 23, 59, 59, 999999, tzinfo=utc)),
        (second, Decimal("2.675"), Decimal("7"), Decimal("99999999.999999"), dt.datetime(2026, 12, 31, 16, 0, 0,
                                                                                         tzinfo=utc)),
        (second, Decimal("1.15"), Decimal("0.0001"), Decimal("0.000001"), dt.datetime(2026, 3, 2, 9, 30, 0, 5,
                                                                                     tzinfo=utc)),
    ]  # fmt: skip
    for n, (settlement, amount, cnt, pric, when) in enumerate(values):
        FeeLineFactory(settlement=settlement, feedetl_sn=f"L{n}", init_feedetl_sn="" if n % 2 else f"R{n}",
                       det_item_fee_sumamt=amount, cnt=cnt, pric=pric, fee_ocur_time=when,
                       overlmt_amt=Decimal("0.30"))  # fmt: skip
    FeeLineFactory()  # another settlement's line: not read
    chosen = Settlement.objects.filter(pk__in=[first.pk, second.pk])
    expected = list(FeeLine.objects.filter(settlement__in=chosen).order_by("pk").values_list("settlement_id", *NAMES))
    for chunk in (1, 3, 100):  # read in chunks: the same lines in the same order
        got = _as_read(chosen, chunk)
        assert got == expected
        assert [str(v) for row in got for v in row] == [str(v) for row in expected for v in row]  # the places too
    parts = list(stored_line_columns(chosen, NAMES))
    assert parts[0][3].type == pa.timestamp("us", tz="UTC")
    assert [p.type for p in parts[0][5:]] == [pa.decimal128(16, 4), pa.decimal128(16, 6), pa.decimal128(16, 2),
                                               pa.decimal128(16, 2)]  # fmt: skip


@pytest.mark.django_db
def test_an_empty_selection_reads_nothing() -> None:
    FeeLineFactory()
    assert list(stored_line_columns(Settlement.objects.none(), NAMES)) == []
    assert list(stored_line_columns(Settlement.objects.filter(setl_id__in=[]), NAMES)) == []
    assert list(stored_line_columns(Settlement.objects.filter(setl_id="nobody"), NAMES)) == []
