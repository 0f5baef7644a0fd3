"""API tokens kept in each process's memory after their first check (ADR 0074): a known token is
answered from memory only while the auth and register version tokens it was read at are still
current, and triggers renew the auth version on every write that can change a token's check.

The writes below are plain SQL on the test's connection, past every Django signal and model
method: to the process they look exactly like another process's write, which only the database
triggers can report. Each refusal test first proves the token is served from memory (its second
call reads no token row), so it fails if the memory were not checked against the versions."""

from __future__ import annotations

from datetime import timedelta
from unittest import mock

import pytest
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from django.utils import timezone, translation
from django_otp.plugins.otp_totp.models import TOTPDevice
from rest_framework.test import APIClient

from samen.accounts import tokens
from samen.accounts.models import ApiToken, AuthVersion, IdentityProviderDevice, User
from samen.api import throttling
from samen.conftest import api_token_for
from samen.core.models import ThrottleCount
from samen.organisations.models import Membership, Municipality, Organisation, Role, SafetyRegion

ME = "/api/v1/me/"


def sql(statement: str, params: list[object] | tuple[object, ...] = ()) -> None:
    with connection.cursor() as c:
        c.execute(statement, params)


def reads_token_row(client: APIClient, path: str = ME, **extra: str) -> tuple[int, bool, dict]:
    """The status of one call, whether it read a token's row, and its body."""
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path, HTTP_ACCEPT_LANGUAGE="en", **extra)
    read = any(
        q["sql"].startswith("SELECT") and "accounts_apitoken" in q["sql"]
        for q in ctx.captured_queries
    )
    return response.status_code, read, response.json()


def known(username: str) -> tuple[APIClient, ApiToken]:
    """A client whose token this process has checked once and now serves from memory."""
    key = api_token_for(username)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    status, read, _ = reads_token_row(client)
    assert (status, read) == (200, True)
    status, read, _ = reads_token_row(client)
    assert (status, read) == (200, False), "the second call is answered from memory"
    return client, ApiToken.objects.get(prefix=key.split(".")[0])


def refusal(code: str) -> str:
    with translation.override("en"):
        return str(tokens.REFUSALS[code])


def _revoke(t: ApiToken) -> None:
    sql("UPDATE accounts_apitoken SET revoked_at = %s WHERE id = %s", [timezone.now(), t.pk])


def _deactivate_user(t: ApiToken) -> None:
    sql("UPDATE accounts_user SET is_active = %s WHERE id = %s", [False, t.user_id])


def _change_role(t: ApiToken) -> None:
    role = Role.CARE_COORDINATOR if t.role == Role.FIELD_PROFESSIONAL else Role.FIELD_PROFESSIONAL
    sql("UPDATE organisations_membership SET role = %s WHERE id = %s", [role, t.membership_id])


def _deactivate_membership(t: ApiToken) -> None:
    sql(
        "UPDATE organisations_membership SET is_active = %s WHERE id = %s", [False, t.membership_id]
    )


def _move_membership(t: ApiToken) -> None:
    other = User.objects.exclude(pk=t.user_id).order_by("pk").first()
    sql(
        "UPDATE organisations_membership SET user_id = %s WHERE id = %s",
        [other.pk, t.membership_id],
    )


def _unconfirm_device(t: ApiToken) -> None:
    sql("UPDATE otp_totp_totpdevice SET confirmed = %s WHERE user_id = %s", [False, t.user_id])


def _delete_device(t: ApiToken) -> None:
    sql("DELETE FROM otp_totp_totpdevice WHERE user_id = %s", [t.user_id])


def _give_device_to_another(t: ApiToken) -> None:
    other = User.objects.exclude(pk=t.user_id).order_by("pk").first()
    sql("UPDATE otp_totp_totpdevice SET user_id = %s WHERE user_id = %s", [other.pk, t.user_id])


# A care coordinator sees identity, so its token holds only with its confirmed device.
@pytest.mark.parametrize(
    ("change", "code"),
    [
        (_revoke, "revoked"),
        (_deactivate_user, "inactive"),
        (_change_role, "membership"),
        (_deactivate_membership, "membership"),
        (_move_membership, "membership"),
        (_unconfirm_device, "second_factor"),
        (_delete_device, "second_factor"),
        (_give_device_to_another, "second_factor"),
    ],
)
def test_a_known_token_is_refused_on_the_next_call_after_a_change_elsewhere(world, change, code):
    client, token = known("demo-coordinator")
    assert TOTPDevice.objects.filter(user_id=token.user_id, confirmed=True).exists()
    change(token)
    status, read, body = reads_token_row(client)
    assert status in (401, 403) and read
    assert body["detail"] == refusal(code)
    # And it stays refused (nothing refused is kept).
    assert reads_token_row(client)[0] in (401, 403)


