from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CreditConfig(AppConfig):
    name = "dae.credit"
    label = "credit"
    verbose_name = _("诚信管理")

    def ready(self) -> None:
        from .actions import screening  # noqa: F401 - registers the screening job handler
