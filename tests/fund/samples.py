"""URL samples for the permission-matrix walk: a fund year with its funds raised and a quarter's request."""

from __future__ import annotations

import datetime as dt
from typing import Any

from dae.fund import actions
from dae.fund.models import AppropriationRequest, FundYear
from dae.ledger.models import Account
from dae.ledger.seed import seed_chart


def samples_for(name: str, world: dict[str, Any]) -> dict[str, str]:
    seed_chart(Account)
    finance = world["users"]["finance"]
    fund_year = FundYear.objects.filter(region_id="220282", year=2026).first() or actions.do_enter_funds(
        finance, "220282", 2026, "1000000.00", on=dt.date(2026, 1, 5), contract_start=dt.date(2026, 1, 1),
        contract_end=dt.date(2026, 12, 31))
    request = (AppropriationRequest.objects.filter(region_id="220282", year=2026, quarter=1).first()
               or actions.do_prepare_request(finance, "220282", 2026, 1))
    if name.startswith(("fund:request", "api:fund-request")):
        return {"pk": str(request.pk)}
    if name.startswith(("fund:entry", "api:fund-entr")):
        return {"kind": "operating_cost"}
    if name == "fund:risk_use_decide":
        from dae.fund.models import RiskFundUse

        use = RiskFundUse.objects.filter(region_id="220282").first() or RiskFundUse.objects.create(
            region_id="220282", purpose="deficit", on=dt.date(2026, 2, 1), amount="10.00", reason="样例",
            requested_by=finance)
        return {"pk": str(use.pk)}
    return {"pk": str(fund_year.pk), "kind": "year_end"}
