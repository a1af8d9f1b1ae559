"""Settings shared by every environment. Everything a deployer may change comes from the environment."""

from pathlib import Path

import environ
from csp.constants import NONCE, SELF
from django.utils.translation import gettext_lazy as _

from config.database import current_role, pg_options, role_timeouts

BASE_DIR = Path(__file__).resolve().parents[2]
VAR_DIR = BASE_DIR / "var"

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DJANGO_DEBUG", default=False)
SECRET_KEY = env("DJANGO_SECRET_KEY", default=None)
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=[])

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{VAR_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The web server, the worker and beat share one file: wait for locks instead of failing.
    DATABASES["default"].setdefault("OPTIONS", {}).update({"timeout": 20, "transaction_mode": "IMMEDIATE"})
# Behind PgBouncer in transaction mode (issue 14): no startup `options` (PgBouncer refuses them; the role's timeouts
# come from the pool's connect_query or ALTER ROLE … SET instead), no server-side prepared statements and no
# server-side cursors (both live in one server session, which transaction pooling hands to other clients).
DATABASE_PGBOUNCER = env.bool("DATABASE_PGBOUNCER", default=False)
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    # Bounded waits per connection role: web short, jobs longer (config/database.py).
    DATABASE_ROLE = current_role()
    DATABASE_TIMEOUTS = role_timeouts(env, DATABASE_ROLE)
    if DATABASE_PGBOUNCER:
        DATABASES["default"].setdefault("OPTIONS", {})["prepare_threshold"] = None
        DATABASES["default"]["DISABLE_SERVER_SIDE_CURSORS"] = True
    else:
        DATABASES["default"].setdefault("OPTIONS", {})["options"] = pg_options(DATABASE_TIMEOUTS)
DATABASES["default"]["ATOMIC_REQUESTS"] = False
# Persistent connections (a new one per request cost 42 % of API throughput at 16 clients), checked before reuse.
DATABASES["default"]["CONN_MAX_AGE"] = env.int("DATABASE_CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = env.bool("DATABASE_CONN_HEALTH_CHECKS", default=True)
# A read replica (issue 14): agent searches, line pages and reports read from it (core/replica.py). Unset: no alias.
if env("DATABASE_REPLICA_URL", default=""):
    DATABASES["replica"] = {
        **env.db("DATABASE_REPLICA_URL"),
        "OPTIONS": dict(DATABASES["default"].get("OPTIONS", {})),
        "ATOMIC_REQUESTS": False,
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": DATABASES["default"]["CONN_HEALTH_CHECKS"],
        "DISABLE_SERVER_SIDE_CURSORS": DATABASES["default"].get("DISABLE_SERVER_SIDE_CURSORS", False),
        "TEST": {"MIRROR": "default"},  # a test run reads the test database through the alias
    }
DATABASE_ROUTERS = ["core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "crispy_forms",
    "crispy_bootstrap5",
    "bootstrap",
    "django_filters",
    "django_htmx",
    "django_celery_beat",
    "django_celery_results",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "config.apps.AxesConfig",  # config/apps.py: the same apps under Indonesian names in the admin
    "rules",
    "config.apps.OtpConfig",
    "config.apps.OtpTotpConfig",
    "config.apps.OtpStaticConfig",
    "core",
    "accounts",
    "billing",
    "protection",
    "prepaid",
    "visits",
    "security",
]

MIDDLEWARE = [
    "core.api.middleware.ApiJsonErrorsMiddleware",  # first: every answer under /api/ is JSON, even other layers'
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "security.middleware.SecondFactorMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "visits.middleware.CurrentVisitMiddleware",  # after auth and sessions: events link to the open visit
    "core.middleware.RejectUnstorableInputMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "core.api.middleware.ContentSecurityPolicyMiddleware",  # django-csp's, with a fixed policy for JSON answers
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "core.middleware.DatabaseBusyMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "core.context_processors.workspace",
                "visits.context_processors.visit_banner",
            ],
        },
    }
]

AUTH_USER_MODEL = "accounts.User"
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"  # visits.views.home: the dashboard, the counter or the search
LOGOUT_REDIRECT_URL = "login"

# Idle-session timeout: the session expires this long after the agent's last request.
IDLE_TIMEOUT_MINUTES = env.int("IDLE_TIMEOUT_MINUTES", default=30)

