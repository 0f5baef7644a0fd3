"""The waiting list: a freed bed is offered to the open referrals it fits, in priority order."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.core.actor import Actor
from samen.shelter import matching
from samen.shelter.models import (
    Place,
    Referral,
    ReferralStatus,
    WaitingOffer,
)
from samen.shelter.services.alarms import capacity_alarm_check
from samen.shelter.services.common import move_free
from samen.shelter.services.needs import (
    needs_of,
    place_info,
    places_for_matching,
    referrals_for_matching,
)

URGENCY_RANK = {u: i for i, u in enumerate(["immediate", "high", "normal", "low"])}


def waiting_referrals(place: Place) -> list[Referral]:
    """Open referrals this place fits, in priority order: urgency first, then waiting time."""
    info = place_info(place)
    if info.free < 1:
        return []
    waiting = [
        r
        for r in referrals_for_matching().filter(status=ReferralStatus.OPEN)
        if matching.exclusion_for(info, needs_of(r)) is None
    ]
    waiting.sort(key=lambda r: (URGENCY_RANK.get(r.urgency, 9), r.created_at, r.pk))
    return waiting


def place_offer_to_waiting(*, place_id: int, now: datetime | None = None) -> int:
    """A place freed up: offer it to as many waiting referrals as it has free beds, in priority
    order, and notify their coordinators in-app and by e-mail. Runs after the commit that freed
    the bed; an open offer is never repeated."""
    from django.core.mail import send_mail

    now = now or timezone.now()
    place = places_for_matching().filter(pk=place_id).first()
    if place is None:
        return 0
    offered = 0
    for rank, referral in enumerate(waiting_referrals(place)[: place.free], start=1):
        if WaitingOffer.objects.filter(
            referral=referral, place=place, read_at__isnull=True
        ).exists():
            continue
        WaitingOffer.objects.create(
            referral=referral, place=place, user=referral.created_by, rank=rank, created_at=now
        )
        offered += 1
        email = getattr(referral.created_by, "email", "")
        if email:
            # No personal data in the mail: the referral number and the place, nothing more.
            send_mail(
                subject=_("A shelter place is free for referral %(n)s") % {"n": referral.pk},
                message=_("%(place)s has a free place that fits referral %(n)s. Hold it in Samen.")
                % {"place": place.name, "n": referral.pk},
                from_email=None,
                recipient_list=[email],
                fail_silently=True,
            )
    return offered


def bed_release(place_id: int, *, cause: str, actor: Actor | None, at: datetime) -> None:
    """A held or occupied bed is free again: count it on the locked place, then offer it."""
    place = Place.objects.select_for_update().get(pk=place_id)
    move_free(place, +1, cause=cause, actor=actor, at=at)
    offer_after_commit(place.pk)


def offer_after_commit(place_id: int) -> None:
    """After any change of a free count: offer a freed bed to the waiting list, and open or close
    capacity alarm episodes (a hold may have taken the last first-reception bed)."""
    transaction.on_commit(lambda: place_offer_to_waiting(place_id=place_id))
    transaction.on_commit(lambda: capacity_alarm_check())
