"""Masking (漂白) of sensitive personal data for display and exports."""

from __future__ import annotations


def mask_certno(certno: str) -> str:
    """Keep the first 4 and last 4 characters, e.g. ``4107**********1234``."""
    if len(certno) <= 8:
        return "*" * len(certno)
    return certno[:4] + "*" * (len(certno) - 8) + certno[-4:]


def mask_name(name: str) -> str:
    """Keep the surname only, e.g. ``张**``."""
    return name[:1] + "*" * (len(name) - 1) if name else name


def mask_phone(phone: str) -> str:
    return phone[:3] + "****" + phone[-4:] if len(phone) >= 11 else "*" * len(phone)


def mask_account(account: str) -> str:
    """A bank account with the middle hidden, e.g. ``6222 **** 1234``."""
    return account if len(account) <= 8 else account[:4] + " **** " + account[-4:]
