"""Sign-in in two steps (password, then the authenticator's code), the second factor's enrolment, the password
change, and IT's and the manager's security pages (lockouts, API tokens, password reset, settings)."""

from __future__ import annotations

import base64
import time
from typing import Any

import segno
from axes.handlers.proxy import AxesProxyHandler
from axes.models import AccessAttempt
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import update_session_auth_hash, user_login_failed
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django_otp import login as otp_login

from dae.accounts.forms import LoginForm
from dae.accounts.models import User
from dae.accounts.permissions import can
from dae.core.errors import DaeError, NotFound
from dae.core.inputs import object_id
from dae.web.listing import Column, DateRange, ScopedListView

from . import otp
from .actions import (
    do_change_password,
    do_confirm_enrolment,
    do_issue_token,
    do_new_recovery_codes,
    do_record_sign_in,
    do_reset_password,
    do_revoke_token,
    do_set_max_age,
    do_start_enrolment,
    do_unlock,
)
from .forms import CodeForm, PasswordChangeForm, PasswordResetForm, SettingsForm, TokenForm
from .lockout import locked_attempts
from .models import ApiToken, SecuritySetting
from .passwords import max_age_days
from .signals import PW_CHANGE
from .tokens import SCOPES

PENDING = "dae_pending_2fa"
PENDING_SECONDS = 300


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return "/"


class LoginView(auth_views.LoginView):
    """Step one: the password (django-axes counts failures and locks). A user who must give a second factor
    is not signed in yet: the session only remembers who passed step one, for five minutes."""

    template_name = "accounts/login.html"
    authentication_form = LoginForm
    redirect_authenticated_user = True

    def form_valid(self, form: Any) -> HttpResponse:
        user = form.get_user()
        if otp.has_second_factor(user):
            self.request.session.cycle_key()
            self.request.session[PENDING] = {"uid": user.pk, "at": int(time.time()),
                                             "backend": getattr(user, "backend", "")}
            return redirect(f"{_url('security:otp_verify')}?next={_next(self.request)}")
        auth_login(self.request, user)
        do_record_sign_in(self.request, user, "password")
        return redirect(_next(self.request))


def _url(name: str) -> str:
    return reverse(name)


def otp_verify(request: HttpRequest) -> HttpResponse:
    """Step two: the authenticator's six digits or a recovery code (used once). A wrong code is a failed
    sign-in, counted by the lockout like a wrong password."""
    pending = request.session.get(PENDING) or {}
    user = User.objects.filter(pk=pending.get("uid"), is_active=True).first()
    if user is None or int(time.time()) - int(pending.get("at", 0)) > PENDING_SECONDS:
        request.session.pop(PENDING, None)
        messages.warning(request, gettext("请重新输入用户名和密码"))
        return redirect("accounts:login")
    credentials = {"username": user.username}
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if not AxesProxyHandler.is_allowed(request, credentials):
            return locked_out(request, credentials)
        found = otp.verify(user, form.cleaned_data["code"])
        if found is None:
            user_login_failed.send(sender=__name__, credentials=credentials, request=request)
            if getattr(request, "axes_locked_out", False):
                return locked_out(request, credentials)
            form.add_error("code", gettext("验证码不正确"))
        else:
            device, recovery = found
            del request.session[PENDING]
            user.backend = pending.get("backend") or "django.contrib.auth.backends.ModelBackend"
            auth_login(request, user)
            otp_login(request, device)
            do_record_sign_in(request, user, "recovery_code" if recovery else "totp")
            if recovery:
                messages.warning(request, gettext("已使用一个恢复码，剩余 %(n)d 个") % {"n": otp.recovery_codes_left(user)})
            return redirect(_next(request))
    return render(request, "security/otp_verify.html", {"form": form, "title": _("双因素认证"),
                                                         "next": _next(request)})


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes' answer during a lockout (AXES_LOCKOUT_CALLABLE)."""
    request.session.pop(PENDING, None)
    return render(request, "security/locked_out.html", {"title": _("账号已锁定")}, status=429)


