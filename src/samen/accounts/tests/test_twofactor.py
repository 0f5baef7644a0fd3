from binascii import unhexlify

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from samen.accounts.models import User
from samen.accounts.twofactor import requires_second_factor
from samen.demo.builder import DEMO_PASSWORD, demo_totp_key


def code_for(username: str) -> str:
    return f"{TOTP(unhexlify(demo_totp_key(username))).token():06d}"


@pytest.mark.parametrize(
    ("username", "needed"),
    [("demo-coordinator", True), ("demo-investigator", True), ("demo-registrar", True),
     ("demo-shelter", True), ("demo-professional", False), ("demo-programme", False),
     ("demo-privacy", False)],
)  # fmt: skip
def test_roles_that_can_see_identity_need_a_second_factor(world, username, needed):
    assert requires_second_factor(User.objects.get(username=username)) is needed


def test_a_coordinator_must_pass_the_second_factor_before_any_page(client, world):
    client.post("/account/login/", {"username": "demo-coordinator", "password": DEMO_PASSWORD})
    response = client.get("/zaken/")
    assert response.status_code == 302 and response["Location"] == "/account/2fa/"
    wrong = client.post("/account/2fa/", {"code": "000000"})
    assert wrong.status_code == 400
    # django-otp throttles a device after a wrong code (growing delay); lift it for the test.
    TOTPDevice.objects.get(user__username="demo-coordinator").throttle_reset()
    assert client.post("/account/2fa/", {"code": code_for("demo-coordinator")}).status_code == 302
    assert client.get("/zaken/").status_code == 200


def test_first_sign_in_sets_up_the_authenticator(client, world):
    user = User.objects.get(username="demo-coordinator")
    TOTPDevice.objects.filter(user=user).delete()
    client.post("/account/login/", {"username": "demo-coordinator", "password": DEMO_PASSWORD})
    page = client.get("/account/2fa/")
    assert page.status_code == 200 and b"data:image/svg+xml" in page.content
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    code = f"{TOTP(device.bin_key).token():06d}"
    assert client.post("/account/2fa/", {"code": code}).status_code == 302
    device.refresh_from_db()
    assert device.confirmed


def test_a_professional_needs_no_second_factor(client, world):
    client.post("/account/login/", {"username": "demo-professional", "password": DEMO_PASSWORD})
    assert client.get("/zaken/").status_code == 200


def test_an_unverified_session_cannot_use_the_api(client, world):
    client.post("/account/login/", {"username": "demo-coordinator", "password": DEMO_PASSWORD})
    response = client.get("/api/v1/cases/")
    assert response.status_code == 403
    assert response.json()["detail"]
