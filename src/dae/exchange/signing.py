"""The hook for a region's signing / encryption scheme (签名 / 加密). A region that signs (e.g. SM2/SM3 with
``signtype`` and ``enctype`` in the envelope) names its class in ``PLATFORM["SIGNER"]``; the default sends plain
JSON, which is what the simulator and the demo speak."""

from __future__ import annotations

import json
from collections.abc import Mapping
from decimal import Decimal
from typing import Any, Protocol


class Signer(Protocol):
    def seal(self, envelope: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        """The request body and extra headers for ``envelope``."""

    def open(self, body: bytes, headers: Mapping[str, str]) -> Any:
        """The answer's JSON value from its body (checking its signature where the scheme has one)."""


class PlainJson:
    """No signature, no encryption: UTF-8 JSON."""

    def seal(self, envelope: dict[str, Any]) -> tuple[bytes, dict[str, str]]:
        return json.dumps(envelope, ensure_ascii=False).encode(), {"Content-Type": "application/json; charset=utf-8"}

    def open(self, body: bytes, headers: Mapping[str, str]) -> Any:
        return json.loads(body.decode("utf-8"), parse_float=Decimal)  # amounts never become floats
