"""Both message catalogues are complete and compiled, and pages render in English on request."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import polib
import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "dae"
LOCALE = SRC / "locale"


def catalogue(lang: str) -> polib.POFile:
    return polib.pofile(str(LOCALE / lang / "LC_MESSAGES" / "django.po"))


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_catalogue_has_no_missing_or_fuzzy_entry(lang: str) -> None:
    po = catalogue(lang)
    missing = [e.msgid for e in po if not e.translated() or "fuzzy" in e.flags]
    assert missing == []
    assert len(po) > 100


def test_every_ui_string_in_the_source_is_in_the_catalogues(tmp_path: Path) -> None:
    """Extract the strings afresh from a copy of the source and compare with the committed catalogue."""
    copy = tmp_path / "dae"
    shutil.copytree(SRC, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    django_admin = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "django-admin"
    subprocess.run([str(django_admin), "makemessages", "-l", "en", "--no-location", "--ignore", "benefits/engine/*",
                    "--ignore", "demo/*"], cwd=copy, check=True, capture_output=True,
                   env={"PATH": "/usr/bin:/bin", "DJANGO_SETTINGS_MODULE": "dae.settings.test",
                        "PYTHONPATH": str(SRC.parent), "DAE_VAR_DIR": str(tmp_path / "var")})
    fresh = {e.msgid for e in polib.pofile(str(copy / "locale" / "en" / "LC_MESSAGES" / "django.po"))}
    committed = {e.msgid for e in catalogue("en")}
    assert sorted(fresh - committed) == []


@pytest.mark.parametrize("lang", ["en", "zh_Hans"])
def test_compiled_catalogue_is_up_to_date(lang: str) -> None:
    compiled = {e.msgid: e.msgstr for e in polib.mofile(str(LOCALE / lang / "LC_MESSAGES" / "django.mo"))}
    source = {e.msgid: e.msgstr for e in catalogue(lang) if not e.msgid_plural}
    assert {k: v for k, v in source.items() if compiled.get(k) != v} == {}


@pytest.mark.django_db
def test_pages_render_in_english_when_asked(client_for: Any) -> None:
    client = client_for("settlement")
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    html = client.get("/enrollment/persons/").content.decode()
    assert "<html lang=\"en\">" in html and "Insured persons" in html and "参保人" not in html


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_asks(client_for: Any) -> None:
    html = client_for("settlement").get("/enrollment/persons/", HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in html and "参保人" in html
