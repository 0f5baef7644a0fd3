"""Writes on the identification path: each checks the policy, lets the engine decide, writes the
step, its deadlines, one timeline event and exactly one audit entry, in one transaction."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Q, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.lifecycle import case_status_follow
from samen.cases.models import Case
from samen.cases.services import event_add
from samen.core import audit, audited, policy
from samen.core.actor import Actor
from samen.core.policy import CaseAccess
from samen.i18n import current_language
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.labels import condition_label, field_label
from samen.identification.models import (
    AgeAssessment,
    Deadline,
    IdentificationPath,
    NonPunishmentFlag,
    NonPunishmentReason,
    Notification,
    PathDefinition,
    PathStep,
)
from samen.organisations.models import Membership, Organisation, OrganisationType

TIMELINE_KIND = "identification"  # the case timeline's kind for every step of this path
PATH_CODE = "identification_path"


def _access(actor: Actor, case: Case, permission: str) -> CaseAccess:
    """403 for a role without the permission, then 404 (like a missing case) when the actor
    does not reach this case; both audited by the policy."""
    policy.require(actor, permission, object_type="case", object_id=case.number)
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    if access is None:
        raise policy.not_visible(actor, permission, object_type="case", object_id=case.number)
    return access


def current_definition() -> PathDefinition:
    return PathDefinition.objects.filter(code=PATH_CODE, is_current=True).latest("version")


def _path_locked(case: Case) -> IdentificationPath:
    """The case's path, locked for this transaction; started on the current rules if new."""
    path = IdentificationPath.objects.select_for_update().filter(case=case).first()
    if path is None:
        definition = current_definition()
        path, _created = IdentificationPath.objects.get_or_create(
            case=case,
            defaults={
                "definition": definition,
                "state": machine_of(definition).initial,
                "started_at": timezone.now(),
            },
        )
        path = IdentificationPath.objects.select_for_update().get(pk=path.pk)
    return path


def is_minor(path: IdentificationPath) -> bool:
    # Doubt counts in favour of protection: a presumed minor is treated as a minor.
    return bool(path.case.person.is_minor or path.presumed_minor)


def facts_of(path: IdentificationPath) -> dict[str, object]:
    """The facts the rules in the definition refer to (conditions and advice)."""
    foreign = bool(path.foreign_national)
    without_residence = foreign and path.lawful_residence is False
    # An EU citizen whose rights under EU law are not yet known counts as having them: the
    # reflection period and B8/3 wait until it is established that there are none.
    eu_with_rights = bool(path.eu_citizen) and path.eu_residence_rights is not False
    return {
        "foreign": foreign,
        "nationality_known": path.foreign_national is not None,
        "dutch": path.foreign_national is False,
        "eu_citizen_with_rights": eu_with_rights,
        "dublin_claimant": bool(path.dublin_claimant),
        "b83_eligible": without_residence and not eu_with_rights,
        "foreign_without_lawful_residence": without_residence,
        "minor": is_minor(path),
        "unaccompanied": bool(path.unaccompanied),
        "age_uncertain": path.age_assessment != AgeAssessment.DOCUMENTED,
    }


def _refusal(
    exc: engine.TransitionError, machine: engine.Machine, state: str, access: CaseAccess
) -> ValidationError:
    language = current_language()
    steps = engine.titles(machine.next_steps(state), language)
    allowed = ", ".join(steps) or _("none: the path has ended")
    known = machine.states.get(state)
    state_title = known.title.get(language, state) if known else state
    if isinstance(exc, engine.FieldErrors):
        return ValidationError(
            {k: [field_error(machine, exc.code, k, v)] for k, v in exc.errors.items()}
        )
    if isinstance(exc, engine.StepsMissing):
        # Titles, not codes: the refusal is read on a Dutch page.
        lang = "en" if language.startswith("en") else "nl"
        names = [machine.transitions[c].title.get(lang, c) for c in exc.missing]
        step = machine.transitions[exc.code].title.get(lang, exc.code)
        return ValidationError(
            {
                "transition": [
                    _(
                        "For a minor, protection comes first: before '%(step)s', take "
                        "these steps: %(missing)s."
                    )
                    % {"step": step, "missing": "; ".join(names)}
                ]
            }
        )
    if isinstance(exc, engine.AlreadyTaken):
        return ValidationError(
            {"transition": [_("Step %(step)s has been taken already.") % {"step": exc.code}]}
        )
    if isinstance(exc, engine.ConditionNotMet):
        lang = "en" if language.startswith("en") else "nl"
        step = machine.transitions[exc.code].title.get(lang, exc.code)
        return ValidationError(
            {
                "transition": [
                    _("'%(step)s' is not possible for this case: %(facts)s.")
                    % {
                        "step": step,
                        "facts": "; ".join(condition_label(k, v) for k, v in exc.unmet.items()),
                    }
                ]
            }
        )
    if not access.shows_path_state(state):
        # The refusal would name where the path stands, and its next steps: not this reader's.
        return ValidationError(
            {"transition": [_("Where this path stands is not shared with your organisation.")]}
        )
    return ValidationError(
        {
            "transition": [
                _(
                    "Step %(step)s is not possible in state '%(state)s'. "
                    "Allowed next steps: %(allowed)s."
                )
                % {"step": getattr(exc, "code", ""), "state": state_title, "allowed": allowed}
            ]
        }
    )


