"""Error codes are enum members, one code per meaning (issue 14, build item 3).

Every code lives in an enum: the app's ``dae/<app>/codes.py: Code``, ``dae.core.codes.CoreCode`` for codes of core
and codes several apps answer, ``dae.core.codes.InputCode`` for the input layer. ``DaeError`` refuses anything else
when the error is raised or the class is defined, and a walk of the source finds no string literal given as a
code (so a path no test runs cannot hide one either)."""

from __future__ import annotations

import ast
import importlib
import json
import re
from enum import Enum
from pathlib import Path

import pytest

from dae.core.codes import CoreCode, InputCode
from dae.core.errors import Conflict, DaeError, InvalidInput

ROOT = Path(__file__).resolve().parents[2]
SRC = ROOT / "src" / "dae"
API_CHANGES = ROOT / "docs" / "api-changes.md"


# -- the walk: a string literal where a code is given -----------------------------------------------------------

def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _super_init(call: ast.Call) -> bool:
    """``super().__init__(…)`` (a DaeError subclass passing its code up)."""
    return (isinstance(call.func, ast.Attribute) and call.func.attr == "__init__"
            and isinstance(call.func.value, ast.Call) and _name(call.func.value.func) == "super")


def _strings(node: ast.expr | None) -> list[ast.Constant]:
    if isinstance(node, ast.IfExp):
        return _strings(node.body) + _strings(node.orelse)
    return [node] if isinstance(node, ast.Constant) and isinstance(node.value, str) else []


def literal_codes(root: Path) -> list[str]:
    """``path:line code`` for each string literal given as an error code under ``root``: the ``code=`` of a call
    of a ``DaeError`` subclass or of ``refuse``, ``refuse``'s first argument, and ``code = "…"`` in the body of a
    ``DaeError`` subclass, and the ``code=`` of ``super().__init__`` (subclasses found by following class bases
    across the tree)."""
    trees = {p: ast.parse(p.read_text(encoding="utf-8")) for p in sorted(root.rglob("*.py"))
             if "migrations" not in p.parts}
    classes = {"DaeError"}
    grown = True
    while grown:
        grown = False
        for tree in trees.values():
            for node in ast.walk(tree):
                if (isinstance(node, ast.ClassDef) and node.name not in classes
                        and any(_name(b) in classes for b in node.bases)):
                    classes.add(node.name)
                    grown = True
    found = []
    for path, tree in trees.items():
        for node in ast.walk(tree):
            given: list[ast.expr | None] = []
            if isinstance(node, ast.Call) and (_name(node.func) in classes | {"refuse"} or _super_init(node)):
                given = [k.value for k in node.keywords if k.arg == "code"]
                if _name(node.func) == "refuse" and node.args:
                    given.append(node.args[0])
            elif isinstance(node, ast.ClassDef) and node.name in classes:
                given = [s.value for s in node.body if isinstance(s, ast.Assign | ast.AnnAssign)
                         and any(isinstance(t, ast.Name) and t.id == "code"
                                 for t in (s.targets if isinstance(s, ast.Assign) else [s.target]))]
            found += [f"{path.relative_to(root)}:{c.lineno} {c.value}" for g in given for c in _strings(g)]
    return found


def test_no_module_gives_a_string_literal_as_an_error_code() -> None:
    assert literal_codes(SRC) == []


def test_the_walk_finds_a_literal_code_in_a_call_a_refusal_and_a_class(tmp_path: Path) -> None:
    (tmp_path / "errors.py").write_text("class DaeError(Exception):\n    code = 'error'\n\n\n"
                                        "class Refused(DaeError):\n    pass\n", encoding="utf-8")
    (tmp_path / "app.py").write_text(
        "from errors import Refused\n\n\nclass Late(Refused):\n    code: str = 'too_late'\n\n\n"
        "def f(ok):\n    if ok:\n        raise Refused('x', code=Code.FINE)\n"
        "    raise Refused('x', code='not_fine' if ok else Code.FINE)\n\n\n"
        "def g():\n    raise refuse('bad_thing', 'field', 'label', 'message')\n\n\n"
        "class Big(Refused):\n    def __init__(self):\n        super().__init__('x', code='too_big')\n",
        encoding="utf-8")
    assert sorted(literal_codes(tmp_path)) == ["app.py:11 not_fine", "app.py:15 bad_thing", "app.py:20 too_big",
                                               "app.py:5 too_late", "errors.py:2 error"]


