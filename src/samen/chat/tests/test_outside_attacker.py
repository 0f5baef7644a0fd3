"""The anonymous chat attacked from outside, over HTTP only (Django's client), with the demo
accounts: a person reaching another's conversation, a replayed cookie after the quick exit, a
counsellor reading a colleague's chat, other roles at the counsellors' pages, identifying
values in the request, abusive input, and a hand-over leaking more than the person saw.

Written by someone who did not build the chat; each test names the promise it attacks."""

from __future__ import annotations

import json
import logging
import secrets
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samen.chat import services
from samen.chat.models import Conversation, HandOver, Message, Presence
from samen.conftest import signed_in
from samen.core.models import AuditEntry
from samen.organisations.models import Membership
from samen.sharing.tests.canary import database_text
from samen.signalling.models import Signal

pytestmark = pytest.mark.django_db

COUNSELLORS = {"demo-counsellor", "demo-counsellor2", "demo-supervisor"}
INDICATOR = "general.control.not_free"


@pytest.fixture(autouse=True)
def _short_streams(settings):
    settings.CHAT_STREAM_SECONDS = 0
    settings.CHAT_POLL_SECONDS = 0


def _canary(tag: str) -> str:
    return f"KANARIE-{tag}-{secrets.token_hex(4)}"


def _signed_in(username: str) -> Client:
    """A separate browser per user, past the second factor where the role has one."""
    return signed_in(Client(), username)


def _person(**headers: str) -> tuple[Client, Conversation]:
    client = Client(**headers)
    before = set(Conversation.objects.values_list("pk", flat=True))
    assert client.post("/chat/start/", **headers).status_code == 302
    conversation = Conversation.objects.exclude(pk__in=before).get()
    return client, conversation


def _events(client: Client, path: str, **headers: str) -> str:
    response = client.get(path, **headers)
    if not getattr(response, "streaming", False):
        return response.content.decode()
    return b"".join(response.streaming_content).decode()


def _bodies(stream: str) -> list[str]:
    out = []
    for block in stream.split("\n\n"):
        fields = dict(
            line.split(": ", 1) for line in block.splitlines() if ": " in line and line[0] != ":"
        )
        if fields.get("event") == "message":
            out.append(json.loads(fields["data"])["body"])
    return out


def _shown(person: Client) -> str:
    """The draft the person's screen shows (the last state of their stream)."""
    states = [
        json.loads(line[6:])
        for line in _events(person, "/chat/stroom/").splitlines()
        if line.startswith("data: ") and '"status"' in line
    ]
    return str(states[-1].get("draft") or "")


def _taken(username: str, conversation: Conversation) -> Client:
    counsellor = _signed_in(username)
    counsellor.post("/chat/dienst/beschikbaar/", {"available": "1"})
    assert counsellor.post(f"/chat/dienst/{conversation.pk}/oppakken/").status_code == 302
    return counsellor


def _everything_stored() -> str:
    """Every column of every table, plus the decoded sessions (their data is encoded)."""
    sessions = "\n".join(str(s.get_decoded()) for s in Session.objects.all())
    return database_text() + "\n" + sessions


# 1. Anonymity and isolation


