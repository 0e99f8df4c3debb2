"""API tokens for hospitals' systems: bearer tokens with an expiry and a scope, never passwords.

A token is ``dae_<prefix>_<secret>``; only its SHA-256 is stored. A request with ``Authorization: Bearer …`` is
authenticated by ``TokenMiddleware`` before the permission matrix runs, and then must also fall within the
token's scopes: each scope names the API routes (URL names, shell patterns) it reaches.
"""

from __future__ import annotations

import fnmatch
import hashlib
from collections.abc import Iterable
from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from rest_framework.authentication import BaseAuthentication

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