# -- the runtime check ------------------------------------------------------------------------------------------

def test_an_error_raised_with_a_string_code_is_refused() -> None:
    with pytest.raises(TypeError, match="already_paid"):
        Conflict("已支付", code="already_paid")  # type: ignore[arg-type]


def test_an_error_class_with_a_string_code_is_refused() -> None:
    with pytest.raises(TypeError, match="too_late"):
        type("TooLate", (Conflict,), {"code": "too_late"})


def test_an_enum_member_is_the_code_and_answers_its_stable_value() -> None:
    error = InvalidInput("金额格式错误", code=InputCode.INVALID_AMOUNT)
    assert error.code == "invalid_amount" and error.as_dict()["code"] == "invalid_amount"
    assert json.dumps(error.as_dict()["code"]) == '"invalid_amount"'
    assert Conflict().code is CoreCode.CONFLICT


# -- one code per meaning ---------------------------------------------------------------------------------------

def code_enums() -> dict[str, type[Enum]]:
    """Every enum of error codes: the apps' ``codes.py`` (``error_codes.py`` where ``codes.py`` is another
    module), and core's ``CoreCode`` and ``InputCode``."""
    enums: dict[str, type[Enum]] = {}
    for path in sorted([*SRC.glob("*/codes.py"), *SRC.glob("*/error_codes.py")]):
        module = importlib.import_module(f"dae.{path.parent.name}.{path.stem}")
        for name, value in vars(module).items():
            if isinstance(value, type) and issubclass(value, Enum) and value.__module__ == module.__name__:
                enums[f"{path.parent.name}.{path.stem}.{name}"] = value
    return enums


def test_the_enums_cover_every_app_that_answers_a_code() -> None:
    enums = code_enums()
    assert {"core.codes.CoreCode", "core.codes.InputCode", "ledger.codes.Code", "dictionaries.error_codes.Code"} \
        <= set(enums)


def test_no_value_is_answered_by_two_enums() -> None:
    seen: dict[str, list[str]] = {}
    for name, enum in code_enums().items():
        for member in enum:
            seen.setdefault(str(member.value), []).append(f"{name}.{member.name}")
    assert {value: owners for value, owners in seen.items() if len(owners) > 1} == {}


def test_values_are_stable_snake_case_strings() -> None:
    for name, enum in code_enums().items():
        for member in enum:
            assert re.fullmatch(r"[a-z][a-z0-9_]*", str(member.value)), f"{name}.{member.name}"


# -- renamed codes are documented, and the schema does not list codes of its own --------------------------------

def renamed() -> dict[str, str]:
    """old -> new from the rename table of 2026-12-07 in docs/api-changes.md."""
    text = API_CHANGES.read_text(encoding="utf-8")
    section = text.split("2026-12-07", 1)[1].split("\n## ", 1)[0]
    return dict(re.findall(r"^\| `(\w+)` \| `(\w+)` \|", section, re.M))


def test_every_renamed_code_is_gone_and_its_new_name_is_a_member() -> None:
    pairs = renamed()
    assert {"bad_amount": "invalid_amount", "bad_date": "invalid_date", "future_day": "future_date"}.items() \
        <= pairs.items()
    values = {str(m.value) for enum in code_enums().values() for m in enum}
    assert [old for old in pairs if old in values] == []
    assert [new for new in pairs.values() if new not in values] == []


def test_the_schema_documents_code_as_a_string_so_no_code_in_it_changed() -> None:
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    schema = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))
    assert schema["components"]["schemas"]["Error"]["properties"]["code"] == {"type": "string"}
    listed: list[str] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            code = node.get("properties", {}).get("code") if isinstance(node.get("properties"), dict) else None
            if isinstance(code, dict):
                listed.extend(str(v) for v in code.get("enum", []))
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    assert [value for value in listed if value in renamed()] == []


def test_daeerror_is_the_base_the_walk_starts_from() -> None:
    assert issubclass(InvalidInput, DaeError) and DaeError.code is CoreCode.ERROR
