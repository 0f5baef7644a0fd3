"""Settings for serving many processes (issue #17): job queue, client address behind a proxy, API
throttling, shared cache. Read by samen.conf.base; kept apart so the main settings file stays small.

Environment variables (all optional for a local run):
  SAMEN_TRUSTED_PROXIES   how many reverse proxies in front of Samen append to X-Forwarded-For
                          (default 0: the header is ignored and the socket address is the client).
  SAMEN_CACHE             "database" for the shared database cache (table samen_cache, created by
                          `samen createcachetable`); default the per-process memory cache, right
                          only for a single process (make run, tests).
  SAMEN_API_RATE_USER     API calls per signed-in user (default 600/minute).
  SAMEN_API_RATE_ADDRESS  API calls per client address without a user (default 120/minute).
  SAMEN_API_THROTTLE      "database" to count API calls in one shared table, one statement per
                          call; "cache" for DRF's history in Django's cache. Default: database
                          when SAMEN_CACHE=database, else cache (ADR 0043).
  SAMEN_JOBS              "queue" to run e-mail and periodic jobs through the PostgreSQL job queue
                          (Procrastinate, `samen worker`); "inline" to send e-mail in the request.
                          Default: queue on PostgreSQL, inline on SQLite.
  SAMEN_EMAIL_BACKEND     the backend the job (or inline sending) finally uses (default SMTP,
                          set with SAMEN_EMAIL_HOST, _PORT, _USER, _PASSWORD, _TLS, _FROM).
"""

from __future__ import annotations

import os
from typing import Any


def trusted_proxies() -> int:
    return max(0, int(os.environ.get("SAMEN_TRUSTED_PROXIES", "0")))


def caches() -> dict[str, Any]:
    if os.environ.get("SAMEN_CACHE", "").strip() == "database":
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.db.DatabaseCache",
                "LOCATION": "samen_cache",
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


def api_throttle() -> str:
    mode = os.environ.get("SAMEN_API_THROTTLE", "").strip()
    if mode in {"database", "cache"}:
        return mode
    return "database" if os.environ.get("SAMEN_CACHE", "").strip() == "database" else "cache"


def jobs_queued(database_engine: str) -> bool:
    """The queue needs PostgreSQL (LISTEN/NOTIFY, row locks); SQLite sends in-line as before."""
    mode = os.environ.get("SAMEN_JOBS", "").strip()
    if mode in {"queue", "inline"}:
        return mode == "queue" and "postgresql" in database_engine
    return "postgresql" in database_engine


def job_apps(database_engine: str) -> list[str]:
    apps = ["samen.jobs"]
    if "postgresql" in database_engine:
        # Its tables come from its own SQL migrations, which are PostgreSQL only.
        apps.insert(0, "procrastinate.contrib.django")
    return apps


# The socket address is rewritten from X-Forwarded-For (samen.web.proxy) before anything reads it,
# so DRF must not read the header itself: NUM_PROXIES 0 makes its throttles use REMOTE_ADDR.
REST_FRAMEWORK_THROTTLING: dict[str, Any] = {
    "NUM_PROXIES": 0,
    "DEFAULT_THROTTLE_CLASSES": [
        "samen.api.throttling.UserRateThrottle",
        "samen.api.throttling.AddressRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": os.environ.get("SAMEN_API_RATE_USER", "600/minute"),
        "address": os.environ.get("SAMEN_API_RATE_ADDRESS", "120/minute"),
    },
}

EMAIL_BACKEND_FINAL = os.environ.get(
    "SAMEN_EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend"
)
EMAIL_SETTINGS: dict[str, Any] = {
    "EMAIL_HOST": os.environ.get("SAMEN_EMAIL_HOST", "localhost"),
    "EMAIL_PORT": int(os.environ.get("SAMEN_EMAIL_PORT", "25")),
    "EMAIL_HOST_USER": os.environ.get("SAMEN_EMAIL_USER", ""),
    "EMAIL_HOST_PASSWORD": os.environ.get("SAMEN_EMAIL_PASSWORD", ""),
    "EMAIL_USE_TLS": os.environ.get("SAMEN_EMAIL_TLS", "0") in {"1", "true", "yes"},
    "DEFAULT_FROM_EMAIL": os.environ.get("SAMEN_EMAIL_FROM", "samen@localhost"),
    "EMAIL_FILE_PATH": os.environ.get("SAMEN_EMAIL_FILE_PATH", ""),
}

# Procrastinate announces every task it registers on every start of every command.
QUIET_LOGGERS = {
    "procrastinate.blueprints": {"level": "WARNING"},
    "procrastinate.periodic": {"level": "WARNING"},
}
