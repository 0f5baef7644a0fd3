"""The provider configuration is data, checked at start; claims decide roles and second factor."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured

from samen.accounts.oidc.checks import identity_providers_check
from samen.accounts.oidc.claims import decide
from samen.accounts.oidc.providers import provider_parse

ENTRY = {
    "key": "politie",
    "organisation": "Politie",
    "issuer": "https://idp.politie.example",
    "client_id": "samen",
    "client_secret_env": "SAMEN_OIDC_POLITIE_SECRET",
    "roles_claim": "groups",
    "role_map": {"rechercheur": "investigator"},
    "second_factor": {"acr": ["urn:loa:substantial"], "amr": ["otp"]},
}


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"client_id": ""}, "client_id"),
        ({"role_map": {"x": "superuser"}}, "superuser"),
        ({"issuer": "http://idp.example"}, "https"),
        ({"key": "Politie Oost"}, "key"),
    ],
)
def test_a_wrong_entry_is_refused_naming_what_is_wrong(change, named):
    with pytest.raises(ImproperlyConfigured, match=named):
        provider_parse({**ENTRY, **change})


def test_the_start_is_refused_while_a_provider_has_no_secret(settings, monkeypatch):
    settings.SAMEN_OIDC_PROVIDERS = [ENTRY]
    monkeypatch.delenv("SAMEN_OIDC_POLITIE_SECRET", raising=False)
    assert [e.id for e in identity_providers_check()] == ["samen.E102"]
    monkeypatch.setenv("SAMEN_OIDC_POLITIE_SECRET", "s")
    assert identity_providers_check() == []


@pytest.mark.parametrize(
    ("claims", "second_factor"),
    [
        ({"acr": "urn:loa:substantial"}, True),
        ({"acr": "urn:loa:low"}, False),
        ({"amr": ["pwd", "otp"]}, True),
        ({"amr": "otp"}, True),
        ({"amr": ["pwd"]}, False),
        ({}, False),
    ],
)
def test_only_the_configured_acr_or_amr_counts_as_a_second_factor(claims, second_factor):
    decision = decide(provider_parse(ENTRY), {"groups": ["rechercheur"], **claims})
    assert decision.roles == ("investigator",) and decision.second_factor is second_factor
