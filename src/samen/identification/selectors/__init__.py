"""Reads of identification paths and deadlines, filtered by the policy, one audit entry each."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from samen import labels
from samen.cases.models import Case
from samen.core import audited, policy
from samen.core.actor import Actor, actor_for_membership
from samen.core.policy import CaseAccess
from samen.i18n import current_language
from samen.identification import leadtimes
from samen.identification import machine as engine
from samen.identification.definitions import machine_of
from samen.identification.labels import (
    choice_label,
    condition_label,
    field_label,
    htcds_label,
    reason_label,
)
from samen.identification.models import (
    AgeAssessment,
    CommissionReview,
    Deadline,
    IdentificationPath,
    NonPunishmentFlag,
    NonPunishmentReason,
    PathDefinition,
)
from samen.identification.services import (
    FACT_GROUPS,
    NON_PUNISHMENT_VIEWERS,
    _access,
    current_definition,
    facts_of,
    history_of,
    is_minor,
)
from samen.organisations.models import Membership, OrganisationType

BUCKETS = ("overdue", "due_0", "due_7", "due_14", "later")


def bucket_of(due_on: date, today: date) -> str:
    """overdue; due today (0); within 7 days; within 14 days; later."""
    days = (due_on - today).days
    if days < 0:
        return "overdue"
    if days == 0:
        return "due_0"
    if days <= 7:
        return "due_7"
    if days <= 14:
        return "due_14"
    return "later"


def _lang() -> str:
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
    access = _access(actor, case, "identification.read")
    path = (
        IdentificationPath.objects.select_related("definition", "guardian_organisation")
        .filter(case=case)
        .first()
    )
    definition = path.definition if path else current_definition()
    machine = machine_of(definition)
    state = path.state if path else machine.initial
    lang = _lang()
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


def _form_choices(data: dict[str, Any]) -> None:
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
    _form_choices(data)
    return present(data, machine)


def _reachable(machine: engine.Machine, state: str) -> set[str]:
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


def commission_of(*, actor: Actor, case: Case) -> dict[str, Any] | None:
    """The latest commission review of the case: members by organisation and role, who has
    assessed, the outcome; and the actor's own seat, if any. Unaudited: part of the case
    block's read. The chair's free-text reasons are not shown here."""
    from samen.identification.models import CommissionOutcome, CommissionReview

    review = CommissionReview.objects.filter(case=case).select_related("definition").first()
    if review is None:
        return None
    outcomes = dict(CommissionOutcome.choices)
    members = list(review.members.select_related("membership__organisation"))
    own = actor.membership.pk if actor.membership else None
    mine = next((m for m in members if m.membership_id == own), None)
    reasons = list(review.definition.body.get("commission", {}).get("reasons", []))
    return {
        "id": review.pk,
        "opened_at": review.opened_at,
        "decided_at": review.decided_at,
        "outcome": review.outcome,
        "outcome_display": str(outcomes.get(review.outcome, "")),
        "reasons_display": [reason_label(r) for r in review.reasons],
        "members": [
            {
                "organisation": m.membership.organisation.name,
                "role": m.membership.get_role_display(),
                "is_chair": m.is_chair,
                "assessed": bool(m.assessment),
            }
            for m in members
        ],
        "my_seat": None
        if mine is None
        else {"is_chair": mine.is_chair, "assessment": mine.assessment},
        "outcome_choices": [(k, str(v)) for k, v in CommissionOutcome.choices],
        "reason_choices": [(r, reason_label(r)) for r in reasons],
    }


def commission_config(case: Case) -> dict:
    """The commission section of the case's path definition (the current one for a new path)."""
    path = IdentificationPath.objects.select_related("definition").filter(case=case).first()
    definition = path.definition if path else current_definition()
    return dict(definition.body.get("commission", {}))


def commission_candidates(*, actor: Actor, case: Case) -> list[Membership]:
    """The memberships that may sit on the case's commission: active staff whose role reads
    identification data, of the organisation types the commission configuration lists
    ("organisation_types"; any chain organisation when it lists none), who reach this case
    (else they could not assess). Only for those who may open a commission. Not audited by
    itself: the request's one entry is the opening (commission_open) or, when the form is
    shown, commission_candidates_audit."""
    _access(actor, case, "identification.transition")
    config = commission_config(case)
    rows = (
        Membership.objects.filter(
            is_active=True,
            user__is_active=True,
            role__in=policy.PERMISSIONS["identification.read"],
        )
        .filter(policy.memberships_reaching(case))
        .select_related("user", "organisation__municipality__region")
        .order_by("organisation__name", "user__last_name", "user__first_name", "id")
    )
    if config.get("organisation_types"):
        rows = rows.filter(organisation__type__in=config["organisation_types"])
    return [
        m
        for m in rows
        if case.pk in policy.case_access(actor_for_membership(m, origin=actor.origin), [case.pk])
    ]


