"""URL samples for the permission-matrix walk: one finding of region A's HA0001 (a line nine days before SA0001's
admission) with an attached document, its run, a rule id and a manual claim."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from django.conf import settings
from django.utils import timezone

from dae.auditing.actions.runs import do_start_run
from dae.auditing.models import AuditRun, Finding, FindingDocument, FindingStep

from ..factories import FeeLineFactory


def samples_for(name: str, world: dict[str, Any]) -> dict[str, str]:
    finding = Finding.objects.filter(rule_id="R17_CROSS_PERIOD").first()
    if finding is None:
        FeeLineFactory(settlement=world["settlements"][0], feedetl_sn="WALK-OUT",
                       fee_ocur_time=timezone.make_aware(dt.datetime(2026, 2, 20, 9)))
        do_start_run(region="220282", scope=AuditRun.Scope.SELECTION, setl_ids=["SA0001"],
                       actor=world["users"]["reviewer"], background=False)
        finding = Finding.objects.get(rule_id="R17_CROSS_PERIOD")
        path = Path(settings.UPLOAD_DIR) / "walk-document.pdf"
        path.write_bytes(b"%PDF-1.4 walk")
        FindingDocument.objects.create(finding=finding, step=FindingStep.objects.filter(finding=finding).first(),
                                       name="walk.pdf", path=str(path), sha256="0" * 64, size=13)
    if name == "auditing:manual_claim_check":
        from dae.reimbursement.models import ManualClaim
        from tests.reimbursement.samples import samples_for as reimbursement_samples

        number = reimbursement_samples("reimbursement:claim_detail", world)["number"]
        return {"pk": str(ManualClaim.objects.get(number=number).pk)}
    if "run" in name:
        return {"pk": str(finding.run_id)}
    return {"pk": str(finding.pk), "doc": str(finding.documents.first().pk), "rule_id": "R17_CROSS_PERIOD"}
