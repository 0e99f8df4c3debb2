"""Two-factor sign-in with TOTP (RFC 6238, django-otp) and single-use recovery codes.

A user's authenticator is a confirmed ``TOTPDevice``; their recovery codes are the tokens of one
``StaticDevice`` named ``recovery``, stored as a digest (the codes themselves are shown once). django-otp
deletes a static token when it matches, so each recovery code signs in once. A signed-in session is *verified*
when it holds django-otp's device key (``otp_device_id``), written only after a correct code.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .policy import RECOVERY_CODES, two_factor_required

RECOVERY = "recovery"
ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def totp_device(user: Any, *, confirmed: bool | None = True) -> TOTPDevice | None:
    qs = TOTPDevice.objects.filter(user=user)
    if confirmed is not None:
        qs = qs.filter(confirmed=confirmed)
    return qs.order_by("-id").first()


def has_second_factor(user: Any) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def needs_second_factor(user: Any) -> bool:
    """Whether sign-in asks for a code: the post requires it, or the user enrolled."""
    return two_factor_required(user.post) or has_second_factor(user)


def is_verified(request: Any) -> bool:
    return bool(request.session.get(DEVICE_ID_SESSION_KEY))


def _digest(code: str) -> str:
    return hashlib.sha256(code.replace("-", "").replace(" ", "").upper().encode()).hexdigest()[:16]


def _new_codes() -> list[str]:
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = "".join(secrets.choice(ALPHABET) for _ in range(10))
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


def replace_recovery(user: Any) -> list[str]:
    """New recovery codes for ``user`` in place of the old ones (within the caller's transaction)."""
    StaticDevice.objects.filter(user=user, name=RECOVERY).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY, confirmed=True)
    codes = _new_codes()
    StaticToken.objects.bulk_create([StaticToken(device=device, token=_digest(c)) for c in codes])
    return codes


def verify(user: Any, code: str) -> tuple[Any, bool] | None:
    """The device that accepts ``code`` (TOTP, or a recovery code which is then used up) and whether it was a
    recovery code; None when nothing accepts it."""
    code = code.strip()
    device = totp_device(user)
    if device is not None and code.isdigit() and device.verify_token(code):
        return device, False
    recovery = StaticDevice.objects.filter(user=user, name=RECOVERY).first()
    if recovery is not None and len(code.replace("-", "")) == 10 and recovery.verify_token(_digest(code)):
        return recovery, True
    return None


def recovery_codes_left(user: Any) -> int:
    return StaticToken.objects.filter(device__user=user, device__name=RECOVERY).count()


def current_code(device: TOTPDevice) -> str:
    """The code the authenticator shows now (for ``dae totp USER`` on demo and test accounts)."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def enrol_known_secret(user: Any, key_hex: str) -> TOTPDevice:
    """A confirmed authenticator with a given secret (demo and test accounts, whose secret is printed)."""
    TOTPDevice.objects.filter(user=user).delete()
    return TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True, key=key_hex)
