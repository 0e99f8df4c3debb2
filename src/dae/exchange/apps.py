from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExchangeConfig(AppConfig):
    name = "dae.exchange"
    label = "exchange"
    verbose_name = _("平台接口与对账")

    def ready(self) -> None:
        from . import jobs  # noqa: F401 - registers the job handlers
