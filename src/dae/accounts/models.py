"""Users: each holds one post, is bound to one or more regions, and — for hospital users — to one hospital."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .posts import Post, scope_kind


class User(AbstractUser):
    post = models.CharField(_("岗位"), max_length=20, choices=Post.choices)
    regions = models.ManyToManyField("core.Region", verbose_name=_("统筹区"), blank=True, related_name="users")
    hospital = models.ForeignKey(
        "catalog.Hospital", verbose_name=_("所属医院"), null=True, blank=True, on_delete=models.PROTECT,
        related_name="users",
    )
    psn_no = models.CharField(_("人员编号"), max_length=30, blank=True, db_index=True)
    display_name = models.CharField(_("姓名"), max_length=50, blank=True)
    must_change_password = models.BooleanField(_("须修改密码"), default=False)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        ordering = ["username"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(post="hospital") | models.Q(hospital__isnull=False),
                name="hospital_user_has_hospital",
            ),
            models.CheckConstraint(
                condition=~models.Q(post="insured") | ~models.Q(psn_no=""), name="insured_user_has_psn_no"
            ),
        ]

    @property
    def scope_kind(self) -> str:
        return scope_kind(self.post) if self.post else "none"

    @property
    def region_codes(self) -> list[str]:
        cached = getattr(self, "_region_codes", None)
        if cached is None:
            cached = list(self.regions.values_list("admdvs", flat=True))
            self._region_codes = cached
        return cached

    @property
    def post_label(self) -> str:
        return str(Post(self.post).label) if self.post else ""

    def __str__(self) -> str:
        return self.display_name or self.username
