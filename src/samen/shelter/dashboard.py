"""The shelter dashboards, national and per safety region: capacity, occupancy, free, stale,
the waiting list, refusals by reason and by victim profile, length of stay and outflow.

Aggregates only: no case number or identity leaves this module, so reading it needs the
overview permission and writes no audit entry (as the places overview). Refusals by profile
count coarse profile codes (gender, minor or adult, network tie, addiction) to show which
profiles shelters refuse most, the finding of the progress letter.
"""

from __future__ import annotations

import statistics
from collections import Counter
from datetime import datetime

from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _l

from samen import labels
from samen.core import policy
from samen.core.actor import Actor
from samen.shelter.charts import hbar_chart
from samen.shelter.models import (
    CapacityAlarm,
    DeclineReason,
    Hold,
    HoldStatus,
    OutflowDestination,
    Place,
    Placement,
    PlaceType,
    Referral,
    ReferralStatus,
)
from samen.shelter.services import alarm_regions, stale_after

WAIT_BUCKETS = [(0, 1, "0-1"), (2, 7, "2-7"), (8, 30, "8-30"), (31, 10**6, "31+")]
STAY_BUCKETS = [(0, 6, "< 1"), (7, 27, "1-4"), (28, 90, "4-13"), (91, 182, "13-26"),
                (183, 10**6, "26+")]  # fmt: skip


def _bucket(days: int, buckets: list[tuple[int, int, str]]) -> str:
    return next(label for low, high, label in buckets if low <= days <= high)


def profile_of(needs: dict) -> str:
    """A coarse, translated victim profile: gender, minor or adult, and the two flags that
    most often close a shelter's door."""
    gender = {"female": _("woman"), "male": _("man"), "other": _("other gender")}.get(
        needs.get("gender", ""), _("gender unknown")
    )
    parts = [gender, _("minor") if needs.get("minor") else _("adult")]
    if needs.get("network_risk"):
        parts.append(_("network tie"))
    if needs.get("addiction"):
        parts.append(_("addiction"))
    return ", ".join(parts)


def profile_min_count() -> int:
    return int(getattr(settings, "SHELTER_PROFILE_MIN_COUNT", 5))


def profile_rows(asked: Counter, refused: Counter, *, min_count: int) -> list[dict]:
    """Requests and refusals per profile, most refused first. Profiles asked about fewer than
    ``min_count`` times are pooled into one row: shelter staff see the national figures, and a
    refusal of a rare profile would point at one person."""
    pooled_label = _("Other profiles (fewer than %(n)d requests each)") % {"n": min_count}
    totals: dict[str, list[int]] = {}
    for name, n in asked.items():
        key = name if n >= min_count else pooled_label
        row = totals.setdefault(key, [0, 0])
        row[0] += n
        row[1] += refused[name]
    rows = [
        {
            "profile": name,
            "answered": n,
            "refused": r,
            "refusal_pct": round(100 * r / n, 1),
            "pooled": name == pooled_label,
        }
        for name, (n, r) in totals.items()
    ]
    return sorted(rows, key=lambda r: (r["pooled"], -r["refused"], -r["refusal_pct"], r["profile"]))


def _median(values: list[int]) -> float:
    return round(statistics.median(values), 1) if values else 0


