"""Every release is a recorded release (issue #13).

Whatever leaves the module -- the page, a CSV, the XLSX, the bundle, an API answer, for any
reader -- is the release of one fixed period (``periods``) in one version. It is archived with
its true counts and suppression pattern on its first delivery, and a new release is protected
against *every* archived release a chain of overlapping periods joins it to, whoever it went to:
readers can combine anything they were ever handed (``linked_publications``).

The same true counts are the same release: later deliveries read the archive (through a cache
keyed by the period and a cheap register version, so the page does not recount or reprotect).
When the counts of a released period change (a correction, a late registration), the new
counts are a new version, a correction: cells that changed by fewer than the minimum are
hidden, and the audit keeps their differences from being recalculated (``correction`` mode
``suppress``, the default); or, in mode ``postpone`` (and whenever the corrected release
cannot be proven safe), the period keeps its released version and the correction waits for
the next regular release. Readers are told which.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from datetime import date

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case, CaseEvent, Identity, Person
from samen.core import audit, policy
from samen.core.actor import Actor, actor_for_membership
from samen.identification.models import IdentificationPath
from samen.shelter.models import Placement
from samen.signalling.models import Signal
from samen.statistics import tables
from samen.statistics.archive import release_from_archive, release_to_archive
from samen.statistics.disclosure import CountTable, DisclosureRules, ProtectedRelease, protect
from samen.statistics.htcds import exports_against
from samen.statistics.models import Publication
from samen.statistics.periods import ReleasePeriod, release_periods
from samen.statistics.selectors import PURPOSE, region_names, statistics_data

#: Defaults of ``SAMEN_STATISTICS_DISCLOSURE`` (see the methods note and the README).
DISCLOSURE_DEFAULTS: dict[str, object] = {
    "min_count": 10,
    "protection_absolute": 2,
    "protection_relative": 0.1,
    "correction": "suppress",  # or "postpone"
}
WITHHELD = {"identity", "contact", "free_text"}
CACHE_SECONDS = 3600


def disclosure_config() -> dict[str, object]:
    return {**DISCLOSURE_DEFAULTS, **getattr(settings, "SAMEN_STATISTICS_DISCLOSURE", {})}


def disclosure_rules() -> DisclosureRules:
    conf = disclosure_config()
    return DisclosureRules(
        min_count=int(conf["min_count"]),  # type: ignore[call-overload]
        protection_margin=float(conf["protection_absolute"]),  # type: ignore[arg-type]
        protection_relative=float(conf["protection_relative"]),  # type: ignore[arg-type]
        # Zeros may be hidden as secondaries: with zeros published and never hidden, a reader
        # knows every hidden cell is at least 1, and sparse tables (most cells 0, 1 or 2)
        # cannot be protected at all. See ADR 0011.
        never_hide_zeros=False,
        integer_audit=True,
    )


def statistics_actor(actor: Actor) -> Actor:
    """Statistics are always made for the statistics purpose, whatever the user acts for now."""
    return actor_for_membership(actor.membership, origin=actor.origin, purpose="statistics")


#: Notices readers are shown with a release (codes; the text is made in their language).
CORRECTION = "correction"
POSTPONED = "postponed"


@dataclass
class Delivery:
    """What a reader is handed: the release, its record, and what readers must be told."""

    release: ProtectedRelease
    publication: Publication
    period: ReleasePeriod
    notice: str  # "", CORRECTION or POSTPONED

    def notice_text(self) -> str:
        if self.notice == CORRECTION:
            return _(
                "Version %(version)s of this period: it corrects version %(previous)s (the "
                "register was corrected). Figures that changed by fewer than %(min)s people "
                "are hidden, so that the correction cannot be traced to a person."
            ) % {
                "version": self.publication.version,
                "previous": self.publication.version - 1,
                "min": self.release.rules.min_count,
            }
        if self.notice == POSTPONED:
            return _(
                "The register has been corrected for this period since this release. The "
                "correction is not published on its own, because the changed figures could "
                "point at a few people; it will be part of the next regular release."
            )
        return ""


class UnsafeRelease(Exception):
    """The engine could not prove the tables safe: nothing leaves the module."""


def register_version() -> str:
    """A cheap fingerprint of the register rows the tables count: when it is unchanged, so
    are the counts, and the cached release is served. (A stale entry is harmless: it is a
    release readers already have; it lives at most ``CACHE_SECONDS``.)"""
    parts = [
        Signal.objects.aggregate(n=Count("id"), m=Max("id"), c=Max("created_at")),
        Case.objects.aggregate(n=Count("id"), m=Max("id"), u=Max("updated_at")),
        Person.objects.aggregate(n=Count("id"), m=Max("id")),
        # A corrected person is corrected through a service that records a case event (or
        # touches the identity); a raw UPDATE is only seen when the cache entry expires.
        CaseEvent.objects.aggregate(n=Count("id"), m=Max("id")),
        Identity.objects.aggregate(u=Max("updated_at")),
        Case.forms.through.objects.aggregate(n=Count("id"), m=Max("id")),
        IdentificationPath.objects.aggregate(n=Count("id"), u=Max("updated_at")),
        Placement.objects.aggregate(n=Count("id"), m=Max("id")),
    ]
    return hashlib.sha256(repr(parts).encode()).hexdigest()[:24]


def _categories(actor: Actor) -> str:
    return ",".join(sorted(set(policy.grants(actor)) - WITHHELD))


def _fingerprint(source: list[CountTable]) -> str:
    data = [[t.name, sorted([[str(c) for c in k], int(v)] for k, v in t.cells())] for t in source]
    return hashlib.sha256(json.dumps(data).encode()).hexdigest()


def _authorise(actor: Actor, period: ReleasePeriod, categories: str) -> None:
    """The policy check and audit entry of a delivery served from the cache (the selector
    does both when it counts)."""
    policy.require(actor, "statistics.export", object_type="statistics", object_id="*")
    if policy.purpose_of(actor) != PURPOSE:
        raise PermissionDenied("statistics purpose required")
    audit.record(
        actor,
        "statistics.export",
        object_type="statistics",
        object_id="*",
        fields=categories.split(",") if categories else [],
        purpose=PURPOSE,
        detail={"period": period.code, "format": "aggregate", "cached": True},
    )


def release_for(actor: Actor, period: ReleasePeriod) -> Delivery:
    """The release of ``period`` for this reader, recorded on first delivery."""
    sactor = statistics_actor(actor)
    categories = _categories(sactor)
    key = (
        "samen:statistics:release:"
        + hashlib.sha256(f"{period.code}|{categories}|{register_version()}".encode()).hexdigest()
    )
    cached = cache.get(key)
    if cached is not None:
        publication = Publication.objects.filter(pk=cached["publication"]).first()
        if publication is not None:
            _authorise(sactor, period, categories)
            return Delivery(pickle.loads(cached["release"]), publication, period, cached["notice"])  # noqa: S301 (our own cache)
    delivery = _deliver(sactor, period, categories)
    cache.set(
        key,
        {
            "publication": delivery.publication.pk,
            "release": pickle.dumps(delivery.release),
            "notice": delivery.notice,
        },
        CACHE_SECONDS,
    )
    return delivery


def release_years(actor: Actor, first_year: int, last_year: int) -> None:
    """Deliver (and so archive) the release of every period on offer that shares a year with
    ``first_year``..``last_year``, before an HTCDS export of those years is made: the export
    is then checked against the tables a reader will be handed, instead of the tables
    checked, later, against the export and refused (ADR 0129). A period that cannot be
    proven safe is not released, here as on the page."""
    start, end = date(first_year, 1, 1), date(last_year, 12, 31)
    for period in release_periods():
        if period.overlaps(start, end):
            try:
                release_for(actor, period)
            except UnsafeRelease:
                continue


def linked_publications(start: date, end: date, spans: list[tuple[int, date, date]]) -> set[int]:
    """The publications a release of ``start``..``end`` can be combined with: those whose
    period overlaps it, and those overlapping one of them, and so on. Overlap alone is not
    enough: a five-year release minus the four other years' own releases gives the fifth
    year, though none of those four overlaps it. Periods that no chain of overlaps joins
    count different people and cannot be combined."""
    linked: set[int] = set()
    reach = [(start, end)]
    while reach:
        low, high = reach.pop()
        for pk, first, last in spans:
            if pk not in linked and first <= high and low <= last:
                linked.add(pk)
                reach.append((first, last))
    return linked


def _archived(publication: Publication) -> ProtectedRelease:
    return release_from_archive(publication.archive)


def _deliver(actor: Actor, period: ReleasePeriod, categories: str) -> Delivery:
    data = statistics_data(actor=actor, period=period.period, with_previous=False)
    regions = region_names()
    source = tables.build_tables(data, regions)
    fingerprint = _fingerprint(source)
    with transaction.atomic():
        # One release at a time: two first deliveries must not make two versions.
        list(Publication.objects.select_for_update().filter(period_code=period.code))
        latest = (
            Publication.objects.filter(period_code=period.code, categories=categories)
            .order_by("-version")
            .first()
        )
        if latest is not None and latest.fingerprint == fingerprint:
            return Delivery(_archived(latest), latest, period, latest.notice)
        correction = latest is not None
        if correction and disclosure_config()["correction"] == "postpone":
            return Delivery(_archived(latest), latest, period, POSTPONED)
        spans = list(
            Publication.objects.order_by("published_at", "id").values_list(
                "id", "period_start", "period_end"
            )
        )
        linked = linked_publications(period.period.start, period.period.end, spans)
        earlier = [
            _archived(p)
            for p in Publication.objects.filter(id__in=linked).order_by("published_at", "id")
        ]
        version = (latest.version + 1) if latest else 1
        release = protect(
            source,
            disclosure_rules(),
            previous=earlier,
            hierarchies=tables.HIERARCHIES,
            label=f"{period.code} v{version}",
        )
        # The exports already handed out were checked against the tables before them only:
        # these tables must not differ from one by a few people or give a hidden cell away.
        safe = (
            release.safe
            and exports_against(release, period.period.start, period.period.end) is None
        )
        if not safe and correction:
            # A correction that cannot be proven safe waits for the next regular release.
            return Delivery(_archived(latest), latest, period, POSTPONED)
        if not safe:
            raise UnsafeRelease(period.code)
        notice = CORRECTION if correction else ""
        counts = release.counts()
        row = Publication.objects.create(
            period_code=period.code,
            version=version,
            categories=categories,
            fingerprint=fingerprint,
            provisional=period.provisional,
            notice=notice,
            period_start=period.period.start,
            period_end=period.period.end,
            published_at=timezone.now(),
            published_by=actor.user if getattr(actor.user, "is_authenticated", False) else None,
            cells=counts["cells"],
            suppressed=counts["primary"] + counts["secondary"],
            archive=release_to_archive(release),
        )
        audit.record(
            actor,
            "statistics.publication.create",
            object_type="statistics.publication",
            object_id=str(row.pk),
            purpose="statistics",
            detail={"period": period.code, "version": version, "checked_against": len(earlier)},
        )
    return Delivery(release, row, period, notice)
