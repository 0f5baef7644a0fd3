"""Bad input never breaks the API (issue 2, item 7).

Two layers:

* schema-driven: schemathesis generates positive and negative requests for every operation in
  the OpenAPI schema served at /api/schema/ and sends them to the WSGI application, as the demo
  coordinator (may record signals) and as the demo shelter worker (mostly 403s);
* property-based: Hypothesis builds POST /api/v1/signals/ payloads from random strings, dates,
  lists and nested values.

Every answer must be below 500; every 4xx must be JSON; every 400 must name the fields; a
failed POST saves nothing. The demo world is built once per module inside a transaction that is
rolled back at the end, so the rest of the suite never sees it.
"""

from __future__ import annotations

import json
import traceback
from datetime import date

import pytest
import schemathesis
from django.core.signals import got_request_exception, request_finished, request_started
from django.db import close_old_connections, transaction
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from rest_framework.test import APIClient

from samen.cases.models import AgeBand, Case, ExploitationForm, Gender
from samen.conftest import api_token_for
from samen.demo.builder import build_demo_world
from samen.organisations.models import Municipality
from samen.signalling.models import Signal, SignalList
from samen.wsgi import application

MAX_EXAMPLES = 25
HYPOTHESIS = settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    print_blob=False,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.filter_too_much,
        HealthCheck.data_too_large,
    ],
)
SIGNALS = "/api/v1/signals/"
TODAY = date(2025, 6, 30)  # a fixed past "today" for the demo world: the same world every run

# The schema as the running application serves it (JSON flavour of /api/schema/).
schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", application)
schema.config.generation.update(
    modes=list(schemathesis.GenerationMode),  # valid and deliberately invalid requests
    max_examples=MAX_EXAMPLES,
    deterministic=True,
)


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def fuzz_world(django_db_setup, django_db_blocker):
    """A small demo world and API tokens, shared by the module and rolled back afterwards."""
    with django_db_blocker.unblock(), transaction.atomic():
        build_demo_world(seed=1, signals=40, today=TODAY)
        tokens = {name: api_token_for(name) for name in ("demo-coordinator", "demo-shelter")}
        yield {
            "tokens": tokens,
            "lists": {
                sl.code: sorted(sl.indicators.values_list("code", flat=True))
                for sl in SignalList.objects.filter(is_current=True)
            },
            "municipalities": sorted(
                Municipality.objects.filter(region__code="VR09").values_list("code", flat=True)
            )[:10],
            "forms": sorted(ExploitationForm.objects.values_list("code", flat=True)),
        }
        transaction.set_rollback(True)


@pytest.fixture(scope="module")
def server_errors():
    """Calls the raw WSGI application the way Django's test client does: without closing the
    connection at the end of a request (that would end the test transaction), and keeping the
    traceback of any unhandled exception so a failure shows where it came from."""
    seen: list[str] = []

    def record(sender, request=None, **kwargs):
        seen.append(
            f"{getattr(request, 'method', '?')} {request.get_full_path() if request else '?'}"
            f"\n{traceback.format_exc()}"
        )

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    got_request_exception.connect(record, weak=False)
    try:
        yield seen
    finally:
        got_request_exception.disconnect(record)
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def header(fuzz_world: dict, username: str) -> dict[str, str]:
    return {"Authorization": f"Token {fuzz_world['tokens'][username]}", "Accept-Language": "en"}


# --- response contract ------------------------------------------------------------------------


def body_of(status: int, content_type: str, content: bytes) -> object:
    assert "application/json" in content_type, (
        f"{status} answered as {content_type!r}: {content[:300]!r}"
    )
    try:
        return json.loads(content)
    except ValueError as exc:  # pragma: no cover - reported as a failure
        raise AssertionError(f"{status} with a body that is not JSON: {content[:300]!r}") from exc


def assert_contract(status: int, content_type: str, content: bytes, errors: list[str]) -> object:
    """No 5xx; every 4xx is JSON; every 400 names the fields."""
    assert status < 500, f"server error {status}: {content[:500]!r}\n" + "\n".join(errors[-1:])
    if status < 400:
        return json.loads(content) if "application/json" in content_type else None
    body = body_of(status, content_type, content)
    assert isinstance(body, dict) and body.get("detail"), f"{status} without detail: {body!r}"
    if status == 400:
        assert isinstance(body.get("fields"), dict) and body["fields"], (
            f"400 without fields: {body}"
        )
    return body


def check_case(case: schemathesis.Case, fuzz_world: dict, username: str, errors: list[str]) -> None:
    errors.clear()
    # A savepoint per request: a database error that becomes a 500 must not poison the test
    # transaction (PostgreSQL aborts it) for the examples that follow.
    savepoint = transaction.savepoint()
    response = case.call(headers=header(fuzz_world, username))
    if response.status_code >= 500:
        transaction.savepoint_rollback(savepoint)
    else:
        transaction.savepoint_commit(savepoint)
    content_type = ", ".join(response.headers.get("content-type", []))
    try:
        assert_contract(response.status_code, content_type, response.content, errors)
    except AssertionError as exc:
        raise AssertionError(f"{exc}\nreproduce: {case.as_curl_command()}") from None