def test_a_known_token_is_refused_once_the_role_needs_a_second_factor(world):
    # A professional's role needs no second factor; a new membership in a role that sees
    # identity (inserted elsewhere) makes the token, issued without one, stop.
    client, token = known("demo-professional")
    assert not TOTPDevice.objects.filter(user_id=token.user_id).exists()
    organisation = Organisation.objects.filter(memberships__role=Role.CARE_COORDINATOR).first()
    sql(
        "INSERT INTO organisations_membership (user_id, organisation_id, role, is_active) "
        "VALUES (%s, %s, %s, %s)",
        [token.user_id, organisation.pk, Role.CARE_COORDINATOR, True],
    )
    status, read, body = reads_token_row(client)
    assert (status, read) in ((401, True), (403, True))
    assert body["detail"] == refusal("second_factor")


def test_a_deleted_token_is_no_token(world):
    client, token = known("demo-professional")
    sql("DELETE FROM accounts_apitoken WHERE id = %s", [token.pk])
    status, read, body = reads_token_row(client)
    assert status in (401, 403) and read
    assert body["detail"] == "Invalid token."


def test_a_known_token_expires_by_the_clock(world):
    client, token = known("demo-professional")
    with mock.patch("django.utils.timezone.now", return_value=token.expires_at):
        status, read, body = reads_token_row(client)
    assert status in (401, 403) and read
    assert body["detail"] == refusal("expired")


def test_a_wrong_secret_is_refused_and_read_like_an_unknown_prefix(world):
    client, token = known("demo-professional")
    prefix = token.prefix

    def call(key: str) -> tuple[int, bool, dict, list[str]]:
        other = APIClient()
        other.credentials(HTTP_AUTHORIZATION=f"Token {key}")
        with CaptureQueriesContext(connection) as ctx:
            status, read, body = reads_token_row(other)
        return status, read, body, [q["sql"] for q in ctx.captured_queries]

    wrong = call(f"{prefix}.not-the-secret")
    unknown = call("000000000000.not-the-secret")
    assert wrong[:3] == unknown[:3] == (wrong[0], True, {"detail": "Invalid token."})
    assert wrong[0] in (401, 403)
    # The same statements (the token's row read), so timing does not tell the prefix is known.
    assert [q.replace(prefix, "000000000000") for q in wrong[3]] == unknown[3]
    # The right secret still works, from memory.
    assert reads_token_row(client)[:2] == (200, False)


def test_a_change_of_the_organisation_or_region_reads_the_token_again(world):
    client, token = known("demo-coordinator")
    organisation = token.membership.organisation
    for table, pk in (
        ("organisations_organisation", organisation.pk),
        ("organisations_municipality", organisation.municipality_id),
        ("organisations_safetyregion", organisation.municipality.region_id),
    ):
        sql(f"UPDATE {table} SET name = %s WHERE id = %s", ["Elders", pk])
        assert reads_token_row(client)[:2] == (200, True)
        assert reads_token_row(client)[:2] == (200, False)


def test_the_token_from_memory_acts_as_the_token_read_afresh(world):
    key = api_token_for("demo-registrar")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    for path in (ME, "/api/v1/cases/?page_size=5"):
        tokens._KNOWN.clear()
        fresh = reads_token_row(client, path)
        remembered = reads_token_row(client, path)
        assert fresh[:2] == (200, True) and remembered[:2] == (200, False)
        assert fresh[2] == remembered[2]


def test_last_use_is_still_noted_coarsely(world):
    client, token = known("demo-professional")
    assert token.last_used_at is not None
    later = token.last_used_at + timedelta(minutes=6)
    with mock.patch("django.utils.timezone.now", return_value=later):
        assert reads_token_row(client)[:2] == (200, False)
    token.refresh_from_db()
    assert token.last_used_at == later


