from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class VisitsConfig(AppConfig):
    name = "visits"
    verbose_name = _("Counter visits")

    def ready(self):
        from core.dashboard import DashboardPanel, register_dashboard_panel
        from core.parameters import register_defaults
        from visits import verbs
        from visits.dashboard import queues_panel_context
        from visits.parameters import PARAMETERS

        register_defaults(PARAMETERS)
        verbs.register()
        register_dashboard_panel(DashboardPanel(
            key="queues", title=_("Queues today"), template="visits/_dashboard_panel.html",
            context=queues_panel_context, order=10, permission="visits.view_queues"))