def commission_candidates_audit(*, actor: Actor, case: Case) -> None:
    """The audit entry of showing the opening form (staff names for a case, no case data)."""
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    audited.record(
        actor,
        "commission_review.read",
        object_type="case",
        object_id=case.number,
        fields=["identification.commission"],
        categories=access.categories if access else None,
        emergency=bool(access and access.emergency),
    )


def commission_detail(review: CommissionReview | None, path_status: tuple[str, str]) -> dict:
    """The commission as the API shows it: members by organisation and role with their
    assessments, the decision and its reason codes (never the chair's encrypted words), and the
    case's HTCDS victim status. Plain data; the caller checks the policy and audits."""
    status, decision_org = path_status
    data: dict[str, Any] = {
        "htcds_status": status,
        "htcds_decision_org": decision_org,
        "commission": None,
    }
    if review is None:
        return data
    data["commission"] = {
        "id": review.pk,
        "opened_at": review.opened_at,
        "decided_at": review.decided_at,
        "outcome": review.outcome,
        "reasons": list(review.reasons),
        "members": [
            {
                "membership": m.membership_id,
                "organisation": m.membership.organisation.name,
                "organisation_type": m.membership.organisation.type,
                "role": m.membership.role,
                "is_chair": m.is_chair,
                "assessment": m.assessment,
                "assessment_reasons": list(m.assessment_reasons),
                "assessed_at": m.assessed_at,
            }
            for m in review.members.select_related("membership__organisation")
        ],
    }
    return data


def commission_get(*, actor: Actor, case: Case, audit_read: bool = True) -> dict[str, Any]:
    """The case's latest commission and victim status for the API; one audit entry."""
    access = _access(actor, case, "identification.read")
    if not access.shows("identification.commission"):
        raise policy.not_visible(
            actor, "commission_review.read", object_type="case", object_id=case.number
        )
    review = CommissionReview.objects.filter(case=case).first()
    status = (
        IdentificationPath.objects.filter(case=case)
        .values_list("htcds_status", "htcds_decision_org")
        .first()
    ) or ("", "")
    data = {"case": case.number, **commission_detail(review, status)}
    if audit_read:
        audited.record(
            actor,
            "commission_review.read",
            object_type="case",
            object_id=case.number,
            fields=["identification.commission", "identification.victim_status"],
            categories=access.categories,
            emergency=access.emergency,
        )
    return data


def membership_label(m: Membership) -> str:
    """Staff name, organisation and role: nothing about the case or the victim."""
    name = m.user.get_full_name() or m.user.username
    return f"{name} · {m.organisation.name} · {m.get_role_display()}"


# Conditions over recorded facts (the facts form answers them), not over the steps taken.
FACT_CONDITIONS = frozenset(
    {"nationality_known", "dutch", "eu_citizen_with_rights", "foreign_without_lawful_residence"}
)


def present(data: dict[str, Any], machine: engine.Machine) -> dict[str, Any]:
    """Plain words for the codes of a path read: step titles and values, the organisations
    that take the next steps, field labels and choice labels (both pages use this)."""
    lang = "en" if _lang().startswith("en") else "nl"
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


def case_block_fields(*, actor: Actor, number: str) -> list[str]:
    """The audit fields the case page's identification block shows, for the page's one entry
    (the case read): the page calls this before case_get and case_block after it."""
    if not policy.allows(actor, "identification.read"):
        return []
    has_path = IdentificationPath.objects.filter(case__number=number).exists()
    return read_fields(actor, has_path=has_path)


