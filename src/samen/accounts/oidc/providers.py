"""The identity providers of the partner organisations, read from configuration (data, not code).

Each entry of settings.SAMEN_OIDC_PROVIDERS (loaded from SAMEN_OIDC_PROVIDERS_FILE, see
samen.conf.oidc and docs/sign-in.md) names one organisation's provider: where it is (its issuer,
whose discovery document gives the endpoints), who Samen is to it (client id; the secret comes
from the environment variable the entry names), which claim must name the organisation, how the
claim with the person's roles maps to Samen's roles, the ceiling of roles it may grant, whether it
may create accounts, and which `acr`/`amr` values count as a second factor.
"""

from __future__ import annotations

import os
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Any

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from samen.organisations.models import Role

KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,62}$")
DISCOVERY_SECONDS = 3600


@dataclass(frozen=True)
class Provider:
    key: str
    organisation: str  # the organisation's name in Samen
    issuer: str
    client_id: str
    client_secret_env: str
    label: str = ""
    municipality: str = ""  # CBS code, where two organisations share a name
    scopes: str = "openid email profile"
    # The claim that names the organisation, and the values that mean this one; empty: no check.
    organisation_claim: str = ""
    organisation_values: tuple[str, ...] = ()
    roles_claim: str = "roles"
    role_map: dict[str, str] = field(default_factory=dict)  # claim value -> Samen role
    # The most the provider may grant: a mapped role outside it is dropped (and audited).
    allowed_roles: tuple[str, ...] = ()
    create_users: bool = False
    second_factor_acr: tuple[str, ...] = ()
    second_factor_amr: tuple[str, ...] = ()
    request_acr: str = ""  # sent as acr_values, asking the provider for a second factor

    @property
    def display_name(self) -> str:
        return self.label or self.organisation

    def client_secret(self) -> str:
        secret = os.environ.get(self.client_secret_env, "")
        if not secret:
            raise ImproperlyConfigured(
                f"identity provider {self.key}: {self.client_secret_env} is not set"
            )
        return secret


def _tuple(entry: dict, name: str) -> tuple[str, ...]:
    value = entry.get(name, [])
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ImproperlyConfigured(f"identity provider field {name}: a list of strings")
    return tuple(value)


def provider_parse(entry: dict[str, Any]) -> Provider:
    """One entry of the configuration, checked; a wrong entry stops the start, naming the field."""
    missing = [
        n
        for n in ("key", "organisation", "issuer", "client_id", "client_secret_env")
        if not entry.get(n)
    ]
    if missing:
        raise ImproperlyConfigured(f"identity provider entry lacks {', '.join(missing)}")
    key = str(entry["key"])
    if not KEY_PATTERN.match(key):
        raise ImproperlyConfigured(f"identity provider key {key!r}: lower-case letters, digits, -")
    roles = {r.value for r in Role}
    role_map = entry.get("role_map", {})
    if not isinstance(role_map, dict) or not role_map:
        raise ImproperlyConfigured(f"identity provider {key}: role_map maps claim values to roles")
    unknown = sorted({*role_map.values(), *_tuple(entry, "allowed_roles")} - roles)
    if unknown:
        raise ImproperlyConfigured(f"identity provider {key}: unknown roles {unknown}")
    second = entry.get("second_factor", {})
    issuer = str(entry["issuer"]).rstrip("/")
    if not issuer.startswith(("https://", "http://127.0.0.1", "http://localhost")):
        raise ImproperlyConfigured(f"identity provider {key}: issuer must use https")
    return Provider(
        key=key,
        organisation=str(entry["organisation"]),
        issuer=issuer,
        client_id=str(entry["client_id"]),
        client_secret_env=str(entry["client_secret_env"]),
        label=str(entry.get("label", "")),
        municipality=str(entry.get("municipality", "")),
        scopes=str(entry.get("scopes", "openid email profile")),
        organisation_claim=str(entry.get("organisation_claim", "")),
        organisation_values=_tuple(entry, "organisation_values"),
        roles_claim=str(entry.get("roles_claim", "roles")),
        role_map={str(k): str(v) for k, v in role_map.items()},
        allowed_roles=_tuple(entry, "allowed_roles") or tuple(sorted(set(role_map.values()))),
        create_users=bool(entry.get("create_users", False)),
        second_factor_acr=_tuple(second, "acr"),
        second_factor_amr=_tuple(second, "amr"),
        request_acr=str(entry.get("request_acr", "")),
    )


def providers_all() -> list[Provider]:
    parsed = [provider_parse(e) for e in settings.SAMEN_OIDC_PROVIDERS]
    keys = [p.key for p in parsed]
    if len(keys) != len(set(keys)):
        raise ImproperlyConfigured("identity provider keys must be unique")
    return parsed


def provider_get(key: str) -> Provider | None:
    return next((p for p in providers_all() if p.key == key), None)


_discovered: dict[str, tuple[float, dict]] = {}
_lock = threading.Lock()


def discovery(provider: Provider) -> dict:
    """The provider's discovery document (endpoints, keys' address), kept for an hour. Its
    issuer must be the configured one, or every token it signs would be taken for another's."""
    url = f"{provider.issuer}/.well-known/openid-configuration"
    with _lock:
        cached = _discovered.get(url)
        if cached and time.monotonic() - cached[0] < DISCOVERY_SECONDS:
            return cached[1]
    response = requests.get(url, timeout=settings.OIDC_TIMEOUT, verify=settings.OIDC_VERIFY_SSL)
    response.raise_for_status()
    document = response.json()
    if str(document.get("issuer", "")).rstrip("/") != provider.issuer:
        raise ImproperlyConfigured(f"identity provider {provider.key}: issuer does not match")
    with _lock:
        _discovered[url] = (time.monotonic(), document)
    return document


def end_session_endpoint(provider: Provider) -> str:
    """Where the provider ends its own session (RP-initiated logout), from its discovery
    document; empty when it names none, names one that is not https, or cannot be reached: the
    sign-out from Samen goes on either way."""
    try:
        endpoint = discovery(provider).get("end_session_endpoint", "")
    except (requests.RequestException, ValueError, ImproperlyConfigured):
        return ""
    if not isinstance(endpoint, str) or not endpoint.startswith(
        ("https://", "http://127.0.0.1", "http://localhost")
    ):
        return ""
    return endpoint
