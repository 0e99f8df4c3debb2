from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from dae.catalog.models import Hospital
from dae.core.models import Region
from dae.web.forms import StyledFormMixin

from .posts import Post


class LoginForm(StyledFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _("用户名或密码错误"),
        "inactive": _("该账号已停用"),
    }


class UserForm(StyledFormMixin, forms.Form):
    username = forms.RegexField(label=_("用户名"), max_length=150, regex=r"^[\w.@+-]+$",
                                error_messages={"invalid": _("用户名只能包含字母、数字和 @/./+/-/_")})
    display_name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    password = forms.CharField(label=_("初始密码"), widget=forms.PasswordInput, min_length=12, required=False)
    post = forms.ChoiceField(label=_("岗位"), choices=Post.choices)
    regions = forms.ModelMultipleChoiceField(label=_("统筹区"), queryset=Region.objects.all(), required=False)
    hospital = forms.ModelChoiceField(label=_("所属医院"), queryset=Hospital.objects.all(), required=False)
    psn_no = forms.CharField(label=_("人员编号"), max_length=30, required=False)
    is_active = forms.BooleanField(label=_("启用"), required=False, initial=True)

    def __init__(self, *args: object, editing: bool = False, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            self.fields["username"].disabled = True
        else:
            self.fields["password"].required = True
