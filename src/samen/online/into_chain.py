"""Sending a lead cluster from a scan into the chain as a signal on the "online" signal list.

The Django side of the online engine: it reads the engine's leads.json, never the engine's
internals, and records the signal through the signalling service, which checks the policy,
encrypts the notes and writes the audit entry.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.core import policy
from samen.core.actor import Actor
from samen.online.models import SentLead
from samen.organisations.models import Municipality
from samen.signalling.models import Signal
from samen.signalling.services import PersonInput, SignalInput, SignalOutcome, signal_record

MAP_FILE = Path(__file__).parent / "data" / "lead_indicators.json"
AGE = re.compile(r"\((\d{1,2})\)")
MAX_URLS = 25


def cluster_of(leads: dict, cluster_id: str) -> dict:
    for cluster in leads.get("clusters", []):
        if cluster.get("cluster_id") == cluster_id:
            return cluster
    raise ValidationError({"cluster": [_("No lead cluster with this id in the leads file.")]})


def signal_input_for(cluster: dict, *, municipality: str = "") -> SignalInput:
    """The signal a lead cluster stands for: mapped indicators, its cities, its evidence."""
    mapping = json.loads(MAP_FILE.read_text(encoding="utf-8"))
    codes = [
        mapping["map"][i["id"]]
        for i in cluster.get("indicators", [])
        if i.get("id") in mapping["map"]
    ]
    codes = list(dict.fromkeys(codes)) or [mapping["fallback"]]
    if not municipality:
        found = (
            Municipality.objects.filter(name__in=cluster.get("cities", [])).order_by("name").first()
        )
        if found is None:
            raise ValidationError(
                {"municipality": [_("None of the lead's cities is a municipality; give one.")]}
            )
        municipality = found.code
    ages = [int(a) for p in cluster.get("personas", []) for a in AGE.findall(p)]
    urls = [e["url"] for e in cluster.get("evidence", []) if e.get("url")][:MAX_URLS]
    notes = "\n".join(
        [
            _("Lead %(id)s from an online scan (a hypothesis to check, not a finding).")
            % {"id": cluster["cluster_id"]},
            *cluster.get("explanation", []),
            _("Personas: %(p)s") % {"p": ", ".join(cluster.get("personas", []))},
            _("Shared contacts: %(c)s")
            % {"c": ", ".join(c["contact"] for c in cluster.get("shared_contacts", []))},
            _("URLs:"),
            *urls,
        ]
    )
    last_seen = cluster.get("last_seen") or timezone.localdate().isoformat()
    return SignalInput(
        signal_list="online",
        indicators=codes,
        observed_on=min(date.fromisoformat(last_seen), timezone.localdate()),
        municipality=municipality,
        setting=_("online advertisements (%(n)d ads)") % {"n": cluster.get("size", 0)},
        notes=notes[:5000],
        forms=["sexual"],
        # A persona under 18 makes the person a possible minor: triage then says act now.
        person=PersonInput(age_band="12-17" if ages and min(ages) < 18 else "unknown"),
    )


# Hosts reserved for examples and tests (RFC 2606, RFC 6761): ads on them are synthetic.
_RESERVED_HOST = re.compile(
    r"^https?://(?:[\w-]+\.)*(?:example|test|invalid|localhost|example\.(?:com|net|org))(?:[:/]|$)"
)


def is_synthetic_lead(leads: dict, cluster: dict) -> bool:
    """A lead from synthetic input: the scan said so, or every sample URL is on a reserved host."""
    if leads.get("stats", {}).get("synthetic_input"):
        return True
    urls = [e.get("url", "") for e in cluster.get("evidence", [])]
    return bool(urls) and all(_RESERVED_HOST.match(u or "") for u in urls)


def lead_fingerprint(cluster: dict) -> str:
    """The same lead, whichever scan or file it comes from: its sample ads, personas and
    contacts. A hash, so that the table holds no ad ids, names or numbers."""
    parts = {
        "ads": sorted(e.get("ad_id", "") for e in cluster.get("evidence", [])),
        "personas": sorted(cluster.get("personas", [])),
        "contacts": sorted(c.get("contact", "") for c in cluster.get("shared_contacts", [])),
    }
    if not any(parts.values()):
        parts["cluster"] = [cluster.get("cluster_id", "")]
    canonical = json.dumps(parts, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class LeadOutcome:
    signal: Signal
    case: Case
    linked: bool
    advice: str
    already_sent: bool


def read_leads(leads_file: Path) -> dict:
    try:
        leads = json.loads(Path(leads_file).read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ValidationError({"leads": [_("The leads file does not exist.")]}) from exc
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ValidationError({"leads": [_("The leads file cannot be read.")]}) from exc
    if not isinstance(leads, dict):
        raise ValidationError({"leads": [_("The leads file cannot be read.")]})
    return leads


def lead_to_signal(
    *, actor: Actor, leads_file: Path, cluster_id: str, municipality: str = ""
) -> LeadOutcome:
    """Record a lead as a signal once. Sending the same lead again returns the signal and case
    it became; concurrent sends are serialised by the fingerprint's unique index."""
    leads = read_leads(leads_file)
    cluster = cluster_of(leads, cluster_id)
    fingerprint = lead_fingerprint(cluster)
    synthetic = is_synthetic_lead(leads, cluster)
    data = signal_input_for(cluster, municipality=municipality)
    try:
        with transaction.atomic():
            sent = SentLead.objects.create(
                fingerprint=fingerprint, cluster_id=cluster_id[:32], is_synthetic=synthetic
            )
            outcome: SignalOutcome = signal_record(actor=actor, data=data, synthetic=synthetic)
            sent.signal = outcome.signal
            sent.save(update_fields=["signal"])
            return LeadOutcome(
                outcome.signal, outcome.case, outcome.linked, outcome.triage.advice, False
            )
    except IntegrityError:
        sent = (
            SentLead.objects.select_related("signal__case").filter(fingerprint=fingerprint).first()
        )
        if sent is None or sent.signal is None:
            raise
    # The signalling policy still decides whether this user may record signals at all.
    policy.require(actor, "signal.create", object_type="signal")
    return LeadOutcome(sent.signal, sent.signal.case, True, sent.signal.advice, True)
