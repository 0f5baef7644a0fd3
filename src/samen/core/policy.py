"""The one access policy. Read it as tables:

- PERMISSIONS: which role may take which action at all (else 403);
- RELATIONS: through which relation to the person an organisation reaches a case (responsible
  coordination, guardian, investigating service, IND, shelter, national registration); the
  organisation that signalled reaches only its own signals (SIGNALLER), never the case;
- the register of processing (samen.core.register): which data categories an organisation
  type may process for a purpose, on which legal basis; fields outside them are absent;
- explicit shares widen the reach to single cases, for their categories; emergency access is
  the only way around a missing relation, flagged and reviewed afterwards.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import cast

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import BooleanField, Expression, ExpressionWrapper, F, Field, Q, Value
from django.http import Http404
from django.utils import timezone

from samen.core import audit
from samen.core.actor import Actor
from samen.core.models import CaseShare, EmergencyAccess, Purpose
from samen.core.register import (
    CASE_METADATA,
    DEADLINE_CATEGORIES,
    FIELD_CATEGORIES,
    PATH_STATE_CATEGORIES,
    SHARE_PURPOSE_CATEGORIES,
    TIMELINE_CATEGORIES,
    Grant,
    grants_for,
)
from samen.organisations.models import OrganisationType, Role

R = Role
T = OrganisationType
CASE_WORKERS = frozenset(
    {R.FIELD_PROFESSIONAL, R.CARE_COORDINATOR, R.INVESTIGATOR, R.NATIONAL_REGISTRAR}
)
EVERYONE = frozenset(R)

PERMISSIONS: dict[str, frozenset[str]] = {
    "organisation.read": EVERYONE,
    "signal_list.read": EVERYONE,
    # A chat counsellor records a signal only when the person consents to a hand-over (#23).
    # The online analyst sends a reviewed lead into the chain as a signal (#18).
    "signal.create": CASE_WORKERS | {R.COUNSELLOR, R.CHAT_SUPERVISOR, R.ONLINE_ANALYST},
    "signal.read": CASE_WORKERS,
    "case.read": CASE_WORKERS | {R.SHELTER_STAFF, R.IND_OFFICER, R.GUARDIAN, R.PROSECUTOR},
    "case.update": frozenset({R.CARE_COORDINATOR, R.NATIONAL_REGISTRAR}),
    # Merging and splitting cases of one person (issue #16): the national registration.
    "case.merge": frozenset({R.NATIONAL_REGISTRAR}),
    "case.note": frozenset({R.CARE_COORDINATOR, R.INVESTIGATOR, R.SHELTER_STAFF, R.GUARDIAN}),
    "case.share": frozenset({R.CARE_COORDINATOR, R.INVESTIGATOR, R.NATIONAL_REGISTRAR}),
    "case.emergency": frozenset({R.CARE_COORDINATOR, R.INVESTIGATOR, R.SHELTER_STAFF}),
    "register.read": EVERYONE,
    "register.edit": frozenset({R.PRIVACY_OFFICER}),
    "audit.read": frozenset({R.PRIVACY_OFFICER}),
    "admin.access": frozenset({R.FUNCTIONAL_ADMIN}),
    # Shelter and referral (issue #4)
    "shelter.read": frozenset({R.CARE_COORDINATOR, R.SHELTER_STAFF, R.NATIONAL_REGISTRAR}),
    "shelter.update": frozenset({R.SHELTER_STAFF}),
    "referral.create": frozenset({R.CARE_COORDINATOR, R.NATIONAL_REGISTRAR}),
    "referral.respond": frozenset({R.SHELTER_STAFF}),
    "shelter.directory": frozenset({R.SHELTER_STAFF, R.NATIONAL_REGISTRAR}),
    # Identification and protection (issue #5). The IND records reflection periods and B8/3
    # decisions; the guardian takes the minor's steps that are its own (the path definition
    # names which steps each role takes).
    # The prosecutor (OM) records the prosecution's decisions beside the path (issue #14).
    "identification.read": CASE_WORKERS
    | {R.SHELTER_STAFF, R.IND_OFFICER, R.GUARDIAN, R.PROSECUTOR},
    "identification.transition": frozenset(
        {
            R.INVESTIGATOR,
            R.CARE_COORDINATOR,
            R.NATIONAL_REGISTRAR,
            R.IND_OFFICER,
            R.GUARDIAN,
            R.PROSECUTOR,
        }
    ),
    "identification.lead_times": frozenset(
        {R.INVESTIGATOR, R.CARE_COORDINATOR, R.NATIONAL_REGISTRAR, R.IND_OFFICER}
    ),
    # Statistics (issue #8): only with the statistics purpose, checked by the selector too
    "statistics.export": frozenset({R.NATIONAL_REGISTRAR, R.PROGRAMME_STAFF}),
    "programme.read": EVERYONE,
    "programme.update": frozenset({R.PROGRAMME_STAFF}),
    # Barrier models (issue #24): everyone reads the models; the region's care coordination
    # raises barriers; partners' staff update the barriers their organisation owns (checked per
    # barrier in samen.barriers.selectors, deny by default).
    "barrier.read": EVERYONE,
    "barrier.raise": frozenset({R.CARE_COORDINATOR}),
    "barrier.update": CASE_WORKERS | {R.SHELTER_STAFF, R.IND_OFFICER, R.GUARDIAN},
    "knowledge.read": EVERYONE,
    # Review by experts by experience (issue #24)
    "review.read": frozenset({R.PROGRAMME_STAFF, R.REVIEW_MEMBER}),
    "review.manage": frozenset({R.PROGRAMME_STAFF}),
    "review.comment": frozenset({R.REVIEW_MEMBER}),
    # Online outreach and the anonymous chat (issue #23)
    "outreach.read": frozenset({R.OUTREACH_WORKER}),
    "outreach.record": frozenset({R.OUTREACH_WORKER}),
    "chat.counsel": frozenset({R.COUNSELLOR, R.CHAT_SUPERVISOR}),
    "chat.supervise": frozenset({R.CHAT_SUPERVISOR}),
    # The analyst's screen of online signals and notices to platforms (issue #18)
    "online.read": frozenset({R.ONLINE_ANALYST}),
    "online.scan": frozenset({R.ONLINE_ANALYST}),
    "online.mark": frozenset({R.ONLINE_ANALYST}),
    "online.notice": frozenset({R.ONLINE_ANALYST}),
}


class Relation(Enum):
    """How an organisation is related to the person whose case it reads (recorded in the audit
    entry of every read)."""

    REGISTRATION = "registration"  # the national coordination centre registers every case
    RESPONSIBLE = "responsible"  # the care coordination responsible for the case or its region
    GUARDIAN = "guardian"  # the guardian (Nidos) of a minor, attached on the path
    INVESTIGATING = "investigating"  # an identifying service that took a step on the path
    PROSECUTING = "prosecuting"  # the OM, once it recorded a decision on the criminal case
    IMMIGRATION = "immigration"  # the IND, once a reflection period or B8/3 step is on the path
    SHELTER = "shelter"  # the shelter that accepted the person or houses them
    SIGNALLER = "signaller"  # the professional who signalled: that signal only, never the case
    SHARED = "shared"  # an active share to the actor's organisation for the actor's purpose
    EMERGENCY = "emergency"  # the actor's own active emergency access (flagged, reviewed)
    STATISTICS = "statistics"  # aggregate figures only; never a reach of single cases


# The relations an organisation holds by its own work (not lent by a share or an emergency):
# only these may pass a case on.
OWN_RELATIONS = frozenset(
    {
        Relation.REGISTRATION,
        Relation.RESPONSIBLE,
        Relation.GUARDIAN,
        Relation.INVESTIGATING,
        Relation.PROSECUTING,
        Relation.IMMIGRATION,
        Relation.SHELTER,
    }
)

# What a shelter sees by its own relation to a person it accepted or houses: the needs
# profile's categories (identity and contact come with the coordinator's share on acceptance).
SHELTER_CATEGORIES = frozenset({"demographics", "exploitation", "health"})

# The condition of a relation is a query over cases.Case, named in the table below. Conditions
# over another app's data (a path step, a placement) live beside that data and are registered by
# that app when it is ready (identification/relations.py, shelter/relations.py): the table stays
# here as data, and the core imports no app.
CONDITIONS: dict[str, Callable[[object], Q]] = {}


def relation_condition(name: str) -> Callable[[Callable[[object], Q]], Callable[[object], Q]]:
    """Register a relation's condition: the organisation -> Q over cases.Case it reaches."""

    def register(fn: Callable[[object], Q]) -> Callable[[object], Q]:
        CONDITIONS[name] = fn
        return fn

    return register


