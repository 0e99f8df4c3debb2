"""Request-time security: API tokens, the session's idle and absolute limits, the second factor and a forced
password change, and the response headers (Content-Security-Policy without inline scripts, Referrer-Policy …)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from .codes import Code
from .otp import is_verified
from .policy import ABSOLUTE_SECONDS, IDLE_SECONDS, TOUCH_EVERY_SECONDS, two_factor_required
from .signals import AUTH_AT, PW_CHANGE, SEEN_AT
from .tokens import find, scope_allows

#: routes a signed-in user may reach while a second factor or a new password is still owed
OPEN_WHILE_RESTRICTED = frozenset({
    "accounts:logout", "security:password_change", "security:two_factor", "set_language",
    "ops:health", "ops:ready",
})


def _json(code: str, message: str, status: int) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": None}, status=status)


class TokenMiddleware:
    """``Authorization: Bearer dae_…``: the token's user for this request only (no session), refused when
    unknown, revoked, expired or its user disabled; the route must be within the token's scopes."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header.startswith("Bearer "):
            return self.get_response(request)
        if not request.path.startswith("/api/"):
            return _json(Code.TOKEN_INVALID, _("令牌只能用于接口"), 401)
        token = find(header[7:].strip())
        if token is None or token.revoked_at is not None or not token.user.is_active:
            return _json(Code.TOKEN_INVALID, _("令牌无效或已吊销"), 401)
        now = timezone.now()
        if token.expires_at <= now:
            return _json(Code.TOKEN_EXPIRED, _("令牌已过期，请联系信息技术岗重新签发"), 401)
        if token.last_used_at is None or (now - token.last_used_at).total_seconds() > TOUCH_EVERY_SECONDS:
            type(token).objects.filter(pk=token.pk).update(last_used_at=now)
        request.user = token.user
        request.dae_token = token  # type: ignore[attr-defined]
        request._dont_enforce_csrf_checks = True  # type: ignore[attr-defined]  # no cookie: CSRF does not apply
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        token = getattr(request, "dae_token", None)
        if token is None:
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if not scope_allows(token.scopes, view_name):
            return _json(Code.TOKEN_SCOPE, _("该令牌的范围不包括此接口"), 403)
        return None


class SignInPolicyMiddleware:
    """For a session sign-in: idle logout after ``IDLE_SECONDS`` and an absolute limit of ``ABSOLUTE_SECONDS``;
    then, until the session is verified by a second factor (posts that require one) or the password is changed
    (first sign-in, after a reset, expired), only the pages that settle that are open."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if getattr(request, "dae_token", None) is None and request.user.is_authenticated:
            session = request.session
            now = int(time.time())
            auth_at = int(session.get(AUTH_AT) or now)
            seen_at = int(session.get(SEEN_AT) or now)
            if now - seen_at > IDLE_SECONDS or now - auth_at > ABSOLUTE_SECONDS:
                idle = now - seen_at > IDLE_SECONDS
                logout(request)
                text = _("长时间未操作，已自动退出，请重新登录") if idle else _("登录已超过最长时限，请重新登录")
                if request.path.startswith("/api/"):
                    return _json(Code.SESSION_EXPIRED, text, 401)
                messages.warning(request, text)
                return redirect(f"{reverse(settings.LOGIN_URL)}?next={request.path}")
            if AUTH_AT not in session:
                session[AUTH_AT] = auth_at
            if now - seen_at >= TOUCH_EVERY_SECONDS or SEEN_AT not in session:
                session[SEEN_AT] = now
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, args: Any, kwargs: Any) -> HttpResponse | None:
        user = request.user
        if getattr(request, "dae_token", None) is not None or not user.is_authenticated:
            return None
        owes_factor = two_factor_required(getattr(user, "post", "")) and not is_verified(request)
        owes_password = bool(request.session.get(PW_CHANGE))
        if not (owes_factor or owes_password):
            return None
        view_name = request.resolver_match.view_name if request.resolver_match else ""
        if view_name in OPEN_WHILE_RESTRICTED or request.path.startswith("/static/"):
            return None
        if owes_factor:
            if request.path.startswith("/api/"):
                return _json(Code.TWO_FACTOR_REQUIRED, _("该岗位须完成双因素认证"), 403)
            return redirect("security:two_factor")
        if request.path.startswith("/api/"):
            return _json(Code.PASSWORD_CHANGE_REQUIRED, _("请先修改密码"), 403)
        return redirect("security:password_change")


CSP = "; ".join((
    "default-src 'self'",
    "script-src 'self'",
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data:",
    "font-src 'self'",
    "connect-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
))


class SecurityHeadersMiddleware:
    """Content-Security-Policy (no inline or remote script), Permissions-Policy and no caching of pages
    (they carry personal data). Referrer-Policy, nosniff and X-Frame-Options come from Django's settings."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.headers.setdefault("Content-Security-Policy", CSP)
        response.headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()")
        if not request.path.startswith(settings.STATIC_URL):
            response.headers.setdefault("Cache-Control", "no-store")
        return response
