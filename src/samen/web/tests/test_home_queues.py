"""Every role signs in to a home page with its own work (issue #16, item 3)."""

from __future__ import annotations

import pytest

from samen.core.models import AuditEntry

pytestmark = pytest.mark.django_db

QUEUES = {
    "demo-coordinator": ["queue-mine", "queue-new", "queue-deadlines"],
    "demo-registrar": ["queue-register"],
    "demo-investigator": ["queue-assess"],
    "demo-nidos": ["queue-minors", "queue-deadlines"],
    "demo-ind": ["queue-deadlines", "queue-ind"],
    "demo-shelter": ["queue-requests", "queue-arriving", "queue-residents"],
    "demo-privacy": ["queue-reviews", "queue-recent-emergency", "queue-audit"],
    "demo-programme": ["queue-late", "queue-changes"],
}


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
