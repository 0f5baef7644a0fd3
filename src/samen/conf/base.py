"""Every setting of Samen, with a safe default, read from the environment.

Environment variables (all optional for a local run):
  SAMEN_SECRET_KEY        Django secret key; a random one per process when unset (sessions then
                          do not survive a restart, which is safe).
  SAMEN_DEBUG             "1" to enable debug pages. Never in production.
  SAMEN_ALLOWED_HOSTS     comma-separated host names; default localhost only.
  DATABASE_URL            e.g. postgres://user:pass@127.0.0.1:5432/samen; default the embedded
                          SQLite file var/samen.sqlite3.
  SAMEN_FIELD_KEY         base64 of 32 bytes: AES-256-GCM key for identifying data at rest.
  SAMEN_PSEUDONYM_KEY     base64 of 32 bytes: HMAC key for pseudonymous match keys.
  SAMEN_AUDIT_KEY         base64 of 32 bytes: HMAC key of the audit trail's hash chain.
  SAMEN_AUDIT_ANCHOR_FILE append-only file of signed checkpoints of the audit chain's head
                          (default var/audit-anchor.log). In production: out of reach of the
                          database credentials, append-only (chattr +a, a WORM or log volume).
  SAMEN_AUDIT_ANCHOR_EVERY checkpoint after every n-th audit entry is committed (default 1: every
                          entry; see docs/adr on the audit anchor for the trade-off).
  SAMEN_AUDIT_ANCHOR_FSYNC "1" to fsync the checkpoint file after each line (default off).
  SAMEN_AUDIT_READS_DURABLE_EVERY on PostgreSQL the entries of reads commit without waiting for
                          the WAL flush, except every n-th, which is durable and checkpointed
                          (default 100; 1: every entry durable). ADR 0043.
  SAMEN_ONLINE_DATA_DIR   where Samen keeps scraped online data (uploaded ads, scan results);
                          default var/online. Retention deletes each entry in it a period after
                          it was last written (see sharing/data/retention.json, "online").
  SAMEN_ONLINE_SCAN_DIRS  directories (separated by ":") of ad files an analyst may pick to scan
                          at /online/ instead of uploading one; default ONLINE_DATA_DIR/inbox.
  SAMEN_ONLINE_UPLOAD_MB  the largest ad file an analyst may upload (default 500).
  SAMEN_ONLINE_SCAN_WORKERS engine worker processes for a scan run by the job queue (default 1).
  SAMEN_ONLINE_NOTICE_EMAIL the organisation's functional mailbox offered as the notifier's
                          address in notices to platforms (DSA art. 16); empty: typed each time.
  SAMEN_SQLITE_BUSY_SECONDS how long a request waits for SQLite's write lock (default 30).
  SAMEN_SIGNAL_ANSWER_SECONDS a recorded signal is answered no earlier than this after its
                          request began (default 0.5), so the answer's timing cannot tell
                          whether the person was known (ADR 0008).
  SAMEN_DB_MIGRATION_URL  PostgreSQL URL of the role that owns the tables; used only by
                          `samen migrate` and `samen audit grant`. DATABASE_URL is then the
                          application's role, which may not alter or empty the audit table.
  SAMEN_DB_PREPARED       1 (default): the API's hot statements (the case list, the token, the
                          throttle count) run as prepared statements on PostgreSQL, planned once
                          per connection (ADR 0057). 0 behind a pooler in transaction mode that
                          does not keep prepared statements (PgBouncer before 1.21, or without
                          max_prepared_statements).
  SAMEN_EMERGENCY_MINUTES how long emergency ("break the glass") access lasts (default 120).
  SAMEN_SHELTER_HOLD_HOURS  how long a shelter place is held for a referral (default 3).
  SAMEN_SHELTER_STALE_HOURS availability older than this shows as stale (default 24).
  SAMEN_SHELTER_PROFILE_MIN_COUNT  victim profiles asked about fewer times are pooled on the
                          shelter dashboards (default 5).
  SAMEN_SHELTER_HSDS_PUBLIC what the public HSDS directory shows per place type, as
                          type=level pairs separated by commas (levels: full, protected, hidden;
                          e.g. "protected_minors=hidden"); unset types keep the defaults in
                          samen.shelter.hsds.DEFAULT_PUBLIC (protected and minors' places never
                          with municipality or live counts).
  SAMEN_HTCDS_K           k of the case-level HTCDS export: smallest group of records alike in
                          every released column (default 10; below the floor of 10 in
                          samen.statistics.kanon.K_FLOOR no export leaves; a caller may ask
                          for more, never for less).
  SAMEN_STATISTICS_PERIODS the fixed periods the statistics release, as key=value pairs
                          separated by commas: years=N (the last N complete calendar years
                          together and each of them; default 5), provisional=1 (also the
                          running year, as a provisional release audited like any other;
                          default off). Quarters and half-years are refused at start-up
                          (samen.statistics.periods says why). Read as the setting of the
                          same name (a dict).
  SAMEN_KEY_FILE          file holding the two keys above (written by `samen init_local_keys`);
                          used only when the variables themselves are unset.
  SAMEN_LOGIN_FAILURE_LIMIT  failed logins before lockout (default 5).
  SAMEN_LOCKOUT_MINUTES   lockout duration (default 15).
  SAMEN_LOGIN_RATE_LIMIT  sign-in attempts per address per window (default 30 per 300 s).
  SAMEN_API_TOKEN_HOURS   how long an API token lives after issue (default 8, one working day;
                          at most 720). Tokens are hashed, revocable and bound to a membership.
  SAMEN_SECURE_COOKIES    "1" behind TLS: secure cookies and HSTS.
  SAMEN_ACCESSIBILITY_EMAIL  the operator's address for accessibility feedback, shown in the
                          accessibility statement (default: the demo's example.org address).
  SAMEN_OPERATOR_NAME     the organisation that runs Samen, named in that statement.
More in samen.conf.serving (proxy, cache, throttling, jobs, e-mail); production refuses to start
without its keys and hosts: samen.conf.production.
"""

