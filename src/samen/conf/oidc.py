"""Sign-in through the partners' identity providers (OpenID Connect); off unless configured.

Environment variables:
  SAMEN_OIDC_PROVIDERS_FILE  a JSON file listing the identity providers, one per organisation
                          (docs/sign-in.md describes its fields). Unset: no provider, only local
                          accounts, and the login page looks as before.
  SAMEN_OIDC_<KEY>_SECRET  the client secret of each provider, named in its entry
                          ("client_secret_env"); never in the file, never in the database.
  SAMEN_OIDC_TIMEOUT      seconds to wait for a provider's discovery, token and key endpoints
                          (default 10).
  SAMEN_OIDC_VERIFY_TLS   "0" only for a provider on loopback in tests (default on).
"""

import json
import os
from pathlib import Path

_providers_file = os.environ.get("SAMEN_OIDC_PROVIDERS_FILE", "")
# A list of provider entries (dicts), parsed and checked by samen.accounts.oidc.providers.
SAMEN_OIDC_PROVIDERS: list[dict] = (
    json.loads(Path(_providers_file).read_text(encoding="utf-8"))["providers"]
    if _providers_file
    else []
)
OIDC_TIMEOUT = float(os.environ.get("SAMEN_OIDC_TIMEOUT", "10"))
OIDC_VERIFY_SSL = os.environ.get("SAMEN_OIDC_VERIFY_TLS", "1").strip().lower() not in {"0", "no"}
# mozilla-django-oidc's own settings, for the parts of it Samen uses (the request and callback
# views, the backend's token and key handling); the per-provider values come from the entries
# (samen.accounts.oidc binds them per provider, so no single-provider OIDC_OP_* settings).
OIDC_AUTHENTICATION_CALLBACK_URL = "oidc-callback"
OIDC_USE_NONCE = True
OIDC_USE_PKCE = True
OIDC_STORE_ID_TOKEN = False
OIDC_STORE_ACCESS_TOKEN = False
