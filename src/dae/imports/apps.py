from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ImportsConfig(AppConfig):
    name = "dae.imports"
    label = "imports"
    verbose_name = _("数据导入")

    def ready(self) -> None:
        from . import jobs, registry  # noqa: F401  (jobs registers the import's job handler)

        registry.autodiscover()
