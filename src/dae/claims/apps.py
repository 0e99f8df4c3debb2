from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ClaimsConfig(AppConfig):
    name = "dae.claims"
    label = "claims"
    verbose_name = _("补偿处理")

    def ready(self) -> None:
        from . import declare  # noqa: F401  (registers the declaration's job handler)
