"""API tokens, tried from the outside: each goes through the issuing endpoint like a client."""

from binascii import unhexlify
from datetime import timedelta
from unittest import mock

from django.apps import apps
from django.db import models
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from samen.accounts.models import User
from samen.demo.builder import DEMO_PASSWORD, demo_totp_key
from samen.organisations.models import Membership, Organisation, Role

REFUSED = (401, 403)  # DRF answers 403 when the first authenticator (session) has no challenge


def issue(username: str, **extra: object) -> str:
    body = {"username": username, "password": DEMO_PASSWORD, **extra}
    if "otp" not in extra and TOTPDevice.objects.filter(user__username=username).exists():
        body["otp"] = f"{TOTP(unhexlify(demo_totp_key(username))).token():06d}"
    response = APIClient().post("/api/v1/auth/token/", body, format="json")
    assert response.status_code in (200, 201), response.json()
    return response.json()["token"]


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def works(token: str) -> bool:
    return client_with(token).get("/api/v1/me/").status_code == 200


def test_a_token_is_issued_for_one_membership_and_expires(world):
    membership = Membership.objects.get(user__username="demo-professional")
    response = APIClient().post(
        "/api/v1/auth/token/",
        {"username": "demo-professional", "password": DEMO_PASSWORD},
        format="json",
    )
    assert response.status_code == 201
    body = response.json()
    assert body["membership"] == membership.pk and body["expires_at"]
    token = body["token"]
    assert token.startswith(body["id"] + ".") and works(token)
    # The identifier alone, or with a wrong secret, is no token.
    for wrong in (body["id"], body["id"] + ".", body["id"] + ".x" + token[-20:], "", "Token"):
        assert client_with(wrong).get("/api/v1/me/").status_code in REFUSED, wrong


def test_a_token_is_refused_after_the_membership_role_changes(world):
    token = issue("demo-professional")
    Membership.objects.filter(user__username="demo-professional").update(role=Role.CARE_COORDINATOR)
    response = client_with(token).get("/api/v1/me/")
    assert response.status_code in REFUSED
    assert response.json()["detail"]


def test_a_token_is_refused_when_its_membership_is_deactivated(world):
    token = issue("demo-professional")
    Membership.objects.filter(user__username="demo-professional").update(is_active=False)
    assert client_with(token).get("/api/v1/me/").status_code in REFUSED


def test_an_expired_token_is_refused(world):
    token = issue("demo-professional")
    later = timezone.now() + timedelta(days=31)
    with mock.patch("django.utils.timezone.now", return_value=later):
        response = client_with(token).get("/api/v1/me/")
    assert response.status_code in REFUSED


def test_a_token_revoked_through_the_api_is_refused(world):
    token = issue("demo-professional")
    token_id = token.split(".")[0]
    listed = client_with(token).get("/api/v1/auth/tokens/").json()
    assert [t["id"] for t in listed] == [token_id] and "token" not in listed[0]
    assert client_with(token).delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 204
    assert not works(token)


def test_a_token_revoked_on_the_tokens_page_is_refused(world, web_for):
    token = issue("demo-coordinator")
    token_id = token.split(".")[0]
    web = web_for("demo-coordinator")
    page = web.get("/account/tokens/")
    assert page.status_code == 200 and token_id in page.content.decode()
    assert token.split(".")[1] not in page.content.decode()
    assert web.post(f"/account/tokens/{token_id}/revoke/").status_code == 302
    assert not works(token)


def test_one_cannot_revoke_someone_elses_token(world, web_for):
    token = issue("demo-professional")
    token_id = token.split(".")[0]
    other = client_with(issue("demo-programme"))
    assert token_id not in str(other.get("/api/v1/auth/tokens/").json())
    assert other.delete(f"/api/v1/auth/tokens/{token_id}/").status_code == 404
    assert web_for("demo-programme").post(f"/account/tokens/{token_id}/revoke/").status_code == 404
    mine = client_with(token).get("/api/v1/auth/tokens/").json()
    assert [(t["id"], t["revoked_at"]) for t in mine] == [(token_id, None)]