@relation_condition("every_case")
def _every_case(org) -> Q:
    # Not Q(): an empty Q vanishes when OR-ed with the share and emergency conditions.
    return Q(pk__isnull=False)


@relation_condition("responsible_for")
def _responsible_for(org) -> Q:
    return Q(region_id=org.municipality.region_id) | Q(responsible_organisation_id=org.pk)


@dataclass(frozen=True)
class RelationRule:
    relation: Relation
    organisation_types: frozenset[str]
    roles: frozenset[str]
    condition: str  # a name in CONDITIONS
    categories: frozenset[str] | None = None  # a cap within the register; None: no cap

    def cases(self, org) -> Q:
        """Q over cases.Case the organisation reaches by this relation."""
        return CONDITIONS[self.condition](org)


def _rule(relation, types, roles, condition, categories=None) -> RelationRule:
    return RelationRule(relation, frozenset(types), frozenset(roles), condition, categories)


# Who reaches which cases by its own work. One row per relation; a membership reaches a case
# when its organisation type and role match a row and the case satisfies the row's condition.
# Everything else is reached only by a share or emergency access, or not at all.
RELATIONS: tuple[RelationRule, ...] = (
    _rule(Relation.REGISTRATION, {T.COMENSHA}, {R.NATIONAL_REGISTRAR}, "every_case"),
    _rule(Relation.RESPONSIBLE, {T.CARE_COORDINATION}, {R.CARE_COORDINATOR}, "responsible_for"),
    _rule(Relation.GUARDIAN, {T.NIDOS}, {R.GUARDIAN}, "guardian_of_minor"),
    _rule(
        Relation.INVESTIGATING,
        {T.POLICE, T.KMAR, T.LABOUR_INSPECTORATE},
        {R.INVESTIGATOR},
        "took_a_step",
    ),
    # The OM reaches a case the police passed on (a share) and, once it recorded a decision on
    # the criminal case beside the path, by that work; within its prosecution grant.
    _rule(Relation.PROSECUTING, {T.PROSECUTION}, {R.PROSECUTOR}, "took_a_step"),
    _rule(Relation.IMMIGRATION, {T.IND}, {R.IND_OFFICER}, "before_the_ind"),
    _rule(Relation.SHELTER, {T.SHELTER}, {R.SHELTER_STAFF}, "its_resident", SHELTER_CATEGORIES),
)
# The professional who signalled reaches the signals they recorded, and nothing of the case.
SIGNALLER_ROLES = frozenset({R.FIELD_PROFESSIONAL})