import os
import secrets
import sys
from pathlib import Path

import dj_database_url

BASE_DIR = Path(__file__).resolve().parent.parent  # src/samen
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("SAMEN_VAR_DIR", PROJECT_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, "1" if default else "0").strip().lower() in {"1", "true", "yes"}


SECRET_KEY = os.environ.get("SAMEN_SECRET_KEY") or secrets.token_urlsafe(50)
DEBUG = env_bool("SAMEN_DEBUG")
ALLOWED_HOSTS = [
    h.strip()
    for h in os.environ.get("SAMEN_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1],testserver").split(
        ","
    )
    if h.strip()
]

INSTALLED_APPS = [
    "samen.web.admin_site.SamenAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "samen.accounts",
    "samen.organisations",
    "samen.core",
    "samen.sharing",
    "samen.cases",
    "samen.signalling",
    "samen.shelter",
    "samen.identification",
    "samen.online",
    "samen.statistics",
    "samen.programme",
    "samen.capacity",
    "samen.barriers",
    "samen.knowledge",
    "samen.review",
    "samen.chat",
    "samen.outreach",
    "samen.demo",
    "samen.web",
]

MIDDLEWARE = [
    "samen.observability.middleware.RequestObservabilityMiddleware",  # first: times all below
    "django.middleware.security.SecurityMiddleware",
    "samen.web.nul.RejectNulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "samen.accounts.middleware.LoginRateLimitMiddleware",
    "axes.middleware.AxesMiddleware",
    "samen.core.middleware.ActorMiddleware",
    "samen.accounts.middleware.SecondFactorMiddleware",
    "samen.web.middleware.PrivacyHeadersMiddleware",
]

ROOT_URLCONF = "samen.urls"
WSGI_APPLICATION = "samen.wsgi.application"
AUTH_USER_MODEL = "accounts.User"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "samen.web.context.actor",
            ],
            # The code-to-words filters (samen.labels) in every template.
            "builtins": ["samen.web.templatetags.samen_labels"],
        },
    }
]

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'samen.sqlite3'}",
        conn_max_age=int(os.environ.get("SAMEN_DB_CONN_MAX_AGE", "60")),
    )
}
if os.environ.get("SAMEN_DB_MIGRATION_URL"):
    # The owner of the tables, for `samen migrate --database owner` only (see sharing/dbroles.py);
    # in tests the same connection as default.
    DATABASES["owner"] = dj_database_url.parse(os.environ["SAMEN_DB_MIGRATION_URL"])
    DATABASES["owner"]["TEST"] = {"MIRROR": "default"}
if DATABASES["default"]["ENGINE"].endswith("sqlite3"):
    # WAL lets readers run beside the one writer. IMMEDIATE takes the write lock when a
    # transaction begins, so a writer waits its turn (up to the busy timeout) instead of failing
    # with "database is locked" when its read lock cannot be upgraded; every read writes an audit
    # entry, so nearly every request is a writer. See docs/adr (SQLite under load).
    DATABASES["default"]["OPTIONS"] = {
        "timeout": int(os.environ.get("SAMEN_SQLITE_BUSY_SECONDS", "30")),
        "transaction_mode": "IMMEDIATE",
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
    }
    DATABASES["default"]["CONN_MAX_AGE"] = 0
