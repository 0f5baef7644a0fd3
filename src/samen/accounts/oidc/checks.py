"""`samen check` (and every start) refuses a provider configuration that does not parse, naming
the entry and field, instead of failing at the first sign-in."""

from __future__ import annotations

import os

from django.core.checks import Error, register
from django.core.exceptions import ImproperlyConfigured

from samen.accounts.oidc.providers import providers_all


@register()
def identity_providers_check(app_configs: object = None, **kwargs: object) -> list[Error]:
    try:
        providers = providers_all()
    except ImproperlyConfigured as exc:
        return [Error(str(exc), id="samen.E101")]
    return [
        Error(f"identity provider {p.key}: {p.client_secret_env} is not set", id="samen.E102")
        for p in providers
        if not os.environ.get(p.client_secret_env)
    ]
