from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dae.web.lookups import register_hospitals


class CatalogConfig(AppConfig):
    name = "dae.catalog"
    label = "catalog"
    verbose_name = _("目录与医院")

    def ready(self) -> None:
        from . import queries  # imports the models: only once the registry is ready

        register_hospitals(queries.hospital_choices, queries.catalogue_names)
