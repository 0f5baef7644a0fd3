"""A signal is a one-way door (issue #12): whoever records a signal gets the advice and a
receipt, byte for byte the same whether or not the person is known; the link to the case, and
any identity details the signal adds, are for the coordinator and the registrar."""

from __future__ import annotations

import re
import time
from datetime import date, timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from samen.cases.models import Case, CaseEvent, Person
from samen.cases.services import identity_read
from samen.identification.models import IdentificationPath, Notification
from samen.signalling.models import Indicator, Signal
from samen.signalling.services import PersonInput

KNOWN = {"name": "Synthetische Persoon", "date_of_birth": "1990-02-03", "nationality": "RO"}
UNKNOWN = {"name": "Niet Bekend", "date_of_birth": "1988-07-09", "nationality": "BG"}
User = get_user_model()
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="[^"]+"')


def _yesterday() -> str:
    """Yesterday in Amsterdam at the moment of use (a run may cross midnight)."""
    return (timezone.localdate() - timedelta(days=1)).isoformat()


def _known_case(record) -> Case:
    """A person already known to the chain, signalled by an organisation in another region."""
    outcome = record(
        "demo-field-vr01",
        municipality="GM0014",
        person=PersonInput(
            name=KNOWN["name"], date_of_birth=date(1990, 2, 3), nationality=KNOWN["nationality"]
        ),
    )
    return outcome.case


def _form(**person: str) -> dict[str, str]:
    ind = Indicator.objects.filter(
        signal_list__code="hospitality", acute=False, concerns_minor=False
    ).first()
    return {
        f"ind_{ind.code}": "on",
        "observed_on": _yesterday(),
        "municipality": "GM0344",
        "gender": "female",
        "age_band": "23-29",
        **person,
    }


def _normalised(text: str, receipt: str) -> str:
    return CSRF.sub('name="csrfmiddlewaretoken" value="*"', text.replace(receipt, "<receipt>"))


def test_the_web_response_is_the_same_for_a_known_and_an_unknown_person(web_for, record):
    known_case = _known_case(record)
    client = web_for("demo-hotel")
    answers = []
    for person in (KNOWN, UNKNOWN):
        posted = client.post("/signalen/nieuw/hospitality/", _form(**person))
        receipt = Signal.objects.filter(recorded_by__username="demo-hotel").first().receipt
        page = client.get(posted["Location"])
        answers.append(
            (
                posted.status_code,
                posted["Location"].replace(receipt, "<receipt>"),
                page.status_code,
                _normalised(page.content.decode(), receipt),
            )
        )
    assert Signal.objects.filter(linked_to_existing=True, case=known_case).count() == 1
    assert answers[0] == answers[1]
    assert answers[0][0] == 302 and answers[0][2] == 200
    assert known_case.number not in answers[0][3]


def test_the_api_response_is_the_same_for_a_known_and_an_unknown_person(api_for, record):
    known_case = _known_case(record)
    client = api_for("demo-hotel")
    payload = {
        "signal_list": "hospitality",
        "indicators": ["hospitality.checkin.third_party_booking"],
        "observed_on": _yesterday(),
        "municipality": "GM0344",
    }
    answers = []
    for person in (KNOWN, UNKNOWN):
        response = client.post("/api/v1/signals/", {**payload, "person": person}, format="json")
        receipt = response.json()["receipt"]
        answers.append((response.status_code, response.content.decode().replace(receipt, "<r>")))
    assert Signal.objects.filter(linked_to_existing=True, case=known_case).count() == 1
    assert answers[0] == answers[1]
    assert answers[0][0] == 201 and known_case.number not in answers[0][1]


def test_the_receipt_is_not_the_case_number(record):
    outcome = record(
        person=PersonInput(name="A B", date_of_birth=date(1990, 1, 1), nationality="NL")
    )
    assert re.fullmatch(r"S-[0-9A-Z]{5}-[0-9A-Z]{5}", outcome.receipt)
    assert outcome.case.number not in outcome.receipt


def _statement_kinds(record, on_commit, person: PersonInput, **overrides) -> list[str]:
    """The statements a hotel's signal runs, the work after the commit included (the guardian's
    e-mail), as SELECT / write / SAVEPOINT ...: what a response time could betray."""
    with CaptureQueriesContext(connection) as queries, on_commit(execute=True):
        record("demo-hotel", person=person, **overrides)
    return [
        "write" if q["sql"].split()[0] in ("INSERT", "UPDATE") else q["sql"].split()[0]
        for q in queries.captured_queries
    ]


