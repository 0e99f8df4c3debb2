"""Field encryption for sensitive personal data (ID numbers, phone numbers, bank accounts) under PIPL and
等保 2.0 level 3 (8.1.4.8 数据保密性): AES-256-GCM with a key kept outside the database, and a keyed hash
(HMAC-SHA256) beside each searchable column so that search and joins by ID number still work.

Keys come from ``DAE_FIELD_KEYS`` (``kid:base64key,…``, the first encrypts, all decrypt; plus ``index:base64key``
for the keyed hash) or from the key file ``DAE_KEY_FILE`` (the same text; default ``$DAE_VAR_DIR/keys/field.keys``,
made on first use outside production). ``dae rotate_keys`` adds a new current key and re-encrypts every column.
A stored value is ``enc1:<kid>:<base64(nonce | ciphertext | tag)>``; the empty string stays empty.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

PREFIX = "enc1:"


class KeyError_(Exception):  # noqa: N801 - not the builtin
    pass


@dataclass(frozen=True)
class KeyRing:
    current: str
    keys: dict[str, bytes]
    index_key: bytes


def key_file() -> Path:
    from django.conf import settings

    return Path(os.environ.get("DAE_KEY_FILE") or Path(settings.VAR_DIR) / "keys" / "field.keys")


def new_key_text() -> str:
    kid = secrets.token_hex(3)
    return (f"{kid}:{base64.b64encode(secrets.token_bytes(32)).decode()},"
            f"index:{base64.b64encode(secrets.token_bytes(32)).decode()}")


def parse(text: str) -> KeyRing:
    keys: dict[str, bytes] = {}
    order: list[str] = []
    index = b""
    for part in text.replace("\n", ",").split(","):
        part = part.strip()
        if not part or part.startswith("#"):
            continue
        kid, _, value = part.partition(":")
        raw = base64.b64decode(value)
        if len(raw) != 32:
            raise KeyError_(f"密钥 {kid} 长度应为 32 字节 (key {kid} must be 32 bytes)")
        if kid == "index":
            index = raw
        else:
            keys[kid] = raw
            order.append(kid)
    if not order or not index:
        raise KeyError_("字段密钥不完整：需要至少一把加密密钥和一把 index 密钥 (need an encryption key and an index key)")
    return KeyRing(order[0], keys, index)


@cache
def ring() -> KeyRing:
    """The key ring of this process (``reset()`` after a rotation)."""
    from django.conf import settings

    text = os.environ.get("DAE_FIELD_KEYS", "")
    if not text:
        path = key_file()
        if not path.exists():
            if getattr(settings, "DAE_REQUIRE_KEYS", False):
                raise KeyError_(f"生产环境必须提供字段密钥 DAE_FIELD_KEYS 或密钥文件 {path} (field keys are required)")
            path.parent.mkdir(parents=True, exist_ok=True)
            try:  # two processes starting at once: the first one's key wins
                fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            except FileExistsError:
                pass
            else:
                with os.fdopen(fd, "w", encoding="utf-8") as out:
                    out.write(new_key_text() + "\n")
        text = path.read_text(encoding="utf-8")
    return parse(text)


def reset() -> None:
    ring.cache_clear()
    _aead.cache_clear()


@cache
def _aead(kid: str) -> AESGCM:
    return AESGCM(ring().keys[kid])


def encrypt(plain: str) -> str:
    if not plain or plain.startswith(PREFIX):
        return plain
    r = ring()
    nonce = secrets.token_bytes(12)
    sealed = _aead(r.current).encrypt(nonce, plain.encode("utf-8"), None)
    return f"{PREFIX}{r.current}:{base64.b64encode(nonce + sealed).decode()}"


def decrypt(stored: str | None) -> str | None:
    if not stored or not stored.startswith(PREFIX):
        return stored  # empty, or written before encryption (the migration encrypts those)
    kid, _, body = stored[len(PREFIX):].partition(":")
    raw = base64.b64decode(body)
    if kid not in ring().keys:
        raise KeyError_(f"缺少字段密钥 {kid}，无法解密 (missing field key {kid})")
    return _aead(kid).decrypt(raw[:12], raw[12:], None).decode("utf-8")


def key_id(stored: str) -> str:
    return stored[len(PREFIX):].partition(":")[0] if stored.startswith(PREFIX) else ""


def normalize(value: str) -> str:
    return value.strip().upper()


def blind_index(value: str | None) -> str:
    """The keyed hash that search and joins use instead of the value (empty for an empty value)."""
    if not value:
        return ""
    return hmac.new(ring().index_key, normalize(value).encode("utf-8"), hashlib.sha256).hexdigest()