def field_error(machine: engine.Machine, code: str, name: str, rule: str) -> str:
    """The refusal of one field: which field, and which rule it breaks."""
    transition = machine.transitions.get(code)
    label = field_label(name)
    other = ""
    if transition is not None and name in transition.not_before:
        other = field_label(transition.not_before[name])
    window = transition.window.days if transition is not None and transition.window else 0
    messages = {
        "required": _("%(field)s: this field is required for this step."),
        "invalid_date": _("%(field)s: enter a valid date (YYYY-MM-DD)."),
        "invalid_choice": _("%(field)s: choose one of the allowed values."),
        "in_future": _(
            "%(field)s: the date lies in the future; a step is recorded when it has happened "
            "(at most %(days)d day ahead, for time zones)."
        ),
        "before_previous": _(
            "%(field)s: the date lies before the step this one follows; a step cannot precede it."
        ),
        "before_field": _("%(field)s: the date may not lie before %(other)s."),
        "outside_window": _(
            "%(field)s: a renewal is possible only in the %(window)d days before the permit ends, "
            "and not twice for the same period."
        ),
        "no_open_deadline": _("%(field)s: there is no running period to renew."),
        "does_not_match": _(
            "%(field)s: this ground needs the other statement (a threat: a police statement; "
            "medical grounds: a medical statement)."
        ),
    }
    text = messages.get(rule, messages["invalid_choice"])
    return text % {
        "field": label,
        "other": other,
        "days": machine.tolerance_days(),
        "window": window,
    }


def history_of(path: IdentificationPath) -> list[engine.HistoryStep]:
    """The steps taken on the path, in order, as the rules read them."""
    return [
        engine.HistoryStep(code, values or {})
        for code, values in path.steps.order_by("at", "id").values_list("transition", "values")
    ]


