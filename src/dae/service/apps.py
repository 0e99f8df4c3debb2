from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServiceConfig(AppConfig):
    name = "dae.service"
    label = "service"
    verbose_name = _("参保人服务")

    def ready(self) -> None:
        from . import kinds  # noqa: F401  (registers the 25-working-day extension as a kind of approval)
