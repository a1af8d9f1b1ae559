from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BillingConfig(AppConfig):
    name = "billing"
    verbose_name = _("Billing")

    def ready(self):
        from billing.parameters import PARAMETERS
        from core.parameters import register_defaults

        register_defaults(PARAMETERS)
        from core.partitions import register_partitioned

        register_partitioned("billing_purchase", "created_at", "purchases_retention_months")
        register_partitioned("billing_usagerecord", "created_at", "usage_records_retention_months")

        from billing import verbs

        verbs.register()

        from billing import catalogue_cache

        catalogue_cache.connect()

        from core.schedules import register_job_label, register_schedule

        # Jobs that run inside another schedule's task: each run row reads what it did.
        register_job_label("billing.cycle_close", _("Close the bill cycles"))
        register_job_label("billing.bills_issue", _("Issue the bills"))
        register_job_label("billing.early_settlement_scan", _("Find the lines that must settle early"))
        register_job_label("billing.early_settlement_enforce", _("Enforce the early settlement demands"))

        register_schedule("billing-cycle-close", "billing.tasks.cycle_close_task", {"minute": "5", "hour": "0"},
                          label=_("Close the bill cycles and issue the bills"))
        register_schedule("billing-overdue", "billing.tasks.overdue_task", {"minute": "30", "hour": "0"},
                          label=_("Block the lines of overdue bills"))
        register_schedule("billing-early-settlement", "billing.tasks.early_settlement_task",
                          {"minute": "0", "hour": "6"}, label=_("Early settlement demands"))

        from billing import ussd

        ussd.register()

        from billing import lifecycle

        lifecycle.register()  # LIM-12, LIM-13, ACC-09

        from billing import header

        header.register()  # the line page's customer 360 header

        from billing.rules import limit_change_eligibility
        from core.actions import register_action_check

        register_action_check("billing.limit_change", lambda line, user: limit_change_eligibility(line=line))
        self._register_tabs()

        from billing import dashboard

        dashboard.register()  # declined purchases on the supervisors' dashboard

    @staticmethod
    def _register_tabs() -> None:
        from billing.views import bills_tab_context, spending_tab_context
        from core.tabs import LineTab, register_line_tab

        def postpaid(line) -> bool:
            return line.kind == "postpaid" and line.billing_account_id is not None

        register_line_tab(LineTab(key="spending", title=_("Spending limit"), template="billing/tabs/spending.html",
                                  context=spending_tab_context, applies=postpaid, order=10))
        register_line_tab(LineTab(key="bills", title=_("Bills"), template="billing/tabs/bills.html",
                                  context=bills_tab_context, applies=postpaid, order=15))
