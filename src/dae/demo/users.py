"""Demo log-ins: one user of every post (region 桦甸市), plus a 蛟河市 clerk to show region isolation."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from dae.accounts.models import User
from dae.accounts.posts import Post
from dae.catalog.models import Hospital
from dae.core.models import Region

DEMO_PASSWORD = "dae-demo-2026"
REGION_A = "220282"
REGION_B = "220281"


@dataclass(frozen=True)
class DemoLogin:
    username: str
    post: str
    display_name: str
    regions: tuple[str, ...] = (REGION_A,)


DEMO_LOGINS: tuple[DemoLogin, ...] = (
    DemoLogin("manager", Post.MANAGER, "管理员 王敏", (REGION_A, REGION_B)),
    DemoLogin("clerk", Post.SETTLEMENT, "结算员 李娜"),
    DemoLogin("clerk_b", Post.SETTLEMENT, "结算员 赵强（蛟河）", (REGION_B,)),
    DemoLogin("checker", Post.CHECKER, "复核员 张伟"),
    DemoLogin("reviewer", Post.REVIEWER, "审核医师 刘洋"),
    DemoLogin("inspector", Post.INSPECTOR, "稽核员 陈杰"),
    DemoLogin("finance", Post.FINANCE, "财务 杨静"),
    DemoLogin("service", Post.SERVICE, "客服 黄丽"),
    DemoLogin("it", Post.IT, "信息技术 周涛", ()),
    DemoLogin("archivist", Post.ARCHIVIST, "档案员 吴芳"),
    DemoLogin("supervisor", Post.SUPERVISOR, "医保局 孙刚", (REGION_A, REGION_B)),
    DemoLogin("hospital", Post.HOSPITAL, "医院医保办 郑红", ()),
    DemoLogin("insured", Post.INSURED, "参保人", ()),
)


def create_demo_users(hospital: Hospital, psn_no: str) -> list[User]:
    """Create (or reset) the demo log-ins. The hospital user is bound to ``hospital``, the insured to ``psn_no``."""
    users = []
    with transaction.atomic():
        regions = {r.admdvs: r for r in Region.objects.all()}
        for login in DEMO_LOGINS:
            user, _created = User.objects.get_or_create(
                username=login.username,
                defaults={"post": login.post, "display_name": login.display_name,
                          "hospital": hospital if login.post == Post.HOSPITAL else None,
                          "psn_no": psn_no if login.post == Post.INSURED else ""},
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
            user.regions.set([regions[code] for code in login.regions])
            users.append(user)
    return users
