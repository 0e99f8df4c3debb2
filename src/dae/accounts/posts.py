"""Posts (岗位): each user holds one post, and each post is a permission set (see permission_matrix.yaml)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class Post(models.TextChoices):
    MANAGER = "manager", _("管理岗")
    SETTLEMENT = "settlement", _("结算岗")
    CHECKER = "checker", _("复核岗")
    REVIEWER = "reviewer", _("审核岗")
    INSPECTOR = "inspector", _("稽核岗")
    FINANCE = "finance", _("财务岗")
    SERVICE = "service", _("客服岗")
    IT = "it", _("信息技术岗")
    ARCHIVIST = "archivist", _("档案岗")
    SUPERVISOR = "supervisor", _("医保局监督")
    HOSPITAL = "hospital", _("医院")
    INSURED = "insured", pgettext_lazy("post", "参保人")


#: How a post's rows are scoped (see dae.core.scoping): by region, by hospital, to the person, or nothing.
SCOPE_KIND = {
    Post.HOSPITAL: "hospital",
    Post.INSURED: "insured",
    Post.IT: "none",
}


def scope_kind(post: str) -> str:
    return SCOPE_KIND.get(Post(post), "region")
