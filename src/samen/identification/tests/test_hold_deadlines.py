"""Shelter holds appear as deadlines of the organisation that made or coordinates the referral."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.utils import timezone

from samen.identification import selectors
from samen.organisations.models import Municipality, Organisation, OrganisationType
from samen.shelter.models import (
    Hold,
    HoldStatus,
    Location,
    Place,
    PlaceType,
    Provider,
    Referral,
    TargetGroup,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def hold_for(actor_for, case):
    utrecht = Municipality.objects.get(code="GM0344")
    shelter = Organisation.objects.get(
        type=OrganisationType.SHELTER, municipality__region__code="VR09"
    )
    provider = Provider.objects.create(organisation=shelter, name="Test opvang")
    location = Location.objects.create(provider=provider, name="Locatie", municipality=utrecht)
    place = Place.objects.create(
        location=location,
        name="Plek",
        type=PlaceType.SPECIALISED,
        target_group=TargetGroup.ALL,
        municipality=utrecht,
        funding_municipality=utrecht,
        capacity=2,
        free=1,
    )
    coordinator = actor_for("demo-coordinator")

    def make(expires_at: datetime, status: str = HoldStatus.ACTIVE) -> Hold:
        referral = Referral.objects.create(
            case=case, organisation=coordinator.organisation, created_at=timezone.now()
        )
        return Hold.objects.create(
            referral=referral,
            place=place,
            created_at=expires_at - timedelta(hours=4),
            expires_at=expires_at,
            status=status,
        )

    return make


def test_an_active_hold_is_a_deadline_of_the_coordinators_organisation(actor_for, case, hold_for):
    # 23:30 UTC on 31 March is 1 April in Amsterdam (summer time): the Dutch day counts.
    expires = datetime(2027, 3, 31, 23, 30, tzinfo=UTC)
    hold_for(expires)
    hold_for(expires, status=HoldStatus.EXPIRED)  # no longer a deadline
    buckets = selectors.deadlines_of_organisation(
        actor=actor_for("demo-coordinator"), today=date(2027, 4, 1)
    )
    [row] = [r for rows in buckets.values() for r in rows if r["kind"] == "hold_expiry"]
    assert row in buckets["due_0"]
    assert (row["case"], row["due_on"], row["due_at"]) == (case.number, date(2027, 4, 1), expires)
    later = selectors.deadlines_of_organisation(
        actor=actor_for("demo-coordinator"), today=date(2027, 4, 2)
    )
    assert [r["kind"] for r in later["overdue"]] == ["hold_expiry"]
    # Another region's coordinator neither made nor coordinates the referral.
    noord = selectors.deadlines_of_organisation(
        actor=actor_for("demo-coordinator-noord"), today=date(2027, 4, 1)
    )
    assert not any(r["kind"] == "hold_expiry" for rows in noord.values() for r in rows)


def test_holds_show_on_the_deadlines_page_and_in_the_api(web_for, api_for, case, hold_for):
    hold_for(timezone.now() + timedelta(hours=2))
    page = web_for("demo-coordinator").get("/identificatie/termijnen/")
    assert 'data-kind="hold_expiry"' in page.content.decode()
    data = api_for("demo-coordinator").get("/api/v1/identification/deadlines/").json()
    rows = [r for rows in data.values() for r in rows if r["kind"] == "hold_expiry"]
    assert [r["case"] for r in rows] == [case.number] and rows[0]["due_at"]


def test_a_hold_about_to_expire_is_reminded_once(
    actor_for, case, hold_for, django_capture_on_commit_callbacks
):
    from django.core import mail

    from samen.accounts.models import User
    from samen.identification.models import Notification
    from samen.identification.reminders import reminders_send

    User.objects.filter(username="demo-coordinator").update(email="c@example.test")
    now = datetime(2027, 6, 1, 10, tzinfo=UTC)
    hold_for(now + timedelta(minutes=50))
    hold_for(now + timedelta(hours=2))  # not yet within the hour
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders_send(now=now) == 1
    for minute in range(1, 4):
        with django_capture_on_commit_callbacks(execute=True):
            assert reminders_send(now=now + timedelta(minutes=minute)) == 0
    [note] = Notification.objects.filter(kind="hold")
    assert note.user.username == "demo-coordinator" and note.case == case
    assert [m.to for m in mail.outbox] == [["c@example.test"]]
    assert "12:50" in mail.outbox[0].subject  # Amsterdam time (UTC+2 in June)
    rows = selectors.notifications_of(actor=actor_for("demo-coordinator"))
    assert "12:50" in rows[0]["text"]
