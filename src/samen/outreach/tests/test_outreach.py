"""Outreach from a lead: an approved first contact recorded, followed up in order, its contact
detail erased after the retention period, and monthly figures under disclosure control."""

from __future__ import annotations

from datetime import datetime, time, timedelta

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from samen.core.models import AuditEntry
from samen.outreach import selectors, services
from samen.outreach.models import Contact
from samen.sharing.tests.canary import database_text

pytestmark = pytest.mark.django_db
CANARY = "+31600KANARIE"


def _record(actor, **overrides):
    data = {
        "lead": "c0000042",
        "template": "first_contact",
        "language": "ro",
        "platform": "WhatsApp",
        "contact_detail": CANARY,
    }
    return services.contact_record(actor=actor, **{**data, **overrides})


def test_a_worker_records_a_first_contact_and_its_answer_through_the_page(web_for):
    client = web_for("demo-outreach")
    page = client.get("/outreach/?lead=c0000042")
    assert page.status_code == 200 and "Salut, am văzut" in page.content.decode()
    response = client.post(
        "/outreach/",
        {"lead": "c0000042", "template": "first_contact", "language": "pl",
         "platform": "Telegram", "contact_detail": "tg:anna"},
    )  # fmt: skip
    assert response.status_code == 302
    contact = Contact.objects.get()
    assert client.post(f"/outreach/{contact.pk}/stap/", {"status": "answered"}).status_code == 302
    contact.refresh_from_db()
    assert contact.status == "answered" and contact.steps.count() == 2
    entries = AuditEntry.objects.filter(action__startswith="outreach.")
    assert {"outreach.contact", "outreach.follow_up"} <= set(
        entries.values_list("action", flat=True)
    )
    assert "tg:anna" not in str(list(entries.values_list("detail", flat=True)))


def test_a_message_outside_the_approved_ones_is_a_field_error(web_for):
    client = web_for("demo-outreach")
    response = client.post(
        "/outreach/", {"lead": "c1", "template": "made_up", "language": "nl", "platform": "x"}
    )
    assert response.status_code == 200 and not Contact.objects.exists()
    assert "template" in response.context["form"].errors


def test_steps_follow_in_order_and_a_stopped_contact_stays_stopped(actor_for):
    actor = actor_for("demo-outreach")
    contact = _record(actor)
    services.contact_follow_up(actor=actor, pk=contact.pk, status="stopped")
    with pytest.raises(ValidationError):
        services.contact_follow_up(actor=actor, pk=contact.pk, status="answered")


def test_other_roles_cannot_open_the_outreach(web_for):
    assert web_for("demo-counsellor").get("/outreach/").status_code == 403


def test_the_contact_detail_is_erased_after_the_retention_period(actor_for):
    contact = _record(actor_for("demo-outreach"))
    assert services.outreach_purge(now=timezone.now() + timedelta(days=89)) == 0
    assert CANARY in database_text()
    assert services.outreach_purge(now=timezone.now() + timedelta(days=91)) == 1
    contact.refresh_from_db()
    assert contact.detail_erased and contact.status == "sent"
    assert CANARY not in database_text()


def test_monthly_figures_hide_small_counts(actor_for):
    actor = actor_for("demo-outreach")
    _record(actor)
    figures = selectors.monthly_figures(actor=actor)
    this_month = figures[-1]
    assert this_month["reach"] is None  # one contact: too small to show
    assert len(figures) == 12


def test_a_contact_sent_after_midnight_on_the_first_counts_in_that_month(actor_for, settings):
    """The month is Amsterdam's: at 00:30 on the first of a month the UTC date is still the last
    day of the month before (22:30 or 23:30 UTC), which is where a UTC month put these."""
    settings.SAMEN_STATISTICS_DISCLOSURE = {"min_count": 3}
    actor = actor_for("demo-outreach")
    this_month = timezone.localdate().replace(day=1)
    last_month = (this_month - timedelta(days=1)).replace(day=1)
    just_after_midnight = timezone.make_aware(datetime.combine(last_month, time(0, 30)))
    for _ in range(5):
        _record(actor)
    Contact.objects.update(sent_at=just_after_midnight)
    figures = {f["month"]: f["reach"] for f in selectors.monthly_figures(actor=actor)}
    assert figures[f"{last_month:%Y-%m}"] == 5
