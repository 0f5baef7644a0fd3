"""What every write on the identification path shares: the policy's view of the case, the
current definition, the locked path, its facts and history, refusals in plain words."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Case as SqlCase
from django.db.models import IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.core import policy
from samen.core.actor import Actor
from samen.core.policy import CaseAccess
from samen.i18n import current_language
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.labels import condition_label, field_label
from samen.identification.models import (
    AgeAssessment,
    IdentificationPath,
    PathDefinition,
)
from samen.organisations.models import Organisation

TIMELINE_KIND = "identification"  # the case timeline's kind for every step of this path


PATH_CODE = "identification_path"


def access_for(actor: Actor, case: Case, permission: str) -> CaseAccess:
    """403 for a role without the permission, then 404 (like a missing case) when the actor
    does not reach this case; both audited by the policy."""
    policy.require(actor, permission, object_type="case", object_id=case.number)
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    if access is None:
        raise policy.not_visible(actor, permission, object_type="case", object_id=case.number)
    return access


def current_definition() -> PathDefinition:
    return PathDefinition.objects.filter(code=PATH_CODE, is_current=True).latest("version")


def path_locked(case: Case) -> IdentificationPath:
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


def refusal(
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


def owner_organisation(case: Case, organisation_type: str, fallback: Organisation) -> Organisation:
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
