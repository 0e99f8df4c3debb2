"""Writes on users. Only the IT post reaches these (permission matrix); each writes an event."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction

from dae.core.errors import InvalidInput
from dae.core.events import record_event, snapshot

from .models import User
from .posts import Post

_TRACKED = ("username", "display_name", "post", "hospital", "psn_no", "is_active")


def _state(user: User) -> dict[str, Any]:
    data = snapshot(user, _TRACKED)
    data["regions"] = sorted(user.regions.values_list("admdvs", flat=True)) if user.pk else []
    return data


def _check_binding(post: str, hospital: Any, psn_no: str, regions: Iterable[Any]) -> None:
    if post == Post.HOSPITAL and hospital is None:
        raise InvalidInput("医院岗位的用户必须绑定一家医院", details={"hospital": "required"})
    if post == Post.INSURED and not psn_no:
        raise InvalidInput("参保人用户必须填写人员编号", details={"psn_no": "required"})
    if post not in (Post.HOSPITAL, Post.INSURED, Post.IT) and not list(regions):
        raise InvalidInput("工作人员必须绑定至少一个统筹区", details={"regions": "required"})


def do_create_user(actor: Any, *, username: str, password: str, post: str, display_name: str = "",
                   regions: Iterable[Any] = (), hospital: Any = None, psn_no: str = "") -> User:
    regions = list(regions)
    _check_binding(post, hospital, psn_no, regions)
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise InvalidInput("用户名已存在", details={"username": "duplicate"})
        user = User(username=username, post=post, display_name=display_name, hospital=hospital, psn_no=psn_no)
        user.set_password(password)
        user.save()
        user.regions.set(regions)
        record_event(actor, "accounts.user_created", user, after=_state(user))
    return user


def do_update_user(actor: Any, user: User, *, display_name: str, post: str, regions: Iterable[Any],
                   hospital: Any, psn_no: str, is_active: bool) -> User:
    regions = list(regions)
    _check_binding(post, hospital, psn_no, regions)
    with transaction.atomic():
        user = User.objects.select_for_update().get(pk=user.pk)
        before = _state(user)
        user.display_name, user.post, user.hospital, user.psn_no, user.is_active = (
            display_name, post, hospital, psn_no, is_active)
        user.save()
        user.regions.set(regions)
        record_event(actor, "accounts.user_updated", user, before=before, after=_state(user))
    return user
