"""Reads of the analyst's screen. Each checks the policy, reaches only the analyst's own
organisation's scans (another's answers as a missing page would, audited) and writes an audit
entry: leads carry names, numbers and accounts from ads."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from samen.core import audit, policy
from samen.core.actor import Actor
from samen.online import explain
from samen.online.models import Lead, LeadMark, Notice, NoticeStatus, Scan, ScanStatus
from samen.online.services import lead_urls
from samen.online.services.scans import own_row

OPEN_NOTICES = (NoticeStatus.OPEN, NoticeStatus.SENT, NoticeStatus.ANSWERED)
CLOSED_NOTICES = (NoticeStatus.REMOVED, NoticeStatus.REFUSED)
RUNNING = (ScanStatus.QUEUED, ScanStatus.RUNNING)
FIELDS = ["contact", "location", "exploitation"]


def _read(actor: Actor, action: str, object_type: str, object_id: str = "", **detail: Any) -> None:
    audit.record(
        actor,
        action,
        object_type=object_type,
        object_id=object_id,
        fields=FIELDS,
        purpose=policy.purpose_of(actor),
        detail=detail,
    )


def scans(*, actor: Actor) -> list[Scan]:
    policy.require(actor, "online.read", object_type="online_scan")
    rows = list(Scan.objects.filter(organisation=actor.organisation)[:100])
    _read(actor, "online.scan.list", "online_scan", shown=len(rows))
    return rows


def scan(*, actor: Actor, pk: int) -> tuple[Scan, list[Lead]]:
    row = own_row(
        actor,
        Scan.objects.filter(organisation=actor.organisation),
        pk,
        "online.read",
        "online_scan",
    )
    leads = list(row.leads.all())
    _read(actor, "online.scan.read", "online_scan", str(pk), shown=len(leads))
    return row, leads


@dataclass
class TimelineRow:
    city: str
    cells: list[tuple[int, int]]  # (ads, shade 0..4) per month


@dataclass
class LeadView:
    lead: Lead
    summary: list[str]
    template: str
    contacts: list[explain.Contact]
    personas: list[tuple[str, list[str]]]
    indicators: list[explain.Indicator]
    months: list[str]
    timeline: list[TimelineRow]
    urls: list[str]
    persona_links: list[dict[str, Any]]
    marks: list[LeadMark]
    notices: list[Notice]


def _timeline(data: dict[str, dict[str, int]]) -> tuple[list[str], list[TimelineRow]]:
    months = sorted(data)
    cities = sorted({c for per in data.values() for c in per})
    peak = max((n for per in data.values() for n in per.values()), default=0) or 1
    rows = []
    for city in cities:
        cells = []
        for month in months:
            n = data[month].get(city, 0)
            cells.append((n, 0 if not n else 1 + min(3, (3 * n) // peak)))
        rows.append(TimelineRow(city, cells))
    return months, rows


def lead(*, actor: Actor, pk: int) -> LeadView:
    rows = Lead.objects.select_related("scan", "signal__case").filter(
        scan__organisation=actor.organisation
    )
    row = own_row(actor, rows, pk, "online.read", "online_lead")
    data = row.data
    persona_cities = data.get("persona_cities", {})
    months, timeline = _timeline(data.get("timeline", {}))
    view = LeadView(
        lead=row,
        summary=explain.summary(data, persona_cities),
        template=explain.template(data),
        contacts=explain.contacts(data),
        personas=[(p, persona_cities.get(p, [])) for p in data.get("personas", [])],
        indicators=explain.indicators(data),
        months=months,
        timeline=timeline,
        urls=lead_urls(row),
        persona_links=data.get("persona_links", []),
        marks=list(row.marks.select_related("by")[:20]),
        notices=list(row.notices.all()),
    )
    _read(actor, "online.lead.read", "online_lead", str(pk))
    return view


def export_rows(*, actor: Actor, pk: int) -> tuple[Scan, list[list[Any]]]:
    """One row per lead, in plain words, for the CSV and XLSX downloads."""
    row = own_row(
        actor,
        Scan.objects.filter(organisation=actor.organisation),
        pk,
        "online.read",
        "online_scan",
    )
    rows = []
    for item in row.leads.all():
        data = item.data
        rows.append(
            [
                item.rank,
                item.cluster_id,
                round(item.score, 2),
                item.size,
                item.get_status_display(),
                ", ".join(data.get("personas", [])),
                ", ".join(f"{c.value} ({c.kind})" for c in explain.contacts(data)[:5]),
                ", ".join(data.get("cities", [])),
                item.first_seen.isoformat() if item.first_seen else "",
                item.last_seen.isoformat() if item.last_seen else "",
                "; ".join(i.label for i in explain.indicators(data)),
            ]
        )
    _read(actor, "online.scan.export", "online_scan", str(pk), rows=len(rows))
    return row, rows


def notices_open(*, actor: Actor) -> list[tuple[Notice, int]]:
    """Notices still waiting for the platform, oldest first, with their age in days."""
    policy.require(actor, "online.read", object_type="online_notice")
    rows = list(
        Notice.objects.filter(organisation=actor.organisation, status__in=OPEN_NOTICES)
        .select_related("lead")
        .order_by("created_at")[:500]
    )
    today = timezone.localdate()
    aged = [(n, (today - timezone.localdate(n.sent_at or n.created_at)).days) for n in rows]
    _read(actor, "online.notice.list", "online_notice", shown=len(rows))
    return aged


def notice(*, actor: Actor, pk: int) -> Notice:
    rows = Notice.objects.select_related("lead__scan").filter(organisation=actor.organisation)
    row = own_row(actor, rows, pk, "online.read", "online_notice")
    _read(actor, "online.notice.read", "online_notice", str(pk))
    return row
