"""The client's address behind the configured proxies: what rate limits and the audit trail see."""

from django.test import override_settings

from samen.web.proxy import client_address


def test_without_a_trusted_proxy_the_forwarded_header_is_ignored():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "203.0.113.9"}
    assert client_address(meta, 0) == "10.0.0.2"


def test_behind_one_proxy_the_client_is_the_last_forwarded_entry_not_a_forged_first_one():
    meta = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "1.2.3.4, 203.0.113.9"}
    assert client_address(meta, 1) == "203.0.113.9"
    assert client_address(meta, 2) == "1.2.3.4"


def test_a_short_or_garbled_header_falls_back_to_the_socket_address():
    assert client_address({"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "x"}, 1) == (
        "10.0.0.2"
    )
    assert client_address({"REMOTE_ADDR": "10.0.0.2"}, 1) == "10.0.0.2"


@override_settings(LOGIN_RATE_LIMIT=2)
def test_login_rate_limit_counts_per_client_behind_the_proxy(client, db, settings):
    from django.core.cache import cache
    from django.test import Client

    cache.clear()
    settings.TRUSTED_PROXIES = 1
    # The middleware reads the setting when the handler is built: a new client builds a new one.
    first, second = (
        Client(HTTP_X_FORWARDED_FOR="203.0.113.1"),
        Client(HTTP_X_FORWARDED_FOR="203.0.113.2"),
    )
    for _ in range(2):
        assert first.post("/account/login/", {"username": "x", "password": "y"}).status_code != 429
    assert first.post("/account/login/", {"username": "x", "password": "y"}).status_code == 429
    # Another client behind the same proxy (same socket address) has its own count.
    assert second.post("/account/login/", {"username": "x", "password": "y"}).status_code != 429
    cache.clear()
