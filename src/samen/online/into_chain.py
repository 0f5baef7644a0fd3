"""Sending a lead cluster from a scan into the chain as a signal on the "online" signal list.

The Django side of the online engine: it reads the engine's leads.json, never the engine's
internals, and records the signal through the signalling service, which checks the policy,
encrypts the notes and writes the audit entry.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from samen.organisations.models import Municipality
from samen.sharing.actor import Actor
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
    last_seen = cluster.get("last_seen") or date.today().isoformat()
    return SignalInput(
        signal_list="online",
        indicators=codes,
        observed_on=min(date.fromisoformat(last_seen), date.today()),
        municipality=municipality,
        setting=_("online advertisements (%(n)d ads)") % {"n": cluster.get("size", 0)},
        notes=notes[:5000],
        forms=["sexual"],
        # A persona under 18 makes the person a possible minor: triage then says act now.
        person=PersonInput(age_band="12-17" if ages and min(ages) < 18 else "unknown"),
    )


def lead_to_signal(
    *, actor: Actor, leads_file: Path, cluster_id: str, municipality: str = ""
) -> SignalOutcome:
    leads = json.loads(Path(leads_file).read_text(encoding="utf-8"))
    cluster = cluster_of(leads, cluster_id)
    return signal_record(actor=actor, data=signal_input_for(cluster, municipality=municipality))