# --- schema-driven fuzzing --------------------------------------------------------------------


@pytest.mark.django_db
@schema.parametrize()
@HYPOTHESIS
def test_schema_fuzz_as_coordinator(case, fuzz_world, server_errors):
    """The coordinator may read and record: the deepest paths through the services."""
    check_case(case, fuzz_world, "demo-coordinator", server_errors)


@pytest.mark.django_db
@schema.parametrize()
@HYPOTHESIS
def test_schema_fuzz_as_shelter(case, fuzz_world, server_errors):
    """Shelter staff may not read signals or cases: refusals must be JSON 403s, never 500s."""
    check_case(case, fuzz_world, "demo-shelter", server_errors)


# --- hand-written properties for POST /api/v1/signals/ ----------------------------------------

json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=60)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner, max_size=4)
    ),
    max_leaves=10,
)
iso_dates = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31)).map(date.isoformat)
odd_dates = st.sampled_from(
    [
        "",
        "2024-02-30",
        "2024-13-01",
        "0000-01-01",
        "31-12-2024",
        "2024/01/01",
        "today",
        "1e9",
        "2024-01-01T25:00:00",
        "-2024-01-01",
        "\x00",
        "2024-01-01\n",
    ]
)


def counts() -> tuple[int, int]:
    return Signal.objects.count(), Case.objects.count()


def post_signal(fuzz_world: dict, payload: object, username: str = "demo-coordinator", **extra):
    client = APIClient(raise_request_exception=True)
    before = counts()
    response = client.post(
        SIGNALS,
        payload,
        format=extra.pop("format", "json"),
        headers=header(fuzz_world, username),
        **extra,
    )
    after = counts()
    body = assert_contract(
        response.status_code, response.get("Content-Type", ""), response.content, []
    )
    if response.status_code == 201:
        assert after[0] == before[0] + 1 and after[1] in (before[1], before[1] + 1), (before, after)
    else:
        assert after == before, f"a {response.status_code} saved something: {before} -> {after}"
    event(f"POST /api/v1/signals/ -> {response.status_code}")
    return response.status_code, body


@st.composite
def signal_payloads(draw, fuzz_world: dict, valid_bias: bool) -> dict:
    """Payloads for POST /api/v1/signals/.

    valid_bias: the reference fields come from the demo world (so many are recorded) and the
    free text, names and dates are random. Otherwise every field may also be junk of any JSON
    type, and any field may be missing."""
    code = draw(st.sampled_from(sorted(fuzz_world["lists"])))
    good_indicators = st.lists(st.sampled_from(fuzz_world["lists"][code]), min_size=1, max_size=4)
    recent = st.dates(min_value=date(2015, 1, 1), max_value=date(2025, 6, 1)).map(date.isoformat)

    def field(good: st.SearchStrategy, bad: st.SearchStrategy) -> st.SearchStrategy:
        return good if valid_bias else st.one_of(good, bad, json_values)

    person = st.fixed_dictionaries(
        {},
        optional={
            "gender": field(st.sampled_from(Gender.values), st.text(max_size=5)),
            "age_band": field(st.sampled_from(AgeBand.values), st.text(max_size=5)),
            "name": st.text(max_size=210),
            "date_of_birth": st.one_of(st.none(), recent, iso_dates, odd_dates),
            "nationality": st.text(max_size=65),
            "contact": st.text(max_size=210),
        },
    )
    fields = {
        "signal_list": field(st.just(code), st.text(max_size=45)),
        "indicators": field(good_indicators, st.lists(st.text(max_size=90), max_size=5)),
        "observed_on": st.one_of(recent, recent, iso_dates, odd_dates)
        | field(st.nothing(), recent),
        "municipality": field(st.sampled_from(fuzz_world["municipalities"]), st.text(max_size=8)),
        "setting": st.text(max_size=130),
        "notes": st.text(max_size=200),
        "forms": field(
            st.lists(st.sampled_from(fuzz_world["forms"]), max_size=2, unique=True),
            st.lists(st.text(max_size=45), max_size=3),
        ),
        "person": field(person, person),
    }
    required = ["signal_list", "indicators", "observed_on", "municipality"]
    return draw(
        st.fixed_dictionaries(
            {k: fields[k] for k in required} if valid_bias else {},
            optional={k: v for k, v in fields.items() if not valid_bias or k not in required},
        )
    )


@pytest.mark.django_db
@HYPOTHESIS
@given(data=st.data())
def test_signal_post_junk_fields_is_201_or_400_and_400_saves_nothing(data, fuzz_world):
    status, body = post_signal(fuzz_world, data.draw(signal_payloads(fuzz_world, valid_bias=False)))
    assert status in (201, 400), (status, body)


