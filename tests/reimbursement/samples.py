"""URL samples for the permission-matrix walk: one claim (materials missing, so no write moves it) and a notice."""

from __future__ import annotations

from typing import Any

from django.db import transaction

from dae.notices.models import Notice


def samples_for(name: str, world: dict[str, Any]) -> dict[str, str]:
    from dae.reimbursement.actions import do_register
    from dae.reimbursement.models import ManualClaim

    from .helpers import claim_input

    claim = ManualClaim.objects.filter(psn_no="PA0001").first()
    if claim is None:
        claim = do_register(world["users"]["settlement"], claim_input(materials=["invoice"]))
    notice = Notice.objects.filter(psn_no="PA0001").first()
    if notice is None:
        with transaction.atomic():
            notice = Notice.objects.create(psn_no="PA0001", region_id="220282", claim_ref=claim.number,
                                           kind="approved", amount="1.00", basis_text="测试")
    return {"number": claim.number, "pk": str(notice.pk)}