# What the triggers watch (migration accounts 0004): every field of these models but the ones
# that change by themselves and no token check reads.
WATCHED = {
    ApiToken: {"last_used_at"},
    User: {"last_login"},
    Membership: set(),
    Organisation: set(),
    Municipality: set(),
    SafetyRegion: set(),
}
UNWATCHED = {
    ApiToken: {"last_used_at"},
    User: {"last_login"},
    TOTPDevice: {f.name for f in TOTPDevice._meta.concrete_fields} - {"id", "user", "confirmed"},
    IdentityProviderDevice: {"name", "provider"},
}


def _another_value(obj: models.Model, field: models.Field) -> object:
    old = getattr(obj, field.attname)
    if field.is_relation:
        related = field.related_model._default_manager.exclude(pk=old).order_by("pk")
        return related.values_list("pk", flat=True).first()
    if isinstance(field, models.BooleanField):
        return not old
    if isinstance(field, models.DateTimeField):
        return (old or timezone.now()) + timedelta(days=1)
    if isinstance(field, models.IntegerField):
        return (old or 0) + 1
    if isinstance(field, models.CharField):
        text = str(old or "")[: (field.max_length or 10) - 1]
        return text + ("y" if str(old or "").endswith("z") else "z")
    raise AssertionError(f"no other value for {field}")


def _version() -> str | None:
    return AuthVersion.objects.values_list("token", flat=True).first()


def _sample(model: type[models.Model], world: object) -> models.Model:
    if model is ApiToken:
        api_token_for("demo-coordinator")
    if model is IdentityProviderDevice:
        user = User.objects.get(username="demo-coordinator")
        return IdentityProviderDevice.objects.create(user=user, name="p", provider="p")
    return model._default_manager.order_by("pk").first()


@pytest.mark.parametrize("model", list(WATCHED), ids=lambda m: m.__name__)
def test_every_field_a_token_check_reads_renews_the_auth_version(world, model):
    obj = _sample(model, world)
    for field in model._meta.concrete_fields:
        if field.primary_key:
            continue
        before = _version()
        model._default_manager.filter(pk=obj.pk).update(
            **{field.attname: _another_value(obj, field)}
        )
        renewed = _version() != before
        assert renewed == (field.name not in WATCHED[model]), field.name
        obj.refresh_from_db()


@pytest.mark.parametrize("model", [TOTPDevice, IdentityProviderDevice], ids=lambda m: m.__name__)
def test_a_device_renews_the_auth_version_when_made_confirmed_moved_added_or_deleted(world, model):
    obj = _sample(model, world)
    for name in ("confirmed", "user"):
        field = model._meta.get_field(name)
        before = _version()
        model._default_manager.filter(pk=obj.pk).update(
            **{field.attname: _another_value(obj, field)}
        )
        assert _version() != before, name
        obj.refresh_from_db()
    before = _version()
    obj.delete()
    assert _version() != before
    before = _version()
    _sample(model, world) if model is IdentityProviderDevice else TOTPDevice.objects.create(
        user=User.objects.order_by("pk").first(), name="n"
    )
    assert _version() != before


@pytest.mark.parametrize("model", list(UNWATCHED), ids=lambda m: m.__name__)
def test_what_changes_by_itself_leaves_the_auth_version(world, model):
    obj = _sample(model, world)
    for name in sorted(UNWATCHED[model]):
        field = model._meta.get_field(name)
        before = _version()
        model._default_manager.filter(pk=obj.pk).update(
            **{field.attname: _another_value(obj, field)}
        )
        assert _version() == before, name


# The throttle, counting in the shared table (production): a known token's call is counted in
# the statement that checks its versions, once; the limit is reached exactly as before.
@pytest.fixture
def shared_counts(settings, monkeypatch):
    settings.API_THROTTLE = "database"
    monkeypatch.setattr(throttling.UserRateThrottle, "THROTTLE_RATES", {"user": "4/minute"})


def _hits() -> int:
    return sum(
        ThrottleCount.objects.filter(key__startswith="throttle_user_").values_list(
            "hits", flat=True
        )
    )


def test_a_known_token_counts_each_call_once_and_is_throttled_as_before(world, shared_counts):
    client, _token = known("demo-professional")  # two calls
    assert _hits() == 2
    with CaptureQueriesContext(connection) as ctx:
        assert client.get(ME).status_code == 200
    counting = [q["sql"] for q in ctx.captured_queries if "sharing_throttlecount" in q["sql"]]
    if connection.vendor == "postgresql":  # one statement checks the token and counts the call
        assert len(counting) == 1 and "accounts_authversion" in counting[0], counting
    else:  # SQLite: the versions read, then the count as before
        assert len(counting) == 1 and "accounts_authversion" not in counting[0], counting
    assert _hits() == 3
    assert [reads_token_row(client)[0] for _ in range(2)] == [200, 429]
    assert _hits() == 5