def case_block(*, actor: Actor, case: Case) -> dict[str, Any] | None:
    """The identification part of the case page: the whole path as a timeline (each state done,
    current, still possible or not taken), the steps taken, the next steps with the
    organisations that take them, and which of them the signed-in user may take. None when the
    actor may not read identification data, so the case page simply leaves the block out.
    Not audited by itself: the page's case read names these fields (case_block_fields)."""
    if not policy.allows(actor, "identification.read"):
        return None
    data = path_get(actor=actor, case=case, audit_read=False)
    definition = (
        IdentificationPath.objects.filter(case=case).values_list("definition", flat=True).first()
    )
    machine = machine_of(
        PathDefinition.objects.get(pk=definition) if definition else current_definition()
    )
    lang = _lang()
    state = str(data["state"])
    steps = list(data.get("steps", []))
    visited = {s["source"] for s in steps} | {s["target"] for s in steps}
    reachable = _reachable(machine, state) if state else set()
    access = policy.case_access(actor, [case.pk]).get(case.pk)
    timeline = []
    for code, st in machine.states.items() if state and access else ():
        if not access.shows_path_state(code):
            continue  # a state of a category not granted is not named at all
        if code == state:
            status = "current"
        elif code in visited:
            status = "done"
        elif code in reachable:
            status = "possible"
        else:
            status = "not_taken"
        timeline.append({"code": code, "title": st.title.get(lang, code), "status": status})
    present(data, machine)
    _form_choices(data)
    data["timeline"] = timeline
    data["steps"] = steps
    # The commission's members and outcome (the victim status) are identification data: shown
    # only where the reader's relation grants them, like every other field (deny by default).
    shows_commission = access is not None and access.shows("identification.commission")
    data["commission"] = commission_of(actor=actor, case=case) if shows_commission else None
    data["may_act"] = policy.allows(actor, "identification.transition")
    return data


HOLD_EXPIRY = "hold_expiry"


def shelter_hold_deadlines(*, actor: Actor, today: date) -> list[dict[str, Any]]:
    """Active shelter holds (samen.shelter) of referrals the actor's organisation made or
    coordinates, as deadlines: a held place is lost when the hold expires. A read-only query on
    the shelter tables; the caller audits it with the rest of the list."""
    from samen.shelter.models import Hold, HoldStatus

    org = actor.organisation
    holds = (
        Hold.objects.filter(status=HoldStatus.ACTIVE)
        .filter(Q(referral__organisation=org) | Q(referral__case__responsible_organisation=org))
        .filter(referral__case__in=Case.objects.filter(policy.case_filter(actor)))
        .select_related("referral__case__person", "referral__organisation")
        .order_by("expires_at", "id")
    )
    label = _("Shelter place held until")
    rows = []
    for h in holds:
        due_on = engine.local_date(h.expires_at)
        path = IdentificationPath.objects.filter(case=h.referral.case).first()
        person = h.referral.case.person
        presumed = bool(path and path.presumed_minor)
        rows.append(
            {
                "case_id": h.referral.case_id,
                "case": h.referral.case.number,
                "kind": HOLD_EXPIRY,
                "kind_display": str(label),
                "due_on": due_on,
                "due_at": h.expires_at,
                "days_left": (due_on - today).days,
                "organisation": h.referral.organisation.name,
                "minor": person.is_minor or presumed,
                "minor_estimated": (person.is_minor and person.age_is_estimate) or presumed,
            }
        )
    return rows


def _deadline_shown(access: CaseAccess | None, row: dict[str, Any]) -> dict | None:
    """A deadline row as the reader's relation to its case allows: listed only when the
    deadline's category is granted there (a B8/3 decision is immigration data, a held shelter
    place location data), and whether the person is a minor only with their demographics."""
    if access is None or not access.shows_deadline(str(row["kind"])):
        return None
    if not access.shows("minor"):
        row.pop("minor", None)
        row.pop("minor_estimated", None)
    return row


def deadlines_of_organisation(
    *, actor: Actor, today: date | None = None
) -> dict[str, list[dict[str, Any]]]:
    """Open deadlines the actor's organisation owns or coordinates (it is the case's responsible
    organisation), in reach of the policy, bucketed: overdue, due today, within 7, within 14."""
    policy.require(actor, "identification.read", object_type="deadline", object_id="*")
    org = actor.organisation
    assert org is not None
    today = today or engine.local_date(timezone.now())
    rows = (
        Deadline.objects.filter(closed_at__isnull=True)
        .filter(
            Q(organisation=org)
            | Q(path__case__responsible_organisation=org)
            | Q(path__guardian_organisation=org)  # a minor's deadlines are the guardian's too
        )
        .filter(path__case__in=Case.objects.filter(policy.case_filter(actor)))
        .select_related("path__case__person", "organisation")
        .order_by("due_on", "id")
    )
    result: dict[str, list[dict[str, Any]]] = {b: [] for b in BUCKETS}
    for d in rows:
        result[bucket_of(d.due_on, today)].append(
            {
                "case_id": d.path.case_id,
                "case": d.path.case.number,
                "kind": d.kind,
                "kind_display": d.kind_display,
                "due_on": d.due_on,
                "days_left": (d.due_on - today).days,
                "organisation": d.organisation.name,
                "minor": is_minor(d.path),
                "minor_estimated": is_minor(d.path)
                and (d.path.case.person.age_is_estimate or d.path.presumed_minor),
            }
        )
    for row in shelter_hold_deadlines(actor=actor, today=today):
        result[bucket_of(row["due_on"], today)].append(row)
    access = policy.case_access(
        actor, list({row["case_id"] for rows_ in result.values() for row in rows_})
    )
    for bucket, rows_ in result.items():
        result[bucket] = [_deadline_shown(access.get(row.pop("case_id")), row) for row in rows_]
        result[bucket] = [row for row in result[bucket] if row is not None]
    for rows_ in result.values():
        rows_.sort(key=lambda r: (r["due_on"], r["due_at"].timestamp() if "due_at" in r else 0))
    shown = sorted({row["case"] for rows_ in result.values() for row in rows_})
    audited.record(
        actor,
        "identification_deadline.list",
        object_type="case",
        object_id="*",
        fields=["identification.deadlines"],
        detail={"shown": shown},
    )
    return result


