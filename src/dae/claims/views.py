"""Pages for settlements: the scoped list, one settlement with its fee lines, and the insured's own list."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from dae.core.access import record_access
from dae.core.scoping import get_scoped_or_404
from dae.web.listing import Column, Filter, ScopedListView

from .models import Settlement

_YES_NO = (("yes", _("是")), ("no", _("否")))


class SettlementList(ScopedListView):
    log_access = True
    model = Settlement
    title = _("结算记录")
    columns = (
        Column(_("结算ID"), "setl_id", link="claims:settlement_detail", link_kw="setl_id"),
        Column(_("人员编号"), "psn_no"),
        Column(_("医疗机构"), "hospital.name"),
        Column(_("医疗类别"), "med_type"),
        Column(_("结算时间"), "setl_time"),
        Column(_("就医地类别"), "place_category"),
        Column(_("医疗费总额"), "medfee_sumamt", css="amount"),
        Column(_("符合政策范围金额"), "inscp_scp_amt", css="amount"),
        Column(_("大额基金支付"), "hifob_pay", css="amount"),
    )
    search_fields = ("setl_id", "psn_no", "mdtrt_id")
    search_placeholder = _("结算ID / 人员编号 / 就诊ID")
    filters = (
        Filter("way", _("结算方式"), "settle_way", Settlement.SettleWay.choices),
        Filter("computed", _("已计算"), {"yes": {"hifob_pay__isnull": False}, "no": {"hifob_pay__isnull": True}},
               _YES_NO),
        Filter("paid", _("大额支付"), {"yes": {"hifob_pay__gt": 0}, "no": {"hifob_pay": 0}}, _YES_NO),
        Filter("offsite", _("异地就医"), {"yes": {"place_category__in": [c for c, _l in Settlement.PlaceCategory.choices
                                                                         if c != "local"]},
                                        "no": {"place_category": "local"}}, _YES_NO),
    )

    def base_queryset(self) -> Any:
        return super().base_queryset().select_related("hospital")


class MySettlements(SettlementList):
    title = _("我的补偿")
    search_fields = ()
    filters = ()


def settlement_detail(request: HttpRequest, setl_id: str) -> HttpResponse:
    settlement = get_scoped_or_404(Settlement, request, setl_id=setl_id)
    record_access(request, settlement)
    lines = settlement.lines.all()
    return render(request, "claims/settlement_detail.html",
                  {"title": settlement.setl_id, "s": settlement, "lines": lines})
