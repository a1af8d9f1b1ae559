from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def _register_tab() -> None:
    from core.tabs import LineTab, register_line_tab
    from protection.views import line_tab_context

    register_line_tab(LineTab(key="protection", title=_("TecProtec"), template="protection/tabs/protection.html",
                              context=line_tab_context, applies=lambda line: line.kind == "postpaid", order=30))


class ProtectionConfig(AppConfig):
    name = "protection"
    verbose_name = _("TecProtec device protection")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from core.schedules import register_schedule
        from protection import ussd, verbs

        ussd.register()  # UMB *500*777# (TP-02)
        verbs.register()
        _register_tab()

        from protection import dashboard

        dashboard.register()  # TP-10 overdue claims on the supervisors' dashboard

        from protection import lifecycle

        lifecycle.register()  # ACC-09, TP-12

        from protection import header

        header.register()  # the line page's customer 360 header (TP-04)

        # Daily jobs (TP-03, TP-04, TP-10, TP-11); each is idempotent per day and safe to re-run.
        register_schedule("protection-installments", "protection.tasks.installments_charge_task",
                          {"minute": "10", "hour": "1"}, label=_("Charge the TecProtec instalments"))
        register_schedule("protection-expire", "protection.tasks.enrollments_expire_task",
                          {"minute": "20", "hour": "0"},
                          label=_("End expired TecProtec subscriptions"))
        register_schedule("protection-sla", "protection.tasks.claims_flag_sla_task", {"minute": "30", "hour": "6"},
                          label=_("Flag TecProtec claims past their return date"))
        register_schedule("protection-reimbursements", "protection.tasks.reimbursements_flag_overdue_task",
                          {"minute": "40", "hour": "6"}, label=_("Flag overdue shipping reimbursements"))
