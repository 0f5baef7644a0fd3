import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError

from samen.demo.builder import DEMO_PASSWORD


@pytest.mark.parametrize(
    "password",
    [
        "short1!A",
        "alllowercaseletters",
        "ALLUPPERCASE123!",
        "NoDigitsHere!!",
        "NoSymbols12345",
        "123456789012",
    ],
)
def test_weak_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password)


def test_a_strong_password_is_accepted():
    validate_password("Ruim-Genoeg-2026!")


def test_login_and_logout(client, world):
    response = client.post(
        "/account/login/", {"username": "demo-professional", "password": DEMO_PASSWORD}
    )
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    client.post("/account/logout/")
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account(client, world):
    statuses = [
        client.post(
            "/account/login/", {"username": "demo-professional", "password": "Wrong-Password-1!"}
        ).status_code
        for _ in range(5)
    ]
    assert statuses == [200, 200, 200, 200, 429]  # the fifth failure locks
    locked = client.post(
        "/account/login/", {"username": "demo-professional", "password": DEMO_PASSWORD}
    )
    assert locked.status_code == 429
    assert client.get("/").status_code == 302  # still signed out


def test_admin_only_for_functional_administrators(client, world):
    from samen.accounts.models import User

    admin_user = User.objects.get(username="demo-admin")
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    client.force_login(User.objects.get(username="demo-coordinator"))
    assert client.get("/admin/").status_code == 302
    # Staff flag alone is not enough: the role decides.
    coordinator = User.objects.get(username="demo-coordinator")
    coordinator.is_staff = True
    coordinator.save()
    assert client.get("/admin/").status_code == 302


def test_sign_in_attempts_are_rate_limited_per_address(client, world, settings):
    from django.core.cache import cache

    cache.clear()
    settings.LOGIN_RATE_LIMIT = 3
    codes = [
        client.post("/account/login/", {"username": f"nobody{i}", "password": "x"}).status_code
        for i in range(4)
    ]
    assert codes == [200, 200, 200, 429]
    api = client.post("/api/v1/auth/token/", {"username": "x", "password": "y"})
    assert api.status_code == 429 and api.json()["detail"]
    cache.clear()
