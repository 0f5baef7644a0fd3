"""The anonymous chat end to end through its pages (Django's client), its limits and retention."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from samen.chat import services
from samen.chat.models import Conversation, HandOver, Message, SafetyAlert
from samen.core.models import AuditEntry
from samen.signalling.models import Signal

pytestmark = pytest.mark.django_db


@pytest.fixture
def person(world) -> Client:
    client = Client()
    response = client.post("/chat/start/")
    assert response.status_code == 302
    return client


def _conversation() -> Conversation:
    return Conversation.objects.get()


def _stream(client: Client, path: str) -> list[tuple[str, dict]]:
    """The events of one stream (the stream ends at once in tests: CHAT_STREAM_SECONDS=0)."""
    response = client.get(path)
    assert response["Content-Type"] == "text/event-stream"
    text = b"".join(response.streaming_content).decode()
    events = []
    for block in text.split("\n\n"):
        lines = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if "event" in lines:
            events.append((lines["event"], json.loads(lines["data"])))
    return events


def _shown(person: Client) -> str:
    """The draft the person's screen shows, as their consent names it."""
    states = [d for e, d in _stream(person, "/chat/stroom/") if e == "state"]
    return str(states[-1]["draft"])


@pytest.fixture(autouse=True)
def _short_streams(settings):
    settings.CHAT_STREAM_SECONDS = 0
    settings.CHAT_POLL_SECONDS = 0


def test_a_person_and_a_counsellor_exchange_messages_through_the_streams(person, web_for):
    counsellor = web_for("demo-counsellor")
    pk = _conversation().pk
    assert counsellor.post("/chat/dienst/beschikbaar/", {"available": "1"}).status_code == 302
    assert b"#%d" % pk in counsellor.get("/chat/dienst/").content
    assert counsellor.post(f"/chat/dienst/{pk}/oppakken/").status_code == 302
    assert person.post("/chat/bericht/", {"body": "hallo, ik wil praten"}).status_code == 201
    sent = counsellor.post(
        f"/chat/dienst/{pk}/bericht/", {"body": "Ik ben er"}, HTTP_ACCEPT="application/json"
    )
    assert sent.status_code == 200
    seen_by_counsellor = [
        d["body"] for e, d in _stream(counsellor, f"/chat/dienst/{pk}/stroom/") if e == "message"
    ]
    seen_by_person = [d for e, d in _stream(person, "/chat/stroom/") if e == "message"]
    assert "hallo, ik wil praten" in seen_by_counsellor and "Ik ben er" in seen_by_counsellor
    assert [m["body"] for m in seen_by_person if m["sender"] != "system"] == [
        "hallo, ik wil praten",
        "Ik ben er",
    ]
    # A reconnecting browser resumes after the last event it had.
    last = seen_by_person[-1]["id"]
    again = _stream(person, f"/chat/stroom/?after={last}")
    assert not [d for e, d in again if e == "message"]


def test_no_conversation_means_no_stream_and_a_stranger_cannot_post(world):
    stranger = Client()
    assert stranger.get("/chat/stroom/").status_code == 204
    assert stranger.post("/chat/bericht/", {"body": "x"}).status_code == 400


def test_messages_are_plain_text_bounded_and_rate_limited(person, settings):
    settings.CHAT_RATE_MESSAGES = 3
    settings.CHAT_MAX_MESSAGE_CHARS = 50
    person.post("/chat/bericht/", {"body": "<script>alert(1)</script><b>hoi</b>"})
    assert Message.objects.get().body == "alert(1)hoi"
    too_long = person.post("/chat/bericht/", {"body": "x" * 51})
    assert too_long.status_code == 400 and "body" in too_long.json()["errors"]
    assert person.post("/chat/bericht/", {"body": "twee"}).status_code == 201
    assert person.post("/chat/bericht/", {"body": "drie"}).status_code == 201
    assert person.post("/chat/bericht/", {"body": "vier"}).status_code == 429
    assert Message.objects.count() == 3


def test_quick_exit_ends_the_chat_and_forgets_the_browser(person):
    response = person.post("/chat/weg/")
    assert response.status_code == 204
    assert response.cookies["samen_chat"].value == ""
    assert _conversation().status == "closed"
    assert person.post("/chat/bericht/", {"body": "nog iets"}).status_code == 400


