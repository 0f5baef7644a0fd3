"""The user's in-app notifications: listed, counted in the header, marked read; the API too."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.utils import timezone

from samen.accounts.models import User
from samen.core.models import AuditEntry
from samen.identification.models import Notification
from samen.organisations.models import Membership

pytestmark = pytest.mark.django_db


@pytest.fixture
def notes(case):
    coordinator = Membership.objects.get(user__username="demo-coordinator")
    other = Membership.objects.get(user__username="demo-investigator")
    at = datetime(2027, 2, 21, 8, tzinfo=UTC)
    data = {"case": case.number, "deadline": "reflection_end", "due_on": "2027-02-28"}
    mine = [
        Notification.objects.create(
            user=coordinator.user,
            organisation=coordinator.organisation,
            kind="deadline",
            case=case,
            data={**data, "stage": stage},
            created_at=at,
        )
        for stage in ("7", "overdue")
    ]
    theirs = Notification.objects.create(
        user=other.user,
        organisation=other.organisation,
        kind="deadline",
        case=case,
        data={**data, "stage": "7"},
        created_at=at,
    )
    return mine, theirs


def test_the_page_lists_my_notifications_and_the_header_counts_unread(web_for, notes, case):
    mine, theirs = notes
    client = web_for("demo-coordinator")
    page = client.get("/identificatie/meldingen/", HTTP_ACCEPT_LANGUAGE="en")
    assert sorted(r["id"] for r in page.context["rows"]) == sorted(n.pk for n in mine)
    assert all(case.number == r["case"] for r in page.context["rows"])
    html = page.content.decode()
    assert 'data-testid="unread-count"' in html and ">2</span>" in html
    entry = AuditEntry.objects.filter(action="identification_notification.list").last()
    assert entry.detail == {"shown": [case.number]}
    # Mark one read, then the rest; another user's notification is not touched.
    client.post("/identificatie/meldingen/gelezen/", {"id": [mine[0].pk, theirs.pk]})
    assert Notification.objects.filter(read_at__isnull=False).count() == 1
    page = client.get("/identificatie/meldingen/")
    assert ">1</span>" in page.content.decode()
    client.post("/identificatie/meldingen/gelezen/")
    assert set(Notification.objects.filter(read_at__isnull=True)) == {theirs}
    assert 'data-testid="unread-count"' not in client.get("/zaken/").content.decode()


def test_the_api_lists_and_marks_read(api_for, notes):
    mine, theirs = notes
    client = api_for("demo-coordinator")
    rows = client.get("/api/v1/identification/notifications/").json()
    assert sorted(r["id"] for r in rows) == sorted(n.pk for n in mine)
    assert all(r["read_at"] is None for r in rows)
    bad = client.post("/api/v1/identification/notifications/read/", {"ids": ["x"]}, format="json")
    assert bad.status_code == 400 and "ids" in bad.json()["fields"]
    done = client.post(
        "/api/v1/identification/notifications/read/", {"ids": [mine[0].pk]}, format="json"
    )
    assert done.json() == {"marked": 1}
    assert client.post("/api/v1/identification/notifications/read/", {}, format="json").json() == {
        "marked": 1
    }
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_reminders_become_notifications_on_the_page(web_for, actor_for, case):
    from samen.identification import services
    from samen.identification.reminders import reminders_send

    User.objects.filter(username="demo-coordinator").update(email="c@example.test")
    services.transition_take(
        actor=actor_for("demo-investigator"), case=case, code="assessment_start"
    )
    # The assessment decision is due in 14 days: the 14-day reminder goes out now.
    assert reminders_send(now=timezone.now()) == 1
    rows = web_for("demo-coordinator").get("/identificatie/meldingen/").context["rows"]
    assert [(r["kind"], r["case"]) for r in rows] == [("deadline", case.number)]
