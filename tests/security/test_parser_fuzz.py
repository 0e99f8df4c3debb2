"""Fuzzing of every file parser with hypothesis (bounded examples, a fixed seed): every importer in the import
registry (roster, catalogue, ICD-10 and whatever apps register later), declarations, fee files, bank statements and
bank result files. (ICD-10 itself is loaded from the shipped package; its file form is the ``icd10_extension``
importer.) Each hostile file must end in a clear refusal (``InvalidInput``, a rejected batch with its
problems) or a clean load — never an internal error, nothing half-written, no refused file left on disk."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import hypothesis
import pytest
from django.apps import apps
from django.conf import settings
from hypothesis import HealthCheck, Phase
from hypothesis import strategies as st

from dae.core.errors import InvalidInput

#: Examples per parser (a fixed seed: ``derandomize``); the CI budget is two minutes for all of them.
EXAMPLES = 12
FUZZ = hypothesis.settings(max_examples=EXAMPLES, derandomize=True, deadline=None, database=None,
                           phases=[Phase.explicit, Phase.generate], suppress_health_check=list(HealthCheck))

HOSTILE = st.sampled_from([
    "", " ", "=HYPERLINK(\"http://x\",\"y\")", "+1", "-1", "@SUM(A1)", "1e30", "1E+5", "NaN", "Infinity",
    "999999999999999.99", "-0.001", "0", "12.345", "9999-12-31", "0001-01-01", "2026-02-30", "2026-03-02",
    "20260302", "220282", "01", "1101", "330", "\x00", "名" * 300, "x" * 70, "1" * 25, "null", "[]", "{}",
    "\"", "a,b", "\r\n", "；", "０１",
])
CELL = st.one_of(HOSTILE, st.text(max_size=12))


def _csv(header: list[str], rows: list[list[str]], encoding: str) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    try:
        return out.getvalue().encode(encoding)
    except UnicodeEncodeError:
        return out.getvalue().encode("utf-8")


def tables(columns: list[str]) -> st.SearchStrategy[bytes]:
    """CSV files with the parser's own header (or part of it, or junk) and hostile rows, in UTF-8 or GB18030,
    and raw bytes (truncated workbooks, binary junk, nothing at all)."""
    header = st.one_of(st.just(columns), st.lists(st.sampled_from([*columns, "未知列", ""]), max_size=len(columns) + 2))
    rows = st.lists(st.lists(CELL, min_size=0, max_size=len(columns) + 2), max_size=6)
    encoded = st.builds(_csv, header, rows, st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    return st.one_of(encoded, encoded, st.binary(max_size=300), st.just(b""), st.just(b"PK\x03\x04\x14\x00junk"))


def _upload_files() -> set[Path]:
    return {p for p in Path(settings.UPLOAD_DIR).rglob("*") if p.is_file()}


def _row_counts() -> dict[str, int]:
    """Rows of every business table (not the logs and job bookkeeping, which record the attempt itself)."""
    skip = {"core.event", "core.accessrecord", "core.job", "imports.importbatch", "imports.importproblem",
            "claims.declaration", "claims.declarationitem", "django_tasks_db.dbtaskresult", "sessions.session"}
    return {m._meta.label_lower: m._default_manager.count() for m in apps.get_models()
            if m._meta.label_lower not in skip and m._meta.app_label != "contenttypes"}


def _importer_columns(kind: str) -> list[str]:
    from dae.imports import registry

    return [c.name for c in registry.get(kind).columns]


def _fuzz_importer(kind: str, manager: Any, outcomes: set[str]) -> None:
    from dae.imports import registry
    from dae.imports.actions import do_start_import
    from dae.imports.models import ImportBatch

    importer = registry.get(kind)

    @FUZZ
    @hypothesis.given(content=tables(_importer_columns(kind)), fmt=st.sampled_from(["csv", "xlsx"]))
    def fuzz(content: bytes, fmt: str) -> None:
        if fmt not in importer.formats:
            fmt = importer.formats[0]
        files, counts = _upload_files(), _row_counts()
        try:
            batch = do_start_import(kind, user=manager, file_name=f"fuzz.{fmt}", chunks=iter([content]),
                                 region_id="220282")
        except InvalidInput:
            outcomes.add("refused")
            assert _upload_files() == files and _row_counts() == counts
            return
        batch = ImportBatch.objects.select_related("job").get(pk=batch.pk)
        assert batch.job is not None and "内部错误" not in batch.job.message, (kind, content[:80], batch.job.message)
        assert batch.status in ("loaded", "rejected", "failed"), batch.status
        outcomes.add(batch.status)
        if batch.status != "loaded":
            assert _row_counts() == counts, kind
            assert _upload_files() == files, kind

    fuzz()


@pytest.mark.django_db
def test_every_registered_importer_refuses_cleanly_or_loads(world: dict[str, Any]) -> None:
    from dae.imports import registry

    kinds = [cls.kind for cls in registry.all_importers()]
    assert {"roster", "roster_1101", "catalogue", "code_mapping", "icd10_extension"} <= set(kinds)
    manager = world["users"]["manager"]
    outcomes: dict[str, set[str]] = {kind: set() for kind in kinds}
    for kind in kinds:
        _fuzz_importer(kind, manager, outcomes[kind])
    assert all(outcomes[kind] & {"refused", "rejected", "failed"} for kind in kinds), outcomes


@pytest.mark.django_db
def test_declarations_refuse_cleanly_or_are_checked(world: dict[str, Any]) -> None:
    from dae.claims.actions import do_submit_declaration
    from dae.claims.models import Declaration

    hospital = world["users"]["hospital"]
    value = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(-10**20, 10**20), HOSTILE,
                                   st.decimals(allow_nan=False, allow_infinity=False, places=3).map(str)),
                         lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner,
                                                                                    max_size=3), max_leaves=8)
    setl = st.fixed_dictionaries({"setlinfo": st.dictionaries(st.sampled_from(
        ["setl_id", "psn_no", "mdtrt_id", "med_type", "setl_time", "begndate", "enddate", "medfee_sumamt",
         "fulamt_ownpay_amt", "overlmt_selfpay", "preselfpay_amt", "inscp_scp_amt", "hifob_pay"]), value,
        max_size=13)})
    import json

    document = st.builds(lambda items, month: json.dumps(
        {"fixmedins_code": "HA0001", "month": month, "settlements": items}, default=str).encode(),
        st.lists(setl, max_size=3), st.sampled_from(["2026-09", "9999-12", "2026-13", ""]))
    content = st.one_of(document, st.binary(max_size=200), st.just(b"[" * 5000), st.just(b'{"settlements": 1e999}'))

    @FUZZ
    @hypothesis.given(raw=content)
    def fuzz(raw: bytes) -> None:
        files, counts = _upload_files(), _row_counts()
        try:
            declaration, _created = do_submit_declaration(hospital, file_name="d.json", chunks=iter([raw]))
        except InvalidInput:
            assert _upload_files() == files and _row_counts() == counts
            return
        declaration = Declaration.objects.select_related("job").get(pk=declaration.pk)
        assert declaration.status != Declaration.Status.FAILED, (raw[:200], declaration.note)
        assert declaration.job is not None and "内部错误" not in declaration.job.message

    fuzz()


def _parse_only(parse: Callable[[bytes, str], Any], columns: list[str], names: list[str]) -> None:
    @FUZZ
    @hypothesis.given(content=tables(columns), name=st.sampled_from(names))
    def fuzz(content: bytes, name: str) -> None:
        try:
            parse(content, name)
        except InvalidInput as refused:
            assert refused.message and refused.code

    fuzz()


def test_fee_files_refuse_cleanly_or_parse() -> None:
    from dae.reimbursement.feefile import COLUMNS, read_fee_file

    _parse_only(lambda raw, name: read_fee_file(name, raw), [c.label for c in COLUMNS], ["f.csv", "f.xlsx", "f.txt"])


def test_bank_statements_refuse_cleanly_or_parse() -> None:
    from dae.bank.parser import COLUMNS, parse_statement

    _parse_only(lambda raw, name: parse_statement(raw, name), [c.label for c in COLUMNS], ["s.csv", "s.xlsx"])


@pytest.mark.django_db
def test_bank_result_files_refuse_cleanly_or_parse(world: dict[str, Any]) -> None:
    from dae.payments.bankfiles import RESULT_COLUMNS, parse_result
    from dae.payments.models import PaymentBatch

    batch = PaymentBatch.objects.create(number="PB-FUZZ-1", region=world["regions"][0], kind="hospital",
                                        created_on=dt.date(2026, 3, 2), created_by=world["users"]["finance"])
    _parse_only(lambda raw, name: parse_result(raw, batch), list(RESULT_COLUMNS), ["r.csv"])
