"""Decisions on a lead: marks, and sending it into the chain (into_chain: once per lead)."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samen.core import audit, policy
from samen.core.actor import Actor
from samen.online.into_chain import LeadOutcome, lead_to_signal
from samen.online.models import (
    Lead,
    LeadMark,
    LeadStatus,
)
from samen.online.services.scans import _touch, own_row

MARKABLE = (LeadStatus.REVIEWED, LeadStatus.FALSE_POSITIVE, LeadStatus.SENT)


def _lead_for(actor: Actor, lead_id: int, permission: str) -> Lead:
    rows = Lead.objects.select_related("scan").filter(scan__organisation=actor.organisation)
    return own_row(actor, rows, lead_id, permission, "online_lead")


def lead_mark(*, actor: Actor, lead_id: int, status: str) -> Lead:
    lead = _lead_for(actor, lead_id, "online.mark")
    if status not in MARKABLE:
        raise ValidationError({"status": [_("Choose reviewed, false positive or sent.")]})
    with transaction.atomic():
        lead.status = status
        lead.save(update_fields=["status"])
        LeadMark.objects.create(lead=lead, status=status, by=actor.user)
        audit.record(
            actor,
            "online.lead.mark",
            object_type="online_lead",
            object_id=str(lead.pk),
            purpose=policy.purpose_of(actor),
            detail={"status": status},
        )
    _touch(lead.scan)
    return lead


def lead_send(*, actor: Actor, lead_id: int, municipality: str = "") -> LeadOutcome:
    """Send the lead into the chain as a signal (into_chain: once per lead, synthetic input marked
    synthetic), then mark it sent."""
    lead = _lead_for(actor, lead_id, "online.mark")
    leads_file = settings.ONLINE_DATA_DIR / lead.scan.directory / "leads.json"
    outcome = lead_to_signal(
        actor=actor, leads_file=leads_file, cluster_id=lead.cluster_id, municipality=municipality
    )
    with transaction.atomic():
        lead.status = LeadStatus.SENT
        lead.signal = outcome.signal
        lead.save(update_fields=["status", "signal"])
        LeadMark.objects.create(lead=lead, status=LeadStatus.SENT, by=actor.user)
        audit.record(
            actor,
            "online.lead.send",
            object_type="online_lead",
            object_id=str(lead.pk),
            purpose=policy.purpose_of(actor),
            detail={"signal": outcome.signal.pk, "already_sent": outcome.already_sent},
        )
    _touch(lead.scan)
    return outcome
