"""The one access policy. Read it as tables:

- PERMISSIONS: which role may take which action at all (else 403);
- SCOPE: which cases a role reaches by its own work (own signals / its region / all);
- the register of processing (samen.sharing.register): which data categories an organisation
  type may process for a purpose, on which legal basis; fields outside them are absent;
- explicit shares and emergency access widen the reach to single cases, for their categories.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from samen.organisations.models import Role
from samen.sharing import audit
from samen.sharing.actor import Actor
from samen.sharing.register import (
    CASE_METADATA,
    FIELD_CATEGORIES,
    TIMELINE_CATEGORIES,
    Grant,
    grants_for,
)

R = Role
CASE_WORKERS = frozenset(
    {R.FIELD_PROFESSIONAL, R.CARE_COORDINATOR, R.INVESTIGATOR, R.NATIONAL_REGISTRAR}
)
EVERYONE = frozenset(R)

PERMISSIONS: dict[str, frozenset[str]] = {
    "organisation.read": EVERYONE,
    "signal_list.read": EVERYONE,
    "signal.create": CASE_WORKERS,
    "signal.read": CASE_WORKERS,
    "case.read": CASE_WORKERS | {R.SHELTER_STAFF},
    "case.update": frozenset({R.CARE_COORDINATOR, R.NATIONAL_REGISTRAR}),
    "case.note": frozenset({R.CARE_COORDINATOR, R.INVESTIGATOR, R.SHELTER_STAFF}),
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
    # Identification and protection (issue #5)
    "identification.read": CASE_WORKERS | {R.SHELTER_STAFF},
    "identification.transition": frozenset(
        {R.INVESTIGATOR, R.CARE_COORDINATOR, R.NATIONAL_REGISTRAR}
    ),
    "identification.lead_times": frozenset(
        {R.INVESTIGATOR, R.CARE_COORDINATOR, R.NATIONAL_REGISTRAR}
    ),
    # Statistics (issue #8): only with the statistics purpose, checked by the selector too
    "statistics.export": frozenset({R.NATIONAL_REGISTRAR, R.PROGRAMME_STAFF}),
    "programme.read": EVERYONE,
    "programme.update": frozenset({R.PROGRAMME_STAFF}),
}


class Scope(Enum):
    NONE = "none"
    OWN = "own"  # what the user recorded themselves
    REGION = "region"  # the safety region of the user's organisation, and its own cases
    ALL = "all"


SCOPE: dict[str, Scope] = {
    R.FIELD_PROFESSIONAL: Scope.OWN,
    R.CARE_COORDINATOR: Scope.REGION,
    R.INVESTIGATOR: Scope.REGION,
    R.NATIONAL_REGISTRAR: Scope.ALL,
}


class Relation(Enum):
    OWN_WORK = "own_work"  # reached through the role's scope
    SHARED = "shared"  # an active share to the actor's organisation for the actor's purpose
    EMERGENCY = "emergency"  # the actor's own active emergency access


@dataclass(frozen=True)
class CaseAccess:
    relation: Relation
    categories: frozenset[str]
    legal_basis: str

    @property
    def emergency(self) -> bool:
        return self.relation is Relation.EMERGENCY

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
        category = TIMELINE_CATEGORIES.get(kind)
        return category is not None and (category == CASE_METADATA or category in self.categories)

    def shown_step_values(self, values: dict[str, object] | None) -> dict[str, object]:
        """The values of an identification step that may be shown, each by its own name."""
        return {k: v for k, v in (values or {}).items() if self.shows(f"identification.value.{k}")}


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


def scope_of(actor: Actor) -> Scope:
    return SCOPE.get(actor.role, Scope.NONE) if actor.membership else Scope.NONE


def _scope_q(actor: Actor) -> Q:
    from samen.signalling.models import Signal

    scope = scope_of(actor)
    if scope is Scope.ALL:
        # Not Q(): an empty Q vanishes when OR-ed with the share and emergency conditions.
        return Q(pk__isnull=False)
    if scope is Scope.REGION:
        org = actor.organisation
        return Q(region_id=org.municipality.region_id) | Q(responsible_organisation_id=org.pk)
    if scope is Scope.OWN:
        return Q(
            Exists(Signal.objects.filter(case_id=OuterRef("pk"), recorded_by_id=actor.user.pk))
        )
    return Q(pk__in=[])


def _active_shares(actor: Actor):
    from samen.sharing.models import CaseShare

    return CaseShare.objects.filter(
        recipient_id=actor.organisation.pk if actor.organisation else None,
        purpose__code=actor.purpose,
        revoked_at__isnull=True,
    )


def _active_emergencies(actor: Actor):
    from samen.sharing.models import EmergencyAccess

    return EmergencyAccess.objects.filter(
        user_id=actor.user.pk,
        organisation_id=actor.organisation.pk if actor.organisation else None,
        expires_at__gt=timezone.now(),
    )


def case_filter(actor: Actor) -> Q:
    """Q over cases.Case for every case the actor may reach, by any relation."""
    if not actor.membership:
        return Q(pk__in=[])
    return (
        _scope_q(actor)
        | Q(Exists(_active_shares(actor).filter(case_id=OuterRef("pk"))))
        | Q(Exists(_active_emergencies(actor).filter(case_id=OuterRef("pk"))))
    )


def signal_filter(actor: Actor) -> Q:
    """Q over signalling.Signal for the signals the actor reaches through its own work."""
    scope = scope_of(actor)
    if scope is Scope.ALL:
        return Q()
    if scope is Scope.REGION:
        org = actor.organisation
        return Q(region_id=org.municipality.region_id) | Q(organisation_id=org.pk)
    if scope is Scope.OWN:
        return Q(recorded_by_id=actor.user.pk)
    return Q(pk__in=[])


def case_access(actor: Actor, case_ids: list[int]) -> dict[int, CaseAccess]:
    """How the actor reaches each of these cases and which categories it may see there.

    Own work gives the register's categories for the actor's purpose; a share gives the shared
    categories within those; emergency access the register's categories, flagged.
    """
    from samen.cases.models import Case

    if not actor.membership or not case_ids:
        return {}
    own_categories = frozenset(grants(actor))
    result: dict[int, CaseAccess] = {}
    for pk in Case.objects.filter(_scope_q(actor), pk__in=case_ids).values_list("pk", flat=True):
        result[pk] = CaseAccess(
            Relation.OWN_WORK, own_categories, legal_basis(actor, own_categories)
        )
    shared: dict[int, set[str]] = {}
    for case_id, cats in (
        _active_shares(actor).filter(case_id__in=case_ids).values_list("case_id", "categories")
    ):
        shared.setdefault(case_id, set()).update(cats)
    for case_id, cats in shared.items():
        if case_id not in result:
            allowed = frozenset(cats) & own_categories
            result[case_id] = CaseAccess(Relation.SHARED, allowed, legal_basis(actor, allowed))
    for case_id in (
        _active_emergencies(actor).filter(case_id__in=case_ids).values_list("case_id", flat=True)
    ):
        if case_id not in result:
            result[case_id] = CaseAccess(
                Relation.EMERGENCY, own_categories, legal_basis(actor, own_categories)
            )
    return result


def sees_all_of_case(actor: Actor) -> bool:
    """Field professionals see a case only through their own signals, not others' entries."""
    return scope_of(actor) is not Scope.OWN