# The names customers read in SMS, USSD and pages (DOMAIN.md: settings, never hard-coded; core/branding.py).
BRAND_POSTPAID = env("BRAND_POSTPAID", default="KartuHalo")
BRAND_PRIME = env("BRAND_PRIME", default="IM3 Prime")
OUTLET_NAME = env("OUTLET_NAME", default="GraPARI")
OPERATOR_CALL_CENTRE = env("OPERATOR_CALL_CENTRE", default="188")
SESSION_COOKIE_AGE = IDLE_TIMEOUT_MINUTES * 60
SESSION_SAVE_EVERY_REQUEST = True
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True

# django-axes: lock a username at one address after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.5)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "id"
LANGUAGES = [("id", _("Bahasa Indonesia")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Jakarta"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=str(VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Content Security Policy (django-csp 4). Scripts only from us, with a nonce for inline ones.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF, "'unsafe-inline'"],
        "img-src": [SELF, "data:"],
        "font-src": [SELF, "data:"],
        "connect-src": [SELF],
        "frame-ancestors": ["'none'"],
        "form-action": [SELF],
    }
}

# Celery. Embedded default: a filesystem broker under var/ and results in the database.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="filesystem://")
BROKER_DIR = VAR_DIR / "broker"
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "out"),
        "data_folder_out": str(BROKER_DIR / "out"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "store_processed": False,
    }
CELERY_RESULT_BACKEND = env("CELERY_RESULT_BACKEND", default="django-db")
CELERY_RESULT_EXTENDED = True
CELERY_CACHE_BACKEND = "default"

# API throttle counters live in this cache: use Redis in production so all web workers share them.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}
if CACHES["default"]["BACKEND"].endswith("RedisCache"):
    # redis-py waits forever by default: a hung Redis would hold every API request at the throttle. After this
    # many seconds the throttle lets the request through (core/api/throttling.py).
    REDIS_SOCKET_TIMEOUT = env.float("REDIS_SOCKET_TIMEOUT", default=0.5)
    CACHES["default"].setdefault("OPTIONS", {}).setdefault("socket_timeout", REDIS_SOCKET_TIMEOUT)
    CACHES["default"]["OPTIONS"].setdefault("socket_connect_timeout", REDIS_SOCKET_TIMEOUT)
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=60 * 60)
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=55 * 60)
CELERY_TASK_ACKS_LATE = False  # switched on per task, only for tasks proven idempotent (core.jobs.JOB_TASK_OPTIONS)
if CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
    # A message a dead worker never acknowledged is delivered again after this long. It must outlast the longest
    # task run, or a live run gets a (harmless, SKIP LOCKED) twin; the restore sweep runs every 10 s.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT_SECONDS", default=60 * 60 + 5 * 60),
        "unacked_restore_interval": 10,
        "unacked_restore_throttle": 1,
    }
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True  # their messages come back (late acks)
# The watchdog (core.tasks.jobs_watchdog_task, every 5 minutes) re-queues a run with no progress for this long.
JOB_STALE_AFTER_SECONDS = env.int("JOB_STALE_AFTER_SECONDS", default=15 * 60)
# A job task that hit a database error (lost connection, timeout) is retried after 30 s, 60 s, … (capped at 10 min).
JOB_RETRY_BACKOFF_SECONDS = env.int("JOB_RETRY_BACKOFF_SECONDS", default=30)
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TASK_ALWAYS_EAGER = env.bool("CELERY_TASK_ALWAYS_EAGER", default=False)

# Customer SMS: console (logs), http (a Jasmin-style gateway) or memory (tests).
SMS_BACKEND = env("SMS_BACKEND", default="console")
SMS_HTTP_URL = env("SMS_HTTP_URL", default="")
SMS_HTTP_USERNAME = env("SMS_HTTP_USERNAME", default="")
SMS_HTTP_PASSWORD = env("SMS_HTTP_PASSWORD", default="")
SMS_HTTP_TIMEOUT_SECONDS = env.float("SMS_HTTP_TIMEOUT_SECONDS", default=10.0)
SMS_LEASE_MARGIN_SECONDS = env.int("SMS_LEASE_MARGIN_SECONDS", default=30)  # claim = messages × timeout + this
SMS_DISPATCH_SOFT_LIMIT_SECONDS = env.int("SMS_DISPATCH_SOFT_LIMIT_SECONDS", default=240)  # per dispatcher run
SMS_MAX_ATTEMPTS = env.int("SMS_MAX_ATTEMPTS", default=6)
SMS_RETRY_BASE_SECONDS = env.int("SMS_RETRY_BASE_SECONDS", default=60)  # 1, 2, 4, 8 … minutes
SMS_RETRY_MAX_SECONDS = env.int("SMS_RETRY_MAX_SECONDS", default=6 * 60 * 60)
SMS_HTTP_DLR_URL = env("SMS_HTTP_DLR_URL", default="")  # e.g. https://bo.example/api/v1/sms/delivery-report?key=…
SMS_NUDGE_ON_COMMIT = env.bool("SMS_NUDGE_ON_COMMIT", default=False)  # beat runs the dispatcher every minute anyway