@pytest.mark.django_db
@HYPOTHESIS
@given(data=st.data())
def test_signal_post_plausible_payloads_with_random_text_and_dates(data, fuzz_world):
    status, body = post_signal(fuzz_world, data.draw(signal_payloads(fuzz_world, valid_bias=True)))
    assert status in (201, 400), (status, body)
    if status == 201:
        # The receipt, never the case number (issue #12: a signal is a one-way door).
        assert body["receipt"].startswith("S-") and "case" not in body
        assert body["advice"]["level"] and body["advice"]["reasons"]


@pytest.mark.django_db
@HYPOTHESIS
@given(payload=json_values)
def test_signal_post_any_json_document_is_a_field_error(payload, fuzz_world):
    """Not an object at all, or an object of junk: 400 naming the fields, nothing saved."""
    status, _ = post_signal(fuzz_world, payload)
    assert status == 400


@pytest.mark.django_db
@HYPOTHESIS
@given(
    payload=st.dictionaries(
        st.sampled_from(["signal_list", "indicators", "observed_on", "municipality", "notes"]),
        st.text(max_size=40),
    )
)
def test_signal_post_as_form_data_is_a_field_error(payload, fuzz_world):
    status, _ = post_signal(fuzz_world, payload, format="multipart")
    assert status == 400


@pytest.mark.django_db
@HYPOTHESIS
@given(
    payload=st.dictionaries(st.sampled_from(["signal_list", "observed_on"]), st.text(max_size=20))
)
def test_signal_post_without_the_right_role_is_a_json_403(payload, fuzz_world):
    status, _ = post_signal(fuzz_world, payload, username="demo-shelter")
    assert status == 403


# --- defects the fuzzer found once, kept as regression tests ------------------------------------


@pytest.mark.django_db
def test_token_lockout_answers_json(fuzz_world):
    """Once a user name reaches the failure limit, the API still answers JSON, and the same
    answer as any other failed sign-in."""
    client = APIClient()
    answers = [
        client.post(
            "/api/v1/auth/token/",
            {"username": "nobody", "password": "wrong"},
            format="json",
            headers={"Accept-Language": "en"},
        )
        for _ in range(8)
    ]
    for response in answers:
        assert "application/json" in response["Content-Type"], (
            response.status_code,
            response["Content-Type"],
        )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("content_type", "raw"),
    [
        ("application/json", b'{"signal_list": '),
        ("multipart/form-data", b'{"signal_list": "general"}'),  # no boundary
    ],
    ids=["truncated-json", "multipart-without-boundary"],
)
def test_unparseable_body_is_a_400_naming_the_fields(fuzz_world, content_type, raw):
    """DRF raises ParseError before any serializer runs; the handler still names the fields."""
    client = APIClient()
    before = counts()
    response = client.generic(
        "POST",
        SIGNALS,
        raw,
        content_type=content_type,
        headers=header(fuzz_world, "demo-coordinator"),
    )
    assert counts() == before
    assert response.status_code == 400
    assert response.json()["fields"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organisations/null,null/",
        "/api/v1/signals/-1/",
        "/api/v1/signal-lists/%3A/",
        "/api/v1/no-such-endpoint/",
    ],
)
def test_unrouted_api_path_is_a_json_404(fuzz_world, path):
    """Paths no API view matches answer JSON, not the web UI's HTML 404 page."""
    response = APIClient().get(path, headers=header(fuzz_world, "demo-coordinator"))
    assert response.status_code == 404
    assert "application/json" in response["Content-Type"], response["Content-Type"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/organisations/?region=%00",
        "/api/v1/organisations/?type=%00",
        "/api/v1/signals/?signal_list=%00",
        "/api/v1/signals/?advice=%00",
        "/api/v1/cases/%00/",
    ],
)
def test_nul_byte_in_parameters_is_a_4xx_or_empty_result(fuzz_world, path):
    """PostgreSQL refuses text with NUL bytes; the request is turned away before any query."""
    client = APIClient(raise_request_exception=False)
    response = client.get(path, headers=header(fuzz_world, "demo-coordinator"))
    assert response.status_code < 500, response.status_code
    assert "application/json" in response["Content-Type"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    ['{"location": "\\u0000"}', '{"name": "x\\u0000y", "forms": ["\\u0000"]}'],
)
def test_nul_byte_in_a_json_body_is_a_400_naming_the_body(fuzz_world, body):
    """A NUL in a JSON string reached a slug look-up and PostgreSQL failed (a 500 in CI)."""
    client = APIClient(raise_request_exception=False)
    response = client.post(
        "/api/v1/shelter/directory/places/",
        data=body,
        content_type="application/json",
        headers=header(fuzz_world, "demo-shelter"),
    )
    assert response.status_code == 400, response.status_code
    assert "body" in response.json()["fields"]


@pytest.mark.django_db
def test_an_escaped_backslash_before_u0000_is_text_not_a_nul(fuzz_world):
    client = APIClient(raise_request_exception=False)
    response = client.post(
        "/api/v1/shelter/directory/places/",
        data='{"name": "C:\\\\u0000"}',
        content_type="application/json",
        headers=header(fuzz_world, "demo-shelter"),
    )
    assert response.status_code != 500
    assert "body" not in response.json().get("fields", {})