@dataclass(frozen=True)
class CaseAccess:
    relation: Relation
    categories: frozenset[str]
    legal_basis: str

    @property
    def emergency(self) -> bool:
        return self.relation is Relation.EMERGENCY

    @property
    def own(self) -> bool:
        """Reached by the organisation's own relation to the person, not lent to it."""
        return self.relation in OWN_RELATIONS

    def shows(self, field: str) -> bool:
        """Deny by default: a field without a category in the register is never shown."""
        category = FIELD_CATEGORIES.get(field)
        if category is None:
            return False
        return category == CASE_METADATA or category in self.categories

    def only_shown(self, data: dict[str, object], *, prefix: str = "") -> dict[str, object]:
        """The keys of a presented dict that may be shown (prefix: its namespace, "note.")."""
        return {k: v for k, v in data.items() if self.shows(prefix + k)}

    def shows_timeline_entry(self, kind: str, data: dict[str, object]) -> bool:
        """Whether the mere fact of this timeline entry may be shown: a note entry by its
        note's kind, an identification entry by its transition, the rest by their kind."""
        if kind == "note_added":
            note = f"notes.{data.get('note_kind', '')}"
            return self.shows("notes") and self.shows(note)
        if kind == "identification" and "transition" in data:
            return self.shows(f"identification.step.{data['transition']}")
        if kind in ("shared", "share_revoked"):
            category = SHARE_PURPOSE_CATEGORIES.get(str(data.get("purpose", "")))
            return category is not None and (
                category == CASE_METADATA or category in self.categories
            )
        category = TIMELINE_CATEGORIES.get(kind)
        return category is not None and (category == CASE_METADATA or category in self.categories)

    def shown_step_values(self, values: dict[str, object] | None) -> dict[str, object]:
        """The values of an identification step that may be shown, each by its own name."""
        return {k: v for k, v in (values or {}).items() if self.shows(f"identification.value.{k}")}

    def _grants(self, category: str | None) -> bool:
        return category is not None and (category == CASE_METADATA or category in self.categories)

    def shows_path_state(self, state: str) -> bool:
        """Whether where the path stands (or stood) may be shown: by the state's own category,
        never for a state the register does not classify."""
        return self._grants(PATH_STATE_CATEGORIES.get(state))

    def shown_step(self, step: dict[str, object]) -> dict[str, object]:
        """A step already shown by its transition: its values by their names, and the states it
        left and reached only by their own categories (a B8/3 application's source tells that a
        report was made)."""
        shown = dict(step)
        if "values" in shown:
            shown["values"] = self.shown_step_values(shown["values"])  # type: ignore[arg-type]
        for key in ("source", "target"):
            if key in shown and not self.shows_path_state(str(shown[key])):
                shown[key] = ""
        return shown

    def shows_deadline(self, kind: str) -> bool:
        """Whether an open deadline of this kind may be shown (on the path, in lists, reminders)."""
        return self._grants(DEADLINE_CATEGORIES.get(kind))

    def shows_notification(self, kind: str, data: dict[str, object]) -> bool:
        """A notification by its kind's category; a deadline reminder also by its deadline's."""
        if not self.shows(f"notification.{kind}"):
            return False
        return kind != "deadline" or self.shows_deadline(str(data.get("deadline", "")))


