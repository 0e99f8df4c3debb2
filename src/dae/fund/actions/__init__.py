"""The writes of fund management (finance; the warning levels also the manager). Each ``do_*`` is one
transaction: the record, its ledger posting (through ``dae.ledger.actions``) and its event commit or fail
together, so a failed write leaves no posting and a refused posting leaves no record.

Idempotency: every posting's key is derived from the business fact — the fund year and its version, the bank
slip of an appropriation, the form's key of a manual entry (generated when the form is shown, like the ledger's
手工记账), the fund year and kind of a clearing. A retry with the same key and content returns what was done;
the same key with other content is refused (409).

By noun: the fund year (``years.py``), the appropriation request (``requests.py``), the fund's own entries
(``entries.py``), the clearing (``clearing.py``) and the risk-adjustment fund (``risk.py``); the shared checks in
``checks.py``.
"""

from .checks import FIRST_YEAR, LAST_YEAR, MAX_AMOUNT, money
from .clearing import do_record_clearing
from .entries import FORM_KINDS, SPECS, EntrySpec, do_record_entry
from .requests import (
    do_adjust_request,
    do_prepare_request,
    do_receive_appropriation,
    do_submit_request,
)
from .risk import do_approve_risk_use, do_refuse_risk_use, do_request_risk_use, do_set_reserve_rule
from .years import do_change_funds, do_change_levels, do_enter_funds

__all__ = ["FIRST_YEAR", "FORM_KINDS", "LAST_YEAR", "MAX_AMOUNT", "SPECS", "EntrySpec", "do_adjust_request",
           "do_approve_risk_use", "do_change_funds", "do_change_levels", "do_enter_funds", "do_prepare_request",
           "do_receive_appropriation", "do_record_clearing", "do_record_entry", "do_refuse_risk_use",
           "do_request_risk_use", "do_set_reserve_rule", "do_submit_request", "money"]