def notification_text(kind: str, data: dict[str, Any]) -> str:
    """The notification's text, built when shown: rows hold codes and dates only."""
    from samen.identification.models import DeadlineKind, Notification

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
    from samen.identification.models import Notification

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


def lead_time_records(*, actor: Actor) -> list[leadtimes.CaseRecord]:
    """One plain record per case on the path that the actor reaches (read-only on the shelter's
    placements), each fact only where the actor's relation to the case grants its category: a
    group of few cases would otherwise tell a single case's form of exploitation or outcome.
    Not audited by itself: lead_times_report is the use case."""
    from samen.shelter.models import Placement

    paths = (
        IdentificationPath.objects.filter(case__in=Case.objects.filter(policy.case_filter(actor)))
        .select_related("case__region")
        .prefetch_related("case__forms", "steps")
    )
    paths = list(paths)
    placements: dict[int, list[date]] = {}
    rows = Placement.objects.filter(referral__case_id__in=[p.case_id for p in paths])
    for case_id, started in rows.values_list("referral__case_id", "started_at"):
        placements.setdefault(case_id, []).append(engine.local_date(started))
    access = policy.case_access(actor, [p.case_id for p in paths])
    records = []
    for p in paths:
        seen = access.get(p.case_id)
        if seen is None:
            continue
        indication = reflection = permit = None
        for step in p.steps.all():  # in order of time
            if not seen.shows(f"identification.step.{step.transition}"):
                continue
            if step.transition == "indication_establish" and indication is None:
                raw = (step.values or {}).get("established_on")
                indication = date.fromisoformat(raw) if raw else engine.local_date(step.at)
            elif step.transition in ("reflection_accept", "reflection_decline"):
                reflection = "accepted" if step.transition == "reflection_accept" else "declined"
            elif step.transition in ("b83_grant", "b83_refuse"):
                permit = "granted" if step.transition == "b83_grant" else "refused"
        placed = None
        if indication and seen.shows("region"):
            after = [d for d in placements.get(p.case_id, []) if d >= indication]
            placed = min(after) if after else None
        records.append(
            leadtimes.CaseRecord(
                region=p.case.region.name if seen.shows("region") else "",
                forms=tuple(sorted(str(f) for f in p.case.forms.all()))
                if seen.shows("forms")
                else (),
                opened_on=engine.local_date(p.case.opened_at),
                indication_on=indication,
                placed_on=placed,
                reflection=reflection or "",
                permit=permit or "",
            )
        )
    return records


def lead_times_report(*, actor: Actor) -> dict[str, Any]:
    """Lead times per region and per form of exploitation, with the national (in reach) total.
    Aggregates only; one audit entry saying how many cases were counted."""
    policy.require(actor, "identification.lead_times", object_type="case", object_id="*")
    records = lead_time_records(actor=actor)
    result: dict[str, Any] = {
        "total": leadtimes.total(records, str(_("All cases in reach"))),
        "region": leadtimes.group_by(records, "region"),
        "form": leadtimes.group_by(records, "form"),
    }
    audited.record(
        actor,
        "identification_lead_times.read",
        object_type="case",
        object_id="*",
        fields=["identification.steps"],
        detail={"cases_counted": len(records)},
    )
    return result


def victim_statuses(numbers: list[str]) -> dict[str, tuple[str, str]]:
    """Per case number the HTCDS victim status and its decision-making organisation as the path
    set them; a case without a path or without a decided status is absent. Plain data for the
    statistics export; the caller checks the policy and audits."""
    paths = IdentificationPath.objects.filter(case__number__in=numbers).exclude(htcds_status="")
    return {
        number: (status, org)
        for number, status, org in paths.values_list(
            "case__number", "htcds_status", "htcds_decision_org"
        )
    }
