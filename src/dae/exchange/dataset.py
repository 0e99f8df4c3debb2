"""The platform's copy of the data, built from ours: what the simulator serves in the tests and the demo (the
platform holds every instant settlement and every person's enrolment; here we hand it our own, then plant
differences on purpose)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from dae.claims.models import Settlement


def settlement_rows(settlements: QuerySet[Settlement]) -> list[dict[str, Any]]:
    rows = (settlements.filter(settle_way=Settlement.SettleWay.DIRECT).order_by("id")
            .values_list("setl_id", "mdtrt_id", "psn_no", "setl_time", "medfee_sumamt", "hifob_pay",
                         "init_setl_id", "hospital__code", "region_id"))
    return [{"setl_id": s, "mdtrt_id": m, "psn_no": p,
             "setl_time": f"{timezone.localtime(t):%Y-%m-%d %H:%M:%S}", "medfee_sumamt": f"{fee:.2f}",
             "hifob_pay": f"{(fund or 0):.2f}", "refd_setl_flag": "1" if init else "0", "fixmedins_code": code,
             "clr_optins": region}
            for s, m, p, t, fee, fund, init, code, region in rows.iterator(chunk_size=5000)]

