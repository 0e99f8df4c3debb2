from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dae.web.lookups import register_verbs


class FundConfig(AppConfig):
    name = "dae.fund"
    label = "fund"
    verbose_name = _("基金管理")

    def ready(self) -> None:
        from .models import FundEntry  # models: only once the registry is ready

        register_verbs(FundEntry.Kind.choices)  # event verbs named by the kinds of fund entry
