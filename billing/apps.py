from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing.parameters import PARAMETERS
        from core.parameters import register_defaults

        register_defaults(PARAMETERS)