def test_a_call_refused_before_the_throttle_is_not_counted(world, shared_counts):
    client, token = known("demo-registrar")  # two calls
    other = Membership.objects.exclude(pk=token.membership_id).order_by("pk").first()
    # Refused by the permission (another membership asked for, on a view with an access rule):
    # the throttle never saw it.
    refused = reads_token_row(client, "/api/v1/cases/", HTTP_X_SAMEN_MEMBERSHIP=str(other.pk))
    assert refused[0] == 403
    assert _hits() == 2
    # Refused by the token's check (its role changed elsewhere): not counted either, and not
    # even counted and given back (the statement counts only while the versions hold).
    _change_role(token)
    with CaptureQueriesContext(connection) as ctx:
        assert reads_token_row(client)[0] in (401, 403)
    assert not [q for q in ctx.captured_queries if q["sql"].startswith("UPDATE sharing_throttle")]
    assert _hits() == 2
    sql(
        "UPDATE organisations_membership SET role = %s WHERE id = %s",
        [token.role, token.membership_id],
    )
    assert [reads_token_row(client)[0] for _ in range(3)] == [200, 200, 429]


def _graph(obj: models.Model, path: str = "token") -> dict[str, object]:
    """Everything an instance graph holds, by path: each instance's class, values (with their
    types) and state, and its cached related instances likewise."""
    out: dict[str, object] = {
        path: (
            type(obj),
            {k: (type(v), v) for k, v in obj.__dict__.items() if k != "_state"},
            (obj._state.db, obj._state.adding, sorted(obj._state.fields_cache)),
        )
    }
    for name, rel in obj._state.fields_cache.items():
        out.update(_graph(rel, f"{path}.{name}") if rel is not None else {f"{path}.{name}": None})
    return out


def _instances(obj: models.Model) -> list[models.Model]:
    found = [obj]
    for rel in obj._state.fields_cache.values():
        if rel is not None:
            found += _instances(rel)
    return found


def test_a_known_tokens_instances_are_copies_equal_to_those_built_from_its_row(world):
    """A known token's instances (ADR 0091) are copies of those built from its row once: the
    same classes, values, types and state as `_instance` builds from the row, its user,
    membership, organisation, municipality and region included; new objects on every call, none
    shared with another call or the kept ones, so a change to one call's objects is not seen by
    the next; and where a model has an init receiver, built from the row as before."""
    client, token = known("demo-registrar")
    kept = tokens._KNOWN[token.prefix]
    template = tokens._template()
    built = tokens._instance(template, kept.row)
    first, second = tokens._from_kept(template, kept), tokens._from_kept(template, kept)
    assert kept.proto not in (None, False)
    assert _graph(first) == _graph(built) == _graph(second)
    assert set(_graph(built)) >= {
        "token", "token.user", "token.membership", "token.membership.organisation",
        "token.membership.organisation.municipality",
        "token.membership.organisation.municipality.region",
    }  # fmt: skip
    ids = [{id(o) for o in _instances(x)} for x in (first, second, kept.proto)]
    assert len(ids[0]) == len(ids[1]) == len(_instances(built))
    assert not (ids[0] & ids[1]) and not (ids[0] & ids[2]) and not (ids[1] & ids[2])
    first.membership.organisation.name = "changed"
    first.membership.user = first.user
    assert _graph(tokens._from_kept(template, kept)) == _graph(built)
    # The request's own objects: served from memory, equal to the row's.
    status, read, _body = reads_token_row(client)
    assert (status, read) == (200, False)

    calls = []

    def receiver(sender, instance, **kwargs):
        calls.append(sender)

    models.signals.post_init.connect(receiver, sender=Organisation)
    try:
        kept.proto = None
        assert _graph(tokens._from_kept(template, kept)) == _graph(built)
        assert kept.proto is False
        calls.clear()
        tokens._from_kept(template, kept)
        assert calls == [Organisation]  # built from the row: its receiver ran
    finally:
        models.signals.post_init.disconnect(receiver, sender=Organisation)
