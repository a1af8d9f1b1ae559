from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrepaidConfig(AppConfig):
    name = "prepaid"
    verbose_name = _("Prepaid")

    def ready(self):
        from core.parameters import register_defaults
        from prepaid.parameters import PARAMETERS

        register_defaults(PARAMETERS)
