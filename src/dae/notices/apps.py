from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dae.web.lookups import register_verbs


class NoticesConfig(AppConfig):
    name = "dae.notices"
    label = "notices"
    verbose_name = _("通知")

    def ready(self) -> None:
        from .models import Notice  # models: only once the registry is ready

        register_verbs(Notice.Kind.choices)  # event verbs named by the kinds of notice
