from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReimbursementConfig(AppConfig):
    name = "dae.reimbursement"
    label = "reimbursement"
    verbose_name = _("手工报销")
