from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PrepaidConfig(AppConfig):
    name = "prepaid"
    verbose_name = _("Prepaid")

    def ready(self):
        from core.parameters import register_defaults
        from prepaid.parameters import PARAMETERS

        register_defaults(PARAMETERS)
        from core.partitions import register_partitioned

        register_partitioned("prepaid_ledgerentry", "created_at", "ledger_retention_months")
        from prepaid import catalogue_cache

        catalogue_cache.connect()  # the top-up's denominations (issue 14)
        from prepaid import verbs

        verbs.register()
        self._register_schedules()
        self._register_tab()

        from prepaid import lifecycle

        lifecycle.register()  # PRE-03, ACC-09

        from prepaid import header

        header.register()  # the line page's customer 360 header (PRE-02 grace)

    @staticmethod
    def _register_tab():
        from core.tabs import LineTab, register_line_tab
        from prepaid.views import line_tab_context

        register_line_tab(LineTab(key="prepaid", title=_("Prepaid"), template="prepaid/tabs/prepaid.html",
                                  context=line_tab_context, applies=lambda line: line.kind == "prepaid", order=20))

    @staticmethod
    def _register_schedules():
        from core.schedules import register_job_label, register_schedule

        register_job_label("prepaid.price_changes_announce", _("Announce the price changes"))
        register_job_label("prepaid.price_changes_apply", _("Apply the price changes"))

        register_schedule("prepaid-lifecycle", "prepaid.tasks.lifecycle_task", {"minute": "10", "hour": "0"},
                          label=_("Prepaid cards: grace and invalid"))
        register_schedule("prepaid-prime-renewal", "prepaid.tasks.prime_renewal_task", {"minute": "30", "hour": "1"},
                          label=_("Renew IM3 Prime"))
        register_schedule("prepaid-prime-tier-review", "prepaid.tasks.prime_tier_review_task",
                          {"minute": "0", "hour": "3", "day_of_month": "1"}, label=_("Review the IM3 Prime tiers"))
        register_schedule("prepaid-prime-voucher-draw", "prepaid.tasks.prime_voucher_draw_task",
                          {"minute": "0", "hour": "10", "day_of_week": "3"}, label=_("IM3 Prime e-voucher draw"))
        register_schedule("prepaid-expiry-reminders", "prepaid.tasks.expiry_reminders_task",
                          {"minute": "0", "hour": "9"},
                          label=_("Expiry reminder SMS"))
        register_schedule("prepaid-price-changes", "prepaid.tasks.price_changes_task", {"minute": "15"},
                          label=_("Announce and apply price changes"))
        register_schedule("prepaid-sms-fair-usage", "prepaid.tasks.sms_fair_usage_task", {"minute": "*/10"},
                          label=_("SMS fair-usage check"))
