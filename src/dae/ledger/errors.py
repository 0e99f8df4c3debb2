"""The ledger's failures: each a ``DaeError`` with a stable code and a message a finance clerk understands."""

from __future__ import annotations

from dae.core.codes import CoreCode
from dae.core.errors import Conflict, InvalidInput

from .codes import Code


class InvalidEntry(InvalidInput):
    """A journal entry breaks a posting rule (too few legs, a leg with no or two sides, an amount that is not
    positive or not to the fen, debits ≠ credits, an unknown, inactive or group account). ``code`` names the
    first broken rule; ``details`` lists every problem found."""

    code = Code.INVALID_ENTRY
    default_message = "记账凭证不符合记账规则"


class IdempotencyConflict(Conflict):
    """The idempotency key was already used for a transaction with different content: a retry must send the
    same entry, a new entry needs a new key."""

    code = CoreCode.IDEMPOTENCY_CONFLICT
    default_message = "该幂等键已用于内容不同的记账凭证"


class AlreadyReversed(Conflict):
    """The transaction already has its reversal (冲正): a transaction is reversed at most once."""

    code = Code.ALREADY_REVERSED
    default_message = "该凭证已冲正，不能重复冲正"


class NotReversible(Conflict):
    """The transaction cannot be reversed: it is itself a reversal, or the reversal date is before it."""

    code = Code.NOT_REVERSIBLE
    default_message = "该凭证不能冲正"


class DayClosed(InvalidEntry):
    """The entry's date is on or before the latest closed day (日结) of its region: what was reconciled and closed
    does not change any more; a correction is posted on a later date."""

    code = Code.DAY_CLOSED
    default_message = "该日已日结，凭证日期须晚于日结日期"
