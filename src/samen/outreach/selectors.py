"""Reads of the outreach: its contacts, the leads to start from, monthly figures."""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from samen.core import audited, policy
from samen.core.actor import Actor
from samen.online.into_chain import read_leads
from samen.outreach.models import Contact, ContactStatus, ContactStep
from samen.statistics.disclosure import CountTable, Dimension, protect
from samen.statistics.services import disclosure_rules

MONTHS = 12
ANSWERED = {ContactStatus.ANSWERED, ContactStatus.REFERRED}


def contacts(*, actor: Actor) -> list[Contact]:
    policy.require(actor, "outreach.read", object_type="outreach_contact")
    rows = list(Contact.objects.filter(organisation=actor.organisation)[:200])
    audited.record(
        actor,
        "outreach.list",
        object_type="outreach_contact",
        fields=["contact_detail"],
        detail={"shown": len(rows)},
    )
    return rows


def leads() -> list[dict[str, object]]:
    """The lead clusters of the scans kept in ONLINE_DATA_DIR (their leads.json files)."""
    found: list[dict[str, object]] = []
    root = settings.ONLINE_DATA_DIR
    for path in sorted(root.glob("**/leads.json")) if root.exists() else []:
        try:
            data = read_leads(path)
        except ValidationError:
            continue
        for cluster in data.get("clusters", [])[:200]:
            found.append(
                {
                    "id": cluster.get("cluster_id", ""),
                    "size": cluster.get("size", 0),
                    "languages": cluster.get("languages", []),
                    "contacts": [c["contact"] for c in cluster.get("shared_contacts", [])][:5],
                }
            )
    return found


def _months(today: date) -> list[str]:
    y, m = today.year, today.month
    out = []
    for _ in range(MONTHS):
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y - 1, 12) if m == 1 else (y, m - 1)
    return list(reversed(out))


def _month(moment: datetime) -> str:
    """The month of a moment as Amsterdam counts it: a contact sent at 00:30 on the first of
    the month is that month's, not the previous month's (as the UTC date would have it)."""
    local = timezone.localtime(moment)
    return f"{local.year:04d}-{local.month:02d}"


def monthly_figures(*, actor: Actor) -> list[dict[str, object]]:
    """Reach (first contacts sent) and response (contacts answered) per month, the last year,
    through the statistics' disclosure control: a small count is hidden, never shown."""
    policy.require(actor, "outreach.read", object_type="outreach_figures")
    months = _months(timezone.localdate())
    sent = Counter(
        _month(d)
        for d in Contact.objects.filter(organisation=actor.organisation).values_list(
            "sent_at", flat=True
        )
    )
    answered = Counter(
        _month(d)
        for d in ContactStep.objects.filter(
            contact__organisation=actor.organisation, status=ContactStatus.ANSWERED
        ).values_list("at", flat=True)
    )
    table = CountTable(
        "outreach by month",
        [
            Dimension("month", tuple(months), complete=False),
            Dimension("measure", ("reach", "response"), complete=False),
        ],
        {
            **{(m, "reach"): sent.get(m, 0) for m in months},
            **{(m, "response"): answered.get(m, 0) for m in months},
        },
        scope={"organisation": str(actor.organisation.pk if actor.organisation else 0)},
    )
    protected = protect([table], disclosure_rules(), label="outreach").table("outreach by month")
    return [
        {
            "month": m,
            "reach": protected.value((m, "reach")),
            "response": protected.value((m, "response")),
        }
        for m in months
    ]
