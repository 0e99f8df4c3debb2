"""A user's permission change (权限变更: account created, post, regions, hospital or activity changed) as an
archival item: one item per change, from its event."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.accounts.posts import Post
from dae.archives.registry import ItemKind, Record, register
from dae.core.models import Event

from . import name_of, when

ACTIONS = ("accounts.user_created", "accounts.user_updated")
LABELS = {"username": "用户名", "display_name": "姓名", "post": "岗位", "hospital": "所属医院", "psn_no": "人员编号",
          "is_active": "启用", "regions": "统筹区"}


def _changes() -> QuerySet[Any]:
    return Event.objects.filter(action__in=ACTIONS, object_type="accounts.user")


def _show(field: str, value: Any) -> str:
    if field == "post" and value:
        try:
            return f"{Post(value).label}"
        except ValueError:
            return str(value)
    if isinstance(value, list):
        return "、".join(str(v) for v in value)
    if isinstance(value, bool):
        return "是" if value else "否"
    return "" if value is None else str(value)


def build_change(event: Any) -> Record:
    user = User.objects.filter(pk=event.object_id).first()
    who = f"{user.username}（{user}）" if user is not None else f"#{event.object_id}"
    fields = sorted(set(event.before) | set(event.after), key=lambda k: list(LABELS).index(k) if k in LABELS else 99)
    grid = [(LABELS.get(k, k), _show(k, event.before.get(k)), _show(k, event.after.get(k))) for k in fields]
    day = timezone.localdate(event.at)
    what = "开通账号" if event.action == "accounts.user_created" else "权限变更"
    sections = [{"title": what, "rows": [("用户", who), ("操作人", name_of(event.actor)), ("时间", when(event.at)),
                                         ("事件序号", event.seq), ("事件摘要", event.row_hash)]},
                {"title": "变更内容", "head": ["项目", "变更前", "变更后"], "grid": grid}]
    return Record(
        title=f"用户 {who} {what}（{day.isoformat()}）", year=day.year, date_from=day, date_to=day, region_id=None,
        template="archives/record.html", context={"sections": sections},
        metadata={"user": event.object_id, "username": user.username if user else "", "action": event.action,
                  "before": event.before, "after": event.after, "actor": event.actor_id},
        event_ids=[event.pk], required=[("record", _("业务记录"))],
    )


register(ItemKind(
    key="permission_change", label=_("权限变更"), category="QX", retention="D30", post="it",
    object_type="accounts.user", closed=_changes, build=build_change, close_events=ACTIONS,
))
