"""The protected release of a period, as the page, the downloads and the API show it, and
recording a release as published. One place, so all of them protect the same way."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from samen.sharing import audit, policy
from samen.sharing.actor import Actor, actor_for_membership
from samen.statistics import tables
from samen.statistics.archive import release_from_archive, release_to_archive
from samen.statistics.disclosure import ProtectedRelease
from samen.statistics.models import Publication
from samen.statistics.selectors import Period, region_names, statistics_data


def statistics_actor(actor: Actor) -> Actor:
    """Statistics are always made for the statistics purpose, whatever the user acts for now."""
    return actor_for_membership(actor.membership, origin=actor.origin, purpose="statistics")


def latest_publication(period: Period) -> Publication | None:
    return Publication.objects.filter(period_start=period.start, period_end=period.end).first()


def release_for(actor: Actor, period: Period) -> tuple[ProtectedRelease, Publication | None]:
    """The release of ``period``, protected against the publication of the period one year
    earlier when there is one (what readers hold), else against that period recomputed from
    today's register. Returns the publication it was checked against, if any."""
    earlier = latest_publication(period.year_earlier())
    data = statistics_data(
        actor=statistics_actor(actor), period=period, with_previous=earlier is None
    )
    previous = [release_from_archive(earlier.archive)] if earlier else None
    return tables.protect_set(data, region_names(), previous=previous), earlier


def publication_record(*, actor: Actor, period: Period) -> tuple[Publication, ProtectedRelease]:
    """Record this period's release as published, so the next release is checked against it."""
    policy.require(actor, "statistics.export", object_type="statistics.publication")
    release, _earlier = release_for(actor, period)
    if not release.safe:
        raise ValueError("an unsafe release is never published")
    counts = release.counts()
    with transaction.atomic():
        row = Publication.objects.create(
            period_start=period.start,
            period_end=period.end,
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
            detail={"from": period.start.isoformat(), "to": period.end.isoformat()},
        )
    return row, release