def dashboard(*, actor: Actor, region: str = "", now: datetime | None = None) -> dict:
    policy.require(actor, "shelter.read", object_type="shelter_dashboard", object_id=region or "*")
    now = now or timezone.now()
    limit = stale_after()
    places = Place.objects.filter(is_active=True).select_related("municipality__region")
    holds = Hold.objects.all()
    placements = Placement.objects.all()
    waiting = Referral.objects.filter(status=ReferralStatus.OPEN)
    if region:
        places = places.filter(municipality__region__code=region)
        holds = holds.filter(place__municipality__region__code=region)
        placements = placements.filter(place__municipality__region__code=region)
        waiting = waiting.filter(case__region__code=region)

    type_labels = dict(PlaceType.choices)
    by_type: dict[str, dict] = {}
    by_region: dict[str, dict] = {}
    region_names: dict[str, str] = {}
    for p in places:
        region_names[p.municipality.region.code] = p.municipality.region.name
        stale = p.availability_at is None or now - p.availability_at > limit
        for key, table in ((p.type, by_type), (p.municipality.region.code, by_region)):
            row = table.setdefault(
                key, {"places": 0, "capacity": 0, "occupied": 0, "free": 0, "stale": 0}
            )
            row["places"] += 1
            row["capacity"] += p.capacity
            row["free"] += p.free
            row["occupied"] += p.capacity - p.free
            row["stale"] += stale
    totals = {
        k: sum(r[k] for r in by_type.values())
        for k in ("places", "capacity", "occupied", "free", "stale")
    }
    totals["occupancy_pct"] = (
        round(100 * totals["occupied"] / totals["capacity"], 1) if totals["capacity"] else 0
    )

    waits = [max(0, (now - r.created_at).days) for r in waiting]
    wait_counts = Counter(_bucket(d, WAIT_BUCKETS) for d in waits)

    decline_labels = dict(DeclineReason.choices)
    declined = list(holds.filter(status=HoldStatus.DECLINED).select_related("referral"))
    by_reason = Counter(h.decline_reason for h in declined)
    answered = holds.filter(status__in=[HoldStatus.ACCEPTED, HoldStatus.DECLINED]).select_related(
        "referral"
    )
    asked = Counter(profile_of(h.referral.needs) for h in answered)
    refused = Counter(profile_of(h.referral.needs) for h in declined)
    profiles = profile_rows(asked, refused, min_count=profile_min_count())

    ended = list(placements.filter(ended_at__isnull=False))
    stays = [(p.ended_at - p.started_at).days for p in ended if p.ended_at]
    stay_counts = Counter(_bucket(d, STAY_BUCKETS) for d in stays)
    outflow_labels = dict(OutflowDestination.choices)
    outflow = Counter(p.outflow for p in ended)

    # Shown from the live counts (always true now); the episodes only pace the notifications.
    live = alarm_regions()
    raised = {a.region: a.raised_at for a in CapacityAlarm.objects.filter(cleared_at__isnull=True)}
    return {
        "region": region,
        "now": now,
        "stale_hours": int(limit.total_seconds() // 3600),
        "totals": totals,
        "by_type": [
            {"key": k, "label": type_labels.get(k, k), **by_type[k]}
            for k in PlaceType.values
            if k in by_type
        ],
        "by_region": [
            {"key": k, "label": f"{region_names[k]} ({k})", **by_region[k]}
            for k in sorted(by_region)
        ],
        "waiting": {
            "count": len(waits),
            "median_days": _median(waits),
            "max_days": max(waits, default=0),
            "buckets": [{"label": b[2], "count": wait_counts[b[2]]} for b in WAIT_BUCKETS],
        },
        "refusals": {
            "count": len(declined),
            "by_reason": [
                {"key": k, "label": decline_labels.get(k, k), "count": n}
                for k, n in by_reason.most_common()
            ],
            "by_profile": profiles,
        },
        "stay": {
            "ended": len(stays),
            "running": placements.filter(ended_at__isnull=True).count(),
            "median_days": _median(stays),
            "buckets": [{"label": b[2], "count": stay_counts[b[2]]} for b in STAY_BUCKETS],
        },
        "outflow": [
            {"key": k, "label": outflow_labels.get(k, k), "count": n}
            for k, n in outflow.most_common()
        ],
        "alarms": [
            {"region": code, "raised_at": raised.get(code)}
            for code, full in sorted(live.items())
            if full and (not region or code in ("", region))
        ],
    }


def charts(data: dict) -> list:
    out = [
        hbar_chart(
            "free-by-type",
            _("Free places by type"),
            [(r["label"], r["free"]) for r in data["by_type"]],
            label_header=_("Type"),
            value_header=_("Free"),
        ),
        hbar_chart(
            "occupied-by-type",
            _("Occupied places by type"),
            [(r["label"], r["occupied"]) for r in data["by_type"]],
            label_header=_("Type"),
            value_header=_("Occupied"),
        ),
    ]
    if not data["region"]:
        out.append(
            hbar_chart(
                "free-by-region",
                _("Free places by safety region"),
                [(r["label"], r["free"]) for r in data["by_region"]],
                label_header=_("Safety region"),
                value_header=_("Free"),
            )
        )
    out += [
        hbar_chart(
            "waiting",
            _("Waiting referrals by days waited"),
            [(b["label"], b["count"]) for b in data["waiting"]["buckets"]],
            label_header=_("Days waited"),
            value_header=_("Referrals"),
        ),
        hbar_chart(
            "refusal-reasons",
            _("Refusals by reason"),
            [(r["label"], r["count"]) for r in data["refusals"]["by_reason"]],
            label_header=_("Reason"),
            value_header=_("Refusals"),
        ),
        hbar_chart(
            "refusal-profiles",
            _("Refusals by victim profile"),
            [(r["profile"], r["refused"]) for r in data["refusals"]["by_profile"]],
            label_header=_("Profile"),
            value_header=_("Refusals"),
        ),
        hbar_chart(
            "stay",
            _("Length of stay of ended placements (weeks)"),
            [(b["label"], b["count"]) for b in data["stay"]["buckets"]],
            label_header=_("Weeks"),
            value_header=_("Placements"),
        ),
        hbar_chart(
            "outflow",
            _("Outflow destinations"),
            [(r["label"], r["count"]) for r in data["outflow"]],
            label_header=_("Destination"),
            value_header=_("Placements"),
        ),
    ]
    return out


CSV_SECTIONS = {
    "totals": _l("Total"),
    "by_type": _l("By type of place"),
    "by_region": _l("By safety region"),
    "waiting": _l("Waiting list"),
    "waiting_days": _l("Days waiting"),
    "refusal_reason": _l("Refusals by reason"),
    "refusal_profile": _l("Refusals by profile"),
    "stay": _l("Length of stay"),
    "stay_weeks": _l("Weeks of stay"),
    "outflow": _l("Outflow"),
    "capacity_alarm": _l("Capacity alarm"),
}
CSV_MEASURES = {
    "places": _l("Places"),
    "capacity": _l("Capacity"),
    "occupied": _l("Occupied"),
    "free": _l("Free"),
    "stale": _l("Availability out of date"),
    "count": _l("Number"),
    "median_days": _l("Median (days)"),
    "max_days": _l("Longest (days)"),
    "referrals": _l("Referrals"),
    "refusals": _l("Refusals"),
    "answered": _l("Answered"),
    "refused": _l("Refused"),
    "refusal_pct": _l("Refused (%)"),
    "ended": _l("Ended"),
    "running": _l("Running"),
    "placements": _l("Placements"),
    "raised_at": _l("Raised at"),
    "occupancy_pct": _l("Occupancy (%)"),
}


def dashboard_csv_rows(data: dict) -> tuple[list[str], list[list[object]]]:
    """Every figure of the dashboard in long form, in words: section, item, measure, value."""
    scope = data["region"] or _("Netherlands")
    rows: list[list[object]] = []

    def add(section: str, key: object, measure: str, value: object) -> None:
        rows.append(
            [str(CSV_SECTIONS[section]), key, str(CSV_MEASURES.get(measure, measure)), value]
        )

    for measure, value in data["totals"].items():
        add("totals", scope, measure, value)
    for section in ("by_type", "by_region"):
        for row in data[section]:
            for measure in ("places", "capacity", "occupied", "free", "stale"):
                add(section, row["label"], measure, row[measure])
    for measure in ("count", "median_days", "max_days"):
        add("waiting", scope, measure, data["waiting"][measure])
    for b in data["waiting"]["buckets"]:
        add("waiting_days", b["label"], "referrals", b["count"])
    for r in data["refusals"]["by_reason"]:
        add("refusal_reason", r["label"], "refusals", r["count"])
    for r in data["refusals"]["by_profile"]:
        for measure in ("answered", "refused", "refusal_pct"):
            add("refusal_profile", r["profile"], measure, r[measure])
    for measure in ("ended", "running", "median_days"):
        add("stay", scope, measure, data["stay"][measure])
    for b in data["stay"]["buckets"]:
        add("stay_weeks", b["label"], "placements", b["count"])
    for r in data["outflow"]:
        add("outflow", r["label"], "placements", r["count"])
    for a in data["alarms"]:
        since = labels.local_datetime(a["raised_at"]) if a["raised_at"] else ""
        add("capacity_alarm", a["region"] or _("Netherlands"), "raised_at", since)
    header = [str(_("Section")), str(_("Item")), str(_("Measure")), str(_("Value"))]
    return header, rows
