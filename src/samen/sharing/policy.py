"""The one access policy: which role may do what, on which cases, seeing which fields.

Read it as a table. Issue #3 deepens this into purposes x legal bases x data categories; until
then every role acts for the single purpose in DEFAULT_PURPOSE.
"""

from __future__ import annotations

from enum import Enum

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from samen.organisations.models import Role
from samen.sharing import audit
from samen.sharing.actor import Actor

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
    "case.read": CASE_WORKERS,
    "case.update": frozenset({R.CARE_COORDINATOR, R.NATIONAL_REGISTRAR}),
    "identity.read": frozenset({R.CARE_COORDINATOR, R.INVESTIGATOR, R.NATIONAL_REGISTRAR}),
    "audit.read": frozenset({R.PRIVACY_OFFICER}),
    "admin.access": frozenset({R.FUNCTIONAL_ADMIN}),
}

DEFAULT_PURPOSE: dict[str, str] = {
    R.FIELD_PROFESSIONAL: "signalling",
    R.CARE_COORDINATOR: "care_coordination",
    R.SHELTER_STAFF: "shelter_placement",
    R.INVESTIGATOR: "investigation",
    R.NATIONAL_REGISTRAR: "national_registration",
    R.PROGRAMME_STAFF: "programme_monitoring",
    R.PRIVACY_OFFICER: "supervision",
    R.FUNCTIONAL_ADMIN: "administration",
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

IDENTITY_FIELDS = ("name", "date_of_birth", "nationality", "contact")


def purpose_of(actor: Actor) -> str:
    return actor.purpose or DEFAULT_PURPOSE.get(actor.role, "")


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


def scope_of(actor: Actor) -> Scope:
    return SCOPE.get(actor.role, Scope.NONE) if actor.membership else Scope.NONE


def case_filter(actor: Actor) -> Q:
    """Q over cases.Case for the cases the actor may see."""
    from samen.signalling.models import Signal

    scope = scope_of(actor)
    if scope is Scope.ALL:
        return Q()
    if scope is Scope.REGION:
        org = actor.organisation
        return Q(region_id=org.municipality.region_id) | Q(responsible_organisation_id=org.pk)
    if scope is Scope.OWN:
        return Q(
            Exists(Signal.objects.filter(case_id=OuterRef("pk"), recorded_by_id=actor.user.pk))
        )
    return Q(pk__in=[])


def signal_filter(actor: Actor) -> Q:
    """Q over signalling.Signal for the signals the actor may see."""
    scope = scope_of(actor)
    if scope is Scope.ALL:
        return Q()
    if scope is Scope.REGION:
        org = actor.organisation
        return Q(region_id=org.municipality.region_id) | Q(organisation_id=org.pk)
    if scope is Scope.OWN:
        return Q(recorded_by_id=actor.user.pk)
    return Q(pk__in=[])


def sees_identity(actor: Actor) -> bool:
    return allows(actor, "identity.read")


def sees_all_of_case(actor: Actor) -> bool:
    """Field professionals see a case only through their own signals, not others' entries."""
    return scope_of(actor) in (Scope.REGION, Scope.ALL)
