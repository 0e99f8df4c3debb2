"""The four checks at archiving (四性检测, DA/T 70-2018): authenticity, integrity, usability, safety. Each returns
a ``Result`` (passed, and a Chinese sentence for the archivist); none writes anything."""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from PIL import Image, UnidentifiedImageError

from dae.core.chain import row_hash
from dae.core.logchain import EVENT_CHAIN

from .render import pdf_pages

AUTHENTICITY, INTEGRITY, USABILITY, SAFETY = "authenticity", "integrity", "usability", "safety"
SKIPPED = "前三项检测未通过，未写入档案存储"


@dataclass(frozen=True)
class Result:
    check: str
    passed: bool
    detail: str


@dataclass(frozen=True)
class Content:
    """A file of the item as built: which document it is, and its bytes."""

    code: str
    label: str
    name: str
    media_type: str
    data: bytes

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.data).hexdigest()


def authenticity(events: Sequence[Any], files: Sequence[Content]) -> Result:
    """The record names the events that produced it and each of them still matches its own hash in the chain;
    every file has its digest."""
    if not events:
        return Result(AUTHENTICITY, False, "找不到形成该记录的业务事件，无法证明其来源")
    for event in events:
        fields = EVENT_CHAIN.fields_of_object(event)
        if row_hash(event.seq, event.prev_hash, fields) != event.row_hash:
            return Result(AUTHENTICITY, False, f"形成该记录的事件（序号 {event.seq}）与其哈希不符，事件日志可能被改动")
    missing = [f.label for f in files if len(f.sha256) != 64]
    if missing:
        return Result(AUTHENTICITY, False, "以下文件没有摘要：" + "、".join(missing))
    return Result(AUTHENTICITY, True, f"引用形成记录的事件 {len(events)} 条（哈希链校验一致）；{len(files)} 个文件均已计算 SHA-256 摘要")


def integrity(required: Iterable[tuple[str, Any]], files: Sequence[Content], metadata: dict[str, Any]) -> Result:
    """Every document the item kind requires is present and not empty; the metadata names title and dates."""
    present = {f.code for f in files if f.data}
    missing = [str(label) for code, label in required if code not in present]
    if missing:
        return Result(INTEGRITY, False, "缺少必需的材料：" + "、".join(missing))
    absent = [name for name in ("title", "date_from", "date_to", "kind") if not metadata.get(name)]
    if absent:
        return Result(INTEGRITY, False, "元数据不完整：" + "、".join(absent))
    return Result(INTEGRITY, True, f"必需材料 {len(list(required))} 项齐全，元数据完整")


def _opens(content: Content) -> str:
    """'' if the file opens, else why not."""
    if content.media_type == "application/pdf":
        try:
            pages = pdf_pages(content.data)
        except Exception as exc:  # noqa: BLE001 - any parser failure means the file is not usable; the reason is kept
            return f"PDF 无法解析（{type(exc).__name__}）"
        return "" if pages > 0 else "PDF 没有页面"
    if content.media_type.startswith("image/"):
        try:
            with Image.open(io.BytesIO(content.data)) as image:
                image.load()
        except (UnidentifiedImageError, OSError, ValueError) as exc:
            return f"图片无法解码（{type(exc).__name__}）"
        return ""
    if content.media_type == "application/json":
        return "" if _ndjson_parses(content.data) or _json_parses(content.data) else "JSON 无法解析"
    if content.media_type.startswith("text/"):
        try:
            content.data.decode("utf-8-sig")
        except UnicodeDecodeError:
            try:
                content.data.decode("gb18030")
            except UnicodeDecodeError:
                return "文本编码无法识别"
        return ""
    return f"不是可长期保存的格式（{content.media_type}）"


def _ndjson_parses(data: bytes) -> bool:
    """Whether every non-empty line is a JSON document (newline-delimited JSON: a declaration's header line, then
    one settlement a line). Read a line at a time: a declaration of 2 million fee lines is ~800 MB, and parsing it
    as one text would hold it several times over."""
    try:
        for line in io.BytesIO(data):
            if line.strip():
                json.loads(line)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def _json_parses(data: bytes) -> bool:
    """Whether ``data`` is one JSON document (pretty-printed over many lines)."""
    try:
        json.loads(data)
    except (ValueError, UnicodeDecodeError):
        return False
    return True


def usability(files: Sequence[Content]) -> Result:
    """Each file opens: a PDF parses and has pages, an image decodes, JSON and text read."""
    bad = [f"{f.label}（{f.name}）：{why}" for f in files if (why := _opens(f))]
    if bad:
        return Result(USABILITY, False, "文件无法打开：" + "；".join(bad))
    return Result(USABILITY, True, f"{len(files)} 个文件均可正常打开")


def safety(written: Sequence[tuple[Content, str]]) -> Result:
    """Every file was written to the archive storage and reads back with the same digest."""
    bad = [c.label for c, digest in written if digest != c.sha256]
    if bad:
        return Result(SAFETY, False, "写入存储后读回的摘要不一致：" + "、".join(bad))
    return Result(SAFETY, True, f"{len(written)} 个文件已写入档案存储并读回校验一致")
