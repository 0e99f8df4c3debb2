"""The layering contracts (`.importlinter`, run by `lint-imports` in CI): they hold on the real tree, and the
checker fails on a fixture tree with a deliberate upward import and a pure module importing Django."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")

FIXTURE_CONFIG = """
[importlinter]
root_package = shop
include_external_packages = True

[importlinter:contract:pure]
name = pure
type = forbidden
source_modules =
    shop.core.maths
forbidden_modules =
    django
    shop.*.models

[importlinter:contract:layers]
name = layers
type = layers
layers =
    shop.web
    shop.orders : shop.stock
    shop.core
"""


def lint(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(cwd / "src") if (cwd / "src").is_dir() else str(cwd)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache", *args], cwd=cwd, env=env, capture_output=True, text=True, timeout=300
    )


def write_tree(base: Path, files: dict[str, str]) -> None:
    for name, body in files.items():
        path = base / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(body))
    (base / ".importlinter").write_text(FIXTURE_CONFIG)


CLEAN = {
    "shop/__init__.py": "",
    "shop/core/__init__.py": "",
    "shop/core/maths.py": "def total(a: int, b: int) -> int:\n    return a + b\n",
    "shop/orders/__init__.py": "",
    "shop/orders/models.py": "from shop.core.maths import total\n",
    "shop/stock/__init__.py": "",
    "shop/stock/models.py": "from shop.orders.models import total\n",
    "shop/web/__init__.py": "from shop.orders import models\nfrom shop.stock import models as stock\n",
}


def test_the_fixture_tree_without_faults_passes(tmp_path: Path) -> None:
    write_tree(tmp_path, CLEAN)
    result = lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "2 kept, 0 broken" in result.stdout


def test_an_upward_import_fails_the_layers_contract(tmp_path: Path) -> None:
    write_tree(tmp_path, {**CLEAN, "shop/core/helpers.py": "def link():\n    import shop.web\n"})
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "layers BROKEN" in result.stdout and "pure KEPT" in result.stdout
    assert "shop.core is not allowed to import shop.web" in result.stdout
    assert "shop.core.helpers -> shop.web (l.2)" in result.stdout


def test_an_app_importing_the_shell_above_it_fails(tmp_path: Path) -> None:
    write_tree(tmp_path, {**CLEAN, "shop/stock/views.py": "import shop.web\n"})
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "shop.stock is not allowed to import shop.web" in result.stdout
    assert "shop.stock.views -> shop.web (l.1)" in result.stdout


def test_a_pure_module_importing_django_fails_the_pure_contract(tmp_path: Path) -> None:
    write_tree(tmp_path, {**CLEAN, "shop/core/maths.py": "from django.db import models\n"})
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "pure BROKEN" in result.stdout and "layers KEPT" in result.stdout
    assert "shop.core.maths is not allowed to import django" in result.stdout


def test_a_pure_module_reaching_app_models_through_a_helper_fails(tmp_path: Path) -> None:
    write_tree(tmp_path, {**CLEAN, "shop/core/maths.py": "from shop.core import lookup\n",
                          "shop/core/lookup.py": "def find():\n    from shop.orders import models\n"})
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "pure BROKEN" in result.stdout
    assert "shop.core.maths is not allowed to import shop.orders.models" in result.stdout


def test_a_pure_package_importing_django_inside_a_function_of_a_submodule_fails(tmp_path: Path) -> None:
    # A whole package in the pure list (as dae.audit): every submodule is held to it, a lazy import too.
    write_tree(tmp_path, {**CLEAN, "shop/rules/__init__.py": "from shop.rules import engine\n",
                          "shop/rules/engine.py": "def now():\n    from django.utils import timezone\n"})
    pure_package = FIXTURE_CONFIG.replace("    shop.core.maths\n", "    shop.core.maths\n    shop.rules\n")
    (tmp_path / ".importlinter").write_text(pure_package)
    result = lint(tmp_path)
    assert result.returncode == 1
    assert "pure BROKEN" in result.stdout
    assert "shop.rules is not allowed to import django" in result.stdout
    assert "shop.rules.engine -> django (l.2)" in result.stdout


def test_the_real_tree_holds_the_audit_engine_pure() -> None:
    config = (ROOT / ".importlinter").read_text()
    pure = config.split("[importlinter:contract:pure]")[1].split("forbidden_modules")[0]
    assert "    dae.audit\n" in pure


def test_the_real_tree_keeps_every_contract() -> None:
    result = lint(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout and " BROKEN" not in result.stdout


RUFF = Path(sys.executable).with_name("ruff")


def branches(count: int) -> str:
    """A function of complexity ``count`` (one path plus ``count - 1`` ifs)."""
    body = "".join(f"    if x == {i}:\n        return {i}\n" for i in range(count - 1))
    return f"def f(x: int) -> int:\n{body}    return -1\n"


def ruff(tmp_path: Path, source: str) -> subprocess.CompletedProcess[str]:
    target = tmp_path / "module.py"
    target.write_text(source)
    return subprocess.run([str(RUFF), "check", "--no-cache", "--config", str(ROOT / "pyproject.toml"),
                           "--output-format", "concise", str(target)], capture_output=True, text=True, timeout=120)


def test_the_project_ruff_configuration_reports_a_function_over_complexity_15(tmp_path: Path) -> None:
    result = ruff(tmp_path, branches(16))
    assert result.returncode == 1
    assert "C901 `f` is too complex (16 > 15)" in result.stdout


def test_a_function_at_complexity_15_passes(tmp_path: Path) -> None:
    result = ruff(tmp_path, branches(15))
    assert result.returncode == 0, result.stdout
