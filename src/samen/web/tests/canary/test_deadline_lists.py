"""Deadline lists, reminders and the path's state over HTTP (issue #12): a deadline is listed,
and a reminder shown, only where the reader's relation to its case grants the deadline's
category. The world is the canary world with the reminders of `send_reminders` sent (setup);
the assertions read only HTTP responses.

U1's open B8/3 permit end (a planted 2012 date, so overdue and reminded) is immigration data:
the Utrecht coordinator reads it while acting for care coordination, and not while acting for
shelter placement, a purpose that needs no residence data (DOMAIN: "Need to know")."""

from __future__ import annotations

import pytest
from django.db import transaction

from samen.web.tests.canary.attacker import date_forms, response_text, sign_in, squash
from samen.web.tests.canary.world import build_canary_world

pytestmark = pytest.mark.django_db

PAGES = (
    "/identificatie/termijnen/",
    "/api/v1/identification/deadlines/",
    "/identificatie/meldingen/",
)
PURPOSE_HEADER = "HTTP_X_SAMEN_PURPOSE"


@pytest.fixture(scope="module")
def world_with_reminders(django_db_setup, django_db_blocker):
    from samen.identification.reminders import reminders_send

    with django_db_blocker.unblock(), transaction.atomic():
        world = build_canary_world()
        reminders_send()
        yield world
        transaction.set_rollback(True)


def _read(client, url: str, purpose: str = "") -> str:
    extra = {PURPOSE_HEADER: purpose} if purpose and url.startswith("/api/") else {}
    response = client.get(url, **extra)
    assert response.status_code == 200, f"{url} answered {response.status_code}"
    return squash(response_text(response)[1])


def _permit_dates(world) -> list[str]:
    return [form for day in world.dates["U1"]["immigration"] for form in date_forms(day)]


def test_the_coordinator_reads_the_b83_deadline_only_while_acting_for_care(world_with_reminders):
    world = world_with_reminders
    number = squash(world.targets["U1"].number)
    dates = _permit_dates(world)
    client = sign_in("demo-coordinator")
    for url in PAGES:  # the control: care coordination processes residence data
        text = _read(client, url)
        assert number in text and any(d in text for d in dates), f"{url} lists U1's deadline"
    response = client.post("/account/purpose/", {"purpose": "shelter_placement"})
    assert response.status_code == 302
    for url in PAGES:
        text = _read(client, url, "shelter_placement")
        leaked = [d for d in dates if d in text]
        assert not leaked, f"{url} shows U1's immigration dates {leaked} for shelter placement"