# Channel API keys are resolved from a per-process cache this long; a revoked key stops within it everywhere.
API_KEY_CACHE_SECONDS = env.int("API_KEY_CACHE_SECONDS", default=30)
# A write's first answer is replayed for its request_id this many days; the purge job deletes older replay rows.
API_REPLAY_DAYS = env.int("API_REPLAY_DAYS", default=7)
# Names customers read in SMS texts (DOMAIN.md: brand and outlet names are settings, never hard-coded).
CUSTOMER_POSTPAID_BRAND = env("CUSTOMER_POSTPAID_BRAND", default="KartuHalo")
CUSTOMER_PREPAID_BRAND = env("CUSTOMER_PREPAID_BRAND", default="IM3 Ooredoo")
CUSTOMER_OUTLET_NAME = env("CUSTOMER_OUTLET_NAME", default="GraPARI")
CUSTOMER_POSTPAID_CALL_CENTRE = env("CUSTOMER_POSTPAID_CALL_CENTRE", default="188")
CUSTOMER_PREPAID_CALL_CENTRE = env("CUSTOMER_PREPAID_CALL_CENTRE", default="185")

REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["core.api.parsers.SafeJSONParser"],
    "DEFAULT_CONTENT_NEGOTIATION_CLASS": "core.api.negotiation.SingleRendererNegotiation",
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.api.auth.ChannelClientAuthentication"],
    # request.auth is the ChannelClient; endpoints narrow this with core.api.permissions.client_kind(...).
    "DEFAULT_PERMISSION_CLASSES": ["core.api.permissions.HasChannelClient"],
    "DEFAULT_THROTTLE_CLASSES": ["core.api.throttling.ChannelClientThrottle"],
    "DEFAULT_THROTTLE_RATES": {
        # Per client; a client's own throttle_rate (admin) wins over its kind's default.
        "channel_client": env("API_THROTTLE_DEFAULT", default="600/min"),
        # 2,500 a second: one charging system at the 2,000 authorizations/s peak of 10 M postpaid lines.
        "channel_charging": env("API_THROTTLE_CHARGING", default="150000/min"),
        "channel_ussd": env("API_THROTTLE_USSD", default="3000/min"),
    },
    "EXCEPTION_HANDLER": "core.api.errors.api_exception_handler",
    "UNAUTHENTICATED_USER": None,
    "NUM_PROXIES": env.int("API_NUM_PROXIES", default=0),
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Customer-care back office: channel API",
    "DESCRIPTION": "JSON API for the charging system, the USSD gateway, the customer app and partners.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums", "core.api.schema.common_errors_hook"],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    # Every record is masked (MSISDN, NIK) before any handler writes it: see core.log_masking.
    "filters": {"personal_data": {"()": "core.log_masking.PersonalDataFilter"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["personal_data"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {"django.db.backends": {"level": "WARNING"}},
}

# Privileged access and personal data (issue 16). MFA: staff and supervisors always; agents when this is on.
MFA_REQUIRED_FOR_AGENTS = env.bool("MFA_REQUIRED_FOR_AGENTS", default=False)
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="GraPARI Back Office")
# Password reset exists only with a mail backend (EMAIL_URL, e.g. smtp+tls://user:pass@mail.example.id:587).
EMAIL_URL = env("EMAIL_URL", default="")
if EMAIL_URL:
    vars().update(env.email_url("EMAIL_URL"))
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="webmaster@localhost")
PASSWORD_RESET_ENABLED = bool(EMAIL_URL)
# /api/schema/ and /api/docs/ need a staff login or a channel key (on in production).
API_DOCS_REQUIRE_AUTH = env.bool("API_DOCS_REQUIRE_AUTH", default=False)

# Demo logins printed by `manage.py seed_demo` (never used outside DEBUG).
DEMO_PASSWORD = env("DEMO_PASSWORD", default="grapari-demo-2026")
