from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing.parameters import PARAMETERS
        from core.parameters import register_defaults

        register_defaults(PARAMETERS)

        from core.schedules import register_schedule

        register_schedule("billing-cycle-close", "billing.tasks.cycle_close_task", {"minute": "5", "hour": "0"})
        register_schedule("billing-overdue", "billing.tasks.overdue_task", {"minute": "30", "hour": "0"})
        register_schedule("billing-early-settlement", "billing.tasks.early_settlement_task",
                          {"minute": "0", "hour": "6"})

        from billing import ussd

        ussd.register()
