from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SecurityConfig(AppConfig):
    name = "security"
    verbose_name = _("Security and personal data")

    def ready(self):
        from core.parameters import register_defaults
        from core.schedules import register_schedule
        from security import signals, verbs  # noqa: F401  (signals: axes lockouts become audit events)
        from security.retention import PARAMETERS

        register_defaults(PARAMETERS)
        verbs.register()
        register_schedule("security-retention", "security.tasks.retention_task", {"minute": "40", "hour": "2"},
                          label=_("Delete personal data past retention"))
