"""Personal data masked in the kept message bodies: the log shows which person a message was about (surname,
the ends of the certificate number) without keeping the person in clear."""

from __future__ import annotations

from typing import Any

from dae.core.masking import mask_certno, mask_name

_MASKERS = {
    "certno": mask_certno,
    "mdtrt_cert_no": mask_certno,
    "card_sn": mask_certno,
    "psn_name": mask_name,
    "patn_name": mask_name,
}


def masked(value: Any) -> Any:
    """A copy of a JSON value with every personal field (at any depth) masked."""
    if isinstance(value, dict):
        return {k: (_MASKERS[k](v) if k in _MASKERS and isinstance(v, str) else masked(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v) for v in value]
    return value
