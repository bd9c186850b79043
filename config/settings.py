"""Reflect settings: one module, configured by environment variables.

With no environment at all it runs the embedded demo: SQLite, Celery eager, e-mail to the
console, a local-memory cache. ``DATABASE_URL`` and ``REDIS_URL`` switch to PostgreSQL and
Redis (the deployment shape). ``DJANGO_ENV=production`` makes everything strict.
"""

from __future__ import annotations

import base64
import hashlib
import os
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from cryptography.fernet import Fernet
from django.core.checks.security.base import (
    SECRET_KEY_INSECURE_PREFIX,
    SECRET_KEY_MIN_LENGTH,
    SECRET_KEY_MIN_UNIQUE_CHARACTERS,
)
from django.core.exceptions import ImproperlyConfigured

from reflect.client_ip import parse_networks

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

_INSECURE_KEY = "django-insecure-reflect-embedded-demo-key-not-for-production"
SECRET_KEY = env("SECRET_KEY", _INSECURE_KEY)
DEBUG = env_bool("DEBUG", default=not PRODUCTION)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

if PRODUCTION:
    # Refuse to start half-configured: a guessable key or a missing database in production
    # would fail quietly later, which is worse than failing now.
    # Django's own rule (check --deploy, security.W009): at least 50 characters, at least 5
    # different ones, and not a "django-insecure-" key (docs/security.md).
    if (
        SECRET_KEY == _INSECURE_KEY
        or len(SECRET_KEY) < SECRET_KEY_MIN_LENGTH
        or len(set(SECRET_KEY)) < SECRET_KEY_MIN_UNIQUE_CHARACTERS
        or SECRET_KEY.startswith(SECRET_KEY_INSECURE_PREFIX)
    ):
        raise ImproperlyConfigured(f"Set SECRET_KEY to a random value of at least {SECRET_KEY_MIN_LENGTH} characters.")
    if not ALLOWED_HOSTS:
        raise ImproperlyConfigured("Set ALLOWED_HOSTS to the site's host names.")
    if not env("DATABASE_URL"):
        raise ImproperlyConfigured("Set DATABASE_URL to the PostgreSQL database.")
    if not env("EMAIL_HOST"):
        # Without it every invitation and password reset would be "sent" to the console.
        raise ImproperlyConfigured("Set EMAIL_HOST (and its EMAIL_* settings) so that e-mail reaches people.")
    if DEBUG:
        raise ImproperlyConfigured("DEBUG must be off in production.")

# The public address, used in e-mails and calendar feeds that leave the site.
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "reflect.apps.ReflectConfig",
    "supervision.apps.SupervisionConfig",
    "scheduling.apps.SchedulingConfig",
    "equality.apps.EqualityConfig",
    "records.apps.RecordsConfig",
    "outcomes.apps.OutcomesConfig",
    "learning.apps.LearningConfig",
    "demo.apps.DemoConfig",
    "webhooks.apps.WebhooksConfig",
    "api.apps.ApiConfig",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.forms",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "reflect.middleware.ContentSecurityPolicyMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # After authentication: the one two-factor rule for every privileged view (docs/security.md).
    "reflect.middleware.TwoFactorMiddleware",
    # Numbers and dates out of range are a 400 page, not a server error (docs/security.md).
    "reflect.middleware.OutOfRangeMiddleware",
    # A wrong method (a GET to a POST-only address) is a designed page, still a 405.
    "reflect.middleware.MethodNotAllowedPageMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
                "reflect.context_processors.site",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