if sys.argv[1:2] == ["runserver"]:
    # The development server runs every request in a thread of its own and never closes that
    # thread's connection: a persistent one lives on (a DatabaseWrapper is a reference cycle)
    # until the garbage collector finds it. Ten users on PostgreSQL piled up to max_connections
    # and the next request got a 500. Django's docs: no persistent connections with runserver.
    for _database in DATABASES.values():
        _database["CONN_MAX_AGE"] = 0
# Prepared statements (samen.core.statements, ADR 0057). Django's own cursors bind on the client
# and never prepare, whatever the threshold; the threshold only lets the few statements that ask
# for it be prepared (psycopg turns preparing off altogether when it is None, Django's default).
DATABASE_PREPARED = env_bool("SAMEN_DB_PREPARED", default=True)
if DATABASE_PREPARED and DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"].setdefault("OPTIONS", {}).setdefault("prepare_threshold", 5)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "samen.accounts.validators.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
LOGOUT_REDIRECT_URL = "login"
SESSION_COOKIE_AGE = int(os.environ.get("SAMEN_SESSION_SECONDS", str(8 * 3600)))
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_SAVE_EVERY_REQUEST = True  # the session expires after SESSION_COOKIE_AGE of inactivity
OTP_TOTP_ISSUER = "Samen"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_SAMESITE = "Lax"
CSRF_FAILURE_VIEW = "samen.web.errors.csrf_failure"

