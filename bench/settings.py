"""Settings for the benchmark: the local settings with DEBUG off (DEBUG would keep every SQL query in memory and
slow each request down), quiet logs, and hosts for the test client and gunicorn. The database is DATABASE_URL."""

import warnings

from config.settings.local import *  # noqa: F403

# whitenoise: no collected static files are needed to measure the API and the pages.
warnings.filterwarnings("ignore", message="No directory at")

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost", "testserver"]
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
SMS_NUDGE_ON_COMMIT = False
CELERY_TASK_ALWAYS_EAGER = False
ROOT_URLCONF = "bench.urls"  # the project's URLs + the one-SELECT baseline view (bench/views.py)
