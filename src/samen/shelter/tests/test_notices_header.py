"""One unread count in the header for every inbox: shelter alarms and offers count too."""

import re

import pytest
from django.utils import timezone

from samen.accounts.models import User
from samen.shelter.models import ShelterNotice

pytestmark = pytest.mark.django_db


def _unread(page: str) -> int:
    found = re.search(r'data-testid="unread-count"[^>]*>(\d+)<', page)
    return int(found.group(1)) if found else 0


def test_a_shelter_notice_shows_in_the_header_and_the_inbox_links_to_it(world, web_for):
    client = web_for("demo-registrar")
    before = _unread(client.get("/").content.decode())
    ShelterNotice.objects.create(
        user=User.objects.get(username="demo-registrar"),
        kind=ShelterNotice.Kind.CAPACITY_ALARM,
        created_at=timezone.now(),
    )
    assert _unread(client.get("/").content.decode()) == before + 1
    inbox = client.get("/identificatie/meldingen/").content.decode()
    assert 'data-testid="shelter-notices-link"' in inbox and "/opvang/meldingen/" in inbox
    ShelterNotice.objects.update(read_at=timezone.now())
    assert _unread(client.get("/").content.decode()) == before
