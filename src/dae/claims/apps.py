from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dae.web.lookups import register_verbs


class ClaimsConfig(AppConfig):
    name = "dae.claims"
    label = "claims"
    verbose_name = _("补偿处理")

    def ready(self) -> None:
        from . import declare  # noqa: F401  (registers the declaration's job handler)
        from .models import Adjustment  # models: only once the registry is ready
        from .states import ClaimState

        register_verbs(ClaimState.choices, Adjustment.Kind.choices)  # event verbs: claim.received → 已受理 …
