"""Test helpers: a forced log-in (``Client.force_login``, which skips the sign-in pages) counts as a session
verified by the second factor — tests of the sign-in itself go through the real pages (``sign_in``)."""

from __future__ import annotations

import hashlib
from typing import Any

from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from .otp import current_code

_original_force_login = Client.force_login

#: the authenticator secret of test and demo accounts is derived from the user name (printed by ``dae demo``)


def known_secret(username: str) -> str:
    return hashlib.sha1(f"dae-demo-totp:{username}".encode()).hexdigest()


def force_login_verified(self: Client, user: Any, backend: str | None = None) -> None:
    _original_force_login(self, user, backend)
    session = self.session
    session[DEVICE_ID_SESSION_KEY] = "test.force_login"
    session.save()


def current_code_for(username: str) -> str:
    """The code of the user's authenticator now, made usable again (a code is accepted once per 30 s)."""

    device = TOTPDevice.objects.filter(user__username=username, confirmed=True).order_by("-id").first()
    assert device is not None, f"{username} has no authenticator"
    TOTPDevice.objects.filter(pk=device.pk).update(last_t=-1, throttling_failure_count=0,
                                                   throttling_failure_timestamp=None)  # tests wait for nobody
    return current_code(device)


def sign_in(client: Client, username: str, password: str, code: str | None = None) -> Any:
    """The real sign-in through the pages: password, then (when asked) the authenticator's code."""
    response = client.post("/accounts/login/", {"username": username, "password": password})
    if response.status_code == 302 and response["Location"].startswith("/security/verify/"):
        response = client.post(response["Location"], {"code": code or current_code_for(username)})
    return response
