"""A single check collects its few rows in plain Python (``engine._collect_touching``); the tables must be those of
the Arrow path (``collect`` then ``_touching``): the same rows, schema and order, nulls last."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc
import pytest

from dae.audit.engine import Findings, _collect_touching, collect
from dae.audit.rules.base import OUTPUT_SCHEMA


def _touching(found: Findings, setl_id: str) -> Findings:
    """The findings on ``setl_id`` or naming it as evidence, in Arrow: the reference ``_collect_touching`` is held to."""
    ev = found.evidence
    touching = ev.filter(pc.equal(ev["ev_setl_id"], setl_id))
    keys = set(zip(touching["rule_id"].to_pylist(), touching["finding_key"].to_pylist(), strict=True))
    f = found.findings
    keep = [(r, k) in keys or s == setl_id for r, k, s in zip(f["rule_id"].to_pylist(), f["finding_key"].to_pylist(),
                                                                  f["setl_id"].to_pylist(), strict=True)]  # fmt: skip
    kept = f.filter(pa.array(keep, pa.bool_()))
    kept_keys = set(zip(kept["rule_id"].to_pylist(), kept["finding_key"].to_pylist(), strict=True))
    ev_keep = [(r, k) in kept_keys for r, k in zip(ev["rule_id"].to_pylist(), ev["finding_key"].to_pylist(),
                                                     strict=True)]  # fmt: skip
    return Findings(kept, ev.filter(pa.array(ev_keep, pa.bool_())), found.params, found.seconds)

TARGET = OUTPUT_SCHEMA.to_pyarrow()


def _part(*rows: tuple[Any, ...]) -> pa.Table:
    return pa.table({c: [r[i] for r in rows] for i, c in enumerate(TARGET.names)}, schema=TARGET)


def _row(rule: str, key: str, setl: str, amount: str, ev_setl: str, sn: str | None, role: str = "violation") -> tuple:
    return (rule, key, setl, "P1", "H1", Decimal(amount), f"{rule} {key}", ev_setl, sn, role)


PARTS = [
    _part(
        _row("R14_IDLE_BED", "M2", "S2", "90.00", "S2", None),
        _row("R03_FREQ_DAY", "M1|A|2026-05-01", "S1", "12.30", "S1", "2"),
        _row("R03_FREQ_DAY", "M1|A|2026-05-01", "S1", "12.30", "S1", "1", "involved"),
        _row("R03_FREQ_DAY", "M1|A|2026-05-01", "S1", "12.30", "S1", "2"),  # a repeated evidence row
    ),
    _part(
        _row("R15_OVERLAP", "M3", "S3", "500.00", "S3", None),
        _row("R15_OVERLAP", "M3", "S3", "500.00", "S1", None, "involved"),  # names S1 as evidence
        _row("R11_PRICE_CAP", "S3|B", "S3", "1.00", "S3", "7"),  # another settlement's own finding
        _row("R11_PRICE_CAP", "S1|B", "S1", "3.00", "S1", "10"),
        _row("R11_PRICE_CAP", "S1|B", "S1", "3.00", "S1", "9"),
    ),
]


@pytest.mark.parametrize("setl_id", ["S1", "S2", "S3", "S9"])
def test_the_python_collection_is_the_arrow_collection(setl_id: str) -> None:
    params: dict[str, dict[str, Any]] = {}
    want = _touching(collect(PARTS, params, {}), setl_id)
    got = _collect_touching(PARTS, TARGET, params, {}, setl_id)
    assert got.findings.schema == want.findings.schema and got.evidence.schema == want.evidence.schema
    assert got.records() == want.records() and got.evidence_records() == want.evidence_records()
    assert got.same_as(want)
    assert setl_id == "S9" or got.records()


def test_a_finding_whose_rows_differ_is_refused() -> None:
    bad = [_part(_row("R11_PRICE_CAP", "S1|B", "S1", "3.00", "S1", "10"),
                 _row("R11_PRICE_CAP", "S1|B", "S1", "4.00", "S1", "9"))]  # fmt: skip
    with pytest.raises(RuntimeError, match="同一发现"):
        _collect_touching(bad, TARGET, {}, {}, "S1")
