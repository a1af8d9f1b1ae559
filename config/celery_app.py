import os
import sys

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.local")
if {"worker", "beat"} & set(sys.argv[1:]):
    # A worker or beat process (settings are not loaded yet): the jobs' longer database timeouts.
    os.environ.setdefault("DATABASE_ROLE", "job")

app = Celery("backoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


def ensure_broker_folders() -> None:
    """The filesystem:// broker does not create its folders; a fresh checkout has none."""
    from django.conf import settings

    for key in ("data_folder_in", "data_folder_out", "processed_folder"):
        folder = getattr(settings, "CELERY_BROKER_TRANSPORT_OPTIONS", {}).get(key)
        if folder:
            os.makedirs(folder, exist_ok=True)


@signals.worker_init.connect
@signals.beat_init.connect
def _create_broker_folders(**kwargs) -> None:
    # The web process creates them in CoreConfig.ready(); the worker and beat make sure again before connecting.
    ensure_broker_folders()