def test_a_person_reaches_nothing_of_another_persons_conversation(world):
    a, conv_a = _person()
    b, conv_b = _person()
    secret_b = _canary("b")
    assert b.post("/chat/bericht/", {"body": secret_b}).status_code == 201
    forged = [
        secrets.token_urlsafe(32),  # a guessed token
        conv_b.token_hash,  # the stored hash itself, as if it leaked
        str(conv_b.pk),  # the id
        "",
        "x" * 5000,
    ]
    for value in forged:
        mallory = Client()
        mallory.cookies["samen_chat"] = value
        assert secret_b not in _events(mallory, "/chat/stroom/")
        assert mallory.post("/chat/bericht/", {"body": "hoi"}).status_code == 400
        assert mallory.post("/chat/toestemming/", {"answer": "yes"}).status_code == 400
        mallory.post("/chat/weg/")
        assert secret_b not in mallory.get("/chat/").content.decode()
    # A's own cookie with B's id in the URL, the Last-Event-ID or ?after: still only A's chat.
    for path, headers in [
        (f"/chat/stroom/?after=0&conversation={conv_b.pk}", {}),
        ("/chat/stroom/", {"HTTP_LAST_EVENT_ID": "0"}),
        ("/chat/stroom/?after=-1", {}),
        (f"/chat/dienst/{conv_b.pk}/stroom/", {}),
        (f"/chat/dienst/{conv_b.pk}/", {}),
    ]:
        assert secret_b not in _events(a, path, **headers)
    # A's cookie set for another path is not sent to /chat/, and a cookie for /chat/ reaches B
    # only through B's own token: B's chat is untouched and still open.
    conv_b.refresh_from_db()
    assert conv_b.status == "active" or conv_b.status == "waiting"
    assert Message.objects.filter(conversation=conv_b).count() == 1
    assert not Message.objects.filter(conversation=conv_a).exists()


def test_the_token_cookie_is_a_session_cookie_for_the_chat_only_and_the_queue_is_capped(
    world, settings
):
    client = Client()
    response = client.post("/chat/start/")
    cookie = response.cookies["samen_chat"]
    assert cookie["path"] == "/chat/" and cookie["httponly"] and cookie["samesite"] == "Strict"
    assert not cookie["expires"] and not cookie["max-age"]  # gone with the browser
    assert len(cookie.value) >= 40  # 32 random bytes, not a guessable id
    assert cookie.value not in database_text()  # only its hash is kept
    settings.CHAT_MAX_WAITING = Conversation.objects.filter(status="waiting").count()
    refused = Client().post("/chat/start/", follow=True)
    assert "samen_chat" not in refused.cookies or not refused.cookies["samen_chat"].value
    assert Conversation.objects.count() == settings.CHAT_MAX_WAITING
    assert refused.status_code == 200 and b"chat-error" in refused.content


def test_after_the_quick_exit_the_replayed_cookie_reads_and_writes_nothing(world):
    person, conversation = _person()
    secret = _canary("exit")
    _taken("demo-counsellor", conversation)
    person.post("/chat/bericht/", {"body": secret})
    old = person.cookies["samen_chat"].value
    assert person.post("/chat/weg/").status_code == 204
    grabbed = Client()  # someone who picks up the phone and replays the cookie
    grabbed.cookies["samen_chat"] = old
    assert secret not in _events(grabbed, "/chat/stroom/")
    assert secret not in _events(grabbed, "/chat/stroom/", HTTP_LAST_EVENT_ID="0")
    assert secret not in grabbed.get("/chat/").content.decode()
    assert grabbed.post("/chat/bericht/", {"body": "terug"}).status_code == 400
    assert grabbed.post("/chat/toestemming/", {"answer": "yes"}).status_code == 400
    assert not Message.objects.filter(body="terug").exists()


def test_a_counsellor_not_assigned_gets_not_found_for_a_colleagues_chat(world):
    person, conversation = _person()
    secret = _canary("colleague")
    first = _taken("demo-counsellor", conversation)
    person.post("/chat/bericht/", {"body": secret})
    missing = Conversation.objects.order_by("-pk").first().pk + 1000
    for other in ("demo-counsellor2", "demo-supervisor"):
        client = _signed_in(other)
        for pk in (conversation.pk, missing):
            page = client.get(f"/chat/dienst/{pk}/")
            assert page.status_code == 404, (other, pk)
            assert secret not in _events(client, f"/chat/dienst/{pk}/stroom/")
            for action, data in [
                ("bericht", {"body": "ik lees mee"}),
                ("sluiten", {}),
                ("veiligheid", {}),
                ("overdragen", {"to": "1"}),
                ("doorverwijzen", {"indicators": [INDICATOR], "municipality": "GM0344"}),
            ]:
                response = client.post(f"/chat/dienst/{pk}/{action}/", data)
                assert response.status_code == 404, (other, pk, action)
        assert AuditEntry.objects.filter(
            actor_username=other,
            object_type="conversation",
            object_id=str(conversation.pk),
            result="not_found",
        ).exists()
    conversation.refresh_from_db()
    assert conversation.status == "active" and not conversation.safety_flag
    assert not Message.objects.filter(body="ik lees mee").exists()
    assert first.get(f"/chat/dienst/{conversation.pk}/").status_code == 200