def test_a_safety_flag_alerts_the_supervisor_and_advises_112(person, web_for):
    counsellor = web_for("demo-counsellor")
    pk = _conversation().pk
    counsellor.post(f"/chat/dienst/{pk}/oppakken/")
    counsellor.post(f"/chat/dienst/{pk}/veiligheid/")
    assert any("112" in m.body for m in Message.objects.filter(sender="system"))
    supervisor = web_for("demo-supervisor")
    page = supervisor.get("/chat/meldingen/")
    assert page.status_code == 200 and b"#%d" % pk in page.content
    alert = SafetyAlert.objects.get()
    supervisor.post(f"/chat/meldingen/{alert.pk}/gezien/")
    alert.refresh_from_db()
    assert alert.acknowledged_at is not None
    assert web_for("demo-counsellor").get("/chat/meldingen/").status_code == 403


def test_a_counsellor_hands_a_chat_to_a_colleague_on_duty_only(person, web_for):
    first, second = web_for("demo-counsellor"), None
    pk = _conversation().pk
    first.post(f"/chat/dienst/{pk}/oppakken/")
    colleague = Conversation.objects.get().counsellor.organisation.memberships.get(
        user__username="demo-counsellor2"
    )
    first.post(f"/chat/dienst/{pk}/overdragen/", {"to": colleague.pk})
    assert Conversation.objects.get().counsellor.user.username == "demo-counsellor"  # off duty
    second = web_for("demo-counsellor2")
    second.post("/chat/dienst/beschikbaar/", {"available": "1"})
    first = web_for("demo-counsellor")
    first.post(f"/chat/dienst/{pk}/overdragen/", {"to": colleague.pk})
    assert Conversation.objects.get().counsellor_id == colleague.pk
    assert AuditEntry.objects.filter(action="chat.transfer").exists()


def _propose(counsellor: Client, pk: int, notes: str = "wil hulp in Utrecht") -> None:
    counsellor.post(
        f"/chat/dienst/{pk}/doorverwijzen/",
        {
            "indicators": ["general.control.not_free"],
            "municipality": "GM0344",
            "gender": "female",
            "age_band": "18-22",
            "notes": notes,
        },
    )


def test_without_consent_nothing_leaves_the_chat(person, web_for):
    counsellor = web_for("demo-counsellor")
    pk = _conversation().pk
    counsellor.post(f"/chat/dienst/{pk}/oppakken/")
    signals = Signal.objects.count()
    _propose(counsellor, pk)
    state = [d for e, d in _stream(person, "/chat/stroom/") if e == "state"][-1]
    assert "wil hulp in Utrecht" in state["handover"]
    assert person.post("/chat/toestemming/", {"answer": "no"}).json() == {"reference": ""}
    assert Signal.objects.count() == signals
    assert HandOver.objects.get().draft == {}


def test_with_consent_the_chat_becomes_a_signal_with_an_audited_consent(person, web_for):
    counsellor = web_for("demo-counsellor")
    pk = _conversation().pk
    counsellor.post(f"/chat/dienst/{pk}/oppakken/")
    _propose(counsellor, pk)
    answer = {"answer": "yes", "draft": _shown(person)}
    reference = person.post("/chat/toestemming/", answer).json()["reference"]
    signal = Signal.objects.get(receipt=reference)
    assert signal.municipality.code == "GM0344" and signal.case.person.gender == "female"
    consent = AuditEntry.objects.get(action="chat.consent")
    assert consent.object_id == str(signal.pk) and consent.actor_username == "demo-counsellor"
    assert consent.origin == "chat:consent"
    assert HandOver.objects.get().draft == {}
    assert any(reference in m.body for m in Message.objects.filter(sender="system"))


def test_retention_deletes_the_chat_and_keeps_only_the_signal_link(person, web_for):
    counsellor = web_for("demo-counsellor")
    pk = _conversation().pk
    counsellor.post(f"/chat/dienst/{pk}/oppakken/")
    person.post("/chat/bericht/", {"body": "geheim"})
    _propose(counsellor, pk)
    person.post("/chat/toestemming/", {"answer": "yes", "draft": _shown(person)})
    assert services.chat_purge(now=timezone.now() + timedelta(hours=71))["conversations"] == 0
    done = services.chat_purge(now=timezone.now() + timedelta(hours=73))
    assert done["conversations"] == 1 and done["messages"] >= 1
    assert not Conversation.objects.exists() and not Message.objects.exists()
    link = HandOver.objects.get()
    assert link.signal_id and link.conversation_id is None and link.draft == {}
