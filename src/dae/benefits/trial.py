"""Trial calculation (试算) for the API and the page: the published rule book of a region, the pure engine."""

from __future__ import annotations

from typing import Any

from dae.benefits.engine.errors import DocumentInvalid
from dae.benefits.engine.trial_io import calculate_from_json
from dae.core.codes import CoreCode
from dae.core.errors import InvalidInput, NotFound

from .actions import invalid_input
from .codes import Code
from .queries import book_documents, ruleset_for_region


def region_for(user: Any, requested: str | None) -> str:
    """The region whose rules apply: the requested one if it is the user's, else the user's first."""
    regions = user.region_codes
    if requested:
        if requested not in regions:
            raise NotFound("无权使用该统筹区的规则", code=CoreCode.REGION_NOT_ALLOWED)
        return requested
    if not regions:
        raise InvalidInput("当前用户未绑定统筹区", code=CoreCode.NO_REGION)
    return str(regions[0])


def run_trial(user: Any, input_doc: Any, *, region: str | None = None, trace: bool = True) -> dict[str, Any]:
    """Compute ``input_doc`` (calc-input format 1) with the region's published rules; errors as ``InvalidInput``."""
    code = region_for(user, region)
    ruleset = ruleset_for_region(code)
    if ruleset is None:
        raise NotFound("该统筹区尚未设置补偿规则", code=CoreCode.NO_RULESET)
    try:
        return calculate_from_json(book_documents(ruleset), input_doc, trace=trace)
    except DocumentInvalid as exc:
        raise invalid_input(exc, "试算输入有误", Code.TRIAL_INPUT_INVALID) from exc