def test_a_known_and_an_unknown_person_cost_the_same_statements(
    record, django_capture_on_commit_callbacks
):
    """No timing-visible branch: linking runs the same reads and writes as opening a case."""
    _known_case(record)
    kinds = [
        _statement_kinds(
            record,
            django_capture_on_commit_callbacks,
            PersonInput(
                name=person["name"],
                date_of_birth=date.fromisoformat(person["date_of_birth"]),
                nationality=person["nationality"],
            ),
        )
        for person in (KNOWN, UNKNOWN)
    ]
    assert kinds[0] == kinds[1]


def test_a_known_and_an_unknown_minor_cost_the_same_statements(
    record, django_capture_on_commit_callbacks
):
    """A minor's signal brings in the guardian (ADR 0016): attached and told at the first
    signal, told again at every later one, in the same statements, so a hotel cannot tell from
    the time it takes whether the minor is known with a guardian in place."""
    fifteen = timezone.localdate().year - 15
    known = PersonInput(name="Bekende Minderjarige", date_of_birth=date(fifteen, 2, 3),
                        nationality="RO")  # fmt: skip
    unknown = PersonInput(name="Onbekende Minderjarige", date_of_birth=date(fifteen, 7, 9),
                          nationality="BG")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        case = record("demo-field-vr01", municipality="GM0014", person=known).case
    path = IdentificationPath.objects.get(case=case)
    assert path.guardian_organisation.type == "nidos"  # the known minor has their guardian
    told = Notification.objects.filter(organisation=path.guardian_organisation).count()
    User.objects.filter(memberships__organisation=path.guardian_organisation).update(
        email="voogd@nidos.test"
    )

    kinds, notices, sent = [], [], []
    for person in (known, unknown):
        before, mailed = Notification.objects.count(), len(mail.outbox)
        kinds.append(_statement_kinds(record, django_capture_on_commit_callbacks, person))
        notices.append(Notification.objects.count() - before)
        sent.append(len(mail.outbox) - mailed)
    assert kinds[0] == kinds[1]
    assert notices[0] == notices[1] > 0 and sent[0] == sent[1] == 1
    # Protection is not weakened: the new minor's guardian is attached and told once; the known
    # minor's guardian is told of the new signal, not attached a second time.
    new_case = Signal.objects.filter(recorded_by__username="demo-hotel").first().case
    assert IdentificationPath.objects.get(case=new_case).guardian_organisation_id
    assert Notification.objects.filter(case=new_case, kind="guardian").count() == notices[1]
    assert Notification.objects.filter(case=case, kind="guardian_signal").count() == notices[0]
    assert Notification.objects.filter(case=case, kind="guardian").count() == told
    assert mail.outbox[-2].subject.endswith(case.number)  # the case number, nothing personal


def test_a_person_flagged_minor_before_costs_what_an_unknown_adult_costs(
    record, django_capture_on_commit_callbacks
):
    """Known as a minor from an earlier signal's indicator, described as an adult now: the
    guardian's work follows what this signal says, so the chain's flag does not show in the
    time the hotel's signal takes."""
    flagged = PersonInput(name="Eerder Minderjarig", date_of_birth=date(1995, 2, 3),
                          nationality="RO")  # fmt: skip
    adult = PersonInput(name="Nieuwe Volwassene", date_of_birth=date(1996, 7, 9),
                        nationality="BG")  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        case = record("demo-field-vr01", municipality="GM0014", person=flagged,
                      indicators=["hospitality.checkin.minor_with_adult"]).case  # fmt: skip
    assert Person.objects.get(pk=case.person_id).is_minor
    kinds = [
        _statement_kinds(record, django_capture_on_commit_callbacks, person)
        for person in (flagged, adult)
    ]
    assert kinds[0] == kinds[1]


