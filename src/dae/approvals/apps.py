from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ApprovalsConfig(AppConfig):
    name = "dae.approvals"
    label = "approvals"
    verbose_name = _("人工审批")

    def ready(self) -> None:
        from . import kinds  # noqa: F401  (registers the kinds of action that may wait for an approval)
