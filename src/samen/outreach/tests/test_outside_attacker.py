"""The outreach attacked from outside, over HTTP only, with the demo accounts: a contact detail
from an ad kept past its retention rule, small counts in the monthly figures, other roles at the
pages, markup and bad input. Written by someone who did not build the outreach."""

from __future__ import annotations

import logging
import re
import secrets
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from samen.conftest import signed_in
from samen.core.models import AuditEntry
from samen.outreach.models import Contact, ContactStep
from samen.sharing.tests.canary import database_text

pytestmark = pytest.mark.django_db


def _signed_in(username: str) -> Client:
    """A separate browser per user, past the second factor where the role has one."""
    return signed_in(Client(), username)


def _worker() -> Client:
    return _signed_in("demo-outreach")


def _contact(client: Client, **overrides: str) -> Contact:
    before = set(Contact.objects.values_list("pk", flat=True))
    data = {
        "lead": "c0000042",
        "template": "first_contact",
        "language": "nl",
        "platform": "WhatsApp",
        "contact_detail": "",
        **overrides,
    }
    assert client.post("/outreach/", data).status_code == 302, data
    return Contact.objects.exclude(pk__in=before).get()


def _everything_stored() -> str:
    sessions = "\n".join(str(s.get_decoded()) for s in Session.objects.all())
    return database_text() + "\n" + sessions


def test_the_ads_contact_detail_is_gone_from_every_table_after_the_purge(
    world, caplog, monkeypatch
):
    caplog.set_level(logging.DEBUG)
    worker = _worker()
    phone = f"+3161{secrets.randbelow(10**7):07d}"
    handle = f"tg:KANARIE-{secrets.token_hex(4)}"
    first = _contact(worker, contact_detail=phone)
    channel = f"Telegram @KANAAL-{secrets.token_hex(4)}"  # a handle typed as the channel
    second = _contact(worker, contact_detail=handle, lead="c0000043", platform=channel)
    assert worker.post(f"/outreach/{second.pk}/stap/", {"status": "answered"}).status_code == 302
    page = worker.get("/outreach/").content.decode()
    assert phone in page and handle in page  # the worker needs it while the outreach runs
    audit = str(list(AuditEntry.objects.values_list("detail", "fields", "object_id")))
    assert phone not in audit and handle not in audit
    call_command("outreach_purge")  # at the real clock nothing is old enough
    assert phone in _everything_stored()
    later = timezone.now() + timedelta(days=91)
    monkeypatch.setattr(timezone, "now", lambda: later)
    call_command("outreach_purge")
    monkeypatch.undo()
    stored = _everything_stored()
    assert phone not in stored and handle not in stored and channel not in stored
    page = worker.get("/outreach/").content.decode()
    assert phone not in page and handle not in page and channel not in page
    logged = "\n".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
    assert phone not in logged and handle not in logged
    # The steps stay for the figures; only the detail went.
    assert ContactStep.objects.filter(contact__in=[first, second]).count() == 3


def test_the_monthly_figures_show_no_count_from_one_to_nine(world):
    worker = _worker()
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=15)
    sent_last_month = timezone.make_aware(
        timezone.datetime.combine(last_month, timezone.datetime.min.time()).replace(hour=12)
    )
    earlier = [
        _contact(worker, lead=f"a{i}", sent_at=sent_last_month.strftime("%Y-%m-%d %H:%M"))
        for i in range(12)
    ]
    for contact in earlier[:4]:  # answered now: a response of 4 this month
        worker.post(f"/outreach/{contact.pk}/stap/", {"status": "answered"})
    for i in range(3):  # a reach of 3 this month
        _contact(worker, lead=f"b{i}")
    page = worker.get("/outreach/").content.decode()
    table = re.search(r'data-testid="figures">(.*?)</table>', page, re.S).group(1)
    cells = re.findall(r"<td>([^<]*)</td>", table)
    shown = [int(c) for c in cells if c.isdigit()]
    assert not [n for n in shown if 1 <= n <= 9], cells
    assert "x" in cells  # the small counts are there, hidden
    assert len(cells) == 36  # twelve months, each with reach and response
    # No margin to subtract a hidden cell from: the table has only its month rows.
    assert "total" not in table.lower() and "totaal" not in table.lower()


def test_other_roles_and_strangers_reach_no_contact_and_markup_is_inert(world):
    worker = _worker()
    contact = _contact(
        worker,
        platform='<script>alert("x")</script>',
        contact_detail="<img src=x onerror=alert(1)>",
    )
    page = worker.get("/outreach/").content.decode()
    assert "<script>alert" not in page and "<img src=x" not in page
    for username in ("demo-counsellor", "demo-coordinator", "demo-registrar", "demo-admin"):
        client = _signed_in(username)
        assert client.get("/outreach/").status_code == 403
        assert client.post(f"/outreach/{contact.pk}/stap/", {"status": "stopped"}).status_code in (
            403,
            404,
        )
    anonymous = Client()
    assert anonymous.post(f"/outreach/{contact.pk}/stap/", {"status": "stopped"}).status_code == 302
    contact.refresh_from_db()
    assert contact.status == "sent"
    # Bad input: a step out of order, an unknown status, a missing contact, too long a field.
    worker.post(f"/outreach/{contact.pk}/stap/", {"status": "referred"})
    worker.post(f"/outreach/{contact.pk}/stap/", {"status": "<b>x</b>"})
    assert worker.post("/outreach/999999/stap/", {"status": "answered"}).status_code == 404
    assert worker.post(f"/outreach/{'9' * 40}/stap/", {"status": "answered"}).status_code == 404
    long = worker.post(
        "/outreach/",
        {"lead": "c1", "template": "first_contact", "language": "nl", "platform": "p" * 61},
    )
    assert long.status_code == 200 and "platform" in long.context["form"].errors
    assert contact.steps.count() == 1 and Contact.objects.count() == 1