DATABASES = {
    "default": dj_database_url.config(
        default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(env("DB_CONN_MAX_AGE", "60")),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default must survive concurrent requests (docs/security.md, "Hostile input"):
    # WAL lets readers read while one writes; IMMEDIATE transactions take the write lock when
    # they begin, so a second writer waits up to the busy timeout instead of failing half-way;
    # a use case that still finds it locked runs again (reflect.locks.retry_when_sqlite_is_locked).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": 20,
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
else:
    # PostgreSQL. Added to what DATABASE_URL already sets (sslmode, its own options), never in
    # place of it.
    options = DATABASES["default"].setdefault("OPTIONS", {})
    if env_bool("DB_PREPARED_STATEMENTS", default=True):
        # PostgreSQL keeps the plan of a statement a connection has run twice, so a page's
        # queries are planned once per connection, not per request (docs/performance.md): psycopg
        # prepares only with parameters bound by the server. Off (DB_PREPARED_STATEMENTS=false)
        # behind a pooler in transaction mode that cannot keep prepared statements
        # (docs/deployment.md).
        options.update(server_side_binding=True, prepare_threshold=2)
    if not env_bool("DB_JIT", default=False):
        # PostgreSQL compiles a query whose estimated cost passes jit_above_cost to machine code.
        # The dashboard's national queries (docs/performance.md) spent 50 to 100 ms compiling for
        # work of 100 to 300 ms, every request; no query here runs long enough to win that back.
        # DB_JIT=true turns it back on.
        options["options"] = f"{options.get('options', '')} -c jit=off".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: Celery broker and cache --------------------------------------------------------
REDIS_URL = env("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "reflect.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            # A cache that is down must not take the site with it: fail fast.
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=not REDIS_URL)
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TIMEZONE = "UTC"
CELERY_ENABLE_UTC = True
# A request must never wait on a broker that is down (docs/deployment.md): publish once, briefly.
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1, "socket_timeout": 1}
CELERY_TASK_PUBLISH_RETRY = False
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BEAT_SCHEDULE: dict[str, dict] = {}

# --- Accounts (django-allauth) -------------------------------------------------------------
AUTH_USER_MODEL = "reflect.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_ADAPTER = "reflect.adapters.AccountAdapter"
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_SIGNUP_FORM_CLASS = "reflect.forms.SignupExtraForm"
# Our labels on allauth's forms, so their error messages read as ours (reflect/account_forms.py).
ACCOUNT_FORMS = {
    "login": "reflect.account_forms.SignInForm",
    "signup": "reflect.account_forms.SignUpForm",
}
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "Reflect: "
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "https" if PRODUCTION else "http"
ACCOUNT_PRESERVE_USERNAME_CASING = False
# Reverse proxies in front of the app (addresses or networks, comma-separated): sign-in rate
# limits take the client's address from X-Forwarded-For only when the connection comes from one
# of these, read from the right past them (reflect/client_ip.py, docs/deployment.md). Empty: the
# connection's own address, whatever the headers say.
TRUSTED_PROXIES = env_list("TRUSTED_PROXIES")
try:
    parse_networks(TRUSTED_PROXIES)
except ValueError as error:
    raise ImproperlyConfigured(f"TRUSTED_PROXIES: {error}") from None
# allauth keeps these counters in the cache: Redis when configured, so every process shares them.
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "change_email": "5/m/user",
}
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "Reflect"
# Demo accounts (…@demo.reflect.test) may skip two-factor set-up outside production, so a
# visitor can click through every role; the pages say so. Never in production.
MFA_EXEMPT_DEMO_ACCOUNTS = env_bool("REFLECT_DEMO_MFA_EXEMPT", default=not PRODUCTION) and not PRODUCTION
DEMO_EMAIL_DOMAIN = "demo.reflect.test"

# --- E-mail --------------------------------------------------------------------------------
EMAIL_HOST = env("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    EMAIL_PORT = int(env("EMAIL_PORT", "587"))
    EMAIL_HOST_USER = env("EMAIL_HOST_USER")
    EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD")
    EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=True)
    EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
    EMAIL_TIMEOUT = 10
