"""The guardian of a minor: attached when the path learns of a minor, told by notification
and e-mail; minors turning 18."""

from __future__ import annotations

from datetime import date, datetime

from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case, Person
from samen.cases.services import age_on, band_for_age, event_add, identity_read
from samen.core import audit, policy
from samen.core.actor import Actor
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.models import (
    IdentificationPath,
    Notification,
)
from samen.identification.services.common import (
    TIMELINE_KIND,
    current_definition,
    facts_of,
    path_locked,
)
from samen.organisations.models import Membership, Organisation, OrganisationType


def guardian_attach(path: IdentificationPath, now: datetime) -> Organisation | None:
    """Attach Nidos to a minor's path that has no guardian yet, and tell it once (after the
    commit). Any minor: documented, estimated or presumed, Dutch or foreign, accompanied or not
    (DOMAIN: Nidos is attached whenever a case becomes a minor's, by any route); Veilig Thuis
    and youth protection are involved through the minor's protection steps on the path.
    Returns the guardian newly attached, else None."""
    if path.guardian_organisation_id is not None:
        return None
    if not facts_of(path)["minor"]:
        return None
    guardian = _guardian_for(path.case)
    if guardian is None:
        return None
    path.guardian_organisation = guardian
    path.save(update_fields=["guardian_organisation", "updated_at"])
    case = path.case
    transaction.on_commit(lambda: _notify_guardian(case, guardian, now))
    return guardian


def guardian_ensure(*, case: Case, presumed: bool = False) -> Organisation | None:
    """Whatever made the case a minor's — a signal, a corrected age, an estimate, a presumption,
    a coordinator who states a minor (`presumed`) — the guardian follows: attached once, told
    once, with the timeline showing it. Call it in the transaction that changed the facts. A
    minor's case without a path gets one: protection starts at the signal, not at the police's
    first step."""
    path = IdentificationPath.objects.select_for_update().filter(case=case).first()
    if path is None:
        if not (presumed or case.person.is_minor):
            return None
        path = path_locked(case)
    if presumed and not facts_of(path)["minor"]:
        # Doubt counts for protection: a stated minor is presumed one until the age is known.
        path.presumed_minor = True
        path.save(update_fields=["presumed_minor", "updated_at"])
    now = timezone.now()
    guardian = guardian_attach(path, now)
    if guardian is not None:
        # No actor: the system attaches the guardian because of facts recorded by someone else.
        event_add(case=case, kind=TIMELINE_KIND, actor=None, at=now, guardian=guardian.pk)
    return guardian


def guardian_signal_notice(*, case: Case, at: datetime) -> Organisation | None:
    """A signal about a minor: the guardian (Nidos) is attached at the first one and told of
    every one, with a timeline entry. Constant work (issue #12, ADR 0008): a minor known to the
    chain (path and guardian in place) and one signalled for the first time run the same
    statements in the same order — the path read and locked, the current rules read, the path
    written (inserted, or updated under the lock), the guardian read, its members read, one
    notice per member written, one timeline event written, one e-mail after the commit — so the
    signaller cannot tell from the response time whether the minor was known. Call it in the
    signal's transaction; a concurrent insert of the same path raises IntegrityError, which the
    signal retries."""
    path = IdentificationPath.objects.select_for_update().filter(case=case).first()
    definition = current_definition()  # a new path starts on it; read on both branches
    machine = machine_of(definition)  # memoised: no statement once the rules were read
    attached_id = path.guardian_organisation_id if path is not None else None
    guardian = _guardian_for(case, attached_id=attached_id)  # one statement, the same shape
    attached = guardian is not None and attached_id is None
    if path is None:
        path = IdentificationPath.objects.create(
            case=case,
            definition=definition,
            state=machine.initial,
            started_at=at,
            guardian_organisation=guardian,
        )
    else:
        if attached:
            path.guardian_organisation = guardian
        path.save(update_fields=["guardian_organisation", "updated_at"])
    if guardian is None:
        return None  # no guardian organisation in the chain at all: nothing to tell
    members = recipients_of(guardian)
    kind = Notification.Kind.GUARDIAN if attached else Notification.Kind.GUARDIAN_SIGNAL
    Notification.objects.bulk_create(
        Notification(
            user=m.user,
            organisation=guardian,
            kind=kind,
            case=case,
            data={"case": case.number},
            created_at=at,
        )
        for m in members
    )
    # No actor: the system attaches and tells the guardian because of someone else's signal.
    if attached:
        event_add(case=case, kind=TIMELINE_KIND, actor=None, at=at, guardian=guardian.pk)
    else:
        event_add(case=case, kind=TIMELINE_KIND, actor=None, at=at, guardian_told=guardian.pk)
    emails = sorted({m.user.email for m in members if m.user.email})
    number = case.number
    transaction.on_commit(lambda: _mail_guardian(emails, number, attached=attached))
    return guardian


