from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ForecastConfig(AppConfig):
    name = "dae.forecast"
    verbose_name = _("基金预测预警")
