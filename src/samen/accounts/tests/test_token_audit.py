"""Issuing and revoking API tokens is audited, refusals included; the tokens page issues a token
for the membership one works in now and shows it once (issue #12, What to build 4 and 5)."""

from __future__ import annotations

from rest_framework.test import APIClient

from samen.accounts.tests.test_tokens import client_with, issue, works
from samen.core.models import AuditEntry


def _entries_since(seq: int, action: str) -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(seq__gt=seq, action=action).order_by("seq"))


def _last() -> int:
    return AuditEntry.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def test_issuing_a_token_writes_an_audit_entry_naming_the_token_not_its_secret(world):
    before = _last()
    token = issue("demo-coordinator")
    prefix, secret = token.split(".")
    [entry] = _entries_since(before, "api_token.create")
    assert (entry.result, entry.actor_username, entry.object_id) == (
        "ok",
        "demo-coordinator",
        prefix,
    )
    assert entry.operation == "C" and entry.role == "care_coordinator"
    assert secret not in str(entry.detail)


def test_refused_token_requests_are_audited_without_what_was_typed(world):
    before = _last()
    api = APIClient()
    wrong = {"username": "demo-coordinator", "password": "not-the-password-Xq9"}
    assert api.post("/api/v1/auth/token/", wrong, format="json").status_code in (400, 401, 403)
    no_code = {"username": "demo-coordinator", "password": "", "otp": ""}
    api.post("/api/v1/auth/token/", no_code, format="json")
    from samen.demo.builder import DEMO_PASSWORD

    missing_otp = {"username": "demo-coordinator", "password": DEMO_PASSWORD, "otp": "000000"}
    assert api.post("/api/v1/auth/token/", missing_otp, format="json").status_code in (401, 403)
    refused = _entries_since(before, "api_token.create")
    reasons = [e.detail.get("reason") for e in refused]
    assert "credentials" in reasons and "second_factor" in reasons, reasons
    assert all(e.result == "denied" for e in refused)
    for entry in refused:
        assert "not-the-password" not in str(entry.detail)
    # A wrong password tells nothing about whose account it was.
    assert next(e for e in refused if e.detail["reason"] == "credentials").actor_username == ""


def test_revoking_a_token_is_audited_on_the_api_and_the_page(world, web_for):
    first, second = issue("demo-professional"), issue("demo-professional")
    before = _last()
    assert client_with(first).delete(f"/api/v1/auth/tokens/{first.split('.')[0]}/").status_code
    web = web_for("demo-professional")
    assert web.post(f"/account/tokens/{second.split('.')[0]}/revoke/").status_code == 302
    entries = _entries_since(before, "api_token.revoke")
    assert [(e.object_id, e.result, e.operation) for e in entries] == [
        (first.split(".")[0], "ok", "U"),
        (second.split(".")[0], "ok", "U"),
    ]


def test_revoking_someone_elses_token_is_refused_and_audited(world, web_for):
    theirs = issue("demo-professional").split(".")[0]
    before = _last()
    other = client_with(issue("demo-programme"))
    assert other.delete(f"/api/v1/auth/tokens/{theirs}/").status_code == 404
    assert web_for("demo-programme").post(f"/account/tokens/{theirs}/revoke/").status_code == 404
    refused = _entries_since(before, "api_token.revoke")
    assert [(e.actor_username, e.result, e.detail) for e in refused] == [
        ("demo-programme", "denied", {"reason": "not_found"}),
    ] * 2


def test_the_tokens_page_issues_a_token_for_the_current_membership_shown_once(
    world, web_for, client
):
    from samen.accounts.models import ApiToken, User
    from samen.organisations.models import Membership

    # Not before the second factor of the session.
    client.force_login(User.objects.get(username="demo-coordinator"))
    gated = client.post("/account/tokens/")
    assert gated.status_code == 302 and "/account/2fa/" in gated["Location"]
    assert not ApiToken.objects.exists()
    web = web_for("demo-coordinator")
    page = web.get("/account/tokens/")
    assert "Token aanmaken" in page.content.decode(), "the page offers to issue a token, in Dutch"
    before = _last()
    response = web.post("/account/tokens/")
    assert response.status_code == 201
    html = response.content.decode()
    assert "alleen deze ene keer getoond" in html
    token = ApiToken.objects.get(user__username="demo-coordinator")
    shown = html.split(f"{token.prefix}.", 1)[1].split("<", 1)[0]
    full = f"{token.prefix}.{shown}"
    assert works(full), "the token shown works on the API"
    membership = Membership.objects.get(user__username="demo-coordinator")
    assert token.membership == membership and token.otp_device, "bound, with the second factor"
    assert shown not in web.get("/account/tokens/").content.decode(), "shown once only"
    assert _entries_since(before, "api_token.create")[0].object_id == token.prefix
