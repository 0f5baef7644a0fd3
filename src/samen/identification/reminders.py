"""Deadline reminders, in-app and by e-mail. Safe to run every minute: each (deadline, stage)
is sent once, guarded by a unique row, so repeated or overlapping runs send nothing twice."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from django.core.mail import EmailMessage, get_connection
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen import labels
from samen.core import audit, policy
from samen.core.actor import Actor, actor_for_membership
from samen.identification import hooks
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.models import Deadline, HoldReminder, Notification, Reminder
from samen.identification.services import recipients_of
from samen.organisations.models import Membership

DEFAULT_STAGES = (14, 7, 0)
ORIGIN = "command:send_reminders"


def stage_of(due_on: date, today: date, stages: tuple[int, ...] = DEFAULT_STAGES) -> str | None:
    """The most urgent stage reached: "overdue", or the smallest day count not yet passed.
    A deadline first seen 5 days out gets the 7-day reminder only, not a stale 14-day one."""
    days = (due_on - today).days
    if days < 0:
        return "overdue"
    reached = [s for s in stages if days <= s]
    return str(min(reached)) if reached else None


HOLD_WARNING = timedelta(hours=1)


def told(members: list[Membership], case: object, kind: str, data: dict) -> list[Membership]:
    """The members whose relation to the case, for their role's default purpose, grants what
    this notification tells: a reminder (and its e-mail) carries the deadline's kind and date,
    so it goes only to whom the list would show it (deny by default).

    Without emergency access (a user's own, for reading, never a reason to be told), the access
    depends on the organisation and the role only, so it is worked out once per pair."""
    told_by_pair: dict[tuple[int, str], bool] = {}
    kept = []
    for m in members:
        pair = (m.organisation_id, m.role)
        if pair not in told_by_pair:
            actor = actor_for_membership(m, origin=ORIGIN)
            access = policy.case_access(actor, [case.pk]).get(case.pk)  # type: ignore[attr-defined]
            told_by_pair[pair] = bool(
                access is not None
                and not access.emergency
                and access.shows_notification(kind, data)
            )
        if told_by_pair[pair]:
            kept.append(m)
    return kept


def holds_remind(*, now: datetime) -> list[str]:
    """One reminder per active shelter hold that expires within the hour, to the organisation
    that made the referral: the held place is lost unless the shelter accepts in time. Reads the
    shelter's tables only. Returns the case numbers reminded."""
    holds = hooks.holds_expiring(
        now=now, until=now + HOLD_WARNING, excluded=HoldReminder.objects.values("hold_id")
    )
    cases = []
    for hold in holds:
        case = hold.referral.case
        data = {"case": case.number, "expires_at": hold.expires_at.isoformat()}
        members = told(
            recipients_of(hold.referral.organisation), case, Notification.Kind.HOLD, data
        )
        try:
            with transaction.atomic():
                HoldReminder.objects.create(hold_id=hold.pk, sent_at=now, recipients=len(members))
                Notification.objects.bulk_create(
                    Notification(
                        user=m.user,
                        organisation=m.organisation,
                        kind=Notification.Kind.HOLD,
                        case=case,
                        data=data,
                        created_at=now,
                    )
                    for m in members
                )
                emails = sorted({m.user.email for m in members if m.user.email})
                transaction.on_commit(lambda h=hold, e=emails: _mail_hold(h, e))
        except IntegrityError:
            continue  # another run sent it
        cases.append(case.number)
    return cases


def _mail_hold(hold: object, emails: list[str]) -> None:
    if not emails:
        return
    case = hold.referral.case.number  # type: ignore[attr-defined]
    until = timezone.localtime(hold.expires_at, engine.AMSTERDAM).strftime("%H:%M")  # type: ignore[attr-defined]
    subject = _("Samen: shelter place held for case %(case)s until %(until)s") % {
        "case": case,
        "until": until,
    }
    body = _(
        "The shelter place held for case %(case)s is released at %(until)s unless the shelter "
        "accepts. Please sign in to Samen."
    ) % {"case": case, "until": until}
    messages = [EmailMessage(subject, body, None, [address]) for address in emails]
    get_connection(fail_silently=True).send_messages(messages)


def reminders_send(*, now: datetime | None = None) -> int:
    """Send every reminder that is due and not sent yet; return how many were sent."""
    now = now or timezone.now()
    today = engine.local_date(now)
    horizon = today + timedelta(days=max(DEFAULT_STAGES))
    candidates = (
        Deadline.objects.filter(closed_at__isnull=True, due_on__lte=horizon)
        .select_related(
            "path__definition",
            "path__case__responsible_organisation",
            "path__guardian_organisation",
            "organisation",
        )
        .order_by("due_on", "id")
    )
    # The stages already sent, in one query: an idle run (every minute from cron) then costs a
    # few queries however many deadlines are open. The unique row still guards against races.
    done = set(
        Reminder.objects.filter(
            deadline__closed_at__isnull=True, deadline__due_on__lte=horizon
        ).values_list("deadline_id", "stage")
    )
    sent: list[Reminder] = []
    cases: set[str] = set()
    for deadline in candidates:
        settings = machine_of(deadline.path.definition).settings
        days: Any = settings.get("reminder_days", DEFAULT_STAGES)  # a list in the path's data
        stages = tuple(int(s) for s in days)
        stage = stage_of(deadline.due_on, today, stages)
        if stage is None or (deadline.pk, stage) in done:
            continue
        reminder = _send_one(deadline, stage, now, today)
        if reminder:
            sent.append(reminder)
            cases.add(deadline.path.case.number)
    hold_cases = holds_remind(now=now)
    cases.update(hold_cases)
    if sent or hold_cases:
        audit.record(
            Actor(user=None, membership=None, origin=ORIGIN),
            "identification_reminder.create",
            object_type="deadline",
            object_id="*",
            fields=["identification.deadlines"],
            purpose="deadline_reminders",
            detail={"cases": sorted(cases), "reminders": len(sent) + len(hold_cases)},
        )
    return len(sent) + len(hold_cases)


def _send_one(deadline: Deadline, stage: str, now: datetime, today: date) -> Reminder | None:
    case = deadline.path.case
    organisations = {deadline.organisation, case.responsible_organisation}
    if deadline.path.guardian_organisation is not None:
        # A minor's deadlines are the guardian's too.
        organisations.add(deadline.path.guardian_organisation)
    data = {
        "case": case.number,
        "deadline": deadline.kind,
        "due_on": deadline.due_on.isoformat(),
        "stage": stage,
    }
    members = told(
        [m for org in sorted(organisations, key=lambda o: o.pk) for m in recipients_of(org)],
        case,
        Notification.Kind.DEADLINE,
        data,
    )
    try:
        with transaction.atomic():
            # The unique (deadline, stage) row is claimed first: a run that loses the race
            # gets an IntegrityError here and sends nothing.
            reminder = Reminder.objects.create(
                deadline=deadline, stage=stage, sent_at=now, recipients=len(members)
            )
            Notification.objects.bulk_create(
                Notification(
                    user=m.user,
                    organisation=m.organisation,
                    kind=Notification.Kind.DEADLINE,
                    case=case,
                    reminder=reminder,
                    data=data,
                    created_at=now,
                )
                for m in members
            )
            emails = sorted({m.user.email for m in members if m.user.email})
            transaction.on_commit(lambda: _mail(deadline, stage, emails, today))
    except IntegrityError:
        return None
    return reminder


def _mail(deadline: Deadline, stage: str, emails: list[str], today: date) -> None:
    if not emails:
        return
    case = deadline.path.case.number
    days = (deadline.due_on - today).days
    subject = (
        _("Samen: overdue: %(what)s, case %(case)s")
        if stage == "overdue"
        else _("Samen: %(what)s in %(days)d days, case %(case)s")
    ) % {"what": deadline.kind_display, "case": case, "days": days}
    # Case number, kind and date only: an e-mail leaves the platform.
    body = _("%(what)s for case %(case)s: %(due)s. Please sign in to Samen.") % {
        "what": deadline.kind_display,
        "case": case,
        "due": labels.local_date(deadline.due_on),
    }
    messages = [EmailMessage(subject, body, None, [address]) for address in emails]
    get_connection(fail_silently=True).send_messages(messages)
