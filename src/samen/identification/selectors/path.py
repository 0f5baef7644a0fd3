"""The identification path as its readers may see it: the state, the steps, the facts and
what may be done next, through the case's field policy; one audit entry per read."""

from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.models import Case
from samen.core import audited, policy
from samen.core.actor import Actor
from samen.core.policy import CaseAccess
from samen.i18n import current_language
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.labels import (
    choice_label,
    condition_label,
    field_label,
    htcds_label,
)
from samen.identification.models import (
    AgeAssessment,
    IdentificationPath,
    NonPunishmentFlag,
    NonPunishmentReason,
    PathDefinition,
)
from samen.identification.services import (
    FACT_GROUPS,
    NON_PUNISHMENT_VIEWERS,
    access_for,
    current_definition,
    facts_of,
    history_of,
)
from samen.organisations.models import OrganisationType


def language() -> str:
    return current_language()


def read_fields(actor: Actor, *, has_path: bool) -> list[str]:
    """The audit field names of a path read by this actor (see path_get)."""
    fields = ["identification.state"]
    if has_path:
        fields += [
            "minor",
            "identification.deadlines",
            "identification.steps",
            "identification.commission",
        ]
    org = actor.organisation
    if org and org.type in NON_PUNISHMENT_VIEWERS:
        fields.append("identification.non_punishment")
    return fields


def steps_shown(access: CaseAccess, path: IdentificationPath) -> list[dict[str, Any]]:
    """The steps taken, through the case's field policy: a step shows only when the category of
    its transition is granted (a report to the police is criminal data, a B8/3 step immigration
    data), each of its values only by its own name's category, and the states it left and
    reached only by theirs."""
    rows = path.steps.values("transition", "source", "target", "values", "at", "organisation__name")
    return [
        access.shown_step(row)
        for row in rows
        if access.shows(f"identification.step.{row['transition']}")
    ]


def path_get(*, actor: Actor, case: Case, audit_read: bool = True) -> dict[str, Any]:
    """The path as the actor may see it: state, next steps and who takes them, open deadlines,
    advice for minors; the non-punishment flag only for investigation and prosecution.
    audit_read=False only where the request's one audit entry already names these fields (the
    case page: see case_block_fields)."""
    access = access_for(actor, case, "identification.read")
    path = (
        IdentificationPath.objects.select_related("definition", "guardian_organisation")
        .filter(case=case)
        .first()
    )
    definition = path.definition if path else current_definition()
    machine = machine_of(definition)
    state = path.state if path else machine.initial
    lang = language()
    org = actor.organisation
    # Only the steps this case can have: a minor's protection steps, not an adult's.
    facts = facts_of(path) if path else {}
    history = history_of(path) if path else []
    taken = [h.code for h in history]
    # The facts the conditions read, with those of the criminal case from the steps taken.
    known = {**facts, **machine.history_facts(history, engine.local_date(timezone.now()))}
    # Where the path stands, and so what comes next, shows only by the state's own category
    # ("Aangifte of medewerking" is criminal data, "B8/3-vergunning verleend" immigration data).
    shown_state = state if access.shows_path_state(state) else ""
    # Where the state is not the reader's to see, the steps that answer its own open term are
    # still offered (the IND decides on the application a report started ex officio): the term
    # already tells that much, and nothing more is told.
    answers_own_term: set[str] = set()
    if path and not shown_state and org is not None:
        own = set(
            path.deadlines.filter(closed_at__isnull=True, organisation=org).values_list(
                "kind", flat=True
            )
        )
        answers_own_term = {
            t.code
            for t in machine.available_steps(state, facts, taken)
            if t.permits(org.type, actor.role)
            and (t.closes - {d.kind for d in t.opens}) & own  # answers it, not renews it
            and access.shows(f"identification.step.{t.code}")
        }
    data: dict[str, Any] = {
        "case": case.number,
        "definition": f"{definition.code} v{definition.version}",
        "state": shown_state,
        "state_title": machine.states[state].title.get(lang, state) if shown_state else "",
        "next_steps": [
            {
                "code": t.code,
                "title": t.title.get(lang, t.code),
                "organisation_types": sorted({a.organisation_type for a in t.actors}),
                "fields": [f.name for f in t.fields],
                "inputs": [
                    {"name": f.name, "type": f.type, "choices": f.choices, "required": f.required}
                    for f in t.fields
                ],
                "yours": bool(org and t.permits(org.type, actor.role)),
                # Offered with what is missing, so the facts can be recorded where it is shown.
                "missing": [
                    condition_label(k, v) for k, v in machine.unmet_conditions(t, known).items()
                ],
                "needs_facts": any(
                    k in FACT_CONDITIONS for k in machine.unmet_conditions(t, known)
                ),
            }
            for t in machine.available_steps(state, facts, taken)
            if shown_state or t.code in answers_own_term
        ],
    }
    if path:
        data.update(
            minor=facts["minor"],
            age_assessment=path.age_assessment,
            age_assessment_display=path.get_age_assessment_display(),
            age_uncertain=facts["age_uncertain"],
            guardian=path.guardian_organisation.name if path.guardian_organisation else "",
            advice=[a.text.get(lang, a.code) for a in machine.advice_for(facts)],
            htcds_status=path.htcds_status,
            htcds_decision_org=path.htcds_decision_org,
            htcds_display=htcds_label(path.htcds_status, path.htcds_decision_org),
            deadlines=[
                {"kind": d.kind, "kind_display": d.kind_display, "due_on": d.due_on}
                for d in path.deadlines.filter(closed_at__isnull=True)
                if access.shows_deadline(d.kind)
            ],
            steps=steps_shown(access, path),
        )
    # The recorded facts, to fill the facts form; each group only for a reader who may see it,
    # and the form posts only the groups it shows (services.path_facts_set refuses the rest).
    if access.shows("identification.residence"):
        data["recorded"] = {
            "foreign_national": _yes_no(path.foreign_national if path else None),
            "lawful_residence": _yes_no(path.lawful_residence if path else None),
            "unaccompanied": _yes_no(path.unaccompanied if path else None),
            "eu_citizen": _yes_no(path.eu_citizen if path else None),
            "eu_residence_rights": _yes_no(path.eu_residence_rights if path else None),
            "dublin_claimant": bool(path and path.dublin_claimant),
        }
    if access.shows("minor"):
        data["age_facts"] = {
            "age_assessment": path.age_assessment if path else AgeAssessment.ESTIMATED,
            "presumed_minor": bool(path and path.presumed_minor),
        }
    if not access.shows("identification.guardian"):
        data.pop("guardian", None)
    if not access.shows("identification.state"):
        # The advice and the victim status judge the exploitation as a whole.
        for key in ("advice", "htcds_status", "htcds_decision_org", "htcds_display"):
            data.pop(key, None)
    if org and org.type in NON_PUNISHMENT_VIEWERS:
        flags = NonPunishmentFlag.objects.filter(case=case, withdrawn_at__isnull=True)
        labels = dict(NonPunishmentReason.choices)
        data["non_punishment"] = [
            {
                "reasons": f.reasons,
                "reasons_display": [str(labels.get(r, r)) for r in f.reasons],
                "set_at": f.set_at,
            }
            for f in flags
        ]
    if not audit_read:
        return data
    audited.record(
        actor,
        "identification_path.read",
        object_type="case",
        object_id=case.number,
        fields=read_fields(actor, has_path=path is not None),
        categories=access.categories,
        emergency=access.emergency,
    )
    return data


