"""Writes of the outreach: recording a first contact, its follow-up, and erasing contact
details past their retention period. Each is audited with ids and codes, never the detail."""

from __future__ import annotations

import json
import re
from datetime import datetime, timedelta
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core import audited, policy
from samen.core.actor import Actor
from samen.outreach.models import Contact, ContactStatus, ContactStep

TEMPLATES_FILE = Path(__file__).parent / "data" / "templates.json"
RETENTION_FILE = Path(settings.BASE_DIR) / "sharing" / "data" / "retention.json"
LEAD_ID = re.compile(r"^[A-Za-z0-9_-]{1,32}$")
# From a step to the next: a stopped contact stays stopped.
NEXT = {
    ContactStatus.SENT: {ContactStatus.ANSWERED, ContactStatus.NO_ANSWER, ContactStatus.STOPPED},
    ContactStatus.NO_ANSWER: {ContactStatus.ANSWERED, ContactStatus.STOPPED},
    ContactStatus.ANSWERED: {ContactStatus.REFERRED, ContactStatus.STOPPED},
    ContactStatus.REFERRED: {ContactStatus.STOPPED},
    ContactStatus.STOPPED: set(),
}


def templates() -> list[dict]:
    return list(json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))["templates"])


def retention_days() -> int:
    return int(json.loads(RETENTION_FILE.read_text(encoding="utf-8"))["outreach"]["period_days"])


def contact_record(
    *,
    actor: Actor,
    lead: str,
    template: str,
    language: str,
    platform: str,
    contact_detail: str,
    sent_at: datetime | None = None,
) -> Contact:
    """Record that the worker sent an approved first contact through the platform's channel."""
    policy.require(actor, "outreach.record", object_type="outreach_contact")
    now = timezone.now()
    sent_at = sent_at or now
    errors: dict[str, list[str]] = {}
    chosen = next((t for t in templates() if t["code"] == template), None)
    if chosen is None:
        errors["template"] = [_("Choose one of the approved messages.")]
    elif language not in chosen["text"]:
        errors["language"] = [_("This message has no approved text in that language.")]
    if not LEAD_ID.match(lead or ""):
        errors["lead"] = [_("Give the lead's id from the scan (letters and digits).")]
    if not (platform or "").strip() or len(platform) > 60:
        errors["platform"] = [_("Say through which channel you sent it (at most 60 characters).")]
    if len(contact_detail or "") > 200:
        errors["contact_detail"] = [_("Keep the contact detail under 200 characters.")]
    if sent_at > now + timedelta(minutes=5):
        errors["sent_at"] = [_("The moment of sending cannot be in the future.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        contact = Contact.objects.create(
            organisation=actor.organisation,
            lead=lead,
            platform=platform.strip(),
            contact_detail=(contact_detail or "").strip(),
            language=language,
            template=template,
            sent_at=sent_at,
            updated_at=now,
        )
        ContactStep.objects.create(
            contact=contact, status=ContactStatus.SENT, at=sent_at, by=actor.membership
        )
        audited.record(
            actor,
            "outreach.contact",
            object_type="outreach_contact",
            object_id=str(contact.pk),
            fields=["contact_detail"] if contact.contact_detail else [],
            categories={"contact"},
            detail={"lead": lead, "template": template, "language": language},
        )
    return contact


def contact_follow_up(*, actor: Actor, pk: int, status: str) -> Contact:
    policy.require(actor, "outreach.record", object_type="outreach_contact", object_id=str(pk))
    with transaction.atomic():
        contact = (
            Contact.objects.select_for_update()
            .filter(pk=pk, organisation=actor.organisation)
            .first()
        )
        if contact is None:
            raise policy.not_visible(
                actor, "outreach.record", object_type="outreach_contact", object_id=str(pk)
            )
        if status not in NEXT[ContactStatus(contact.status)]:
            raise ValidationError({"status": [_("This step does not follow the last one.")]})
        now = timezone.now()
        contact.status = status
        contact.updated_at = now
        contact.save(update_fields=["status", "updated_at"])
        ContactStep.objects.create(contact=contact, status=status, at=now, by=actor.membership)
        audited.record(
            actor,
            "outreach.follow_up",
            object_type="outreach_contact",
            object_id=str(contact.pk),
            detail={"status": status},
        )
    return contact


def outreach_purge(*, now: datetime | None = None) -> int:
    """Erase the contact details of contacts whose last step is older than the period."""
    cutoff = (now or timezone.now()) - timedelta(days=retention_days())
    # The channel is free text "in the worker's words" and may name a handle too, so it goes
    # with the detail; the steps stay for the monthly figures.
    return Contact.objects.filter(updated_at__lt=cutoff, detail_erased=False).update(
        contact_detail="", platform="", detail_erased=True
    )
