"""Settings of the test identity provider (not of Samen)."""

import os
from pathlib import Path

STATE_DIR = Path(os.environ["TEST_IDP_STATE_DIR"])
SECRET_KEY = "test-identity-provider-only"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oidc_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "samen.accounts.tests.oidc_provider.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [Path(__file__).parent / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {
    "default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": STATE_DIR / "idp.sqlite3",
        # A throwaway database: no fsync, so it starts in about a second.
        "OPTIONS": {"init_command": "PRAGMA synchronous=OFF; PRAGMA journal_mode=MEMORY;"},
    }
}
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"
AUTHENTICATION_BACKENDS = ["samen.accounts.tests.oidc_provider.hooks.DirectoryBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
LOGIN_URL = "/login/"
SITE_URL = os.environ["TEST_IDP_SITE_URL"]
OIDC_USERINFO = "samen.accounts.tests.oidc_provider.hooks.userinfo"
OIDC_IDTOKEN_PROCESSING_HOOK = "samen.accounts.tests.oidc_provider.hooks.id_token_claims"
OIDC_IDTOKEN_SUB_GENERATOR = "samen.accounts.tests.oidc_provider.hooks.subject"
LOGGING = {"version": 1, "disable_existing_loggers": True}
