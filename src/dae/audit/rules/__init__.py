"""The audit rule library (智能审核规则库): every rule by id, in id order.

Each module holds one rule or a small family and exports ``RULES``; ``base`` has what they share. See
``docs/audit-rules.md`` for definitions, parameters and amounts.
"""

from __future__ import annotations

from dae.audit.rules import charges, duplicate, frequency, restriction, stays
from dae.audit.rules.base import OUTPUT_SCHEMA, Rule

RULES: dict[str, Rule] = {
    rule.id: rule
    for rule in sorted(
        (*duplicate.RULES, *frequency.RULES, *restriction.RULES, *charges.RULES, *stays.RULES), key=lambda r: r.id
    )
}

__all__ = ["OUTPUT_SCHEMA", "RULES", "Rule"]