def purpose_of(actor: Actor) -> str:
    return actor.purpose


def allows(actor: Actor, permission: str) -> bool:
    if permission not in PERMISSIONS:
        raise KeyError(
            f"unknown permission {permission!r}"
        )  # a typo must not grant or deny silently
    return bool(actor.membership) and actor.role in PERMISSIONS[permission]


def require(actor: Actor, permission: str, *, object_type: str = "", object_id: str = "") -> None:
    """Raise PermissionDenied (HTTP 403), audited, when the role lacks the permission."""
    if not allows(actor, permission):
        audit.record(
            actor,
            permission,
            object_type=object_type,
            object_id=object_id,
            result="denied",
            purpose=purpose_of(actor),
        )
        raise PermissionDenied(permission)


def not_visible(actor: Actor, permission: str, *, object_type: str, object_id: str) -> Http404:
    """The 404 for another organisation's object: it must look exactly like a missing one."""
    audit.record(
        actor,
        permission,
        object_type=object_type,
        object_id=object_id,
        result="not_found",
        purpose=purpose_of(actor),
    )
    return Http404()


def grants(actor: Actor) -> dict[str, Grant]:
    """What the actor's organisation type may process for the actor's purpose (memoised)."""
    if "grants" not in actor.memo:
        org = actor.organisation
        actor.memo["grants"] = grants_for(org.type, actor.purpose) if org else {}
    return actor.memo["grants"]


