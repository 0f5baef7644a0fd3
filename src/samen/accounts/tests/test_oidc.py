"""Sign-in through a partner's identity provider, against a live provider (conftest.py)."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests

from samen.accounts.models import ExternalIdentity, User
from samen.accounts.oidc import providers
from samen.accounts.tests.conftest import CLIENT_ID, CLIENT_SECRET
from samen.core.actor import SESSION_KEY
from samen.core.models import AuditEntry
from samen.organisations.models import Membership, Municipality, Organisation

ORGANISATION = "Politie Eenheid Proef"
SECRET_ENV = "SAMEN_OIDC_POLITIE_SECRET"


@pytest.fixture
def police(db):
    return Organisation.objects.create(
        name=ORGANISATION, type="police", municipality=Municipality.objects.order_by("code")[0]
    )


@pytest.fixture
def configure(settings, monkeypatch, identity_provider, police):
    """Samen's configuration of the provider; each test may change an entry's fields."""
    monkeypatch.setenv(SECRET_ENV, CLIENT_SECRET)

    def apply(**changes: object) -> None:
        entry = {
            "key": "politie",
            "organisation": ORGANISATION,
            "issuer": identity_provider.issuer,
            "client_id": CLIENT_ID,
            "client_secret_env": SECRET_ENV,
            "organisation_claim": "organisation",
            "organisation_values": ["politie-proef"],
            "roles_claim": "groups",
            "role_map": {"rechercheur": "investigator", "beheerder": "functional_admin"},
            "allowed_roles": ["investigator"],
            "create_users": True,
            "second_factor": {"acr": ["urn:proef:loa:substantial"], "amr": ["otp", "hwk"]},
        }
        entry.update(changes)
        settings.SAMEN_OIDC_PROVIDERS = [entry]

    apply()
    return apply


def person(**claims: object) -> dict:
    base = {
        "organisation": "politie-proef",
        "groups": ["rechercheur"],
        "amr": ["pwd", "otp"],
        "given_name": "Ada",
        "family_name": "Proef",
    }
    base.update(claims)
    return {"ada": {"password": "secret-ada", "sub": "ada-123", "claims": base}}


def sign_in(client, identity_provider, browser: requests.Session | None = None) -> object:
    start = client.get("/account/oidc/politie/?next=/zaken/")
    assert start.status_code == 302
    back = identity_provider.authorize(start["Location"], "ada", "secret-ada", browser)
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")


def sign_ins(result: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="oidc.sign_in", result=result).order_by("seq"))


def test_sign_in_through_the_provider_maps_its_claims_to_a_membership(
    client, identity_provider, configure, police
):
    identity_provider.directory(person())
    response = sign_in(client, identity_provider)
    assert response.status_code == 302 and response["Location"] == "/zaken/"
    user = ExternalIdentity.objects.get(provider="politie", subject="ada-123").user
    assert (user.first_name, user.last_name) == ("Ada", "Proef")
    assert not user.has_usable_password()
    membership = Membership.objects.get(user=user, is_active=True)
    assert (membership.organisation, membership.role) == (police, "investigator")
    assert client.session[SESSION_KEY] == membership.pk
    # An investigator sees identity, so needs a second factor: the provider's amr gave it.
    assert client.get("/zaken/").status_code == 200
    [entry] = sign_ins("ok")
    assert entry.actor_id == user.pk and entry.organisation_id == police.pk
    assert entry.detail == {"roles": ["investigator"], "dropped_roles": [], "second_factor": True}
    # The user name and the audit entry hold no name the provider sent.
    assert "Ada" not in user.username and "Ada" not in str(entry.detail)


def test_without_a_second_factor_from_the_provider_samen_asks_its_own(
    client, identity_provider, configure
):
    identity_provider.directory(person(amr=["pwd"], acr="urn:proef:loa:low"))
    assert sign_in(client, identity_provider).status_code == 302
    response = client.get("/zaken/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/"
    assert sign_ins("ok")[0].detail["second_factor"] is False


def test_an_acr_the_provider_configuration_names_counts_as_the_second_factor(
    client, identity_provider, configure
):
    identity_provider.directory(person(amr=["pwd"], acr="urn:proef:loa:substantial"))
    sign_in(client, identity_provider)
    assert client.get("/zaken/").status_code == 200


def test_a_person_of_another_organisation_is_refused_and_the_refusal_audited(
    client, identity_provider, configure
):
    identity_provider.directory(person(organisation="politie-elders"))
    response = sign_in(client, identity_provider)
    assert response.status_code == 302 and response["Location"] == "/account/login/"
    assert not ExternalIdentity.objects.exists()
    assert "_auth_user_id" not in client.session
    [refusal] = sign_ins("denied")
    assert refusal.detail == {"reason": "organisation"} and refusal.object_id == "politie"
    assert "politie-elders" not in str(refusal.detail)


def test_a_new_user_gets_no_role_above_the_configured_ceiling(client, identity_provider, configure):
    identity_provider.directory(person(groups=["rechercheur", "beheerder"]))
    sign_in(client, identity_provider)
    user = ExternalIdentity.objects.get().user
    assert list(user.memberships.values_list("role", flat=True)) == ["investigator"]
    assert sign_ins("ok")[0].detail["dropped_roles"] == ["functional_admin"]


def test_only_a_role_above_the_ceiling_refuses_the_sign_in(client, identity_provider, configure):
    identity_provider.directory(person(groups=["beheerder"]))
    admins = set(User.objects.filter(memberships__role="functional_admin"))  # the demo's own
    sign_in(client, identity_provider)
    assert set(User.objects.filter(memberships__role="functional_admin")) == admins
    assert not ExternalIdentity.objects.exists()
    assert sign_ins("denied")[0].detail == {"reason": "no_role"}


def test_an_unknown_person_is_not_created_where_the_provider_may_not_create_accounts(
    client, identity_provider, configure
):
    configure(create_users=False)
    identity_provider.directory(person())
    memberships = Membership.objects.count()  # the demo world's, if the session built it
    response = sign_in(client, identity_provider)
    assert response["Location"] == "/account/login/"
    assert not ExternalIdentity.objects.exists() and Membership.objects.count() == memberships
    assert sign_ins("denied")[0].detail == {"reason": "unknown_user"}


def test_roles_follow_the_claims_at_every_sign_in(client, identity_provider, configure):
    identity_provider.directory(person())
    sign_in(client, identity_provider)
    configure(allowed_roles=["investigator", "functional_admin"])
    identity_provider.directory(person(groups=["beheerder"]))
    client.logout()
    sign_in(client, identity_provider)
    user = ExternalIdentity.objects.get().user
    roles = dict(user.memberships.values_list("role", "is_active"))
    assert roles == {"investigator": False, "functional_admin": True}


def test_a_callback_used_twice_is_refused(client, identity_provider, configure):
    identity_provider.directory(person())
    start = client.get("/account/oidc/politie/")
    back = urlsplit(identity_provider.authorize(start["Location"], "ada", "secret-ada"))
    assert client.get(f"{back.path}?{back.query}")["Location"] == "/"
    client.logout()
    assert client.get(f"{back.path}?{back.query}")["Location"] == "/account/login/"
    assert sign_ins("denied")[0].detail == {"reason": "state"}


def test_the_login_page_offers_each_configured_provider_in_dutch(client, configure):
    page = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "Inloggen via Politie Eenheid Proef" in page
    assert 'href="/account/oidc/politie/' in page


def test_without_providers_the_login_page_offers_local_accounts_only(client, db):
    page = client.get("/account/login/").content.decode()
    assert "/account/oidc/" not in page and 'name="password"' in page


def provider_asks_for_login(client, identity_provider, browser: requests.Session) -> bool:
    start = client.get("/account/oidc/politie/")
    return identity_provider.asks_for_login(start["Location"], browser)


def sign_outs() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action="account.sign_out").order_by("seq"))


def test_signing_out_of_samen_ends_the_session_at_the_provider_too(
    client, identity_provider, configure
):
    identity_provider.directory(person())
    browser = requests.Session()  # the person's browser: it keeps its session at the provider
    sign_in(client, identity_provider, browser)
    id_token = client.session["samen_oidc_id_token"]
    assert not provider_asks_for_login(client, identity_provider, browser)  # still signed in there
    response = client.post("/account/logout/")
    assert "_auth_user_id" not in client.session and "samen_oidc_id_token" not in client.session
    end_session, _, query = response["Location"].partition("?")
    assert end_session == f"{identity_provider.issuer}/end-session"
    back = browser.get(response["Location"], allow_redirects=False, timeout=10)
    assert back.headers["Location"] == "http://testserver/account/login/"
    assert provider_asks_for_login(client, identity_provider, browser)
    [entry] = sign_outs()
    assert entry.object_id == "politie" and entry.detail == {"ended": "provider"}
    assert entry.actor_id == ExternalIdentity.objects.get().user_id
    assert id_token not in str(entry.detail) and id_token in query


def test_without_an_end_session_endpoint_only_samen_signs_out_and_says_so(
    client, identity_provider, configure, monkeypatch
):
    identity_provider.directory(person())
    browser = requests.Session()
    sign_in(client, identity_provider, browser)
    # This provider's discovery document, as one that offers no end-session endpoint.
    url = f"{identity_provider.issuer}/.well-known/openid-configuration"
    fetched_at, document = providers._discovered[url]
    document = {k: v for k, v in document.items() if k != "end_session_endpoint"}
    monkeypatch.setitem(providers._discovered, url, (fetched_at, document))
    response = client.post("/account/logout/", HTTP_ACCEPT_LANGUAGE="nl")
    assert response["Location"] == "/account/login/" and "_auth_user_id" not in client.session
    page = client.get("/account/login/", HTTP_ACCEPT_LANGUAGE="nl").content.decode()
    assert "U bent uitgelogd bij Samen" in page and "Politie Eenheid Proef" in page
    assert not provider_asks_for_login(client, identity_provider, browser)
    assert sign_outs()[0].detail == {"ended": "provider_kept"}


def test_a_local_account_signs_out_as_before_and_the_sign_out_is_audited(client, police):
    user = User.objects.create_user(username="lokaal")
    Membership.objects.create(user=user, organisation=police, role="investigator")
    client.force_login(user)
    response = client.post("/account/logout/")
    assert response.status_code == 302 and response["Location"] == "/account/login/"
    assert "_auth_user_id" not in client.session
    [entry] = sign_outs()
    assert (entry.actor_id, entry.object_id, entry.detail) == (user.pk, "", {"ended": "local"})
