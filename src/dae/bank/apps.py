from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BankConfig(AppConfig):
    name = "dae.bank"
    label = "bank"
    verbose_name = _("银行对账")