def legal_basis(actor: Actor, categories: set[str] | frozenset[str]) -> str:
    g = grants(actor)
    return " | ".join(sorted({g[c].basis_text for c in categories if c in g}))


def relations_of(actor: Actor) -> tuple[RelationRule, ...]:
    """The rows of RELATIONS that apply to the actor's organisation type and role."""
    org = actor.organisation
    if org is None:
        return ()
    org_type = org.type
    return tuple(r for r in RELATIONS if org_type in r.organisation_types and actor.role in r.roles)


def _relations_q(actor: Actor) -> Q:
    q = Q(pk__in=[])
    for rule in relations_of(actor):
        q |= rule.cases(actor.organisation)
    return q


def _active_shares(actor: Actor):
    return CaseShare.objects.filter(
        recipient_id=actor.organisation.pk if actor.organisation else None,
        purpose__code=actor.purpose,
        revoked_at__isnull=True,
    )


class _AboutTheCase(Expression):
    """EXISTS over a table of the core about the case of the row (an active share, an emergency
    access), written as SQL: compiling the same subquery through the ORM costs more CPU than
    running it (ADR 0058). The case is the outer query's own id column, resolved and relabelled
    by Django like any column, so it is right inside a subquery too (`case__in=...`)."""

    output_field = BooleanField()

    def __init__(self, kind: str, params: Sequence[object], case=None) -> None:
        super().__init__()
        self.kind, self.params, self.case = kind, tuple(params), case or F("pk")

    def get_source_expressions(self):
        return [self.case]

    def set_source_expressions(self, exprs):
        (self.case,) = exprs

    def as_sql(self, compiler, connection):
        case_sql, case_params = compiler.compile(self.case)
        sql, fields = _about_the_case_sql(self.kind, connection)
        # Each value prepared by the field it is compared with, as the ORM's lookup would.
        params = [
            f.get_db_prep_value(v, connection) for f, v in zip(fields, self.params, strict=True)
        ]
        return sql.format(case=case_sql), [*params, *case_params]


def _field(model, name: str) -> Field:
    return cast("Field", model._meta.get_field(name))


def _shared_sql(q: Callable[[str], str]) -> tuple[str, tuple[Field, ...]]:
    """An active share (the rows of _active_shares) of the case {case}; parameters: the
    recipient, the purpose's code."""
    col = {
        n: f"s.{q(_field(CaseShare, n).column)}"
        for n in ("recipient", "purpose", "revoked_at", "case")
    }
    code = _field(Purpose, "code")
    sql = (
        f"EXISTS (SELECT 1 FROM {q(CaseShare._meta.db_table)} s WHERE {col['recipient']} = %s "  # noqa: S608 (names from the models)
        f"AND {col['revoked_at']} IS NULL AND {col['purpose']} IN (SELECT "
        f"{q(_field(Purpose, 'id').column)} FROM {q(Purpose._meta.db_table)} WHERE "
        f"{q(code.column)} = %s) AND {col['case']} = {{case}})"
    )
    return sql, (_field(CaseShare, "recipient"), code)


def _emergency_sql(q: Callable[[str], str]) -> tuple[str, tuple[Field, ...]]:
    """An unexpired emergency access to the case {case}; parameters: the user, the
    organisation, now."""
    names = ("user", "organisation", "expires_at")
    col = {n: f"e.{q(_field(EmergencyAccess, n).column)}" for n in (*names, "case")}
    sql = (
        f"EXISTS (SELECT 1 FROM {q(EmergencyAccess._meta.db_table)} e WHERE {col['user']} = %s "  # noqa: S608 (names from the models)
        f"AND {col['organisation']} = %s AND {col['expires_at']} > %s AND {col['case']} = {{case}})"
    )
    return sql, tuple(_field(EmergencyAccess, n) for n in names)


