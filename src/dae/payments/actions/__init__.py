"""The writes of settlement and payment, by noun: monthly statements (``statements.py``), confirmed deductions
(``deductions.py``) and payment batches (``batches.py``). Each ``do_*`` is one database transaction with its
events."""

from .batches import do_confirm_order, do_create_batch, do_export_batch, do_import_result
from .deductions import do_record_deduction
from .statements import do_approve_statement, do_build_statements, settle_claims

__all__ = ["do_approve_statement", "do_build_statements", "do_confirm_order", "do_create_batch", "do_export_batch",
           "do_import_result", "do_record_deduction", "settle_claims"]
