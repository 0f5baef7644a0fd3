"""Production settings: base plus what a shared, public deployment demands.

Use with DJANGO_SETTINGS_MODULE=samen.conf.production (the Dockerfile sets it). The process
refuses to start, naming every missing item, unless it has: SAMEN_SECRET_KEY, the three keys
(SAMEN_FIELD_KEY, SAMEN_PSEUDONYM_KEY, SAMEN_AUDIT_KEY, in the environment: no key file),
SAMEN_ALLOWED_HOSTS and a PostgreSQL DATABASE_URL. DEBUG is always off. Behind TLS (always, at
the proxy): secure cookies, HSTS, redirect to https except for the health checks. The cache is
the database's, shared by all workers (rate limits). Static files come from STATIC_ROOT, built by
`samen collectstatic` and served compressed with hashed names by WhiteNoise.

Other variables: SAMEN_STATIC_ROOT (default var/static), SAMEN_SSL_REDIRECT ("0" when the proxy
redirects itself), SAMEN_CSRF_TRUSTED_ORIGINS (comma-separated https://host origins).
"""

import os

from django.core.exceptions import ImproperlyConfigured

os.environ.setdefault("SAMEN_CACHE", "database")
os.environ.setdefault("SAMEN_SECURE_COOKIES", "1")

from samen.conf.base import *  # noqa: F403
from samen.conf.base import DATABASES, VAR_DIR, env_bool
from samen.conf.safety import missing_production_settings

_missing = missing_production_settings(os.environ, DATABASES["default"]["ENGINE"])
if _missing:
    raise ImproperlyConfigured(
        "Samen will not start in production without: " + "; ".join(_missing) + ". "
        "See docs/operations.md."
    )

DEBUG = False
STATIC_ROOT = os.environ.get("SAMEN_STATIC_ROOT") or str(VAR_DIR / "static")
WHITENOISE_USE_FINDERS = False
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
}
SECURE_SSL_REDIRECT = env_bool("SAMEN_SSL_REDIRECT", True)
# Health checks come from the orchestrator over plain http inside the network.
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
# Preloading binds the whole domain to https for years: a decision for the domain's owner, not
# for the application, so its deployment warning is silenced on purpose.
SECURE_HSTS_PRELOAD = env_bool("SAMEN_HSTS_PRELOAD")
SILENCED_SYSTEM_CHECKS = [*SILENCED_SYSTEM_CHECKS, "security.W021"]  # noqa: F405
CSRF_TRUSTED_ORIGINS = [
    o.strip() for o in os.environ.get("SAMEN_CSRF_TRUSTED_ORIGINS", "").split(",") if o.strip()
]