_ABOUT_THE_CASE = {"shared": _shared_sql, "emergency": _emergency_sql}
_about_the_case_built: dict[tuple[str, str], tuple[str, tuple[Field, ...]]] = {}


def _about_the_case_sql(kind: str, connection) -> tuple[str, tuple[Field, ...]]:
    """The SQL of one kind, built once per process and database vendor (quoting differs)."""
    key = (kind, connection.vendor)
    if key not in _about_the_case_built:
        _about_the_case_built[key] = _ABOUT_THE_CASE[kind](connection.ops.quote_name)
    return _about_the_case_built[key]


def _shared_reach(actor: Actor) -> Expression:
    """Whether the row's case has an active share to the actor's organisation for the actor's
    purpose (the rows of _active_shares), as a column."""
    org = actor.organisation
    return Value(False) if org is None else _AboutTheCase("shared", [org.pk, actor.purpose])


def _emergency_reach(actor: Actor) -> Expression:
    """Whether the actor has its own unexpired emergency access to the row's case, as a column."""
    org = actor.organisation
    if org is None:
        return Value(False)
    return _AboutTheCase("emergency", [actor.user.pk, org.pk, timezone.now()])


def _case_model():
    # By name, not by import: the core imports no app (the conditions are Q over this model).
    return apps.get_model("cases", "Case")


def case_filter(actor: Actor) -> Q:
    """Q over cases.Case for every case the actor may reach, by any relation."""
    if not actor.membership:
        return Q(pk__in=[])
    return _relations_q(actor) | Q(_shared_reach(actor)) | Q(_emergency_reach(actor))


def signal_filter(actor: Actor) -> Q:
    """Q over signalling.Signal: the signals the actor recorded, and those of the cases its
    organisation reaches by its own relation (the responsible coordination also receives its
    region's signals and its own organisation's: that is where signals are taken in)."""
    org = actor.organisation
    if org is None:
        return Q(pk__in=[])
    q = Q(recorded_by_id=actor.user.pk, organisation_id=org.pk)
    rules = relations_of(actor)
    if any(r.relation is Relation.REGISTRATION for r in rules):
        return Q()
    if rules:
        q |= Q(case_id__in=_case_model().objects.filter(_relations_q(actor)).values("pk"))
    if any(r.relation is Relation.RESPONSIBLE for r in rules):
        q |= Q(region_id=org.municipality.region_id) | Q(organisation_id=org.pk)
    return q


def access_columns(actor: Actor) -> dict[str, object]:
    """The policy's reach as boolean columns over cases.Case: each relation of the table that
    applies to the actor, an active share, the actor's own emergency access. Annotated onto a
    query that reads cases anyway, the reach costs no query of its own (access_from_flags)."""
    columns: dict[str, object] = {
        f"reach_rule{i}": ExpressionWrapper(
            rule.cases(actor.organisation), output_field=BooleanField()
        )
        for i, rule in enumerate(relations_of(actor))
    }
    columns["reach_shared"] = _shared_reach(actor)
    columns["reach_emergency"] = _emergency_reach(actor)
    return columns


def reach(actor: Actor) -> tuple[dict[str, object], Q]:
    """access_columns and the condition that one of them holds: a query annotated with the
    columns and filtered on the condition reads exactly the cases of case_filter, with each
    row's reach for access_from_flags, and builds the policy's subqueries once, not twice."""
    columns = access_columns(actor)
    if not actor.membership:
        return columns, Q(pk__in=[])
    condition = Q(pk__in=[])
    for name in columns:
        condition |= Q(**{name: True})
    return columns, condition


