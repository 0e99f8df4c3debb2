"""The part of the dependency audit this machine can do when pip-audit's advisory source is unreachable.

pip-audit asks PyPI's per-release JSON (``/pypi/NAME/VERSION/json``) for each installed package's known
vulnerabilities. Where a proxy serves only the project JSON (``/pypi/NAME/json``), that answer still carries the
``vulnerabilities`` of the project's **latest** release (PyPI's own advisory data, from the Python Packaging
Advisory Database via OSV). So every installed package that *is* its project's latest release is audited here for
real; the others are listed as not audited, with their version and the latest one. A vulnerability found fails
(exit 1); packages left unaudited do not, but are named. Exit 2 when even the project JSON cannot be read.

    .venv/bin/python scripts/audit_latest.py
"""

from __future__ import annotations

import json
import sys
import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from importlib import metadata
from typing import Any

INDEX = "https://pypi.org/pypi"
OWN = {"dae"}


def installed() -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower().replace("_", "-")
        if name and name not in OWN:
            found[name] = dist.version
    return found


def project(name: str) -> dict[str, Any] | None:
    """PyPI's project JSON of ``name``, or None when it cannot be read."""
    try:
        with urllib.request.urlopen(f"{INDEX}/{name}/json", timeout=20) as answer:  # noqa: S310 -- a fixed https URL
            data: dict[str, Any] = json.load(answer)
            return data
    except (urllib.error.URLError, TimeoutError, ValueError) as error:
        print(f"  {name}: 无法读取 PyPI 项目信息 (project JSON unreadable: {error})", file=sys.stderr)
        return None


def main() -> int:
    packages = installed()
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = dict(zip(packages, pool.map(project, packages), strict=True))
    unreadable = sorted(n for n, a in answers.items() if a is None)
    if len(unreadable) == len(packages):
        print("错误: PyPI 项目信息也无法读取，依赖完全未经审计。 (the project JSON is unreachable too: nothing audited)")
        return 2
    audited, behind, vulnerable = [], [], []
    for name, answer in sorted(answers.items()):
        if answer is None:
            continue
        latest = answer["info"]["version"]
        if latest != packages[name]:
            behind.append(f"{name} {packages[name]} (latest {latest})")
            continue
        audited.append(name)
        for vuln in answer.get("vulnerabilities") or []:
            if not vuln.get("withdrawn"):
                vulnerable.append(f"{name} {packages[name]}: {vuln.get('id')} {', '.join(vuln.get('aliases') or [])}"
                                  f" fixed in {', '.join(vuln.get('fixed_in') or []) or '—'}")
    print(f"依赖审计（PyPI 项目 JSON，最新版本）: {len(audited)} of {len(packages)} installed packages are their project's "
          f"latest release and were audited; {len(vulnerable)} known vulnerabilities.")
    for line in vulnerable:
        print("  VULNERABLE:", line)
    if behind:
        print(f"未审计 (not audited here: not the latest release, whose per-release JSON this machine cannot read): "
              f"{len(behind)}: " + "; ".join(behind))
    if unreadable:
        print(f"未审计 (project JSON unreadable): {len(unreadable)}: " + ", ".join(unreadable))
    return 1 if vulnerable else 0


if __name__ == "__main__":
    raise SystemExit(main())
