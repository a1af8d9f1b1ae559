from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _sync_roles(sender, **kwargs):
    from accounts.roles import sync_roles

    sync_roles()


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Customers and lines")

    def ready(self):
        # Apps added later bring new permissions: the Supervisor role picks them up after each migrate. No sender:
        # it runs after each app's permissions are created (apps after accounts would otherwise be missed).
        post_migrate.connect(_sync_roles, dispatch_uid="accounts.sync_roles")

        from accounts import verbs
        from accounts.parameters import PARAMETERS
        from core.parameters import register_defaults

        register_defaults(PARAMETERS)
        verbs.register()

        from accounts import header

        header.register()  # the line page's customer 360 header: open blocks, the customer's other lines

        from accounts import action_checks

        action_checks.register()