def test_a_stream_opened_before_a_hand_over_sends_the_former_counsellor_nothing(world):
    person, conversation = _person()
    first = _taken("demo-counsellor", conversation)
    colleague = _signed_in("demo-counsellor2")
    colleague.post("/chat/dienst/beschikbaar/", {"available": "1"})
    person.post("/chat/bericht/", {"body": "eerder"})
    open_stream = first.get(f"/chat/dienst/{conversation.pk}/stroom/")  # access checked here
    to = Membership.objects.get(user__username="demo-counsellor2").pk
    assert first.post(f"/chat/dienst/{conversation.pk}/overdragen/", {"to": to}).status_code == 302
    later = _canary("after-transfer")
    person.post("/chat/bericht/", {"body": later})
    rest = b"".join(open_stream.streaming_content).decode()
    assert later not in rest and "eerder" not in rest
    assert later in _bodies(_events(colleague, f"/chat/dienst/{conversation.pk}/stroom/"))
    assert first.get(f"/chat/dienst/{conversation.pk}/").status_code == 404


def test_roles_outside_the_chat_get_nothing_from_its_pages_and_are_audited(world):
    person, conversation = _person()
    secret = _canary("roles")
    _taken("demo-counsellor", conversation)
    person.post("/chat/bericht/", {"body": secret})
    pk = conversation.pk
    gets = ["/chat/dienst/", "/chat/dienst/stroom/", "/chat/meldingen/", f"/chat/dienst/{pk}/"]
    gets += [f"/chat/dienst/{pk}/stroom/", "/outreach/"]
    posts = ["/chat/dienst/beschikbaar/", f"/chat/dienst/{pk}/oppakken/", "/outreach/"]
    posts += [f"/chat/dienst/{pk}/{a}/" for a in ("bericht", "sluiten", "veiligheid")]
    posts += ["/chat/meldingen/1/gezien/", "/outreach/1/stap/"]
    others = (
        Membership.objects.filter(user__username__startswith="demo-", is_active=True)
        .exclude(user__username__in=COUNSELLORS | {"demo-outreach"})
        .values_list("user__username", flat=True)
        .distinct()
    )
    assert len(others) >= 8
    tried = 0
    for username in others:
        client = _signed_in(username)
        for path in gets:
            response = client.get(path)
            tried += 1
            assert response.status_code in (403, 404), (username, path, response.status_code)
            assert secret not in response.content.decode(errors="replace")
        for path in posts:
            response = client.post(path, {"body": "x", "available": "1"})
            assert response.status_code in (403, 404), (username, path, response.status_code)
        # Existing and missing ids answer alike, so a refusal tells nothing of existence.
        assert client.get(f"/chat/dienst/{pk}/").status_code == (
            client.get(f"/chat/dienst/{pk + 1000}/").status_code
        )
        assert AuditEntry.objects.filter(
            actor_username=username, action="chat.counsel", result="denied"
        ).exists(), username
    anonymous = Client()
    for path in gets:
        response = anonymous.get(path)
        assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert Presence.objects.filter(available=True).count() == 1
    assert tried >= 48


# 2. Nothing identifying kept


