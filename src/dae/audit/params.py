"""Rule parameters (规则参数): what a manager may set for a rule, with its type, default, labels and unit.

A rule declares its parameters as :class:`ParamSpec` rows; a run passes values per rule id
(``{"R13_SPLIT_STAY": {"days": 10}}``). :func:`resolve` checks every value against its spec (type, bounds,
choices) and fills in the defaults, so a rule always receives a complete, typed mapping and a bad value is
refused before any query runs. Parameter *tables* (pairs of items, per-item limits) are data, not scalars:
they travel with the audit tables (``schemas.PARAM_TABLES``) and a spec of kind ``table`` only names them.
Pure Python: no Django import.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any, Literal

ParamKind = Literal["int", "decimal", "bool", "text", "text_list", "table"]


class ParamError(ValueError):
    """A parameter value was refused (参数错误); the message names the rule and the parameter."""


@dataclass(frozen=True, slots=True)
class ParamSpec:
    """One parameter of a rule.

    ``default`` is the value used when a run does not set one (for ``table``: the name of the parameter table).
    ``minimum``/``maximum`` bound ``int`` and ``decimal`` values (inclusive).
    """

    name: str
    kind: ParamKind
    default: Any
    label_zh: str
    label_en: str
    unit: str = ""
    minimum: int | Decimal | None = None
    maximum: int | Decimal | None = None

    def check(self, rule_id: str, value: Any) -> Any:
        """The value in its proper Python type, or :class:`ParamError`."""
        where = f"{rule_id}.{self.name}"
        if self.kind == "int":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ParamError(f"参数 {where} 应为整数: {value!r} (must be an integer)")
            self._bounds(where, value)
            return value
        if self.kind == "decimal":
            if isinstance(value, bool | float):
                raise ParamError(f"参数 {where} 不能是浮点数: {value!r} (must be a Decimal, int or string)")
            try:
                number = Decimal(str(value)) if not isinstance(value, Decimal) else value
            except InvalidOperation as exc:
                raise ParamError(f"参数 {where} 应为数值: {value!r} (must be a decimal number)") from exc
            if not number.is_finite():
                raise ParamError(f"参数 {where} 应为有限数值: {value!r} (must be finite)")
            self._bounds(where, number)
            return number
        if self.kind == "bool":
            if not isinstance(value, bool):
                raise ParamError(f"参数 {where} 应为是/否: {value!r} (must be true or false)")
            return value
        if self.kind in ("text", "table"):
            if not isinstance(value, str) or not value:
                raise ParamError(f"参数 {where} 应为非空文本: {value!r} (must be a non-empty string)")
            return value
        if isinstance(value, str) or not all(isinstance(v, str) and v for v in value):
            raise ParamError(f"参数 {where} 应为文本列表: {value!r} (must be a list of non-empty strings)")
        return tuple(value)

    def _bounds(self, where: str, value: int | Decimal) -> None:
        if self.minimum is not None and value < self.minimum:
            raise ParamError(f"参数 {where} 不能小于 {self.minimum}: {value} (below the minimum)")
        if self.maximum is not None and value > self.maximum:
            raise ParamError(f"参数 {where} 不能大于 {self.maximum}: {value} (above the maximum)")


def resolve(rule_id: str, specs: tuple[ParamSpec, ...], given: Mapping[str, Any] | None) -> dict[str, Any]:
    """The complete parameter mapping of one rule: ``given`` checked, defaults for the rest.

    An unknown parameter name is refused (a typo must not silently fall back to the default).
    """
    given = dict(given or {})
    known = {spec.name for spec in specs}
    unknown = sorted(set(given) - known)
    if unknown:
        raise ParamError(f"规则 {rule_id} 没有参数 {', '.join(unknown)} (unknown parameter)")
    return {spec.name: spec.check(rule_id, given.get(spec.name, spec.default)) for spec in specs}
