from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AuditingConfig(AppConfig):
    name = "dae.auditing"
    label = "auditing"
    verbose_name = _("智能审核")

    def ready(self) -> None:
        from . import runs  # noqa: F401  (registers the audit jobs, among them the declaration's automatic audit)
