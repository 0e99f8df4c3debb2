from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ArchivesConfig(AppConfig):
    name = "dae.archives"
    label = "archives"
    verbose_name = _("档案管理")

    def ready(self) -> None:
        from django.utils.module_loading import autodiscover_modules

        from . import kinds  # noqa: F401 - registers the built-in item kinds
        from .registry import connect

        autodiscover_modules("archiving")  # other apps' own kinds, in <app>/archiving.py
        connect()
