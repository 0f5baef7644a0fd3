"""In-app notifications of the identification path, in plain words."""

from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from samen import labels
from samen.core import audited, policy
from samen.core.actor import Actor
from samen.identification import machine as engine
from samen.identification.models import DeadlineKind, Notification


def notification_text(kind: str, data: dict[str, Any]) -> str:
    """The notification's text, built when shown: rows hold codes and dates only."""

    if kind == Notification.Kind.GUARDIAN:
        return _("Your organisation was attached as guardian (a minor, or presumed to be one).")
    if kind == Notification.Kind.GUARDIAN_SIGNAL:
        return _("A new signal was recorded on this case of a minor in your guardianship.")
    if kind == Notification.Kind.ADULT:
        return _("The minor of this case turned 18: plan the transition to adult care.")
    if kind == Notification.Kind.CONDITION:
        return _(
            "Task: the recorded facts no longer meet the conditions of the step this case's "
            "path stands on. Check the facts and choose the next step."
        )
    if kind == Notification.Kind.HOLD:
        try:
            moment = datetime.fromisoformat(str(data.get("expires_at", "")))
            at = labels.local_datetime(moment.astimezone(engine.AMSTERDAM))
        except ValueError:
            at = "?"
        return _("The shelter place held for this case is released at %(at)s.") % {"at": at}
    what = dict(DeadlineKind.choices).get(str(data.get("deadline", "")), data.get("deadline", ""))
    # Rows keep the ISO date; the reader gets it in their own format (#16).
    try:
        due = labels.local_date(date.fromisoformat(str(data.get("due_on", ""))))
    except ValueError:
        due = str(data.get("due_on", ""))
    if data.get("stage") == "overdue":
        return _("Overdue: %(what)s (%(due)s)") % {"what": what, "due": due}
    if data.get("stage") == "0":
        return _("%(what)s today (%(due)s)") % {"what": what, "due": due}
    return _("%(what)s on %(due)s (reminder %(stage)s days before)") % {
        "what": what,
        "due": due,
        "stage": data.get("stage", ""),
    }


def notifications_of(*, actor: Actor, unread_only: bool = False) -> list[dict[str, Any]]:
    """The signed-in user's in-app notifications in the active organisation, newest first. They
    name cases, so the list is audited (one entry, naming the cases shown)."""

    policy.require(actor, "identification.read", object_type="notification", object_id="*")
    rows = Notification.objects.filter(user=actor.user, organisation=actor.organisation)
    if unread_only:
        rows = rows.filter(read_at__isnull=True)
    rows = list(rows.select_related("case")[:200])
    # Through the case's field policy: a notification shows only while the user reaches its
    # case and its kind's category is granted there (a B8/3 deadline is immigration data, a
    # deadline reminder also needs its deadline's category).
    access = policy.case_access(actor, list({n.case_id for n in rows}))
    result = [
        {
            "id": n.pk,
            "kind": n.kind,
            "kind_display": n.get_kind_display(),
            "case": n.case.number,
            "text": notification_text(n.kind, n.data),
            "created_at": n.created_at,
            "read_at": n.read_at,
        }
        for n in rows
        if n.case_id in access and access[n.case_id].shows_notification(n.kind, n.data)
    ]
    audited.record(
        actor,
        "identification_notification.list",
        object_type="case",
        object_id="*",
        fields=["identification.deadlines"] if result else [],
        detail={"shown": sorted({r["case"] for r in result})},
    )
    return result


def unread_notifications_count(*, actor: Actor) -> int:
    """How many of the actor's notifications in the active organisation are unread: a count
    only, not an audited read (the header's badge)."""
    return _unread(actor).count()


def has_unread_notifications(*, actor: Actor) -> bool:
    return _unread(actor).exists()


def _unread(actor: Actor) -> QuerySet[Notification]:
    return Notification.objects.filter(
        user=actor.user, organisation=actor.organisation, read_at__isnull=True
    )
