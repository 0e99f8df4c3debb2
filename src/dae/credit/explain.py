"""How a screening result's indicators are shown: labels, units and the one-sentence explanation of each
(which indicator, its value, the peer median, how far — z and percent), from the stored strings only."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from .models import UnitKind

LABELS = {
    "cost_index": _("病种校正次均费用指数"),
    "drug_share": _("药品费用占比（%）"),
    "readmit_rate": _("再入院率（%）"),
    "avg_los": _("平均住院日（天）"),
}
STATUS = {
    "ok": _("已评分"),
    "low_volume": _("人次不足，不评分"),
    "few_peers": _("同类单位不足，不评分"),
    "no_value": _("无数据"),
}
KIND_LABELS = dict(UnitKind.choices)


def label(key: str) -> str:
    return str(LABELS.get(key, key))


def sentence(ind: dict[str, Any], params: dict[str, Any]) -> str:
    """The explanation of one indicator, e.g. 药品费用占比（%） 60.00，高于同类中位数 30.00 100.0%（稳健 z = 13.49，同类 5 个）
    (without the percent when the median is 0)."""
    name, value, status = label(ind["key"]), ind.get("value"), ind.get("status")
    if value is None or status == "no_value":
        return gettext("%(name)s：无数据") % {"name": name}
    if status == "low_volume":
        return gettext("%(name)s %(value)s：人次 %(volume)s 少于 %(min)s，不评分") % {
            "name": name,
            "value": value,
            "volume": ind.get("volume"),
            "min": params.get("min_volume"),
        }
    if status == "few_peers":
        return gettext("%(name)s %(value)s：同类单位 %(peers)s 个，少于 %(min)s 个，不评分") % {
            "name": name,
            "value": value,
            "peers": ind.get("peers"),
            "min": params.get("min_peers"),
        }
    median = ind.get("peer_median")
    z = Decimal(str(ind.get("z") or "0"))
    pct = ind.get("pct")
    if z > 0 and pct is None:
        text = gettext("%(name)s %(value)s，高于同类中位数 %(median)s（稳健 z = %(z)s，同类 %(peers)s 个）")
    elif z > 0:
        text = gettext("%(name)s %(value)s，高于同类中位数 %(median)s %(pct)s%%（稳健 z = %(z)s，同类 %(peers)s 个）")
    elif z < 0 and pct is None:
        text = gettext("%(name)s %(value)s，低于同类中位数 %(median)s（稳健 z = %(z)s，同类 %(peers)s 个）")
    elif z < 0:
        text = gettext("%(name)s %(value)s，低于同类中位数 %(median)s %(pct)s%%（稳健 z = %(z)s，同类 %(peers)s 个）")
    else:
        text = gettext("%(name)s %(value)s，与同类中位数 %(median)s 相同（稳健 z = %(z)s，同类 %(peers)s 个）")
    out = text % {
        "name": name,
        "value": value,
        "median": median,
        "pct": str(abs(Decimal(pct))) if pct is not None else "—",
        "z": ind.get("z"),
        "peers": ind.get("peers"),
    }
    extra = ind.get("extra") or {}
    if ind["key"] == "cost_index" and "expected_per_stay" in extra:
        out += gettext("；次均费用 %(actual)s 元，按同类同病种中位数应为 %(expected)s 元") % {
            "actual": extra["actual_per_stay"],
            "expected": extra["expected_per_stay"],
        }
    return out


def rows(indicators: list[dict[str, Any]], params: dict[str, Any]) -> list[dict[str, Any]]:
    """The indicators of a result for the page: label, numbers, status and the sentence."""
    return [
        {
            **ind,
            "label": label(ind["key"]),
            "status_label": str(STATUS.get(ind.get("status", ""), "")),
            "sentence": sentence(ind, params),
        }
        for ind in indicators
    ]


def flagged_sentences(indicators: list[dict[str, Any]], params: dict[str, Any]) -> list[str]:
    return [sentence(ind, params) for ind in indicators if ind.get("flagged")]


def chart(indicators: list[dict[str, Any]]) -> dict[str, Any]:
    """Each scored indicator as a percentage of its peer median (the median = 100), for the unit's bar chart;
    the real values travel along for the tooltip."""
    labels, unit, peers, values, medians = [], [], [], [], []
    for ind in indicators:
        value, median = ind.get("value"), ind.get("peer_median")
        if value is None or median in (None, "0", "0.00", "0.0000") or Decimal(str(median)) == 0:
            continue
        labels.append(label(ind["key"]))
        unit.append(str((Decimal(value) * 100 / Decimal(median)).quantize(Decimal("0.1"))))
        peers.append("100.0")
        values.append(value)
        medians.append(median)
    return {
        "labels": labels,
        "unit": unit,
        "peers": peers,
        "values": values,
        "medians": medians,
        "names": {"unit": gettext("本单位（同类中位数 = 100）"), "peers": gettext("同类中位数")},
    }
