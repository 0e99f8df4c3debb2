"""The claims' writes, by noun: stored settlements (``settlements``) and monthly declarations (``declarations``)."""

from .declarations import do_store_checked_declaration, do_submit_declaration
from .settlements import do_accept_computed, do_reject

__all__ = ["do_accept_computed", "do_reject", "do_store_checked_declaration", "do_submit_declaration"]
