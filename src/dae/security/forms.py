from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from dae.accounts.models import User
from dae.core.inputs import BoundedDateFormField
from dae.web.forms import StyledFormMixin

from .tokens import MAX_DAYS, SCOPES


class PasswordChangeForm(StyledFormMixin, forms.Form):
    old_password = forms.CharField(label=_("原密码"), widget=forms.PasswordInput, max_length=128)
    new_password = forms.CharField(label=_("新密码"), widget=forms.PasswordInput, max_length=128,
                                   help_text=_("至少 12 位，含大写字母、小写字母、数字、符号中的至少 3 类，不含用户名，"
                                               "不与最近 5 次相同"))
    new_password2 = forms.CharField(label=_("再次输入新密码"), widget=forms.PasswordInput, max_length=128)

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if data.get("new_password") and data.get("new_password") != data.get("new_password2"):
            self.add_error("new_password2", _("两次输入的新密码不一致"))
        return data


class PasswordResetForm(StyledFormMixin, forms.Form):
    new_password = forms.CharField(label=_("临时密码"), widget=forms.PasswordInput, max_length=128,
                                   help_text=_("用户下次登录时须修改"))


class CodeForm(StyledFormMixin, forms.Form):
    code = forms.CharField(label=_("验证码或恢复码"), max_length=20,
                           widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "text",
                                                         "autofocus": True}))


class SettingsForm(StyledFormMixin, forms.Form):
    password_max_age_days = forms.IntegerField(label=_("密码有效期（天，0 为不过期）"), min_value=0, max_value=3650)
    effective_from = BoundedDateFormField(label=_("生效日期"))


class TokenForm(StyledFormMixin, forms.Form):
    user = forms.ModelChoiceField(label=_("所属用户（医院）"), queryset=None)  # type: ignore[arg-type]
    name = forms.CharField(label=_("名称"), max_length=100)
    scopes = forms.MultipleChoiceField(label=_("范围"), choices=[(k, v[0]) for k, v in SCOPES.items()],
                                       widget=forms.CheckboxSelectMultiple)
    days = forms.IntegerField(label=_("有效期（天）"), min_value=1, max_value=MAX_DAYS, initial=90)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)

        self.fields["user"].queryset = User.objects.filter(post="hospital", is_active=True)  # type: ignore[attr-defined]