def _owner_organisation(case: Case, organisation_type: str, fallback: Organisation) -> Organisation:
    """The organisation that must act on a deadline: the IND decides on its own terms, whoever
    filed (the police's report counts as the application). Prefer one in the case's region."""
    if not organisation_type or organisation_type == fallback.type:
        return fallback
    rank = SqlCase(
        When(municipality__region_id=case.region_id, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    found = (
        Organisation.objects.filter(type=organisation_type)
        .annotate(rank=rank)
        .order_by("rank", "id")
        .first()
    )
    return found or fallback


def transition_take(
    *, actor: Actor, case: Case, code: str, values: Mapping[str, object] | None = None
) -> IdentificationPath:
    """Take one step on the case's identification path."""
    access = _access(actor, case, "identification.transition")
    org = actor.organisation
    assert org is not None  # a membership exists: policy.require passed
    now = timezone.now()
    today = engine.local_date(now)
    try:
        with transaction.atomic():
            path = _path_locked(case)
            machine = machine_of(path.definition)
            open_deadlines = {
                d.kind: d.due_on for d in path.deadlines.filter(closed_at__isnull=True)
            }
            history = history_of(path)
            try:
                outcome = machine.apply(
                    state=path.state,
                    code=code,
                    organisation_type=org.type,
                    role=actor.role,
                    values=values or {},
                    facts=facts_of(path),
                    today=today,
                    open_deadlines=open_deadlines,
                    history=history,
                )
            except engine.NotPermitted:
                raise
            except engine.TransitionError as exc:
                raise _refusal(exc, machine, path.state, access) from exc
            step = PathStep.objects.create(
                path=path,
                transition=code,
                source=outcome.source,
                target=outcome.target,
                values=outcome.values,
                actor=actor.user,
                organisation=org,
                at=now,
            )
            _deadlines_apply(path, outcome, step, org, now)
            path.state = outcome.target
            status = machine.states[outcome.target].htcds_status
            if status and machine.outranks(status, path.htcds_status):
                path.htcds_status = status
                path.htcds_decision_org = machine.decision_org(org.type)
            path.save()
            case_status_follow(case=case, path_state=path.state, actor=actor)
            event_add(
                case=case,
                kind=TIMELINE_KIND,
                actor=actor,
                at=now,
                transition=code,
                source=outcome.source,
                target=outcome.target,
                values=outcome.values,
            )
            audited.record(
                actor,
                "identification_path.update",
                object_type="case",
                object_id=case.number,
                fields=["identification.state", *(f"identification.{k}" for k in outcome.values)],
                categories=access.categories,
                emergency=access.emergency,
                detail={"transition": code, "from": outcome.source, "to": outcome.target},
            )
    except engine.NotPermitted as exc:
        # Outside the rolled-back transaction, so the refusal stays in the trail.
        audited.record(
            actor,
            "identification_path.update",
            object_type="case",
            object_id=case.number,
            result="denied",
            detail={"transition": code},
        )
        raise PermissionDenied(
            _("Your organisation and role may not take step %(step)s.") % {"step": exc.code}
        ) from exc
    return path


def _deadlines_apply(
    path: IdentificationPath,
    outcome: engine.Outcome,
    step: PathStep,
    org: Organisation,
    now: object,
) -> None:
    if outcome.closes:
        open_ones = path.deadlines.filter(closed_at__isnull=True)
        if "*" not in outcome.closes:
            open_ones = open_ones.filter(kind__in=outcome.closes)
        open_ones.update(closed_at=now)
    for new in outcome.opens:
        Deadline.objects.create(
            path=path,
            kind=new.kind,
            due_on=new.due_on,
            organisation=_owner_organisation(path.case, new.owner, org),
            opened_by_step=step,
        )


class _Unset:
    """A fact the caller did not give: left as it is (a facts form posts only what its reader
    may see, so a fact hidden from the reader is never wiped by its absence)."""

    def __repr__(self) -> str:
        return "UNSET"


UNSET: Any = _Unset()

# The groups of facts of the facts form, each with the presented field whose category decides
# who may see, and so record, them (FIELD_CATEGORIES): whoever may not see a fact may not record
# it either.
FACT_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "residence": ("identification.residence", (
        "foreign_national", "lawful_residence", "unaccompanied", "eu_citizen",
        "eu_residence_rights", "dublin_claimant",
    )),
    "age": ("minor", ("age_assessment", "presumed_minor")),
}  # fmt: skip


def path_facts_set(
    *,
    actor: Actor,
    case: Case,
    foreign_national: bool | None = UNSET,
    lawful_residence: bool | None = UNSET,
    unaccompanied: bool | None = UNSET,
    age_assessment: str = UNSET,
    presumed_minor: bool = UNSET,
    eu_citizen: bool | None = UNSET,
    eu_residence_rights: bool | None = UNSET,
    dublin_claimant: bool = UNSET,
) -> IdentificationPath:
    """Record the facts the path depends on; a fact not given stays as it is, and a fact the
    actor may not see on this case is refused at its field (nothing is saved). For a minor (by
    age, estimate or presumption) the guardian (Nidos) is attached and notified at once:
    protection does not wait for a reflection period. When the new facts break the conditions
    of the step the path stands on (Dutch after all, lawful residence after all), the
    coordinator gets a task: nothing is undone silently, and nothing silently stands."""
    access = _access(actor, case, "identification.transition")
    given = {
        name: value
        for name, value in {
            "foreign_national": foreign_national,
            "lawful_residence": lawful_residence,
            "unaccompanied": unaccompanied,
            "age_assessment": age_assessment,
            "presumed_minor": presumed_minor,
            "eu_citizen": eu_citizen,
            "eu_residence_rights": eu_residence_rights,
            "dublin_claimant": dublin_claimant,
        }.items()
        if value is not UNSET
    }
    errors: dict[str, list[str]] = {}
    for field, names in FACT_GROUPS.values():
        if not access.shows(field):
            for name in set(names) & set(given):
                errors[name] = [_("This fact is not yours to record on this case.")]
    if "age_assessment" in given and given["age_assessment"] not in AgeAssessment.values:
        errors.setdefault("age_assessment", [_("Choose a valid value.")])
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        path = _path_locked(case)
        for name, value in given.items():
            setattr(path, name, value)
        if not path.eu_citizen:
            path.eu_residence_rights = None  # rights under EU law only for an EU citizen
        facts = facts_of(path)
        path.save()
        broken = machine_of(path.definition).broken_conditions(
            history_of(path), facts, engine.local_date(now)
        )
        if broken is not None:
            _condition_task(path, broken[0], now)
        guardian_attached = _guardian_attach(path, now) is not None
        advice = [a.code for a in machine_of(path.definition).advice_for(facts)]
        event_add(
            case=case,
            kind=TIMELINE_KIND,
            actor=actor,
            at=now,
            facts={k: v for k, v in facts.items()},
            advice=advice,
            guardian=path.guardian_organisation_id,
        )
        changed = [field for field, names in FACT_GROUPS.values() if set(names) & set(given)]
        audited.record(
            actor,
            "identification_path.update",
            object_type="case",
            object_id=case.number,
            fields=changed + (["identification.guardian"] if guardian_attached else []),
            categories=access.categories,
            emergency=access.emergency,
            detail={"facts": "recorded", "advice": advice},
        )
    return path


def _condition_task(path: IdentificationPath, step: str, now: datetime) -> None:
    """A task for the coordinator (the responsible organisation's members): the facts no longer
    meet the step the path stands on. Once per step: a second change of facts does not add
    another open task."""
    case = path.case
    open_task = Notification.objects.filter(
        case=case, kind=Notification.Kind.CONDITION, read_at__isnull=True, data__step=step
    ).exists()
    if not open_task:
        Notification.objects.bulk_create(
            Notification(
                user=m.user,
                organisation=m.organisation,
                kind=Notification.Kind.CONDITION,
                case=case,
                data={"case": case.number, "step": step},
                created_at=now,
            )
            for m in recipients_of(case.responsible_organisation)
        )
    event_add(case=case, kind=TIMELINE_KIND, actor=None, at=now, condition_broken=step)


def _guardian_attach(path: IdentificationPath, now: datetime) -> Organisation | None:
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
        path = _path_locked(case)
    if presumed and not facts_of(path)["minor"]:
        # Doubt counts for protection: a stated minor is presumed one until the age is known.
        path.presumed_minor = True
        path.save(update_fields=["presumed_minor", "updated_at"])
    now = timezone.now()
    guardian = _guardian_attach(path, now)
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
    from samen.cases.models import Person
    from samen.cases.services import age_on, band_for_age, identity_read

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


NON_PUNISHMENT_VIEWERS = frozenset(
    {
        OrganisationType.POLICE,
        OrganisationType.KMAR,
        OrganisationType.LABOUR_INSPECTORATE,
        OrganisationType.PROSECUTION,
    }
)


def non_punishment_flag_set(*, actor: Actor, case: Case, reasons: list[str]) -> NonPunishmentFlag:
    """Flag that a suspect may also be a victim, with reason codes."""
    access = _access(actor, case, "identification.transition")
    reasons = sorted(set(reasons))
    if not reasons or any(r not in NonPunishmentReason.values for r in reasons):
        raise ValidationError({"reasons": [_("Choose at least one valid reason.")]})
    now = timezone.now()
    with transaction.atomic():
        flag = NonPunishmentFlag.objects.create(
            case=case,
            reasons=reasons,
            set_by=actor.user,
            organisation=actor.organisation,
            set_at=now,
        )
        event_add(case=case, kind=TIMELINE_KIND, actor=actor, at=now, non_punishment=reasons)
        audited.record(
            actor,
            "non_punishment_flag.create",
            object_type="case",
            object_id=case.number,
            fields=["identification.non_punishment"],
            categories=access.categories,
            emergency=access.emergency,
            detail={"reasons": reasons},
        )
    return flag


def notifications_mark_read(*, actor: Actor, ids: list[int] | None = None) -> int:
    """Mark the user's own notifications read (all unread ones when no ids are given). Only the
    user's own rows: another user's id is silently not matched. Returns how many changed."""
    policy.require(actor, "identification.read", object_type="notification", object_id="*")
    rows = Notification.objects.filter(
        user=actor.user, organisation=actor.organisation, read_at__isnull=True
    )
    if ids is not None:
        rows = rows.filter(pk__in=ids)
    return rows.update(read_at=timezone.now())
