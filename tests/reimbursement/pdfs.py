"""Reading text out of a WeasyPrint PDF well enough for a test: the document's streams, decompressed."""

from __future__ import annotations

import re
import zlib


def pdf_contains(pdf: bytes, text: str) -> bool:
    needle = text.encode()
    if needle in pdf:
        return True
    for match in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            if needle in zlib.decompress(match.group(1)):
                return True
        except zlib.error:
            continue  # a stream that is not Flate-compressed (images): nothing to search
    return False
