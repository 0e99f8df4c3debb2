"""The kind of approval the service desk needs: extending a case from 10 to 25 working days (always the manager)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_noop

from dae.accounts.posts import Post
from dae.approvals.actions import register
from dae.approvals.models import PendingAction


@register("service.extend", gettext_noop("投诉举报延期办结"), always_post=Post.MANAGER)
def _extend(pending: PendingAction) -> Any:
    from .actions import do_extend_case
    from .models import Case

    case = Case.objects.get(pk=pending.payload["case"])
    return do_extend_case(pending.requested_by, case, reason=pending.payload["reason"])
