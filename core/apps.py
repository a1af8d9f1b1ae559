from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = _("Core")

    def ready(self):
        from config.celery_app import ensure_broker_folders
        from core import verbs
        from core.api import auth  # noqa: F401  (connects the API-key cache invalidation)
        from core.schedules import register_schedule

        verbs.register()
        ensure_broker_folders()
        register_schedule("core: send queued SMS", "core.tasks.sms_dispatch", {"minute": "*"},
                          label=_("Send the queued SMS"))
        register_schedule("core: job watchdog", "core.tasks.jobs_watchdog", {"minute": "*/5"},
                          label=_("Re-queue stale job runs"))
        register_schedule("core: purge API replay rows", "core.tasks.api_replay_purge_task",
                          {"minute": "40", "hour": "2"}, label=_("Purge old API replay records"))
