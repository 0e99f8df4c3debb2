"""Password history, the manager's dated security settings and the API tokens of hospitals' clients."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from dae.core.models import AppendOnlyModel


class PasswordHistory(AppendOnlyModel):
    """One password a user held (its hash only): the last ``PASSWORD_HISTORY`` may not be chosen again."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    password = models.CharField(max_length=128)
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-set_at", "-id"]
        verbose_name = _("历史密码")


class SecuritySetting(AppendOnlyModel):
    """The manager's security settings, dated: the row in force on a day is the latest with
    ``effective_from`` on or before it. A change adds a row; none is edited."""

    password_max_age_days = models.PositiveIntegerField(_("密码有效期（天）"))
    effective_from = models.DateField(_("生效日期"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-effective_from", "-id"]
        verbose_name = _("安全设置")


class ApiToken(models.Model):
    """A bearer token of an API client (a hospital's system): only its SHA-256 is kept, it expires, and it
    reaches only the routes of its scopes (``tokens.SCOPES``) — and of its user's post (the matrix)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("所属用户"), on_delete=models.PROTECT,
                             related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    prefix = models.CharField(_("前缀"), max_length=12, db_index=True)
    digest = models.CharField(max_length=64, unique=True)
    scopes = models.JSONField(_("范围"), default=list)
    expires_at = models.DateTimeField(_("到期时间"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, verbose_name=_("创建人"), null=True,
                                   on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_live(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()
