"""One error code for a region that does not exist or is not the user's (issue 14): ``invalid_region``
(``core.inputs.InputCode.INVALID_REGION``); ``unknown_region`` and ``bad_region`` are gone (docs/api-changes.md)."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from dae.core import inputs
from dae.core.errors import InvalidInput

SRC = Path(__file__).resolve().parents[2] / "src" / "dae"


def test_no_module_answers_a_second_code_for_a_bad_region() -> None:
    pattern = re.compile(r"[\"'](unknown_region|bad_region)[\"']")
    found = [f"{path.relative_to(SRC)}:{n}" for path in sorted(SRC.rglob("*.py"))
             for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1) if pattern.search(line)]
    assert found == []


def test_the_input_layer_refuses_a_region_outside_the_users_with_the_one_code() -> None:
    with pytest.raises(InvalidInput) as error:
        inputs.region(SimpleNamespace(region_codes=["220282"]), "999999")
    assert error.value.code == inputs.InputCode.INVALID_REGION == "invalid_region"
