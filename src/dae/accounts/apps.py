from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from dae.web.lookups import register_permissions

from . import permissions


class AccountsConfig(AppConfig):
    name = "dae.accounts"
    label = "accounts"
    verbose_name = _("用户与岗位")

    def ready(self) -> None:
        # through the module's names, looked up at each call (tests patch them)
        register_permissions(may_open=lambda user, route, write: permissions.can(user, route, write=write),
                             may_export=lambda user, route: permissions.can_export(user, route),
                             may_export_full=lambda user, route: permissions.can_export_full(user, route))