else:
    EMAIL_BACKEND = env("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Reflect <no-reply@reflect.test>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL
# The organizer of an e-mailed calendar invitation when no person runs the session who can be
# written to (a group with no facilitator's address), and of a supervisor's own copy: a mailbox
# someone reads, since calendars send replies and questions there (docs/calendars.md, "E-mail").
CALENDAR_REPLY_EMAIL = env("CALENDAR_REPLY_EMAIL", "Reflect bookings <bookings@reflect.test>")
# Where to report a vulnerability, published at /.well-known/security.txt (RFC 9116;
# docs/security.md): a mailto: or https: address.
SECURITY_CONTACT = env("SECURITY_CONTACT", "mailto:security@reflect.test")
# Where people report an accessibility problem, named on /accessibility/ (an e-mail address).
ACCESSIBILITY_CONTACT = env("ACCESSIBILITY_CONTACT", "accessibility@reflect.test")

# --- Internationalisation and time ---------------------------------------------------------
LANGUAGE_CODE = "en-gb"
# Our own words for the packages' strings, read before theirs: allauth's titles and buttons in
# sentence case, as GOV.UK writes them (locale/en_GB/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

# --- Static files (GOV.UK Frontend is built into static/ by `make assets`) -----------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if PRODUCTION
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "/media/"

# --- Security ------------------------------------------------------------------------------
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = int(env("SECURE_HSTS_SECONDS", str(60 * 60 * 24 * 365)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# No inline script or style anywhere: the interface works without JavaScript, and what
# JavaScript there is comes from our own static files.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; "
    "base-uri 'self'; object-src 'none'"
)

# --- Reflect -------------------------------------------------------------------------------
INVITATION_VALID_DAYS = int(env("INVITATION_VALID_DAYS", "14"))

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", "INFO")},
    "loggers": {"django.db.backends": {"level": "INFO"}},
}
FORM_RENDERER = "reflect.form_rendering.GovukFormRenderer"

# --- Notifications: the outbox (reflect/services/notifications.py, docs/architecture.md) ----------
# Text messages and letters go through GOV.UK Notify; with no key, everything goes by e-mail.
NOTIFY_API_KEY = env("NOTIFY_API_KEY")
NOTIFY_SMS_TEMPLATE_ID = env("NOTIFY_SMS_TEMPLATE_ID")
NOTIFY_LETTER_TEMPLATE_ID = env("NOTIFY_LETTER_TEMPLATE_ID")
NOTIFY_BASE_URL = env("NOTIFY_BASE_URL", "https://api.notifications.service.gov.uk")
NOTIFY_TIMEOUT_SECONDS = float(env("NOTIFY_TIMEOUT_SECONDS", "10"))
NOTIFICATION_MAX_ATTEMPTS = int(env("NOTIFICATION_MAX_ATTEMPTS", "6"))
# A row left "sending" this long was claimed by a worker that died: the sweep sends it again.
NOTIFICATION_SENDING_TIMEOUT_SECONDS = int(env("NOTIFICATION_SENDING_TIMEOUT_SECONDS", "600"))
# A due row whose dispatch was published this long ago and is still pending lost its task.
NOTIFICATION_REDISPATCH_AFTER_SECONDS = int(env("NOTIFICATION_REDISPATCH_AFTER_SECONDS", "120"))
NOTIFICATION_SWEEP_SECONDS = float(env("NOTIFICATION_SWEEP_SECONDS", "60"))
# How many due rows one task claims and sends together, over one mail-server connection. Larger
# batches cost fewer statements and connections per message; a worker killed mid-batch may send
# the messages of its batch that the server had already accepted again (docs/notifications.md).
NOTIFICATION_BATCH_SIZE = int(env("NOTIFICATION_BATCH_SIZE", "50"))
CELERY_BEAT_SCHEDULE["reflect.sweep_due_notifications"] = {
    "task": "reflect.sweep_due_notifications",
    "schedule": NOTIFICATION_SWEEP_SECONDS,
}
CELERY_BEAT_SCHEDULE["reflect.queue_weekly_summaries"] = {
    "task": "reflect.queue_weekly_summaries",
    # Mondays 06:00 UTC (06:00 or 07:00 in London): beat schedules are in UTC.
    "schedule": crontab(minute=0, hour=6, day_of_week=1),
}
# Check-ins that fell due at an agreement's review date reach people by their own channel
# (supervision/services/check_ins.py): every morning, 07:00 UTC.
CELERY_BEAT_SCHEDULE["supervision.queue_check_in_reminders"] = {
    "task": "supervision.queue_check_in_reminders",
    "schedule": crontab(minute=0, hour=7),
}
# Outcome measures (outcomes/services/invitations.py): who is due to be asked, every morning,
# 07:15 UTC; a second run the same day queues nothing.
CELERY_BEAT_SCHEDULE["outcomes.queue_outcome_invitations"] = {
    "task": "outcomes.queue_outcome_invitations",
    "schedule": crontab(minute=15, hour=7),
}
# Measures whose licence asks the operator to register before use (docs/outcomes.md): their
# slugs, once this deployment has registered, comma-separated. Empty: only free measures.
OUTCOME_LICENCES_CONFIRMED = env_list("OUTCOME_LICENCES_CONFIRMED")

# --- Scheduling: busy-calendar import (scheduling/calendar_fetch.py) -----------------------
BUSY_CALENDAR_TIMEOUT_SECONDS = float(env("BUSY_CALENDAR_TIMEOUT_SECONDS", "10"))
BUSY_CALENDAR_MAX_BYTES = int(env("BUSY_CALENDAR_MAX_BYTES", str(2 * 1024 * 1024)))
BUSY_CALENDAR_REFRESH_MINUTES = int(env("BUSY_CALENDAR_REFRESH_MINUTES", "15"))
# Supervisors type the address in: never let them make the server fetch from our own network.
# Tests set this True to fetch from a local HTTP server.
BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS = env_bool("BUSY_CALENDAR_ALLOW_PRIVATE_HOSTS", default=False)
# A month heading below a body's minimum is flagged a week before it ends (docs/supervision-records.md).
CELERY_BEAT_SCHEDULE["records.queue_shortfall_flags"] = {
    "task": "records.queue_shortfall_flags",
    "schedule": crontab(minute=10, hour=8),
}
CELERY_BEAT_SCHEDULE["scheduling.refresh_busy_calendars"] = {
    "task": "scheduling.refresh_busy_calendars",
    "schedule": BUSY_CALENDAR_REFRESH_MINUTES * 60,
}

# --- Scheduling: connected (two-way) calendars (scheduling/services/calendar_sync.py) --------
# Supervisors' calendar app passwords are stored encrypted with this key (Fernet: 32 bytes,
# URL-safe base64; `python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"`).
# A comma-separated list rotates keys: the first encrypts, every one decrypts. Outside production
# it is derived from SECRET_KEY, so the demo needs nothing set.
CALENDAR_CREDENTIALS_KEY = env("CALENDAR_CREDENTIALS_KEY") or (
    ""
    if PRODUCTION
    else base64.urlsafe_b64encode(hashlib.sha256(f"calendar-credentials:{SECRET_KEY}".encode()).digest()).decode()
)
if PRODUCTION:
    try:
        for _key in CALENDAR_CREDENTIALS_KEY.split(","):
            Fernet(_key.strip())
    except ValueError as _error:
        raise ImproperlyConfigured(
            "Set CALENDAR_CREDENTIALS_KEY to a Fernet key (32 random bytes in URL-safe base64)."
        ) from _error
# Every connected calendar is synced this often (busy times read, sessions written, changes
# made outside Reflect noticed); a booking's change is also synced at once by a worker.
CALENDAR_SYNC_MINUTES = int(env("CALENDAR_SYNC_MINUTES", "15"))
# A sync that fails is tried again after 1, 2, 4, 8 and 16 minutes, then waits for the next round.
CALENDAR_SYNC_MAX_RETRIES = int(env("CALENDAR_SYNC_MAX_RETRIES", "5"))
# The most one sync may take, in all (the task's soft time limit; the hard one is 30 s later).
CALENDAR_SYNC_TIME_LIMIT_SECONDS = float(env("CALENDAR_SYNC_TIME_LIMIT_SECONDS", "120"))
CELERY_BEAT_SCHEDULE["scheduling.sync_connected_calendars"] = {
    "task": "scheduling.sync_connected_calendars",
    "schedule": CALENDAR_SYNC_MINUTES * 60,
}

# --- Reflective groups (scheduling/groups/capacity.py, waitlist.py) ----------------------
GROUP_OFFER_HOLD_HOURS = 24  # how long a freed place is held for the first person waiting
# The most sessions a group's pattern may make in a year (scheduling/groups/recurrence.py,
# docs/groups.md): with at most one a week it is 53; a lower figure allows fewer.
GROUP_MAX_SESSIONS_PER_YEAR = int(env("GROUP_MAX_SESSIONS_PER_YEAR", "60"))
CELERY_BEAT_SCHEDULE["scheduling.keep_group_sessions_a_year_ahead"] = {
    "task": "scheduling.keep_group_sessions_a_year_ahead",
    "schedule": crontab(minute=30, hour=3),
}
CELERY_BEAT_SCHEDULE["scheduling.sweep_group_waitlists"] = {
    "task": "scheduling.sweep_group_waitlists",
    "schedule": 300,
}

# --- Webhooks (webhooks/services.py, docs/webhooks.md) ----------------------------------------
# The most a look-up of a host name typed by a user may take (reflect/outgoing.py: webhook
# endpoints and calendars), at registration and at each delivery or fetch.
DNS_TIMEOUT_SECONDS = float(env("DNS_TIMEOUT_SECONDS", "5"))
# One POST, all in (connection, TLS, request, answer), and the most of an answer read.
WEBHOOK_TIMEOUT_SECONDS = float(env("WEBHOOK_TIMEOUT_SECONDS", "10"))
WEBHOOK_RESPONSE_MAX_BYTES = int(env("WEBHOOK_RESPONSE_MAX_BYTES", str(64 * 1024)))
# Retries: about 30 s × 2^(attempt-1), capped at 6 hours, each drawn between half and all of it;
# 18 attempts span more than a day even at the shortest draws (25 hours), so an endpoint that
# never answers is turned off (WEBHOOK_DISABLE_AFTER_HOURS) before a delivery runs out of tries.
WEBHOOK_RETRY_BASE_SECONDS = float(env("WEBHOOK_RETRY_BASE_SECONDS", "30"))
WEBHOOK_RETRY_MAX_SECONDS = float(env("WEBHOOK_RETRY_MAX_SECONDS", str(6 * 60 * 60)))
WEBHOOK_MAX_ATTEMPTS = int(env("WEBHOOK_MAX_ATTEMPTS", "18"))
WEBHOOK_DISABLE_AFTER_HOURS = int(env("WEBHOOK_DISABLE_AFTER_HOURS", "24"))
# After a rotation the old secret still signs deliveries (beside the new) this long.
WEBHOOK_SECRET_GRACE_HOURS = int(env("WEBHOOK_SECRET_GRACE_HOURS", "24"))
WEBHOOK_BATCH_SIZE = int(env("WEBHOOK_BATCH_SIZE", "20"))
# A row still "sending" this long after its claim belongs to a worker that died.
WEBHOOK_SENDING_TIMEOUT_SECONDS = int(env("WEBHOOK_SENDING_TIMEOUT_SECONDS", "300"))
# Tests only: plain http to this machine's loopback addresses, for a real local receiver.
WEBHOOK_ALLOW_LOOPBACK = env_bool("WEBHOOK_ALLOW_LOOPBACK", default=False)
if PRODUCTION and WEBHOOK_ALLOW_LOOPBACK:
    raise ImproperlyConfigured("WEBHOOK_ALLOW_LOOPBACK is for tests; it must not be set in production.")
CELERY_BEAT_SCHEDULE["webhooks.sweep"] = {"task": "webhooks.sweep", "schedule": 60}
# A delivered (or failed) delivery's body, which may name a lead's staff, is dropped after:
WEBHOOK_PAYLOAD_RETENTION_DAYS = int(env("WEBHOOK_PAYLOAD_RETENTION_DAYS", "30"))
CELERY_BEAT_SCHEDULE["webhooks.drop_old_payloads"] = {
    "task": "webhooks.drop_old_payloads",
    "schedule": crontab(minute=55, hour=2),
}

# --- Data protection: retention (reflect/data_protection/retention.py, issue 9) --------------
# Stated on the privacy page, rendered from these values so the page cannot drift.
# People who left all their organisations (and have not signed in since) are anonymised after:
RETENTION_LEFT_MONTHS = int(env("RETENTION_LEFT_MONTHS", "24"))
# Sent (or failed, or cancelled) messages keep only the fact of sending after:
NOTIFICATION_BODY_RETENTION_DAYS = int(env("NOTIFICATION_BODY_RETENTION_DAYS", "90"))
# Audit rows are deleted after six years: the UK limitation period for most claims, within
# which we may need to show who changed what.
AUDIT_RETENTION_MONTHS = int(env("AUDIT_RETENTION_MONTHS", "72"))
CELERY_BEAT_SCHEDULE["reflect.anonymise_people_who_left"] = {
    "task": "reflect.anonymise_people_who_left",
    "schedule": crontab(minute=15, hour=2),
}
CELERY_BEAT_SCHEDULE["reflect.drop_old_notification_bodies"] = {
    "task": "reflect.drop_old_notification_bodies",
    "schedule": crontab(minute=30, hour=2),
}
CELERY_BEAT_SCHEDULE["reflect.drop_old_audit_events"] = {
    "task": "reflect.drop_old_audit_events",
    "schedule": crontab(minute=45, hour=2),
}
CELERY_BEAT_SCHEDULE["reflect.forget_unanswered_invitations"] = {
    "task": "reflect.forget_unanswered_invitations",
    "schedule": crontab(minute=50, hour=2),
}


# --- The API (api/, docs/api.md) --------------------------------------------------------------
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "api.authentication.PersonalTokenAuthentication",
        "api.authentication.BrowserSessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["api.permissions.TokenScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.PerTokenThrottle"],
    # Per token (per person for a browser session), counted in the cache (Redis in production).
    # The questionnaire, which needs no account: per client address (api.throttling.PerAddressThrottle).
    "DEFAULT_THROTTLE_RATES": {
        "token": env("API_RATE_LIMIT", "120/min"),
        "address": env("API_ANONYMOUS_RATE_LIMIT", "30/min"),
    },
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Cursor",
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.problems.problem_exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reflect API",
    "DESCRIPTION": "Pooled clinical supervision and reflective groups. See docs/api.md.",
    "VERSION": "1",
    "OAS_VERSION": "3.1.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/v1/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Swagger UI and Redoc from our own static files (drf-spectacular-sidecar): no CDN.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
}
