from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "dae.security"
    label = "security"
    verbose_name = _("安全")

    def ready(self) -> None:
        from . import signals  # noqa: F401  (sign-in events: failures, lockouts, log-ins)
