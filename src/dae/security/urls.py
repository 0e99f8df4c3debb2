from django.urls import path

from . import views

app_name = "security"

urlpatterns = [
    path("verify/", views.otp_verify, name="otp_verify"),
    path("two-factor/", views.two_factor, name="two_factor"),
    path("password/", views.password_change, name="password_change"),
    path("users/<int:pk>/password-reset/", views.password_reset, name="password_reset"),
    path("settings/", views.security_settings, name="settings"),
    path("lockouts/", views.lockouts, name="lockouts"),
    path("tokens/", views.TokenList.as_view(), name="token_list"),
    path("tokens/new/", views.token_new, name="token_new"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token_revoke"),
]
