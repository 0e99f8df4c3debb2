"""Transfer packages (移交包): a zip that describes itself and can be read and verified without dae.

Layout (after BagIt, RFC 8493, which Archivematica uses for the same purpose)::

    bagit.txt                 version and encoding
    bag-info.txt              who made the package, when, how many items and bytes
    data/<code>/<files>       each item's files as archived (the record PDF, documents, metadata.json)
    data/items.json           the metadata of every item (one JSON document)
    data/index.html           a table a person can read in any browser: code, title, dates, retention, files
    manifest-sha256.txt       "<sha256>  <path>" for every file under data/
    tagmanifest-sha256.txt    the same for bagit.txt, bag-info.txt and manifest-sha256.txt

``docs/archives.md`` shows the few lines of standard-library Python that verify it.
"""

from __future__ import annotations

import hashlib
import html
import json
import tempfile
import zipfile
from collections.abc import Sequence
from typing import Any

from django.utils import timezone

from . import storage
from .models import Item


def _index(items: Sequence[Item], made: str) -> str:
    rows = []
    for item in items:
        files = "<br>".join(
            f'<a href="{html.escape(item.code or "")}/{html.escape(f.name)}">{html.escape(f.label)}</a> '
            f"<small>{f.sha256[:16]}…</small>" for f in item.files.all() if not f.destroyed)
        rows.append(
            f"<tr><td>{html.escape(item.code or '')}</td><td>{html.escape(item.title)}</td>"
            f"<td>{item.date_from} — {item.date_to}</td><td>{html.escape(item.get_retention_display())}</td>"
            f"<td>{html.escape(item.kind_label)}</td><td>{files}</td></tr>")
    return ("<!DOCTYPE html><html lang=\"zh-hans\"><head><meta charset=\"utf-8\"><title>档案移交目录</title>"
            "<style>body{font-family:sans-serif}table{border-collapse:collapse}td,th{border:1px solid #999;"
            "padding:4px 6px;vertical-align:top}</style></head><body>"
            f"<h1>档案移交目录</h1><p>生成时间 {html.escape(made)}，共 {len(items)} 件。"
            "每个文件的 SHA-256 摘要见 manifest-sha256.txt。</p>"
            "<table><tr><th>档号</th><th>题名</th><th>起止日期</th><th>保管期限</th><th>类型</th><th>文件</th></tr>"
            + "".join(rows) + "</table></body></html>")


def build_package(items: Sequence[Item], *, made_by: str) -> bytes:
    """The zip of ``items`` (archived ones; a destroyed item's files are no longer there to transfer)."""
    made = timezone.localtime().isoformat(timespec="seconds")
    manifest: list[str] = []
    total = 0
    with tempfile.TemporaryFile() as spool:
        with zipfile.ZipFile(spool, "w", compression=zipfile.ZIP_DEFLATED) as bag:

            def put(name: str, content: bytes, listed: list[str] | None = manifest) -> None:
                bag.writestr(name, content)
                if listed is not None:
                    listed.append(f"{hashlib.sha256(content).hexdigest()}  {name}")

            described: list[dict[str, Any]] = []
            for item in items:
                for f in item.files.all():
                    if f.destroyed:
                        continue
                    content = storage.read(f.path)
                    if content is None:
                        raise FileNotFoundError(f.path)
                    put(f"data/{item.code}/{f.name}", content)
                    total += len(content)
                described.append({**item.metadata, "code": item.code, "status": item.status})
            put("data/items.json", json.dumps(described, ensure_ascii=False, indent=1, sort_keys=True).encode())
            put("data/index.html", _index(items, made).encode("utf-8"))
            tags: list[str] = []
            bag.writestr("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n")
            info = (f"Source-Organization: dae {storage_fonds()}\nBagging-Date: {made[:10]}\n"
                    f"Bagging-Time: {made}\nContact-Name: {made_by}\nPayload-Oxum: {total}.{len(manifest)}\n"
                    f"Bag-Count: 1 of 1\nExternal-Description: 大额医疗费用补助业务档案移交包，共 {len(items)} 件\n")
            manifest_text = ("\n".join(manifest) + "\n").encode("utf-8")
            for name, content in (("bagit.txt", b"BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n"),
                                  ("bag-info.txt", info.encode("utf-8")), ("manifest-sha256.txt", manifest_text)):
                if name != "bagit.txt":
                    bag.writestr(name, content)
                tags.append(f"{hashlib.sha256(content).hexdigest()}  {name}")
            bag.writestr("tagmanifest-sha256.txt", ("\n".join(tags) + "\n").encode("utf-8"))
        spool.seek(0)
        return spool.read()


def storage_fonds() -> str:
    from .actions import fonds  # cycle: archives.package ↔ archives.actions (which exports packages)

    return fonds()
