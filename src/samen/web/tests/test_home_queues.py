"""Every role signs in to a home page with its own work (issue #16, item 3)."""

from __future__ import annotations

import pytest

from samen.core.models import AuditEntry

pytestmark = pytest.mark.django_db

QUEUES = {
    "demo-coordinator": ["queue-mine", "queue-unassigned", "queue-new", "queue-deadlines"],
    "demo-registrar": ["queue-register"],
    "demo-investigator": ["queue-assess"],
    "demo-nidos": ["queue-minors", "queue-deadlines"],
    "demo-ind": ["queue-deadlines", "queue-ind"],
    "demo-shelter": ["queue-requests", "queue-arriving", "queue-residents"],
    "demo-privacy": ["queue-reviews", "queue-recent-emergency", "queue-audit"],
    "demo-programme": ["queue-late", "queue-changes"],
    "demo-om": ["queue-prosecution", "queue-deadlines"],
}
# Roles whose work lives in an app of its own: the home leads there first (#23).
WORK_ELSEWHERE = {
    "demo-counsellor": "home-chat-queue",
    "demo-outreach": "home-outreach",
    "demo-analyst": "home-online",
}


@pytest.mark.parametrize("username", sorted(WORK_ELSEWHERE))
def test_the_chat_and_outreach_roles_find_their_work_from_the_home_page(web_for, username):
    page = web_for(username).get("/").content.decode()
    assert f'data-testid="{WORK_ELSEWHERE[username]}"' in page


@pytest.mark.parametrize("username", sorted(QUEUES))
def test_every_role_has_its_own_queues_on_the_home_page(web_for, username):
    before = AuditEntry.objects.count()
    page = web_for(username).get("/").content.decode()
    for key in QUEUES[username]:
        assert f'data-testid="{key}"' in page, (username, key)
    # Opening the home is a use of whatever it shows: in the trail, by the queue selectors too.
    assert AuditEntry.objects.filter(actor_username=username, action="home.read").exists()
    assert AuditEntry.objects.count() > before


def test_the_registrar_finds_a_new_signal_in_its_queue(web_for, record):
    outcome = record()
    page = web_for("demo-registrar").get("/").content.decode()
    queue = page.split('data-testid="queue-register"')[1].split("</section>")[0]
    assert outcome.case.number in queue


def test_the_privacy_officer_finds_emergency_access_to_review(web_for, record, actor_for):
    from samen.sharing import services

    outcome = record()
    services.emergency_start(
        actor=actor_for("demo-coordinator-noord"),
        case=outcome.case,
        reason="Acute danger reported by the police tonight",
    )
    page = web_for("demo-privacy").get("/").content.decode()
    queue = page.split('data-testid="queue-reviews"')[1].split("</section>")[0]
    assert outcome.case.number in queue
    assert 'href="/privacy/audit/?format=csv"' in page


def test_the_privacy_officer_downloads_the_audit_trail_as_dutch_csv(web_for, record):
    record()
    response = web_for("demo-privacy").get("/privacy/audit/?format=csv")
    text = response.content.decode("utf-8")
    assert response["Content-Type"].startswith("text/csv")
    assert text.startswith("\ufeff") and text.splitlines()[0].count(";") == 11
    assert "Signaal: vastgelegd" in text and "signal.create" not in text
    assert AuditEntry.objects.filter(actor_username="demo-privacy", action="audit.export").exists()


def test_the_notifications_badge_leads_to_the_inbox_that_holds_the_message(web_for, world):
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from samen.shelter.models import CapacityAlarm, ShelterNotice

    user = get_user_model().objects.get(username="demo-shelter")
    alarm = CapacityAlarm.objects.create(raised_at=timezone.now())
    ShelterNotice.objects.create(
        user=user, kind="capacity_alarm", alarm=alarm, created_at=timezone.now()
    )
    page = web_for("demo-shelter").get("/").content.decode()
    link = page.split('data-testid="nav-notifications"')[0].rsplit("<a", 1)[1]
    assert "/opvang/meldingen/" in link


def _queue(page: str, key: str) -> str:
    return page.split(f'data-testid="queue-{key}"')[1].split("</section>")[0]


def test_the_coordinator_sees_their_own_cases_first_then_the_ones_nobody_took(
    web_for, record, actor_for
):
    from samen.cases.lifecycle import case_owner_set

    coordinator = actor_for("demo-coordinator")
    mine, free = record().case, record().case
    case_owner_set(actor=coordinator, case=mine, user_id=coordinator.user.pk)
    page = web_for("demo-coordinator").get("/").content.decode()
    assert page.index('data-testid="queue-mine"') < page.index('data-testid="queue-unassigned"')
    assert mine.number in _queue(page, "mine") and free.number not in _queue(page, "mine")
    assert free.number in _queue(page, "unassigned")
    assert mine.number not in _queue(page, "unassigned")


def test_a_queue_has_its_own_page_paged_and_sortable(web_for, record, monkeypatch):
    from samen.web import selectors

    monkeypatch.setattr(selectors, "PER_PAGE", 2)
    numbers = [record().case.number for _ in range(3)]  # opened in this order
    client = web_for("demo-registrar")
    home = client.get("/").content.decode()
    assert 'href="/werk/register/"' in _queue(home, "register")

    def shown(query: str) -> list[str]:
        page = client.get(f"/werk/register/?{query}")
        assert page.status_code == 200
        table = page.content.decode().split('data-testid="queue-table"')[1].split("</table>")[0]
        return [n for n in sorted(numbers) if n in table]

    newest, oldest = numbers[::-1], numbers
    assert shown("sort=new") == sorted(newest[:2]) and shown("sort=new&page=2") == [newest[2]]
    assert shown("sort=old") == sorted(oldest[:2]) and shown("sort=old&page=2") == [oldest[2]]
    assert shown("sort=ref&page=2") == [max(numbers)]
    # Read through the case register's audited search, and the opening itself is in the trail.
    assert AuditEntry.objects.filter(
        actor_username="demo-registrar", object_type="queue", object_id="register"
    ).exists()
    assert any(
        newest[2] in e.detail.get("shown", [])
        for e in AuditEntry.objects.filter(actor_username="demo-registrar", action="case.search")
    )


@pytest.mark.parametrize("username", sorted(QUEUES))
def test_every_queue_of_a_role_has_a_page_and_no_other_roles_queue_does(web_for, username):
    client = web_for(username)
    own = {k.removeprefix("queue-") for k in QUEUES[username]} - {"audit"}
    for key in sorted(own):
        assert client.get(f"/werk/{key}/").status_code == 200, key
        assert client.get(f"/werk/{key}/?sort=old&page=9").status_code == 200, key
    others = {k.removeprefix("queue-") for keys in QUEUES.values() for k in keys} - own
    for key in sorted(others | {"nothing"}):
        assert client.get(f"/werk/{key}/").status_code == 404, (username, key)
