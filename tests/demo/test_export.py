"""Writing a city through DuckDB: exact DECIMAL columns, all rows, the same bytes every time."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

import duckdb
import pytest

from dae.demo.city import City
from dae.demo.generator import generate_city, write_csv, write_parquet


@pytest.fixture(scope="module")
def tiny_city() -> City:
    return generate_city(persons=300, hospitals=12)


def _one(sql: str) -> tuple[object, ...]:
    with duckdb.connect() as con:
        row = con.execute(sql).fetchone()
    assert row is not None
    return row


def _types(path: Path) -> dict[str, str]:
    with duckdb.connect() as con:
        rows = con.execute(f"DESCRIBE SELECT * FROM '{path}'").fetchall()
    return {name: kind for name, kind, *_ in rows}


def test_parquet_has_every_row_and_exact_decimal_columns(tiny_city: City, tmp_path: Path) -> None:
    paths = write_parquet(tiny_city, tmp_path)
    assert set(paths) == set(tiny_city.tables())
    for name, rows in tiny_city.tables().items():
        (count,) = _one(f"SELECT count(*) FROM '{paths[name]}'")
        assert count == len(rows)
    lines = _types(paths["fee_lines"])
    assert lines["det_item_fee_sumamt"] == "DECIMAL(16,2)"
    assert lines["inscp_scp_amt"] == "DECIMAL(16,2)"
    assert lines["cnt"] == "DECIMAL(16,4)"
    assert lines["pric"] == "DECIMAL(16,6)"
    assert lines["selfpay_prop"] == "DECIMAL(5,4)"
    assert lines["fee_ocur_time"] == "TIMESTAMP"
    assert _types(paths["settlements"])["medfee_sumamt"] == "DECIMAL(16,2)"
    assert _types(paths["persons"])["brdy"] == "DATE"
    assert _types(paths["catalogue"])["dialysis_flag"] == "BOOLEAN"
    (total,) = _one(f"SELECT sum(medfee_sumamt) FROM '{paths['settlements']}'")
    assert total == sum((s.medfee_sumamt for s in tiny_city.settlements), Decimal("0.00"))
    (pric,) = _one(f"SELECT pric FROM '{paths['fee_lines']}' WHERE feedetl_sn = '{tiny_city.fee_lines[0].feedetl_sn}'")
    assert pric == tiny_city.fee_lines[0].pric


def test_nulls_and_empty_strings_survive(tiny_city: City, tmp_path: Path) -> None:
    paths = write_parquet(tiny_city, tmp_path)
    (nulls, empties) = _one(
        f"SELECT count(*) FILTER (init_feedetl_sn IS NULL), count(*) FILTER (sp_drug_kind = '') "
        f"FROM '{paths['fee_lines']}'"
    )
    assert nulls == sum(line.init_feedetl_sn is None for line in tiny_city.fee_lines)
    assert empties == sum(line.sp_drug_kind == "" for line in tiny_city.fee_lines)


def test_the_same_city_writes_the_same_bytes(tiny_city: City, tmp_path: Path) -> None:
    first = write_parquet(tiny_city, tmp_path / "a")
    second = write_parquet(generate_city(persons=300, hospitals=12), tmp_path / "b")
    for name in first:
        assert first[name].read_bytes() == second[name].read_bytes(), name


def test_csv_has_a_header_and_plain_decimals(tiny_city: City, tmp_path: Path) -> None:
    paths = write_csv(tiny_city, tmp_path)
    text = paths["settlements"].read_text(encoding="utf-8").splitlines()
    assert text[0].split(",")[:3] == ["setl_id", "init_setl_id", "refd_setl_flag"]
    assert len(text) == len(tiny_city.settlements) + 1
    first = tiny_city.settlements[0]
    assert f"{first.medfee_sumamt:.2f}" in text[1]
    again = write_csv(tiny_city, tmp_path / "again")
    assert again["fee_lines"].read_bytes() == paths["fee_lines"].read_bytes()