def two_factor(request: HttpRequest) -> HttpResponse:
    """The signed-in user's second factor: verify this session with a code, enrol an authenticator (QR code and
    a first code), or renew the recovery codes."""
    user: Any = request.user
    device = otp.totp_device(user)
    verified = otp.is_verified(request)
    codes: list[str] | None = None
    form = CodeForm(request.POST or None)
    action = request.POST.get("action", "")
    if request.method == "POST" and action == "verify" and device is not None and form.is_valid():
        found = otp.verify(user, form.cleaned_data["code"])
        if found is None:
            user_login_failed.send(sender=__name__, credentials={"username": user.username}, request=request)
            form.add_error("code", gettext("验证码不正确"))
        else:
            otp_login(request, found[0])
            return redirect("web:home")
    elif request.method == "POST" and action == "renew" and verified:
        codes = do_new_recovery_codes(user)
    elif request.method == "POST" and action == "confirm" and form.is_valid():
        pending_device = otp.totp_device(user, confirmed=False)
        if pending_device is not None:
            codes = do_confirm_enrolment(request, pending_device, form.cleaned_data["code"])
            if codes is None:
                form.add_error("code", gettext("验证码不正确"))
    enrolling = (device is None or request.GET.get("enrol") == "1" and verified) and codes is None
    qr = secret = ""
    if enrolling:
        new = otp.totp_device(user, confirmed=False) if request.method == "POST" else None
        new = new or do_start_enrolment(user)
        qr = segno.make(new.config_url, error="m").svg_inline(scale=4)
        secret = _base32(new.bin_key)
    context = {"title": _("双因素认证"), "form": form, "device": device, "verified": verified, "codes": codes,
               "enrolling": enrolling, "qr": qr, "secret": secret,
               "codes_left": otp.recovery_codes_left(user) if device else 0}
    return render(request, "security/two_factor.html", context)


def _base32(key: bytes) -> str:
    text = base64.b32encode(key).decode().rstrip("=")
    return " ".join(text[i:i + 4] for i in range(0, len(text), 4))


def password_change(request: HttpRequest) -> HttpResponse:
    user: Any = request.user
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_password(user, old_password=form.cleaned_data["old_password"],
                               new_password=form.cleaned_data["new_password"])
        except DaeError as error:
            field = "old_password" if error.code == "wrong_password" else "new_password"
            for item in error.details or [{"message": error.message}]:
                form.add_error(field, item["message"])
        else:
            update_session_auth_hash(request, user)
            request.session[PW_CHANGE] = False
            messages.success(request, gettext("密码已修改"))
            return redirect("web:home")
    forced = bool(request.session.get(PW_CHANGE))
    return render(request, "security/password_change.html",
                  {"form": form, "title": _("修改密码"), "forced": forced})


def password_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """IT sets a temporary password for a user, who must change it at the next sign-in."""
    target = User.objects.filter(pk=pk).first()
    if target is None:
        raise NotFound()
    form = PasswordResetForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_reset_password(request.user, target, new_password=form.cleaned_data["new_password"])
        except DaeError as error:
            for item in error.details or [{"message": error.message}]:
                form.add_error("new_password", item["message"])
        else:
            messages.success(request, gettext("已重置密码，用户下次登录时须修改"))
            return redirect("accounts:user_edit", pk=target.pk)
    return render(request, "security/password_reset.html", {"form": form, "title": _("重置密码"), "target": target})


