"""The capacity alarm for first reception, and the in-app notices of registrars and
coordinators."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.organisations.models import OrganisationType, Role
from samen.shelter.models import (
    CapacityAlarm,
    Place,
    PlaceType,
    ShelterNotice,
    WaitingOffer,
)


def alarm_regions() -> dict[str, bool]:
    """Per scope ("" = the country, else a safety region code with first-reception places):
    True when no first-reception place is free there."""
    rows = Place.objects.filter(is_active=True, type=PlaceType.FIRST_RECEPTION).values_list(
        "municipality__region__code", "free"
    )
    free_by_region: dict[str, int] = {}
    for region, free in rows:
        free_by_region[region] = free_by_region.get(region, 0) + free
    state = {region: free == 0 for region, free in free_by_region.items()}
    state[""] = sum(free_by_region.values()) == 0
    return state


def capacity_alarm_check(*, now: datetime | None = None) -> list[CapacityAlarm]:
    """Open an alarm episode where first reception just ran full, close the ones where a bed is
    free again; tell the registrars once per opened episode (in-app and by e-mail). Idempotent:
    an open episode is never opened twice (also guarded by a unique constraint)."""
    now = now or timezone.now()
    state = alarm_regions()
    open_alarms = {a.region: a for a in CapacityAlarm.objects.filter(cleared_at__isnull=True)}
    opened: list[CapacityAlarm] = []
    for region, alarm in open_alarms.items():
        if not state.get(region, False):
            alarm.cleared_at = now
            alarm.save(update_fields=["cleared_at"])
    for region, full in sorted(state.items()):
        if not full or region in open_alarms:
            continue
        try:
            with transaction.atomic():
                alarm = CapacityAlarm.objects.create(region=region, raised_at=now)
        except IntegrityError:
            continue  # a concurrent check opened it
        opened.append(alarm)
        _notify_registrars(alarm)
    return opened


def registrars() -> list:
    """The national coordination centre's registrars: they keep the national shelter overview.
    Registrars elsewhere (the IND records permits) have no part in finding beds."""
    return list(
        get_user_model()
        ._default_manager.filter(
            memberships__role=Role.NATIONAL_REGISTRAR,
            memberships__is_active=True,
            memberships__organisation__type=OrganisationType.COMENSHA,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def alarm_text(alarm: CapacityAlarm) -> str:
    if alarm.region:
        return _("No first-reception place is free in safety region %(region)s.") % {
            "region": alarm.region
        }
    return _("No first-reception place is free in the whole country.")


def _notify_registrars(alarm: CapacityAlarm) -> None:
    from django.core.mail import EmailMessage, get_connection

    users = registrars()
    ShelterNotice.objects.bulk_create(
        ShelterNotice(
            user=u, kind=ShelterNotice.Kind.CAPACITY_ALARM, alarm=alarm, created_at=alarm.raised_at
        )
        for u in users
    )
    # Counts and a region code only: an e-mail leaves the platform.
    messages = [
        EmailMessage(
            _("Samen: capacity alarm for first reception"), alarm_text(alarm), None, [u.email]
        )
        for u in users
        if u.email
    ]
    if messages:
        get_connection(fail_silently=True).send_messages(messages)


def notices_mark_read(*, user) -> int:
    """The user has seen her shelter notices and waiting-list offers."""
    now = timezone.now()
    n = ShelterNotice.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
    return n + WaitingOffer.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