def test_the_coordinator_sees_the_link_and_the_new_detail(web_for, api_for, record):
    known_case = _known_case(record)
    linked = record(
        "demo-hotel",
        person=PersonInput(
            name="persoon, synthetische",
            date_of_birth=date(1990, 2, 3),
            nationality="ro",
            contact="kamer 12, fictief hotel",
        ),
    )
    assert linked.linked and linked.case.pk == known_case.pk
    # Stored, encrypted, not dropped: the identity now holds it and the signal says it is new.
    person = Person.objects.get(pk=known_case.person_id)
    assert identity_read(person)["contact"] == "kamer 12, fictief hotel"
    signal = Signal.objects.get(pk=linked.signal.pk)
    assert signal.identity_new == ["contact"]
    assert b"fictief hotel" not in bytes(signal.identity_ciphertext)
    assert CaseEvent.objects.filter(case=known_case, kind="linked").count() == 1

    body = api_for("demo-registrar").get(f"/api/v1/signals/{signal.pk}/").json()
    assert body["case"] == known_case.number and body["linked_to_existing"] is True
    assert body["new_identity"] == {"contact": "kamer 12, fictief hotel"}
    # The case's own coordinator (Groningen, VR01) sees the link and what is new on the case.
    html = web_for("demo-coordinator-noord").get(f"/zaken/{known_case.number}/").content.decode()
    assert 'data-testid="signal-linked"' in html
    assert 'data-testid="new-identity"' in html and "kamer 12, fictief hotel" in html


def test_the_signaller_never_sees_the_link_afterwards(web_for, api_for, record):
    known_case = _known_case(record)
    linked = record(
        "demo-hotel",
        person=PersonInput(name=KNOWN["name"], date_of_birth=date(1990, 2, 3), nationality="RO"),
    )
    detail = api_for("demo-hotel").get(f"/api/v1/signals/{linked.signal.pk}/").json()
    assert "case" not in detail and "linked_to_existing" not in detail
    listing = api_for("demo-hotel").get("/api/v1/signals/").content.decode()
    assert known_case.number not in listing
    page = web_for("demo-hotel").get(f"/signalen/{linked.signal.pk}/").content.decode()
    assert known_case.number not in page


def test_the_signallers_counts_do_not_tell_a_known_person(record, actor_for):
    from samen.cases.selectors import case_counts
    from samen.cases.services import case_status_change

    known_case = _known_case(record)
    case_status_change(
        actor=actor_for("demo-coordinator-noord"), case=known_case, status="in_assessment"
    )
    hotel = actor_for("demo-hotel")
    deltas = []
    for person in (KNOWN, UNKNOWN):
        before = case_counts(actor=hotel)
        record(
            "demo-hotel",
            person=PersonInput(
                name=person["name"],
                date_of_birth=date.fromisoformat(person["date_of_birth"]),
                nationality=person["nationality"],
            ),
        )
        after = case_counts(actor=hotel)
        deltas.append({k: after.get(k, 0) - before.get(k, 0) for k in after.keys() | before.keys()})
    assert deltas[0] == deltas[1]


def test_known_and_unknown_answers_leave_no_earlier_than_the_floor(
    web_for, api_for, record, settings
):
    """What the same statements leave of a timing difference (data sizes), the floor takes away:
    on the page and the API, the answer to a known and to an unknown person is held until
    SIGNAL_ANSWER_SECONDS after the request began (pacing.py)."""
    settings.SIGNAL_ANSWER_SECONDS = 0.25
    _known_case(record)
    web, api = web_for("demo-hotel"), api_for("demo-hotel")
    payload = {
        "signal_list": "hospitality",
        "indicators": ["hospitality.checkin.third_party_booking"],
        "observed_on": _yesterday(),
        "municipality": "GM0344",
    }
    took = []
    for person in (KNOWN, UNKNOWN):
        start = time.monotonic()
        posted = web.post("/signalen/nieuw/hospitality/", _form(**person))
        took.append(("web", time.monotonic() - start, posted.status_code))
        start = time.monotonic()
        answered = api.post("/api/v1/signals/", {**payload, "person": person}, format="json")
        took.append(("api", time.monotonic() - start, answered.status_code))
    assert [code for *_, code in took] == [302, 201, 302, 201]
    assert all(seconds >= 0.25 for _, seconds, _ in took), took


def test_an_invalid_signal_is_not_held(web_for, settings):
    """The floor paces recorded signals only; a form with errors answers at once."""
    # Whether the floor held the answer is read from the sleeps asked for, not from the clock:
    # on a busy machine loading the pages alone can take as long as the floor.
    settings.SIGNAL_ANSWER_SECONDS = 60
    web = web_for("demo-hotel")
    with mock.patch("samen.signalling.pacing.time.sleep") as slept:
        response = web.post("/signalen/nieuw/hospitality/", {"observed_on": "x"})
    assert response.status_code == 400 and not slept.called
