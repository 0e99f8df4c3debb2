from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dae.web.lookups import register_codes


class DictionariesConfig(AppConfig):
    name = "dae.dictionaries"
    label = "dictionaries"
    verbose_name = _("数据字典")

    def ready(self) -> None:
        from . import codes  # imports the models: only once the registry is ready

        register_codes(name=lambda key, code: codes.name(key, code), label=lambda key, code: codes.label(key, code),
                       choices=lambda key: codes.choices(key))