def test_request_canaries_are_in_no_table_during_and_nothing_after_the_purge(
    world, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    ip, forwarded = "198.51.100.231", "203.0.113.199"
    agent, language = _canary("agent"), _canary("lang")
    referer, cookie = _canary("referer"), _canary("cookie")
    said = _canary("said")
    headers = {
        "REMOTE_ADDR": ip,
        "HTTP_X_FORWARDED_FOR": forwarded,
        "HTTP_USER_AGENT": agent,
        "HTTP_ACCEPT_LANGUAGE": f"nl-NL,{language};q=0.5",
        "HTTP_REFERER": f"https://example.org/{referer}",
    }
    person, conversation = _person(**headers)
    person.cookies["tracker"] = cookie
    counsellor = _taken("demo-counsellor", conversation)
    assert person.post("/chat/bericht/", {"body": f"ik ben {said}"}, **headers).status_code == 201
    _events(person, "/chat/stroom/", **headers)
    person.get("/chat/", **headers)
    counsellor.post(f"/chat/dienst/{conversation.pk}/veiligheid/")
    counsellor.post(
        f"/chat/dienst/{conversation.pk}/doorverwijzen/",
        {"indicators": [INDICATOR], "municipality": "GM0344", "notes": f"noot {said}"},
    )
    person.post("/chat/toestemming/", {"answer": "no"}, **headers)
    person.post("/chat/bericht/", {"body": "x" * 5000}, **headers)  # refused, not logged
    during = _everything_stored()
    for value in (ip, forwarded, agent, language, referer, cookie):
        assert value not in during, value
    assert said in during  # the messages are held for the retention period, as stated
    call_command("chat_purge")  # at the real clock: nothing is old enough yet
    assert said in _everything_stored()
    later = timezone.now() + timedelta(hours=72, minutes=1)
    monkeypatch.setattr(timezone, "now", lambda: later)  # the clock moved past the period
    call_command("chat_purge")
    monkeypatch.undo()
    assert not Conversation.objects.filter(pk=conversation.pk).exists()
    after = _everything_stored()
    for value in (ip, forwarded, agent, language, referer, cookie, said):
        assert value not in after, value
    logged = "\n".join(
        f"{r.getMessage()} {r.args} {getattr(r, 'request', '')}" for r in caplog.records
    )
    for value in (ip, forwarded, agent, language, referer, cookie, said):
        assert value not in logged, value


# 3. Abuse


def test_markup_in_messages_and_draft_reaches_the_other_side_as_inert_text(world):
    person, conversation = _person()
    counsellor = _taken("demo-counsellor", conversation)
    attack = '<script>alert("x")</script><img src=x onerror=alert(1)>"\'&lt;b&gt;'
    assert person.post("/chat/bericht/", {"body": f"hoi {attack}"}).status_code == 201
    stored = Message.objects.filter(sender="person").get().body
    assert "<script" not in stored and "<img" not in stored
    page = counsellor.get(f"/chat/dienst/{conversation.pk}/").content.decode()
    assert "<script>alert" not in page and "onerror=alert" not in page
    stream = _events(counsellor, f"/chat/dienst/{conversation.pk}/stroom/")
    for line in stream.splitlines():
        if line.startswith("data: "):
            json.loads(line[6:])  # every payload is one valid JSON document, on one line
    counsellor.post(
        f"/chat/dienst/{conversation.pk}/doorverwijzen/",
        {"indicators": [INDICATOR], "municipality": "GM0344", "notes": attack + "\ndata: x"},
    )
    person_stream = _events(person, "/chat/stroom/")
    states = [
        json.loads(line[6:])
        for line in person_stream.splitlines()
        if line.startswith("data: ") and '"status"' in line
    ]
    assert any(attack + "\ndata: x" in s["handover"] for s in states if s.get("handover"))
    assert "\ndata: x\n" not in person_stream  # a newline cannot forge an event line
    assert "<script>alert" not in person.get("/chat/").content.decode()


def test_bad_input_gets_a_clear_4xx_and_saves_nothing(world, settings):
    person, conversation = _person()
    _taken("demo-counsellor", conversation)
    count = Message.objects.count
    base = count()
    too_long = person.post("/chat/bericht/", {"body": "a" * 1001})
    assert too_long.status_code == 400 and "body" in too_long.json()["errors"]
    raw_json = person.post("/chat/bericht/", '{"body": ', content_type="application/json")
    assert raw_json.status_code == 400 and raw_json.json()["errors"]
    wrong_type = person.post("/chat/bericht/", b"\xff\xfe", content_type="application/octet-stream")
    assert wrong_type.status_code == 400
    assert person.get("/chat/bericht/").status_code == 405
    assert count() == base
    settings.CHAT_RATE_MESSAGES = 3
    codes = [person.post("/chat/bericht/", {"body": f"m{i}"}).status_code for i in range(5)]
    assert codes == [201, 201, 201, 429, 429]
    assert count() == base + 3
    assert "body" in person.post("/chat/bericht/", {"body": "m9"}).json()["errors"]


def test_every_state_changing_person_request_needs_the_csrf_token(world):
    strict = Client(enforce_csrf_checks=True)
    assert strict.post("/chat/start/").status_code == 403
    assert not Conversation.objects.exists()
    person, conversation = _person()
    _taken("demo-counsellor", conversation)
    strict.cookies["samen_chat"] = person.cookies["samen_chat"].value
    for path, data in [
        ("/chat/bericht/", {"body": "zonder token"}),
        ("/chat/toestemming/", {"answer": "yes"}),
        ("/chat/weg/", {}),
    ]:
        assert strict.post(path, data).status_code == 403, path
    conversation.refresh_from_db()
    assert conversation.status == "active"
    assert not Message.objects.filter(body="zonder token").exists()
    # The page hands out the token, and with it the same requests pass.
    strict.get("/chat/")
    token = strict.cookies["csrftoken"].value
    sent = strict.post("/chat/bericht/", {"body": "met token"}, HTTP_X_CSRFTOKEN=token)
    assert sent.status_code == 201


def test_absurd_ids_and_event_ids_are_refused_without_a_server_error(world):
    person, conversation = _person()
    counsellor = _taken("demo-counsellor", conversation)
    huge = "9" * 40
    for path in [f"/chat/dienst/{huge}/", f"/chat/dienst/{huge}/stroom/"]:
        assert counsellor.get(path).status_code == 404, path
    for action in ("oppakken", "bericht", "sluiten"):
        response = counsellor.post(f"/chat/dienst/{huge}/{action}/", {"body": "x"})
        assert response.status_code == 404, action
    assert counsellor.post(f"/chat/meldingen/{huge}/gezien/").status_code in (403, 404)
    for event_id in (huge, "-1", "1e9", "abc", "0x10"):
        response = person.get("/chat/stroom/", HTTP_LAST_EVENT_ID=event_id)
        assert response.status_code == 200
        b"".join(response.streaming_content)
        response = person.get(f"/chat/stroom/?after={event_id}")
        b"".join(response.streaming_content)


def test_consent_twice_makes_one_signal_and_consent_without_a_draft_makes_none(world):
    person, conversation = _person()
    counsellor = _taken("demo-counsellor", conversation)
    signals = Signal.objects.count()
    assert person.post("/chat/toestemming/", {"answer": "yes"}).status_code == 400
    assert Signal.objects.count() == signals
    counsellor.post(
        f"/chat/dienst/{conversation.pk}/doorverwijzen/",
        {"indicators": [INDICATOR], "municipality": "GM0344"},
    )
    shown = _shown(person)
    first = person.post("/chat/toestemming/", {"answer": "yes", "draft": shown})
    assert first.status_code == 200 and first.json()["reference"]
    again = person.post("/chat/toestemming/", {"answer": "yes", "draft": shown})
    assert again.status_code == 400
    assert person.post("/chat/toestemming/", {"answer": "no"}).status_code == 400
    assert Signal.objects.count() == signals + 1
    assert HandOver.objects.filter(signal__isnull=False).count() == 1


def test_a_yes_to_a_proposal_the_counsellor_then_changed_sends_nothing(world):
    person, conversation = _person()
    counsellor = _taken("demo-counsellor", conversation)
    propose = f"/chat/dienst/{conversation.pk}/doorverwijzen/"
    counsellor.post(propose, {"indicators": [INDICATOR], "municipality": "GM0344"})
    seen = _shown(person)  # the person reads the first proposal ...
    added = _canary("added-later")
    # ... the counsellor swaps in a wider one before the person's "yes" arrives.
    counsellor.post(
        propose,
        {
            "indicators": [INDICATOR],
            "municipality": "GM0344",
            "age_band": "12-17",
            "notes": f"naam en adres: {added}",
        },
    )
    signals = Signal.objects.count()
    late = person.post("/chat/toestemming/", {"answer": "yes", "draft": seen})
    assert late.status_code == 400 and "chat" in late.json()["errors"]
    assert person.post("/chat/toestemming/", {"answer": "yes"}).status_code == 400
    assert Signal.objects.count() == signals
    assert added not in database_text(exclude=frozenset({"chat_message", "chat_handover"}))
    # Once the screen showed the new proposal, the answer to it goes through.
    final = person.post("/chat/toestemming/", {"answer": "yes", "draft": _shown(person)})
    assert final.status_code == 200 and Signal.objects.count() == signals + 1


def test_a_hand_over_to_a_colleague_off_duty_or_outside_the_chat_is_refused(world):
    _, conversation = _person()
    first = _taken("demo-counsellor", conversation)
    off_duty = Membership.objects.get(user__username="demo-counsellor2")
    Presence.objects.filter(membership=off_duty).update(available=False)
    coordinator = Membership.objects.filter(user__username="demo-coordinator").first()
    for target in (off_duty.pk, coordinator.pk, 0, "abc", "9" * 30):
        response = first.post(
            f"/chat/dienst/{conversation.pk}/overdragen/",
            {"to": target},
            HTTP_ACCEPT="application/json",
        )
        assert response.status_code == 400, target
        assert "to" in response.json()["errors"]
    conversation.refresh_from_db()
    assert conversation.counsellor.user.username == "demo-counsellor"


# 4. Hand-over with consent


def test_the_signal_holds_only_what_the_draft_showed_and_chain_roles_see_no_more(world):
    person, conversation = _person()
    counsellor = _taken("demo-counsellor", conversation)
    unshared = _canary("unshared")
    shared = _canary("shared")
    person.post("/chat/bericht/", {"body": f"mijn adres is {unshared}"})
    counsellor.post(f"/chat/dienst/{conversation.pk}/bericht/", {"body": f"je zei {unshared}"})
    counsellor.post(
        f"/chat/dienst/{conversation.pk}/doorverwijzen/",
        {
            "indicators": [INDICATOR],
            "municipality": "GM0344",
            "gender": "female",
            "age_band": "12-17",
            "notes": f"wil hulp, {shared}",
        },
    )
    shown = [
        json.loads(line[6:])
        for line in _events(person, "/chat/stroom/").splitlines()
        if line.startswith("data: ") and '"handover"' in line
    ][-1]["handover"]
    answer = {"answer": "yes", "draft": _shown(person)}
    reference = person.post("/chat/toestemming/", answer).json()["reference"]
    signal = Signal.objects.get(receipt=reference)
    # Every fact that left the chat was on the person's screen.
    assert any(shared in line for line in shown)
    assert "Utrecht" in shown
    assert any(line in ("Vrouw", "Female") for line in shown), shown
    assert any(line in ("12 tot en met 17", "12 to 17") for line in shown), shown
    # The unshared canary is only in the chat's own tables, which the purge empties.
    stored = database_text(exclude=frozenset({"chat_message"}))
    assert unshared not in stored
    assert shared in stored
    for username in ("demo-coordinator", "demo-registrar"):
        client = _signed_in(username)
        pages = [
            f"/signalen/{signal.pk}/",
            "/signalen/",
            "/zaken/",
            f"/zaken/{signal.case.number}/",
        ]
        pages += [f"/api/v1/signals/{signal.pk}/", "/api/v1/signals/", "/api/v1/cases/"]
        pages += [f"/api/v1/cases/{signal.case.number}/"]
        seen, reached = 0, 0
        for page in pages:
            response = client.get(page)
            text = response.content.decode(errors="replace")
            assert unshared not in text, (username, page)
            seen += shared in text
            reached += response.status_code == 200
        assert reached >= 3, username  # the walk was let in, not only refused
        if username == "demo-coordinator":
            assert seen  # the coordinator reads the signal's notes: the walk reached it
    services.chat_purge(now=timezone.now() + timedelta(hours=73))
    assert unshared not in database_text()
