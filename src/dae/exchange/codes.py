"""Error codes of the exchange app: stable values (API clients match on them), one code per meaning.

Kept by the error-code codemod (issue 14): a new code is a new member here, never a bare string.
"""

from __future__ import annotations

from enum import StrEnum


class Code(StrEnum):
    ALREADY_RESOLVED = "difference_resolved"  # a reconciliation difference already has its note
    BAD_ANSWER = "platform_bad_answer"  # the answer is not the national envelope
    CIRCUIT_OPEN = "platform_circuit_open"  # too many failures in a row: calls paused until the cool-off ends
    NOT_CONFIGURED = "platform_not_configured"  # no platform address set
    NO_PERSON = "platform_no_person"  # 1101 found nobody with that certificate number
    PLATFORM_REFUSED = "platform_refused"  # the platform answered infcode -1
    PLATFORM_UNAVAILABLE = "platform_unavailable"  # time-outs / connection errors / 5xx after every retry