AXES_FAILURE_LIMIT = int(os.environ.get("SAMEN_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = int(os.environ.get("SAMEN_LOCKOUT_MINUTES", "15")) / 60  # hours
AXES_LOCKOUT_PARAMETERS = ["username"]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "samen.accounts.lockout.lockout_response"
AXES_VERBOSE = False
LOGIN_RATE_LIMIT = int(os.environ.get("SAMEN_LOGIN_RATE_LIMIT", "30"))  # attempts per address
LOGIN_RATE_WINDOW_SECONDS = int(os.environ.get("SAMEN_LOGIN_RATE_WINDOW", "300"))
# Capped so a typo cannot make tokens practically eternal.
API_TOKEN_LIFETIME_HOURS = max(1, min(int(os.environ.get("SAMEN_API_TOKEN_HOURS", "8")), 720))
# Lockout is per account, as asked; per-address throttling of the login endpoint is added with
# the rate limiting of issue #3, so the warning that suggests it is silenced here on purpose.
SILENCED_SYSTEM_CHECKS = ["axes.W006"]

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
if env_bool("SAMEN_SECURE_COOKIES"):
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

LANGUAGE_CODE = "nl"
LANGUAGES = [("nl", "Nederlands"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Europe/Amsterdam"
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = os.environ.get("SAMEN_STATIC_ROOT") or None  # only for collectstatic in production
WHITENOISE_USE_FINDERS = True

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        "samen.accounts.tokens.ApiTokenAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "samen.api.pagination.Pagination",
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "samen.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Samen API",
    "DESCRIPTION": "API of Samen, the platform of the Dutch chain against human trafficking. "
    "Every response about case data is filtered by the caller's organisation, role and purpose.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # Several models have a "status" field with its own choices; name each set after its concept
    # so clients get stable, meaningful enum names instead of hash suffixes.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "samen.cases.models.CaseStatus",
        "ActionStatusEnum": "samen.programme.models.ActionStatus",
        "ItemStatusEnum": "samen.programme.models.ItemStatus",
        "LetterStatusEnum": "samen.programme.models.LetterStatus",
        "RecommendationStatusEnum": "samen.programme.models.RecommendationStatus",
        "CommissionOutcomeEnum": "samen.identification.models.CommissionOutcome",
        "OrganisationTypeEnum": "samen.organisations.models.OrganisationType",
        "MembershipRoleEnum": "samen.organisations.models.Role",
    },
}

# Keys for identifying data. See samen.cases.crypto.
FIELD_KEY = os.environ.get("SAMEN_FIELD_KEY", "")
# Key rotation (docs/operations.md): the current key's id, and earlier keys as "id=base64,...".
FIELD_KEY_ID = int(os.environ.get("SAMEN_FIELD_KEY_ID", "1"))
FIELD_KEYS_RETIRED = os.environ.get("SAMEN_FIELD_KEYS_RETIRED", "")
PSEUDONYM_KEY = os.environ.get("SAMEN_PSEUDONYM_KEY", "")
AUDIT_KEY = os.environ.get("SAMEN_AUDIT_KEY", "")
AUDIT_ANCHOR_FILE = Path(os.environ.get("SAMEN_AUDIT_ANCHOR_FILE", VAR_DIR / "audit-anchor.log"))
AUDIT_ANCHOR_EVERY = int(os.environ.get("SAMEN_AUDIT_ANCHOR_EVERY", "1"))
AUDIT_ANCHOR_FSYNC = env_bool("SAMEN_AUDIT_ANCHOR_FSYNC")
AUDIT_READS_DURABLE_EVERY = int(os.environ.get("SAMEN_AUDIT_READS_DURABLE_EVERY", "100"))
ONLINE_DATA_DIR = Path(os.environ.get("SAMEN_ONLINE_DATA_DIR", VAR_DIR / "online"))
ONLINE_SCAN_DIRS = [
    Path(p)
    for p in os.environ.get("SAMEN_ONLINE_SCAN_DIRS", str(ONLINE_DATA_DIR / "inbox")).split(":")
    if p
]
ONLINE_UPLOAD_MAX_BYTES = int(os.environ.get("SAMEN_ONLINE_UPLOAD_MB", "500")) * 1024 * 1024
ONLINE_SCAN_WORKERS = int(os.environ.get("SAMEN_ONLINE_SCAN_WORKERS", "1"))
ONLINE_NOTICE_EMAIL = os.environ.get("SAMEN_ONLINE_NOTICE_EMAIL", "")
SIGNAL_ANSWER_SECONDS = float(os.environ.get("SAMEN_SIGNAL_ANSWER_SECONDS", "0.5"))
EMERGENCY_ACCESS_MINUTES = int(os.environ.get("SAMEN_EMERGENCY_MINUTES", "120"))
SHELTER_HOLD_HOURS = float(os.environ.get("SAMEN_SHELTER_HOLD_HOURS", "3"))
# Who answers accessibility feedback (the statement must name a contact, #16); example.org in the
# demo, so no real mailbox is ever suggested by default.
ACCESSIBILITY_CONTACT_EMAIL = os.environ.get(
    "SAMEN_ACCESSIBILITY_EMAIL", "toegankelijkheid@samen.example.org"
)
OPERATOR_NAME = os.environ.get("SAMEN_OPERATOR_NAME", "Samen (demo)")
SHELTER_STALE_HOURS = float(os.environ.get("SAMEN_SHELTER_STALE_HOURS", "24"))
SHELTER_PROFILE_MIN_COUNT = int(os.environ.get("SAMEN_SHELTER_PROFILE_MIN_COUNT", "5"))
SHELTER_HSDS_PUBLIC: dict[str, str] = dict(
    pair.strip().split("=", 1)
    for pair in os.environ.get("SAMEN_SHELTER_HSDS_PUBLIC", "").split(",")
    if "=" in pair
)
HTCDS_K = int(os.environ.get("SAMEN_HTCDS_K", "10"))
SAMEN_STATISTICS_PERIODS = {
    key.strip(): value.strip()
    for key, _, value in (
        pair.partition("=") for pair in os.environ.get("SAMEN_STATISTICS_PERIODS", "").split(",")
    )
    if key.strip()
}
KEY_FILE = Path(os.environ.get("SAMEN_KEY_FILE", VAR_DIR / "local-keys.env"))

# Issue #17, each in its own module: structured JSON logs without personal data and metrics
# (observability), sign-in through identity providers (oidc), and serving many processes
# (serving: job queue, client address, API throttling, shared cache, e-mail through jobs).
from samen.conf import serving  # noqa: E402
from samen.conf.observability import *  # noqa: E402, F403
from samen.conf.observability import LOGGING  # noqa: E402
from samen.conf.oidc import *  # noqa: E402, F403

INSTALLED_APPS += serving.job_apps(DATABASES["default"]["ENGINE"])
MIDDLEWARE.insert(0, "samen.web.proxy.ClientAddressMiddleware")
TRUSTED_PROXIES = serving.trusted_proxies()
CACHES = serving.caches()
REST_FRAMEWORK.update(serving.REST_FRAMEWORK_THROTTLING)
API_THROTTLE = serving.api_throttle()
JOBS_QUEUED = serving.jobs_queued(DATABASES["default"]["ENGINE"])
LOGGING["loggers"].update(serving.QUIET_LOGGERS)
EMAIL_BACKEND = "samen.jobs.mail.JobEmailBackend"
EMAIL_BACKEND_FINAL = serving.EMAIL_BACKEND_FINAL
EMAIL_HOST = serving.EMAIL_SETTINGS["EMAIL_HOST"]
EMAIL_PORT = serving.EMAIL_SETTINGS["EMAIL_PORT"]
EMAIL_HOST_USER = serving.EMAIL_SETTINGS["EMAIL_HOST_USER"]
EMAIL_HOST_PASSWORD = serving.EMAIL_SETTINGS["EMAIL_HOST_PASSWORD"]
EMAIL_USE_TLS = serving.EMAIL_SETTINGS["EMAIL_USE_TLS"]
DEFAULT_FROM_EMAIL = serving.EMAIL_SETTINGS["DEFAULT_FROM_EMAIL"]
EMAIL_FILE_PATH = serving.EMAIL_SETTINGS["EMAIL_FILE_PATH"]
