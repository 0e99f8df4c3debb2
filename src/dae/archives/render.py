"""Rendering: a record to PDF (WeasyPrint), and a stored PDF or image to page images carrying a watermark with
the reader's name and the date (pypdfium2 renders the pages, Pillow draws the watermark into the pixels, so a
borrower sees no page without it and has no text layer to copy)."""

from __future__ import annotations

import io
import threading
from functools import cache
from pathlib import Path
from typing import Any

from django.template.loader import render_to_string

_LOCK = threading.Lock()
PAGE_SCALE = 1.4  # ≈ 100 dpi: readable on a screen, small enough to send
FONT_PATHS = ("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc", "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
              "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc")


@cache
def _weasy() -> tuple[Any, Any]:
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = CSS(string=render_to_string("archives/pdf.css"), font_config=fonts)
    return fonts, css


def record_pdf(template: str, context: dict[str, Any]) -> bytes:
    """The record as PDF (one font configuration and stylesheet for the process: rendering many items is the
    archiving job's main cost)."""
    from weasyprint import HTML

    html = render_to_string(template, context)
    with _LOCK:  # WeasyPrint's font configuration is not meant to be shared between threads
        fonts, css = _weasy()
        return bytes(HTML(string=html).write_pdf(stylesheets=[css], font_config=fonts))


def pdf_pages(content: bytes) -> int:
    """The number of pages of a PDF (raises if it does not parse)."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(content)
    try:
        return len(document)
    finally:
        document.close()


@cache
def _font(size: int) -> Any:
    from PIL import ImageFont

    for path in FONT_PATHS:
        if Path(path).is_file():
            return ImageFont.truetype(path, size)
    return ImageFont.load_default(size)


def watermark(image: Any, text: str) -> Any:
    """``image`` with ``text`` drawn diagonally across it, repeated, half transparent."""
    from PIL import Image, ImageDraw

    base = image.convert("RGBA")
    width, height = base.size
    size = max(14, width // 28)
    tile = Image.new("RGBA", (width * 2, height * 2), (0, 0, 0, 0))
    draw = ImageDraw.Draw(tile)
    font = _font(size)
    step_x, step_y = size * (len(text) + 4), size * 5
    for row, y in enumerate(range(0, height * 2, step_y)):
        for x in range(-(row % 2) * step_x // 2, width * 2, step_x):
            draw.text((x, y), text, font=font, fill=(200, 30, 30, 70))
    rotated = tile.rotate(30, resample=Image.Resampling.BICUBIC)
    left, top = width // 2, height // 2
    base.alpha_composite(rotated.crop((left, top, left + width, top + height)))
    return base.convert("RGB")


def page_png(content: bytes, media_type: str, page: int, text: str) -> bytes:
    """Page ``page`` (from 0) of a stored PDF, or the image itself, as PNG with the watermark ``text``."""
    from PIL import Image

    if media_type == "application/pdf":
        import pypdfium2 as pdfium

        document = pdfium.PdfDocument(content)
        try:
            if not 0 <= page < len(document):
                raise IndexError(page)
            image = document[page].render(scale=PAGE_SCALE).to_pil()
        finally:
            document.close()
    else:
        if page != 0:
            raise IndexError(page)
        image = Image.open(io.BytesIO(content))
        image.load()
    out = io.BytesIO()
    watermark(image, text).save(out, format="PNG", optimize=False)
    return out.getvalue()


def page_count(content: bytes, media_type: str) -> int:
    if media_type == "application/pdf":
        return pdf_pages(content)
    return 1 if media_type.startswith("image/") else 0


def html_pdf(html: str) -> bytes:
    """An HTML page that carries its own style (e.g. the reimbursement receipt) as PDF."""
    from weasyprint import HTML

    with _LOCK:
        fonts, _css = _weasy()
        return bytes(HTML(string=html).write_pdf(font_config=fonts))