def fact_groups_shown(*, actor: Actor, case: Case) -> set[str]:
    """The groups of path facts (services.FACT_GROUPS) the actor may see, and so record, on this
    case: the facts form posts these and no others. Not audited: it reads no case data."""
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    if access is None:
        return set()
    return {group for group, (field, _names) in FACT_GROUPS.items() if access.shows(field)}


def form_choices(data: dict[str, Any]) -> None:
    data["yes_no"] = [("", _("unknown")), ("yes", _("yes")), ("no", _("no"))]
    data["age_choices"] = AgeAssessment.choices


def _yes_no(value: bool | None) -> str:
    return "" if value is None else ("yes" if value else "no")


def path_page(*, actor: Actor, case: Case) -> dict[str, Any]:
    """The path page's read (audited like path_get), in plain words."""
    data = path_get(actor=actor, case=case)
    definition = (
        IdentificationPath.objects.filter(case=case).values_list("definition", flat=True).first()
    )
    machine = machine_of(
        PathDefinition.objects.get(pk=definition) if definition else current_definition()
    )
    form_choices(data)
    return present(data, machine)


def reachable_states(machine: engine.Machine, state: str) -> set[str]:
    """States that can still be reached from `state` by some sequence of steps."""
    seen: set[str] = set()
    todo = [t.target for t in machine.next_steps(state) if not t.restart]
    while todo:
        code = todo.pop()
        if code in seen:
            continue
        seen.add(code)
        todo.extend(t.target for t in machine.next_steps(code) if not t.restart)
    return seen


def org_type_labels(codes: list[str]) -> list[str]:
    labels = dict(OrganisationType.choices)
    return [str(labels.get(c, c)) for c in codes]


# Conditions over recorded facts (the facts form answers them), not over the steps taken.
FACT_CONDITIONS = frozenset(
    {"nationality_known", "dutch", "eu_citizen_with_rights", "foreign_without_lawful_residence"}
)


def present(data: dict[str, Any], machine: engine.Machine) -> dict[str, Any]:
    """Plain words for the codes of a path read: step titles and values, the organisations
    that take the next steps, field labels and choice labels (both pages use this)."""
    lang = "en" if language().startswith("en") else "nl"
    by_code = machine.transitions
    for s in data.get("steps", []) or []:
        t = by_code.get(s["transition"])
        s["title"] = t.title.get(lang, s["transition"]) if t else s["transition"]
        s["values_display"] = [
            (field_label(k), choice_label(str(v))) for k, v in (s.get("values") or {}).items()
        ]
    for n in data["next_steps"]:
        n["organisation_labels"] = org_type_labels(n["organisation_types"])
        n["inputs"] = [
            {
                **f,
                "label": field_label(f["name"]),
                "options": [(c, choice_label(c)) for c in f["choices"]],
            }
            for f in n["inputs"]
        ]
    return data
