"""Side navigation: one list of sections, each link shown only to the posts the permission matrix lets read it."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from dae.accounts.permissions import rule_for


@dataclass(frozen=True)
class NavLink:
    label: str | Promise
    route: str
    icon: str


@dataclass(frozen=True)
class NavSection:
    label: str | Promise
    links: tuple[NavLink, ...]


NAVIGATION: tuple[NavSection, ...] = (
    NavSection(_("工作台"), (NavLink(_("首页"), "web:home", "house"), NavLink(_("后台任务"), "web:jobs", "hourglass-split"))),
    NavSection(
        _("承保"),
        (
            NavLink(_("参保人"), "enrollment:person_list", "people"),
            NavLink(_("参保单位"), "enrollment:unit_list", "building"),
        ),
    ),
    NavSection(
        _("补偿处理"),
        (
            NavLink(_("结算记录"), "claims:settlement_list", "receipt"),
            NavLink(_("我的补偿"), "claims:my_settlements", "person-vcard"),
        ),
    ),
    NavSection(
        _("补偿规则"),
        (NavLink(_("规则集"), "benefits:ruleset_list", "sliders"), NavLink(_("试算"), "benefits:trial", "calculator")),
    ),
    NavSection(_("公共管理"), (NavLink(_("定点医疗机构"), "catalog:hospital_list", "hospital"),
                           NavLink(_("工作日历"), "workdays:calendar", "calendar3"))),
    NavSection(
        _("系统与安全"),
        (
            NavLink(_("用户管理"), "accounts:user_list", "person-gear"),
            NavLink(_("事件日志"), "web:events", "journal-text"),
            NavLink(_("访问日志"), "web:access_log", "eye"),
        ),
    ),
)


def navigation_for(post: str) -> list[tuple[str | Promise, list[tuple[NavLink, str]]]]:
    sections = []
    for section in NAVIGATION:
        links = []
        for link in section.links:
            rule = rule_for(link.route)
            if rule is not None and rule.allows(post, "GET"):
                links.append((link, reverse(link.route)))
        if links:
            sections.append((section.label, links))
    return sections
