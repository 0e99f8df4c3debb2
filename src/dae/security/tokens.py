"""API tokens for hospitals' systems: bearer tokens with an expiry and a scope, never passwords.

A token is ``dae_<prefix>_<secret>``; only its SHA-256 is stored. A request with ``Authorization: Bearer …`` is
authenticated by ``TokenMiddleware`` before the permission matrix runs, and then must also fall within the
token's scopes: each scope names the API routes (URL names, shell patterns) it reaches.
"""

from __future__ import annotations

import datetime as dt
import fnmatch
import hashlib
import secrets
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication

from dae.core.errors import InvalidInput
from dae.core.events import record_event

from .models import ApiToken

#: scope → (label, route patterns)
SCOPES: dict[str, tuple[Any, tuple[str, ...]]] = {
    "declare": (_("月结申报与结算"), ("api:declaration-*", "api:settlement-*", "api:adjustment-*",
                                   "api:payment-feedback")),
    "audit": (_("事前审核 3101/3102 与疑点"), ("api:audit-3101", "api:audit-3102", "api:audit-finding*")),
    "catalogue": (_("目录与对码"), ("api:hospital-*", "api:catalogue-item-*", "api:code-mapping-*",
                                 "api:diagnosis-*", "api:mapping-checks")),
    "statements": (_("月结单与扣款"), ("api:statement*", "api:deductions")),
    "me": (_("当前账号"), ("api:me",)),
}
MAX_DAYS = 366


def digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


def scope_allows(scopes: Iterable[str], view_name: str) -> bool:
    for scope in scopes:
        patterns = SCOPES.get(scope, (None, ()))[1]
        if any(fnmatch.fnmatchcase(view_name, p) for p in patterns):
            return True
    return False


def do_issue_token(actor: Any, user: Any, *, name: str, scopes: list[str], days: int) -> tuple[ApiToken, str]:
    """A new token for ``user``; returns it and the secret, which is shown once and never stored."""
    unknown = sorted(set(scopes) - set(SCOPES))
    if not scopes or unknown:
        raise InvalidInput("请选择有效的令牌范围", details=[{"path": "scopes", "message": ",".join(unknown)}])
    if not 1 <= days <= MAX_DAYS:
        raise InvalidInput(f"有效期须在 1 到 {MAX_DAYS} 天之间", details=[{"path": "days", "message": "range"}])
    if not user.is_active:
        raise InvalidInput("该账号已停用", details=[{"path": "user", "message": "inactive"}])
    if user.post != "hospital":  # a token never stands in for a person's sign-in (nor their second factor)
        raise InvalidInput("接口令牌只签发给医院账号", details=[{"path": "user", "message": "not_hospital"}])
    prefix = secrets.token_hex(4)
    raw = f"dae_{prefix}_{secrets.token_urlsafe(32)}"
    with transaction.atomic():
        token = ApiToken.objects.create(user=user, name=name[:100], prefix=prefix, digest=digest(raw),
                                        scopes=sorted(set(scopes)),
                                        expires_at=timezone.now() + dt.timedelta(days=days), created_by=actor)
        record_event(actor, "security.token_issued", token,
                     after={"user": user.username, "scopes": token.scopes, "expires_at": token.expires_at})
    return token, raw


def do_revoke_token(actor: Any, token: ApiToken) -> None:
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().get(pk=token.pk)
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            record_event(actor, "security.token_revoked", token, after={"user_id": token.user_id})


def find(raw: str) -> ApiToken | None:
    if not raw.startswith("dae_") or len(raw) > 200:
        return None
    return ApiToken.objects.select_related("user").filter(digest=digest(raw)).first()


class TokenAuthentication(BaseAuthentication):  # type: ignore[misc]
    """DRF's view of what ``TokenMiddleware`` decided: the token's user, without CSRF (no cookie involved)."""

    def authenticate(self, request: Any) -> tuple[Any, Any] | None:
        token = getattr(request._request, "dae_token", None)
        if token is None:
            return None
        return token.user, token

    def authenticate_header(self, request: Any) -> str:
        return "Bearer"


class TokenScheme(OpenApiAuthenticationExtension):  # type: ignore[misc]
    """The bearer token in the OpenAPI description."""

    target_class = "dae.security.tokens.TokenAuthentication"
    name = "bearerToken"

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {"type": "http", "scheme": "bearer",
                "description": "医院系统的接口令牌（信息技术岗签发，有到期时间与范围）: Authorization: Bearer dae_…"}
