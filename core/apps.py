from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from config.celery_app import ensure_broker_folders
        from core import dashboard_panels, verbs
        from core.api import auth  # noqa: F401  (connects the API-key cache invalidation)
        from core.schedules import register_schedule

        verbs.register()
        from core.parameters import register_defaults
        from core.partitions import PARAMETERS, register_partitioned

        register_defaults(PARAMETERS)
        register_partitioned("core_auditevent", "created_at", "audit_retention_months")
        register_partitioned("core_outboundsms", "created_at", "sms_retention_months")
        dashboard_panels.register()
        ensure_broker_folders()
        register_schedule("core: send queued SMS", "core.tasks.sms_dispatch_task", {"minute": "*"},
                          label=_("Send the queued SMS"))
        register_schedule("core: job watchdog", "core.tasks.jobs_watchdog_task", {"minute": "*/5"},
                          label=_("Re-queue stale job runs"))
        register_schedule("core: purge API replay rows", "core.tasks.api_replay_purge_task",
                          {"minute": "40", "hour": "2"}, label=_("Purge old API replay records"))
        register_schedule("core: purge pending uploads", "core.tasks.pending_uploads_purge_task",
                          {"minute": "50", "hour": "2"}, label=_("Delete the uploads kept on Check"))
        register_schedule("core: monthly partitions", "core.tasks.partitions_maintain_task",
                          {"minute": "20", "hour": "3"}, label=_("Create the partitions of the coming months"))