def minors_turning_adult(*, today: date | None = None) -> list[str]:
    """Persons flagged minor whose date of birth says they are 18 now: the flag follows the
    birthday, and the case's coordinator and guardian get a task to plan the transition to adult
    care. Idempotent (the flag flips once); run daily with the reminders. Returns case numbers.
    Without a date of birth (an estimate, a presumption) the age is not known to change."""
    today = today or engine.local_date(timezone.now())
    now = timezone.now()
    noticed: list[str] = []
    for person in Person.objects.filter(is_minor=True, identity__isnull=False):
        born = identity_read(person).get("date_of_birth", "")
        if not born or age_on(date.fromisoformat(born), today) < 18:
            continue
        with transaction.atomic():
            person.is_minor = False
            person.age_band = band_for_age(age_on(date.fromisoformat(born), today))
            person.save(update_fields=["is_minor", "age_band"])
            for case in person.cases.filter(closed_at__isnull=True).select_related(
                "responsible_organisation"
            ):
                path = IdentificationPath.objects.filter(case=case).first()
                organisations = [case.responsible_organisation]
                if path and path.guardian_organisation_id:
                    organisations.append(path.guardian_organisation)
                Notification.objects.bulk_create(
                    Notification(
                        user=m.user,
                        organisation=m.organisation,
                        kind=Notification.Kind.ADULT,
                        case=case,
                        data={"case": case.number, "on": today.isoformat()},
                        created_at=now,
                    )
                    for org in organisations
                    for m in recipients_of(org)
                )
                event_add(
                    case=case, kind=TIMELINE_KIND, actor=None, at=now, adult=today.isoformat()
                )
                noticed.append(case.number)
    if noticed:
        # The date of birth was read and the minor flag changed: the trail says so, by case.
        audit.record(
            Actor(user=None, membership=None, origin="command:send_reminders"),
            "identification_path.update",
            object_type="case",
            object_id="*",
            fields=["minor", "age_band"],
            purpose="deadline_reminders",
            detail={"cases": sorted(noticed), "turned_adult": today.isoformat()},
        )
    return noticed


def _guardian_for(case: Case, *, attached_id: int | None = None) -> Organisation | None:
    """Nidos, the national guardian organisation for minors in the chain; prefer one in the
    region. With `attached_id`, the guardian already attached comes first. One statement of the
    same shape whether or not a guardian is attached or the region has a Nidos: the signal's
    constant work relies on it (guardian_signal_notice)."""
    rank = SqlCase(
        When(pk=attached_id or 0, then=Value(0)),
        When(municipality__region_id=case.region_id, then=Value(1)),
        default=Value(2),
        output_field=IntegerField(),
    )
    return (
        Organisation.objects.filter(Q(pk=attached_id or 0) | Q(type=OrganisationType.NIDOS))
        .annotate(rank=rank)
        .order_by("rank", "id")
        .first()
    )


def recipients_of(organisation: Organisation) -> list[Membership]:
    """Members who may read identification data, and so may be told about a case's path."""
    roles = policy.PERMISSIONS["identification.read"]
    return list(
        Membership.objects.filter(organisation=organisation, is_active=True, role__in=roles)
        .select_related("user")
        .order_by("id")
    )


def _notify_guardian(case: Case, guardian: Organisation, now: datetime) -> None:
    members = recipients_of(guardian)
    Notification.objects.bulk_create(
        Notification(
            user=m.user,
            organisation=guardian,
            kind=Notification.Kind.GUARDIAN,
            case=case,
            data={"case": case.number},
            created_at=now,
        )
        for m in members
    )
    _mail_guardian(sorted({m.user.email for m in members if m.user.email}), case.number)


def _mail_guardian(emails: list[str], number: str, *, attached: bool = True) -> None:
    """Case number only: an e-mail leaves the platform, so nothing identifying goes in it."""
    if not emails:
        return
    if attached:
        subject = _("Samen: guardian attached to case %(case)s") % {"case": number}
        message = _(
            "Your organisation was attached as guardian to case %(case)s "
            "(a minor, or presumed to be one). Please sign in to Samen."
        ) % {"case": number}
    else:
        subject = _("Samen: new signal on case %(case)s") % {"case": number}
        message = _(
            "A new signal was recorded on case %(case)s, a minor of whom your organisation is "
            "the guardian. Please sign in to Samen."
        ) % {"case": number}
    send_mail(
        subject=subject, message=message, from_email=None, recipient_list=emails, fail_silently=True
    )
