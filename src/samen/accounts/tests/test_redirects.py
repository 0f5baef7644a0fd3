"""`next` after the second factor and the purpose switch stays on this site."""

from binascii import unhexlify

import pytest
from django_otp.oath import TOTP

from samen.core.register import purposes_of_role
from samen.demo.builder import DEMO_PASSWORD, demo_totp_key
from samen.organisations.models import Membership

ATTEMPTS = [
    "//evil.example",
    "//evil.example/zaken/",
    "https://evil.example",
    "https://evil.example/account/2fa/",
    "javascript:alert(1)",
    "http:evil.example",
]


def is_local(location: str) -> bool:
    return location.startswith("/") and not location.startswith(("//", "/\\"))


@pytest.mark.parametrize("target", ATTEMPTS)
def test_the_second_factor_does_not_send_you_off_site(client, world, target):
    client.post("/account/login/", {"username": "demo-coordinator", "password": DEMO_PASSWORD})
    code = f"{TOTP(unhexlify(demo_totp_key('demo-coordinator'))).token():06d}"
    response = client.post("/account/2fa/?" + f"next={target}", {"code": code})
    assert response.status_code == 302
    assert is_local(response["Location"]), response["Location"]


@pytest.mark.parametrize("target", ATTEMPTS)
def test_the_purpose_switch_does_not_send_you_off_site(web_for, world, target):
    web = web_for("demo-registrar")
    purposes = purposes_of_role(Membership.objects.get(user__username="demo-registrar").role)
    response = web.post("/account/purpose/", {"purpose": purposes[-1], "next": target})
    assert response.status_code == 302
    assert is_local(response["Location"]), response["Location"]


def test_a_local_next_is_followed_and_anything_else_lands_on_the_home_page(web_for, world):
    web = web_for("demo-professional")
    back = web.post("/account/purpose/", {"purpose": "", "next": "/zaken/?page=2"})
    assert back["Location"] == "/zaken/?page=2"
    for target in ("case-list", "zaken/", ""):
        response = web.post("/account/purpose/", {"purpose": "", "next": target})
        assert response.status_code == 302 and response["Location"] == "/", target
