"""The monitoring pages' tabs, each shown only to the posts the permission matrix lets read it."""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import can

register = template.Library()

TABS = (
    ("worklist", "monitoring:worklist", _("今日工作")),
    ("overview", "monitoring:overview", _("在院监控")),
    ("admissions", "monitoring:admission_list", _("入院登记")),
    ("assignments", "monitoring:assignment_list", _("驻点安排")),
    ("handovers", "monitoring:handover_list", _("资料交接")),
    ("opinions", "monitoring:opinion_list", _("意见收集")),
    ("statistics", "monitoring:statistics", _("查床统计")),
)


@register.simple_tag(takes_context=True)
def monitoring_tabs(context: Any) -> list[tuple[str, str, Any]]:
    user = context["request"].user
    return [(key, reverse(route), label) for key, route, label in TABS if can(user, route, write=False)]
