"""The materials checklist (报销材料清单): one table of items, each with when it is required and its source.

``MATERIALS`` is the only place the rules live. ``required`` is a condition on the claim's facts:
``always``; ``place_category`` (one of the listed categories); ``med_type`` (one of the listed codes);
``flag`` (a derived fact: ``has_self_paid_items`` — 丙类 / 全自费 items are claimed; ``injury`` — the claim is
flagged 意外伤害 or the medical category is 19 意外伤害门诊). An item with several conditions is required when
any of them holds. Optional items may be ticked but never block completeness.

Sources: requirements.md §3 (the window's materials list, "invoices, fee list, discharge summary, diagnosis
certificate, referral approval, emergency record within 3 days of admission, self-pay consent, injury
confirmation"); seed 003 第一章 医保结算岗 (材料种类: 发票、病历、诊断证明; 核对身份证、医保卡; 报销申请表;
按参保人员提供的银行账户信息转账支付); benefit-policy.md §4 (registered long-term off-site residents; referral
with approval; emergency while temporarily away).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

EMERGENCY_MED_TYPES = ("13", "24")  # 急诊, 急诊转住院
INJURY_MED_TYPES = ("19",)  # 意外伤害门诊

#: code → label, when it is required, where the rule comes from. Order = order on the receipt.
MATERIALS: dict[str, dict[str, Any]] = {
    "application_form": {
        "label": _("报销申请表（参保人签字）"),
        "required": {"always": True},
        "source": "seed 003 第一章 报销申请受理流程：引导参保人员填写报销申请表",
    },
    "identity": {
        "label": _("身份证或医保卡（复印件）"),
        "required": {"always": True},
        "source": "seed 003 第一章 真实性审核 3)：核对身份证、医保卡等相关证件",
    },
    "invoice": {
        "label": _("医疗费用发票原件"),
        "required": {"always": True},
        "source": "requirements.md §3；seed 003 材料种类：发票",
    },
    "fee_list": {
        "label": _("费用明细清单"),
        "required": {"always": True},
        "source": "requirements.md §3 (fee list)；seed 003 完整性审核：发票、清单、病历、诊断证明",
    },
    "discharge_summary": {
        "label": _("出院小结（门诊为门诊病历）"),
        "required": {"always": True},
        "source": "requirements.md §3 (discharge summary)；seed 003 材料种类：病历",
    },
    "diagnosis_certificate": {
        "label": _("诊断证明书"),
        "required": {"always": True},
        "source": "requirements.md §3 (diagnosis certificate)；seed 003 材料种类：诊断证明",
    },
    "bank_card": {
        "label": _("本人银行卡或存折（复印件）"),
        "required": {"always": True},
        "source": "requirements.md §3 (payment to the person's bank account)；seed 003 赔付支付操作 2)",
    },
    "referral_approval": {
        "label": _("转诊转院审批表"),
        "required": {"place_category": ["referred"]},
        "source": "requirements.md §3 (referral approval)；benefit-policy.md §4 转诊转院 (with approval)",
    },
    "offsite_registration": {
        "label": _("异地就医备案表"),
        "required": {"place_category": ["long_term_offsite", "long_term_offsite_not_direct"]},
        "source": "benefit-policy.md §4 长期异地就医人员 (registered long-term off-site residents)",
    },
    "emergency_record": {
        "label": _("急诊病历（入院 3 日内）"),
        "required": {"place_category": ["emergency_away"], "med_type": list(EMERGENCY_MED_TYPES)},
        "source": "requirements.md §3 (emergency record within 3 days of admission)；benefit-policy.md §4 临时外出急诊",
    },
    "self_pay_consent": {
        "label": _("自费项目知情同意书（目录外/丙类项目）"),
        "required": {"flag": ["has_self_paid_items"]},
        "source": "requirements.md §3 (self-pay consent for 目录外 items)；benefit-policy.md §2 step 1 丙类全自费",
    },
    "injury_confirmation": {
        "label": _("意外伤害情况说明及责任认定（无第三方责任）"),
        "required": {"flag": ["injury"]},
        "source": "requirements.md §3 (injury confirmation for 意外伤害)",
    },
    "power_of_attorney": {
        "label": _("代办人身份证及委托书（他人代办时）"),
        "required": {},
        "source": "seed 003 第一章 真实性审核：避免冒名顶替（代办时核对代办人身份）",
    },
}


@dataclass(frozen=True)
class CaseFacts:
    """What the rules look at."""

    place_category: str
    med_type: str
    injury: bool
    has_self_paid_items: bool

    @property
    def flags(self) -> frozenset[str]:
        flags = set()
        if self.injury or self.med_type in INJURY_MED_TYPES:
            flags.add("injury")
        if self.has_self_paid_items:
            flags.add("has_self_paid_items")
        return frozenset(flags)


@dataclass(frozen=True)
class Item:
    code: str
    label: str
    required: bool
    received: bool
    source: str


def is_required(rule: Mapping[str, Any], facts: CaseFacts) -> bool:
    if rule.get("always"):
        return True
    if facts.place_category in rule.get("place_category", ()):
        return True
    if facts.med_type in rule.get("med_type", ()):
        return True
    return any(flag in facts.flags for flag in rule.get("flag", ()))


def required_codes(facts: CaseFacts) -> list[str]:
    return [code for code, spec in MATERIALS.items() if is_required(spec["required"], facts)]


def items(facts: CaseFacts, received: Iterable[str]) -> list[Item]:
    """Every item of the table for this case, required first, with whether it was received."""
    have = set(received)
    rows = [Item(code, str(spec["label"]), is_required(spec["required"], facts), code in have, spec["source"])
            for code, spec in MATERIALS.items()]
    return [r for r in rows if r.required] + [r for r in rows if not r.required]


def missing(facts: CaseFacts, received: Iterable[str]) -> list[str]:
    have = set(received)
    return [code for code in required_codes(facts) if code not in have]


def unknown_codes(codes: Iterable[str]) -> list[str]:
    return [code for code in codes if code not in MATERIALS]


def label(code: str) -> str:
    spec = MATERIALS.get(code)
    return str(spec["label"]) if spec else code