def test_the_functional_administrator_revokes_a_token(world, web_for):
    from samen.accounts.models import ApiToken

    token = issue("demo-professional")
    token_id = token.split(".")[0]
    admin = web_for("demo-admin")
    changelist = admin.get("/admin/accounts/apitoken/")
    assert changelist.status_code == 200 and token_id in changelist.content.decode()
    pk = ApiToken.objects.get(prefix=token_id).pk
    response = admin.post(
        "/admin/accounts/apitoken/", {"action": "revoke", "_selected_action": [str(pk)]}
    )
    assert response.status_code == 302
    assert not works(token)


def test_tokens_are_not_stored_in_clear(world):
    token = issue("demo-coordinator")
    secret = token.split(".", 1)[-1]
    for model in apps.get_models():
        text_fields = [
            f.name
            for f in model._meta.get_fields()
            if isinstance(f, models.CharField | models.TextField)
        ]
        for row in model.objects.values_list(*text_fields) if text_fields else []:
            assert not any(secret in str(v) for v in row), model._meta.label


def test_a_role_needing_a_second_factor_refuses_a_token_without_verified_totp(world):
    # A professional (no second factor needed) takes a token, then is also made a coordinator,
    # a role that sees identity: like a session, the token must now have passed the second factor.
    token = issue("demo-professional")
    TOTPDevice.objects.filter(user__username="demo-professional").delete()
    user = User.objects.get(username="demo-professional")
    Membership.objects.create(
        user=user,
        organisation=Organisation.objects.filter(memberships__role=Role.CARE_COORDINATOR).first(),
        role=Role.CARE_COORDINATOR,
    )
    assert client_with(token).get("/api/v1/me/").status_code in REFUSED
    # Setting up a device later does not make the token verified: it was issued without a code.
    TOTPDevice.objects.create(user=user, name="Samen", confirmed=True)
    assert client_with(token).get("/api/v1/me/").status_code in REFUSED


def test_a_token_stops_when_its_second_factor_device_is_removed(world):
    token = issue("demo-coordinator")
    assert works(token)
    TOTPDevice.objects.filter(user__username="demo-coordinator").delete()
    assert not works(token)


def test_a_token_cannot_act_for_another_membership(world):
    user = User.objects.get(username="demo-professional")
    first = Membership.objects.get(user=user)
    other = Membership.objects.create(
        user=user,
        organisation=Organisation.objects.exclude(pk=first.organisation_id).first(),
        role=Role.FIELD_PROFESSIONAL,
    )
    token = issue("demo-professional", membership=first.pk)
    client = client_with(token)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}", HTTP_X_SAMEN_MEMBERSHIP=str(other.pk))
    assert client.get("/api/v1/me/").status_code == 403


def test_the_tokens_page_needs_the_second_factor_first(client, world):
    client.post("/account/login/", {"username": "demo-coordinator", "password": DEMO_PASSWORD})
    response = client.get("/account/tokens/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/"


def test_a_token_issued_in_a_session_verified_by_an_identity_provider_works(world, client):
    # A coordinator signed in through their organisation's provider, which asserted the second
    # factor (acr/amr): the token issued in that session keeps checking that device (#17).
    import re

    from django_otp import DEVICE_ID_SESSION_KEY

    from samen.accounts.models import IdentityProviderDevice

    user = User.objects.get(username="demo-coordinator")
    TOTPDevice.objects.filter(user=user).delete()  # no TOTP: only the provider's factor counts
    device = IdentityProviderDevice.objects.create(user=user, name="politie", provider="politie")
    client.force_login(user)
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = device.persistent_id
    session.save()
    response = client.post("/account/tokens/")
    assert response.status_code == 201
    token = re.search(r"<code>([^<]+)</code>", response.content.decode()).group(1)
    assert works(token)
    device.delete()
    assert not works(token)
