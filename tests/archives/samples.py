"""URL arguments for the archives' routes in the permission walk: one archived item of region A with a stored
record, a loan, a hold and a destruction list (made once per world, without rendering anything)."""

from __future__ import annotations

import datetime as dt
from typing import Any


def samples_for(name: str, world: dict[str, Any]) -> dict[str, str]:
    if "_archives" not in world:
        from dae.archives import storage
        from dae.archives.models import DestructionList, Hold, Item, ItemFile, Loan

        item = Item.objects.create(kind="manual_claim", object_type="reimbursement.manualclaim", object_id="999999",
                                   region_id="220282", psn_no="PA0001", year=2014, retention="D10", category="LP",
                                   item_no=9001, code="D001-2014-D10-LP-9001", title="权限遍历用档案",
                                   date_from=dt.date(2014, 1, 1), date_to=dt.date(2014, 1, 2),
                                   responsible_post="settlement", status="archived", storage_key="walk",
                                   expires_on=dt.date(2025, 1, 1))
        path, digest = storage.write("walk", "01-record.json", b"{}")
        ItemFile.objects.create(item=item, seq=1, role="record", doc_code="record", label="记录", name="01-record.json",
                                media_type="application/json", size=2, sha256=digest, path=path)
        loan = Loan.objects.create(number="JY-WALK-0001", item=item, region_id="220282",
                                   borrower=world["users"]["reviewer"], purpose="遍历", days=3)
        hold = Hold.objects.create(item=item, reason="遍历", placed_by=world["users"]["archivist"])
        dl = DestructionList.objects.create(number="XH-WALK-001", region_id="220282", reason="遍历",
                                            proposed_by=world["users"]["archivist"])
        world["_archives"] = {"item": item.pk, "loan": loan.pk, "hold": hold.pk, "list": dl.pk}
    ids = world["_archives"]
    if "loan" in name:
        return {"pk": str(ids["loan"])}
    if "hold_release" in name:
        return {"pk": str(ids["hold"])}
    if "destruction" in name:
        return {"pk": str(ids["list"])}
    return {"pk": str(ids["item"]), "seq": "1", "number": "0"}
