"""Writes on users. Only the IT post reaches these (permission matrix); each writes an event.

IT administers accounts but never grants a post on its own: a post and its binding (regions, hospital, person)
are a *grant* that takes effect only when a manager — another person, never the one the grant is about —
approves it (``dae.approvals``, kind ``accounts.grant``). A new account starts without a post. Nobody changes
their own post. Every grant and revocation is an event (``accounts.post_granted``, ``accounts.post_revoked``,
``accounts.access_revoked``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from dae.core.errors import InvalidInput, PermissionDenied
from dae.core.events import record_event, snapshot

from .codes import Code
from .models import User
from .posts import Post

_TRACKED = ("username", "display_name", "post", "hospital", "psn_no", "is_active")


def _state(user: User) -> dict[str, Any]:
    data = snapshot(user, _TRACKED)
    data["regions"] = sorted(user.regions.values_list("admdvs", flat=True)) if user.pk else []
    return data


def _check_binding(post: str, hospital: Any, psn_no: str, regions: Iterable[Any]) -> None:
    if post not in Post.values:
        raise InvalidInput("请选择岗位", details={"post": "required"})
    if post == Post.HOSPITAL and hospital is None:
        raise InvalidInput("医院岗位的用户必须绑定一家医院", details={"hospital": "required"})
    if post == Post.INSURED and not psn_no:
        raise InvalidInput("参保人用户必须填写人员编号", details={"psn_no": "required"})
    if post not in (Post.HOSPITAL, Post.INSURED, Post.IT) and not list(regions):
        raise InvalidInput("工作人员必须绑定至少一个统筹区", details={"regions": "required"})


def _grant(post: str, regions: Iterable[Any], hospital: Any, psn_no: str) -> dict[str, Any]:
    codes = sorted(getattr(r, "admdvs", r) for r in regions)
    if post in (Post.HOSPITAL, Post.INSURED, Post.IT):
        codes = []
    return {"post": post, "regions": codes, "hospital": getattr(hospital, "pk", hospital) if post == Post.HOSPITAL
            else None, "psn_no": psn_no if post == Post.INSURED else ""}


def _current_grant(user: User) -> dict[str, Any]:
    return _grant(user.post, user.regions.values_list("admdvs", flat=True), user.hospital_id, user.psn_no)


def _request_grant(actor: Any, user: User, grant: dict[str, Any]) -> Any:
    from dae.approvals.actions import request_approval

    label = Post(grant["post"]).label
    return request_approval(actor, "accounts.grant", approver_post=Post.MANAGER, target=("accounts.user", user.pk),
                            summary=f"授予 {user.username} 岗位：{label}", payload=grant)


def do_create_user(actor: Any, *, username: str, password: str, post: str, display_name: str = "",
                   regions: Iterable[Any] = (), hospital: Any = None, psn_no: str = "") -> User:
    """A new account without a post, its initial password to be changed at the first sign-in; the post asked
    for waits for a manager's approval."""
    from dae.security.passwords import check_new_password

    regions = list(regions)
    _check_binding(post, hospital, psn_no, regions)
    check_new_password(password, User(username=username))
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InvalidInput("用户名已存在", details={"username": "duplicate"})
        user = User(username=username, post="", display_name=display_name, must_change_password=True)
        user.set_password(password)
        user.save()
        record_event(actor, "accounts.user_created", user, after=_state(user))
        _request_grant(actor, user, _grant(post, regions, hospital, psn_no))
    return user


def do_update_user(actor: Any, user: User, *, display_name: str, post: str, regions: Iterable[Any],
                   hospital: Any, psn_no: str, is_active: bool) -> User:
    """Name and enabled state change at once (disabling revokes all access); a different post or binding is a
    grant for a manager to approve. Nobody changes their own post or binding."""
    regions = list(regions)
    _check_binding(post, hospital, psn_no, regions)
    wanted = _grant(post, regions, hospital, psn_no)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        changes_grant = wanted != _current_grant(user)
        if changes_grant and getattr(actor, "pk", None) == user.pk:
            raise PermissionDenied("不能修改自己的岗位或数据范围", code=Code.OWN_POST)
        before = _state(user)
        was_active = user.is_active
        user.display_name, user.is_active = display_name, is_active
        user.save(update_fields=["display_name", "is_active"])
        after = _state(user)
        if after != before:
            record_event(actor, "accounts.user_updated", user, before=before, after=after)
        if was_active and not is_active:
            record_event(actor, "accounts.access_revoked", user, before={"post": user.post, "is_active": True},
                         after={"post": user.post, "is_active": False})
        if changes_grant:
            _request_grant(actor, user, wanted)
    return user


def apply_grant(pending: Any) -> User:
    """A manager approved the grant: the post and binding take effect (the old post is revoked)."""
    grant = pending.payload
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=int(pending.object_id))
        before = _state(user)
        old_post = user.post
        user.post, user.psn_no = grant["post"], grant["psn_no"]
        user.hospital_id = grant["hospital"]
        user.save(update_fields=["post", "psn_no", "hospital"])
        user.regions.set(grant["regions"])
        if old_post and old_post != user.post:
            record_event(pending.decided_by, "accounts.post_revoked", user, before={"post": old_post},
                         note=f"审批 #{pending.pk}")
        record_event(pending.decided_by, "accounts.post_granted", user, before=before, after=_state(user),
                     note=f"经办 {pending.requested_by}，审批 #{pending.pk}")
    return user