class SettingsList(ScopedListView):
    """安全设置: the dated settings as a list (filters by date; export), the manager's form above it. Not a list of
    money: no totals."""

    model = SecuritySetting
    title = _("安全设置")
    template_name = "security/settings.html"
    columns = (
        Column(_("生效日期"), "effective_from", kind="date"),
        Column(_("密码有效期（天）"), "password_max_age_days", css="text-end", kind="int"),
        Column(_("设置人"), lambda r: r.created_by or "—", sort="created_by__username"),
        Column(_("设置时间"), "created_at", kind="datetime"),
    )
    filters = (DateRange("effective", _("生效日期"), "effective_from"), DateRange("created", _("设置时间"), "created_at"))
    empty_hint = _("未设置，默认 90 天")
    form: SettingsForm | None = None

    def base_queryset(self) -> Any:
        return SecuritySetting.objects.select_related("created_by")  # system-wide, not in any region

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        form = SettingsForm(request.POST)
        if form.is_valid():
            try:
                do_set_max_age(request.user, days=form.cleaned_data["password_max_age_days"],
                               effective_from=form.cleaned_data["effective_from"])
            except DaeError as error:
                form.add_error(None, error.message)
            else:
                messages.success(request, gettext("安全设置已保存"))
                return redirect("security:settings")
        self.form = form
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["form"] = self.form or SettingsForm(initial={"password_max_age_days": max_age_days()})
        context["can_edit"] = can(self.request.user, "security:settings")
        return context


security_settings = SettingsList.as_view()


def _unlock_cell(attempt: Any) -> Any:
    return format_html('<button class="btn btn-sm btn-outline-danger" form="unlock-{}" type="submit">{}</button>',
                       attempt.pk, gettext("解除锁定"))


class LockoutList(ScopedListView):
    """登录锁定: the lockouts in force as a list (filters by user name, address and time; export), 解除锁定 in the
    row."""

    model = AccessAttempt
    title = _("登录锁定")
    template_name = "security/lockouts.html"
    columns = (
        Column(_("用户名"), lambda a: a.username or "—", sort="username"),
        Column(_("地址"), lambda a: a.ip_address or "—", sort="ip_address"),
        Column(_("失败次数"), "failures_since_start", css="text-end", kind="int"),
        Column(_("最近失败"), "attempt_time", kind="datetime"),
        Column("", _unlock_cell, export=False),
    )
    search_fields = ("username__icontains", "ip_address__icontains")
    search_placeholder = _("用户名或地址")
    filters = (DateRange("attempt", _("最近失败"), "attempt_time"),)
    empty_hint = _("当前没有锁定")

    def base_queryset(self) -> Any:
        return locked_attempts().order_by("-attempt_time")  # system-wide: sign-in is not in any region

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if do_unlock(request.user, object_id(request.POST.get("attempt"))):
            messages.success(request, gettext("已解除锁定"))
        return redirect("security:lockouts")


lockouts = LockoutList.as_view()


class TokenList(ScopedListView):
    model = ApiToken
    title = _("接口令牌")
    columns = (
        Column(_("名称"), "name"),
        Column(_("前缀"), "prefix"),
        Column(_("所属用户"), "user"),
        Column(_("范围"), lambda t: "、".join(str(SCOPES[s][0]) for s in t.scopes if s in SCOPES)),
        Column(_("到期时间"), "expires_at"),
        Column(_("最近使用"), "last_used_at"),
        Column(_("状态"), lambda t: gettext("有效") if t.is_live else gettext("已失效")),
    )
    search_fields = ("name__icontains", "prefix")
    template_name = "security/token_list.html"

    def base_queryset(self) -> Any:
        return ApiToken.objects.select_related("user")


def token_new(request: HttpRequest) -> HttpResponse:
    form = TokenForm(request.POST or None)
    secret = ""
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            _token, secret = do_issue_token(request.user, data["user"], name=data["name"], scopes=data["scopes"],
                                            days=data["days"])
        except DaeError as error:
            form.add_error(None, error.message)
    return render(request, "security/token_form.html", {"form": form, "secret": secret, "title": _("签发接口令牌")})


def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    token = ApiToken.objects.filter(pk=pk).first()
    if token is None:
        raise NotFound()
    do_revoke_token(request.user, token)
    messages.success(request, gettext("令牌已吊销"))
    return redirect("security:token_list")