def access_from_flags(
    actor: Actor, rows: Iterable[tuple[int, Sequence[object]]]
) -> dict[int, CaseAccess]:
    """How the actor reaches each case, from (case id, the access_columns' values in order).

    An own relation gives the register's categories for the actor's purpose (within the
    relation's cap), widened by a share to the same organisation; a share alone gives the shared
    categories within the register's; emergency access the register's categories, flagged.
    """
    if not actor.membership:
        return {}
    register_categories = frozenset(grants(actor))
    rules = relations_of(actor)
    # Each rule's reach once, not once per row it reaches (ADR 0091): rows reached by one rule
    # share the one tuple.
    by_rule = [
        (
            rule.relation,
            register_categories
            & (register_categories if rule.categories is None else rule.categories),
        )
        for rule in rules
    ]
    reached: dict[int, tuple[Relation, frozenset[str]]] = {}
    with_share: list[int] = []
    with_emergency: list[int] = []
    for pk, flags in rows:
        for reach_of_rule, hit in zip(by_rule, flags, strict=False):
            if hit:  # the first row of the table that applies names the relation
                reached[pk] = reach_of_rule
                break
        if flags[-2]:
            with_share.append(pk)
        if flags[-1]:
            with_emergency.append(pk)
    shared: dict[int, set[str]] = {}
    if with_share:  # the shares' categories only where a share exists
        for case_id, cats in (
            _active_shares(actor)
            .filter(case_id__in=with_share)
            .values_list("case_id", "categories")
        ):
            shared.setdefault(case_id, set()).update(cats)
    for case_id, cats in shared.items():
        relation, categories = reached.get(case_id, (Relation.SHARED, frozenset()))
        reached[case_id] = (relation, categories | (frozenset(cats) & register_categories))
    for case_id in with_emergency:
        if case_id not in reached:
            reached[case_id] = (Relation.EMERGENCY, register_categories)
    # One decision per distinct reach, not per row: a page's rows share a few (CaseAccess is
    # immutable, so rows reached alike share one).
    decided: dict[tuple[Relation, frozenset[str]], CaseAccess] = {}
    # The same tuple (a rule's, above) looked up by identity before it is hashed again.
    by_tuple: dict[int, CaseAccess] = {}
    out: dict[int, CaseAccess] = {}
    for pk, reach in reached.items():
        access = by_tuple.get(id(reach))
        if access is None:
            access = decided.get(reach)
            if access is None:
                access = decided[reach] = CaseAccess(*reach, legal_basis(actor, reach[1]))
            by_tuple[id(reach)] = access
        out[pk] = access
    return out


def case_access(actor: Actor, case_ids: list[int]) -> dict[int, CaseAccess]:
    """How the actor reaches each of these cases and which categories it may see there: one
    query for the reach (access_columns), one more for the categories of shares if any."""
    if not actor.membership or not case_ids:
        return {}
    columns = access_columns(actor)
    rows = (
        _case_model()
        .objects.filter(pk__in=case_ids)
        .annotate(**columns)
        .values_list("pk", *columns)
    )
    return access_from_flags(actor, ((pk, flags) for pk, *flags in rows))


def sees_all_of_case(actor: Actor) -> bool:
    """Whether the actor reads a case as a whole (its identity, others' signals and events).
    The professional who signalled reads only their own signal, never the rest of the case."""
    return bool(actor.membership) and actor.role not in SIGNALLER_ROLES


def memberships_reaching(case) -> Q:
    """A cheap SQL superset over organisations.Membership of those that reach the case; the
    policy confirms each one afterwards (case_access)."""
    q = Q(
        organisation_id__in=CaseShare.objects.filter(case=case, revoked_at__isnull=True).values(
            "recipient_id"
        )
    ) | Q(
        user_id__in=EmergencyAccess.objects.filter(case=case, expires_at__gt=timezone.now()).values(
            "user_id"
        )
    )
    for rule in RELATIONS:
        q |= Q(organisation__type__in=rule.organisation_types, role__in=rule.roles)
    return q
