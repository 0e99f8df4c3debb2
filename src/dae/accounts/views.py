"""Log-in, log-out and user administration (IT post)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from dae.core.errors import DaeError, NotFound
from dae.web.listing import Column, Filter, ScopedListView

from . import actions
from .forms import UserForm
from .models import User
from .permissions import can
from .posts import Post


class UserList(ScopedListView):
    model = User
    title = _("用户管理")
    columns = (
        Column(_("用户名"), "username", link="accounts:user_edit", css="code"),
        Column(_("姓名"), "display_name"),
        Column(_("岗位"), lambda u: u.post_label, sort="post"),
        Column(_("统筹区"), lambda u: "、".join(r.name for r in u.regions.all())),
        Column(_("所属医院"), "hospital"),
        Column(_("启用"), lambda u: "✓" if u.is_active else "✗"),
    )
    search_fields = ("username__icontains", "display_name__icontains")
    filters = (Filter("post", _("岗位"), "post", Post.choices),)
    template_name = "accounts/user_list.html"

    def base_queryset(self) -> Any:
        return User.objects.prefetch_related("regions").select_related("hospital")

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        context["can_create"] = can(self.request.user, "accounts:user_create")
        return context


def _apply(request: HttpRequest, form: UserForm, user: User | None) -> User | None:
    data = form.cleaned_data
    try:
        if user is None:
            return actions.do_create_user(
                request.user, username=data["username"], password=data["password"], post=data["post"],
                display_name=data["display_name"], regions=data["regions"], hospital=data["hospital"],
                psn_no=data["psn_no"])
        return actions.do_update_user(
            request.user, user, display_name=data["display_name"], post=data["post"], regions=data["regions"],
            hospital=data["hospital"], psn_no=data["psn_no"], is_active=data["is_active"])
    except DaeError as error:
        field = next(iter(error.details), None) if isinstance(error.details, dict) else None
        form.add_error(field if field in form.fields else None, error.message)
        return None


def user_create(request: HttpRequest) -> HttpResponse:
    form = UserForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _apply(request, form, None):
        messages.success(request, gettext("用户已创建；岗位授权已提交管理岗审批，批准后生效"))
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("新建用户")})


def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = User.objects.filter(pk=pk).first()
    if user is None:
        raise NotFound()
    initial = {"username": user.username, "display_name": user.display_name, "post": user.post,
               "regions": list(user.regions.all()), "hospital": user.hospital, "psn_no": user.psn_no,
               "is_active": user.is_active}
    form = UserForm(request.POST or None, initial=initial, editing=True)
    if request.method == "POST" and form.is_valid() and _apply(request, form, user):
        messages.success(request, gettext("用户已保存；如变更了岗位或数据范围，须经管理岗审批后生效"))
        return redirect("accounts:user_list")
    return render(request, "accounts/user_form.html", {"form": form, "title": _("编辑用户"), "edited": user})
