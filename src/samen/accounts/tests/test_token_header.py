"""The token authenticator reads the Authorization header without building the request's
header mapping (ADR 0105) and answers every header as DRF's TokenAuthentication does on the
request itself: no credentials of its kind, the malformed ones with DRF's messages, the rest to
the token check."""

import pytest
from django.test import RequestFactory
from rest_framework.authentication import TokenAuthentication
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request

from samen.accounts import tokens
from samen.accounts.tokens import ApiTokenAuthentication

HEADERS = [
    None, "", "Token", "token", "Token ", "Bearer abc.def", "Token abc def", "Token a.b",
    "TOKEN a.b", "Token \u00e9.x", "Basic dXNlcjpwYXNz", "Token  a.b",
]  # fmt: skip


def _answer(authenticate, request):
    try:
        return ("returned", authenticate(request))
    except AuthenticationFailed as exc:
        return ("refused", str(exc.detail))


@pytest.mark.parametrize("header", HEADERS)
def test_each_header_is_answered_as_drfs_own(monkeypatch, header):
    # The token check itself is not what is compared here: it answers with the key it got.
    monkeypatch.setattr(ApiTokenAuthentication, "authenticate_credentials", lambda self, key: key)
    monkeypatch.setattr(TokenAuthentication, "authenticate_credentials", lambda self, key: key)
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    ours = Request(RequestFactory().get("/api/v1/cases/", **extra))
    drfs = Request(RequestFactory().get("/api/v1/cases/", **extra))
    expected = _answer(lambda r: TokenAuthentication().authenticate(r), drfs)
    assert "headers" in vars(drfs._request)  # DRF's way built the mapping
    assert _answer(lambda r: ApiTokenAuthentication().authenticate(r), ours) == expected
    assert "headers" not in vars(ours._request)  # this way did not


def test_headers_built_before_are_the_ones_read(monkeypatch):
    monkeypatch.setattr(ApiTokenAuthentication, "authenticate_credentials", lambda self, key: key)
    request = Request(RequestFactory().get("/", HTTP_AUTHORIZATION="Token a.b"))
    assert request._request.headers["Authorization"] == "Token a.b"
    assert tokens._HeaderOf(request).headers is request._request.headers
    assert ApiTokenAuthentication().authenticate(request) == "a.b"
