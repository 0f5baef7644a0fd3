"""Writes of the shelter app: availability, contra-indications, referrals, holds, placements.

Each mutation is one transaction that checks the policy, writes the case timeline and one audit
entry. Holds lock the place row (select_for_update) so two coordinators racing for the last free
bed cannot both get it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.cases.lifecycle import case_status_follow
from samen.cases.models import MINOR_BANDS, Case, NationalityGroup
from samen.cases.services import event_add
from samen.core import audit, policy
from samen.core.actor import Actor, actor_for_membership
from samen.organisations.models import OrganisationType, Role
from samen.shelter import matching
from samen.shelter.models import (
    CapacityAlarm,
    ContraCode,
    ContraIndication,
    DeclineReason,
    Hold,
    HoldStatus,
    Location,
    OutflowDestination,
    Place,
    PlaceAvailability,
    Placement,
    PlaceType,
    Provider,
    Referral,
    ReferralStatus,
    SecurityLevel,
    ShelterNotice,
    Urgency,
    WaitingOffer,
    WithdrawReason,
)

# Settings read with defaults here, so the feature works before conf/base.py documents them:
# SHELTER_HOLD_HOURS (default 3) and SHELTER_STALE_HOURS (default 24).
CARE_KINDS = ("addiction", "psychiatric", "medical")
# What a shelter learns on acceptance, within what the register lets a coordinator share.
ACCEPT_SHARE_CATEGORIES = ["identity", "contact", "demographics", "health", "exploitation"]
NEEDS_FIELDS = ["gender", "age_band", "minor", "forms", "needs.health", "needs.security"]
NEEDS_CATEGORIES = {"demographics", "exploitation", "health"}


def hold_duration() -> timedelta:
    return timedelta(hours=float(getattr(settings, "SHELTER_HOLD_HOURS", 3)))


def stale_after() -> timedelta:
    return timedelta(hours=float(getattr(settings, "SHELTER_STALE_HOURS", 24)))


class PlaceTaken(ValidationError):
    """The place had no free bed left when the hold was tried; names the next-best places."""

    def __init__(self, place: Place, alternatives: list[matching.Match]):
        self.place = place
        self.alternatives = alternatives
        names = ", ".join(m.place.name for m in alternatives) or _("none right now")
        super().__init__(
            {
                "place": [
                    _("%(place)s has just been taken. Next best places: %(names)s.")
                    % {"place": place.name, "names": names}
                ]
            }
        )


# --- helpers ---------------------------------------------------------------------------------


def _national(actor: Actor) -> bool:
    return actor.role == Role.NATIONAL_REGISTRAR


def _own_place(actor: Actor, place: Place, permission: str) -> None:
    """Shelter staff act only on their own organisation's places; others' answer 404. The
    registrar keeps the national directory, so may change any place's description and rules."""
    org_id = actor.organisation.pk if actor.organisation else None
    if permission == "shelter.directory" and _national(actor):
        return
    if place.location.provider.organisation_id != org_id:
        raise policy.not_visible(
            actor, permission, object_type="shelter_place", object_id=str(place.pk)
        )


def reach_case(actor: Actor, case: Case, permission: str) -> None:
    if not policy.case_access(actor, [case.pk]):
        raise policy.not_visible(actor, permission, object_type="case", object_id=case.number)


def _own_referral(actor: Actor, referral: Referral, permission: str) -> None:
    """A referral is handled by the coordinator's organisation (or the national registrar, who
    confirms the national allocation proposal), and only on a reachable case."""
    org_id = actor.organisation.pk if actor.organisation else None
    own = referral.organisation_id == org_id or _national(actor)
    if not own or not policy.case_access(actor, [referral.case_id]):
        raise policy.not_visible(
            actor, permission, object_type="referral", object_id=str(referral.pk)
        )


def _move_free(place: Place, delta: int, *, cause: str, actor: Actor | None, at: datetime) -> None:
    """Change the free count of a locked place and keep the history. The freshness stamp is left
    alone: only a shelter's own report says the count was checked."""
    place.free = max(0, min(place.capacity, place.free + delta))
    place.save(update_fields=["free"])
    PlaceAvailability.objects.create(
        place=place,
        capacity=place.capacity,
        free=place.free,
        reported_at=at,
        reported_by=actor.user if actor and actor.is_authenticated else None,
        organisation=actor.organisation if actor else None,
        cause=cause,
    )


def place_info(place: Place) -> matching.PlaceInfo:
    """The engine's view of a place; expects forms and active contra-indications prefetched."""
    care = {
        kind
        for kind, on in (
            ("addiction", place.care_addiction),
            ("psychiatric", place.care_psychiatric),
            ("medical", place.care_medical),
        )
        if on
    }
    return matching.PlaceInfo(
        id=place.pk,
        name=place.name,
        type=place.type,
        target_group=place.target_group,
        region=place.municipality.region.code,
        province=str(place.municipality.province_id),
        forms=frozenset(f.code for f in place.forms.all()),
        security=place.security_level,
        care=frozenset(care),
        languages=frozenset(place.languages or ()),
        accessible=place.wheelchair_accessible,
        min_age=place.min_age,
        max_age=place.max_age,
        free=place.free,
        availability_at=place.availability_at,
        contra=tuple(
            matching.Contra(c.code, c.reason, c.version)
            for c in place.contra_indications.all()
            if c.superseded_at is None
        ),
    )


def places_for_matching():
    return (
        Place.objects.filter(is_active=True)
        .select_related("municipality__region", "location__provider")
        .prefetch_related("forms", "contra_indications")
    )


REFLECTION_STATES = frozenset({"reflection_offered", "reflection_accepted"})


def case_facts(case: Case, *, on: date) -> dict:
    """What the case says about the person today, for a needs profile: derived at each use, so a
    late-discovered minor counts as one at once and turning 18 is noticed on the day. The date of
    birth is read to compute the age and never leaves this function."""
    from samen.cases.services import age_on, band_for_age, identity_read

    person = case.person
    born = identity_read(person).get("date_of_birth", "")
    age = age_on(date.fromisoformat(born), on) if born else None
    path = _path_of(case)
    presumed = bool(path and path.presumed_minor)
    if age is not None:
        minor, band = age < 18, band_for_age(age)
    else:
        band = person.age_band
        minor = person.is_minor or band in MINOR_BANDS
    foreign = path.foreign_national if path and path.foreign_national is not None else None
    if foreign is None and person.nationality_group != NationalityGroup.UNKNOWN:
        foreign = person.nationality_group != NationalityGroup.DUTCH
    return {
        "gender": person.gender,
        "age_band": band,
        "age": age,
        # Doubt counts in favour of protection: a presumed minor is a minor.
        "minor": minor or presumed,
        "forms": sorted(f.code for f in case.forms.all()),
        "foreign": foreign,
        "reflection": bool(path and path.state in REFLECTION_STATES),
    }


def _path_of(case: Case):
    # Queried, not the cached reverse relation: a path started since the case was loaded counts.
    from samen.identification.models import IdentificationPath

    return IdentificationPath.objects.filter(case_id=case.pk).first()


def needs_profile(referral: Referral, *, on: date | None = None) -> dict:
    """The referral's needs profile as of `on` (default today): the case's facts of that day,
    completed by what the coordinator stated where the case does not know."""
    stored = referral.needs
    stated = stored.get("stated") or {}
    facts = case_facts(referral.case, on=on or timezone.localdate())
    known_gender = facts["gender"] if facts["gender"] != "unknown" else None
    known_band = facts["age_band"] if facts["age_band"] != "unknown" else None
    return {
        **stored,
        "gender": known_gender or stated.get("gender") or "unknown",
        "age_band": known_band or stated.get("age_band") or "unknown",
        "minor": bool(facts["minor"] or stated.get("minor")),
        "forms": sorted(set(facts["forms"]) | set(stated.get("forms", []))),
        "age": facts["age"],
        "foreign": facts["foreign"],
        "reflection": facts["reflection"],
    }


def refused_places(referral: Referral) -> frozenset[int]:
    """Places whose shelter declined this referral and did not withdraw the refusal."""
    return frozenset(
        h.place_id
        for h in referral.holds.all()
        if h.status == HoldStatus.DECLINED and h.decline_withdrawn_at is None
    )


def needs_of(
    referral: Referral, *, on: date | None = None, via_national_centre: bool = False
) -> matching.Needs:
    """The engine's view of a referral, derived today from the case. `via_national_centre`: the
    national coordination centre acts on it now (its registrar), besides a referral it made."""
    n = needs_profile(referral, on=on)
    return matching.Needs(
        gender=n.get("gender", "unknown"),
        age_band=n.get("age_band", "unknown"),
        minor=bool(n.get("minor", False)),
        forms=frozenset(n.get("forms", ())),
        languages=frozenset(n.get("languages", ())),
        addiction=bool(n.get("addiction", False)),
        network_risk=bool(n.get("network_risk", False)),
        security=n.get("security", SecurityLevel.STANDARD),
        care=frozenset(n.get("care", ())),
        accessibility=bool(n.get("accessibility", False)),
        region=n.get("region", ""),
        province=n.get("province", ""),
        urgency=referral.urgency,
        age=n.get("age"),
        foreign=n.get("foreign"),
        reflection=bool(n.get("reflection")),
        via_national_centre=via_national_centre or bool(n.get("via_national_centre")),
        refused=refused_places(referral),
    )


def via_centre(actor: Actor) -> bool:
    """The actor acts for the national coordination centre (COSM intake goes through it)."""
    org = actor.organisation
    return bool(org is not None and org.type == OrganisationType.COMENSHA)


def referrals_for_matching():
    return Referral.objects.select_related(
        "case__person__identity", "created_by", "organisation"
    ).prefetch_related("case__forms", "holds")


def match_referral(
    referral: Referral,
    *,
    now: datetime | None = None,
    exclude: set[int] | None = None,
    via_national_centre: bool = False,
) -> matching.Result:
    """Run the engine for a referral (no policy check: callers check)."""
    now = now or timezone.now()
    infos = [place_info(p) for p in places_for_matching() if p.pk not in (exclude or set())]
    weights = matching.Weights(stale_after=stale_after())
    needs = needs_of(referral, on=timezone.localdate(now), via_national_centre=via_national_centre)
    return matching.match(needs, infos, now=now, weights=weights)


# --- availability and contra-indications -----------------------------------------------------


@audit.atomic
def availability_update(
    *, actor: Actor, place: Place, capacity: int, free: int, reported_at: datetime | None = None
) -> Place:
    """A shelter reports capacity and free places; the report is stamped and kept. A count
    counted earlier (`reported_at`, e.g. from a provider's own system) must not be older than
    the one already known or the stale threshold, nor in the future."""
    policy.require(actor, "shelter.update", object_type="shelter_place", object_id=str(place.pk))
    _own_place(actor, place, "shelter.update")
    errors: dict[str, list[str]] = {}
    if capacity < 0:
        errors["capacity"] = [_("Capacity cannot be negative.")]
    if free < 0:
        errors["free"] = [_("Free places cannot be negative.")]
    elif free > capacity:
        errors["free"] = [_("Free places cannot exceed the capacity.")]
    now = timezone.now()
    place = Place.objects.select_for_update().get(pk=place.pk)
    if reported_at is not None:
        if reported_at > now + timedelta(minutes=5):
            errors["reported_at"] = [_("A count cannot be reported from the future.")]
        elif now - reported_at > stale_after():
            errors["reported_at"] = [_("This count is already stale: count again and report.")]
        elif place.availability_at and reported_at < place.availability_at:
            errors["reported_at"] = [_("A newer count was already reported for this place.")]
        else:
            now = min(reported_at, now)
    if errors:
        raise ValidationError(errors)
    place.capacity, place.free = capacity, free
    place.availability_at, place.availability_by = now, actor.user
    place.save(update_fields=["capacity", "free", "availability_at", "availability_by"])
    PlaceAvailability.objects.create(
        place=place,
        capacity=capacity,
        free=free,
        reported_at=now,
        reported_by=actor.user,
        organisation=actor.organisation,
        cause="report",
    )
    if free > 0:
        _offer_after_commit(place.pk)
    else:
        transaction.on_commit(lambda: capacity_alarm_check())
    # Not personal data, but the trail shows who changed the national picture, and when.
    audit.record(
        actor,
        "shelter_place.update",
        object_type="shelter_place",
        object_id=str(place.pk),
        fields=["capacity", "free"],
        purpose=policy.purpose_of(actor),
        detail={"capacity": capacity, "free": free},
    )
    return place


@audit.atomic
def contra_indication_set(
    *, actor: Actor, place: Place, code: str, reason: str
) -> ContraIndication:
    """Add a rule, or a new version of it; the previous version is closed, never changed."""
    policy.require(actor, "shelter.directory", object_type="shelter_place", object_id=str(place.pk))
    _own_place(actor, place, "shelter.directory")
    if place.type in (PlaceType.FIRST_RECEPTION, PlaceType.FIRST_RECEPTION_MINORS):
        raise ValidationError(
            {"code": [_("First reception takes everyone: it may not apply contra-indications.")]}
        )
    if code not in ContraCode.values:
        raise ValidationError({"code": [_("Choose a rule from the list.")]})
    if not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for this rule.")]})
    now = timezone.now()
    Place.objects.select_for_update().get(pk=place.pk)  # versions of one place in order
    previous = ContraIndication.objects.filter(place=place, code=code).order_by("-version").first()
    if previous and previous.superseded_at is None:
        previous.superseded_at = now
        previous.save(update_fields=["superseded_at"])
    rule = ContraIndication(
        place=place,
        code=code,
        reason=reason.strip()[:500],
        version=(previous.version + 1) if previous else 1,
        valid_from=now,
        created_by=actor.user,
    )
    rule.full_clean()
    rule.save()
    audit.record(
        actor,
        "shelter_contra.create",
        object_type="shelter_place",
        object_id=str(place.pk),
        fields=["contra_indications"],
        purpose=policy.purpose_of(actor),
        detail={"code": code, "version": rule.version},
    )
    return rule


@audit.atomic
def contra_indication_end(*, actor: Actor, rule: ContraIndication) -> ContraIndication:
    policy.require(
        actor, "shelter.directory", object_type="shelter_place", object_id=str(rule.place_id)
    )
    _own_place(actor, rule.place, "shelter.directory")
    # Read afresh under lock: two parallel ends must end (and audit) the rule once.
    rule = ContraIndication.objects.select_for_update().get(pk=rule.pk)
    if rule.superseded_at is None:
        rule.superseded_at = timezone.now()
        rule.save(update_fields=["superseded_at"])
        audit.record(
            actor,
            "shelter_contra.delete",
            object_type="shelter_place",
            object_id=str(rule.place_id),
            fields=["contra_indications"],
            purpose=policy.purpose_of(actor),
            detail={"code": rule.code, "version": rule.version},
        )
    return rule


# --- directory: providers' locations and places ---------------------------------------------

PLACE_FIELDS = [
    "name", "type", "target_group", "min_age", "max_age", "security_level", "care_addiction",
    "care_psychiatric", "care_medical", "languages", "wheelchair_accessible", "municipality",
    "funding_municipality", "is_active",
]  # fmt: skip


def _provider_for(actor: Actor, provider: Provider | None) -> Provider:
    """Shelter staff manage their own provider; the registrar names the provider."""
    if _national(actor):
        if provider is None:
            raise ValidationError({"provider": [_("Choose the provider.")]})
        return provider
    own = Provider.objects.filter(organisation=actor.organisation).first()
    if own is None or (provider is not None and provider.pk != own.pk):
        raise policy.not_visible(
            actor, "shelter.directory", object_type="shelter_provider",
            object_id=str(provider.pk if provider else "-"),
        )  # fmt: skip
    return own


def _directory_audit(actor: Actor, action: str, object_type: str, pk: int, fields: list[str]):
    # Not personal data, but the trail shows who changed the national directory, and when.
    audit.record(
        actor, action, object_type=object_type, object_id=str(pk), fields=fields,
        purpose=policy.purpose_of(actor),
    )  # fmt: skip


@audit.atomic
def location_save(
    *, actor: Actor, data: dict, location: Location | None = None, provider: Provider | None = None
) -> Location:
    """Create a location (for the actor's provider, or the named one) or update its fields."""
    policy.require(actor, "shelter.directory", object_type="shelter_location", object_id="*")
    if location is None:
        location = Location(provider=_provider_for(actor, provider))
    else:
        # Locked and read afresh: save() writes every field, so a copy read before a parallel
        # edit committed would put that edit's fields back.
        location = Location.objects.select_for_update().get(pk=location.pk)
        _provider_for(actor, location.provider)
    for key in ("name", "municipality"):
        if key in data:
            setattr(location, key, data[key])
    location.full_clean()
    created = location.pk is None
    location.save()
    _directory_audit(
        actor, "shelter_location.create" if created else "shelter_location.update",
        "shelter_location", location.pk, sorted(data),
    )  # fmt: skip
    return location


@audit.atomic
def place_save(
    *, actor: Actor, data: dict, place: Place | None = None, location: Location | None = None
) -> Place:
    """Create a place in one of the actor's locations or update its description. Capacity and
    free places go through the same checks as a report and are stamped as one."""
    policy.require(actor, "shelter.directory", object_type="shelter_place", object_id="*")
    if place is None:
        if location is None:
            raise ValidationError({"location": [_("Choose the location.")]})
        _provider_for(actor, location.provider)
        place = Place(location=location, municipality=location.municipality)
        place.funding_municipality = location.municipality
    else:
        place = Place.objects.select_for_update().get(pk=place.pk)
        _own_place(actor, place, "shelter.directory")
    forms = data.pop("forms", None)
    for key in PLACE_FIELDS:
        if key in data:
            setattr(place, key, data[key])
    errors: dict[str, list[str]] = {}
    capacity = data.get("capacity", place.capacity)
    free = data.get("free", place.free)
    if capacity < 0:
        errors["capacity"] = [_("Capacity cannot be negative.")]
    if free < 0:
        errors["free"] = [_("Free places cannot be negative.")]
    elif free > capacity:
        errors["free"] = [_("Free places cannot exceed the capacity.")]
    if errors:
        raise ValidationError(errors)
    count_changed = place.pk is None or (capacity, free) != (place.capacity, place.free)
    place.capacity, place.free = capacity, free
    now = timezone.now()
    if count_changed:
        place.availability_at, place.availability_by = now, actor.user
    place.full_clean(exclude=["forms"])
    created = place.pk is None
    place.save()
    if forms is not None:
        place.forms.set(forms)
    if count_changed:
        PlaceAvailability.objects.create(
            place=place, capacity=capacity, free=free, reported_at=now, reported_by=actor.user,
            organisation=actor.organisation, cause="report",
        )  # fmt: skip
        _offer_after_commit(place.pk)
    _directory_audit(
        actor, "shelter_place.create" if created else "shelter_place.update",
        "shelter_place", place.pk, sorted([*data, *(["forms"] if forms is not None else [])]),
    )  # fmt: skip
    return place


# --- referrals -------------------------------------------------------------------------------


@dataclass
class NeedsInput:
    """What the coordinator adds to what the case already knows. None: take it from the case."""

    gender: str | None = None
    age_band: str | None = None
    minor: bool | None = None
    forms: list[str] | None = None
    languages: list[str] | None = None
    addiction: bool = False
    network_risk: bool = False
    security: str = SecurityLevel.STANDARD
    care: list[str] | None = None
    accessibility: bool = False
    region: str | None = None
    urgency: str = Urgency.NORMAL


def _needs_profile(case: Case, data: NeedsInput) -> dict:
    errors: dict[str, list[str]] = {}
    if data.security not in SecurityLevel.values:
        errors["security"] = [_("Choose a security level from the list.")]
    if data.urgency not in Urgency.values:
        errors["urgency"] = [_("Choose an urgency from the list.")]
    care = sorted(set(data.care or []))
    if set(care) - set(CARE_KINDS):
        errors["care"] = [_("Choose care needs from the list.")]
    if errors:
        raise ValidationError(errors)
    facts = case_facts(case, on=timezone.localdate())
    known_gender = facts["gender"] if facts["gender"] != "unknown" else None
    known_band = facts["age_band"] if facts["age_band"] != "unknown" else None
    return {
        # The case wins where it knows; the coordinator fills what it does not. These are a
        # snapshot for the record: matching derives them again from the case on the day of use.
        "gender": known_gender or data.gender or "unknown",
        "age_band": known_band or data.age_band or "unknown",
        "minor": bool(facts["minor"] or data.minor),
        "forms": sorted(set(facts["forms"]) | set(data.forms or [])),
        "stated": {
            "gender": data.gender or "",
            "age_band": data.age_band or "",
            "minor": bool(data.minor),
            "forms": sorted(set(data.forms or [])),
        },
        "languages": sorted({lang.strip().lower() for lang in data.languages or [] if lang}),
        "addiction": data.addiction or "addiction" in care,
        "network_risk": data.network_risk,
        "security": data.security,
        "care": care,
        "accessibility": data.accessibility,
        "region": data.region or case.region.code,
        "province": str(case.municipality.province_id),
    }


@audit.atomic
def referral_create(*, actor: Actor, case: Case, data: NeedsInput) -> Referral:
    """A care coordinator asks for a place; the needs profile is filled from the case."""
    policy.require(actor, "referral.create", object_type="case", object_id=case.number)
    reach_case(actor, case, "referral.create")
    needs = _needs_profile(case, data)
    needs["via_national_centre"] = via_centre(actor)
    now = timezone.now()
    referral = Referral.objects.create(
        case=case,
        organisation=actor.organisation,
        membership=actor.membership,
        created_by=actor.user,
        created_at=now,
        needs=needs,
        urgency=data.urgency,
    )
    event_add(
        case=case, kind="shelter_referral", actor=actor, at=now,
        referral=referral.pk, urgency=data.urgency,
    )  # fmt: skip
    if needs["minor"]:
        # A minor's referral, or the coordinator states a minor the case did not know: that is
        # a presumption until the age is established, and the guardian follows it.
        from samen.identification.services import guardian_ensure

        guardian_ensure(case=case, presumed=bool(data.minor))
    audit.record(
        actor,
        "referral.create",
        object_type="case",
        object_id=case.number,
        fields=NEEDS_FIELDS,
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, NEEDS_CATEGORIES),
        detail={"referral": referral.pk},
    )
    return referral


def hold_place(
    *, actor: Actor, referral: Referral, place: Place, now: datetime | None = None
) -> Hold:
    """Hold a place for the referral. The place row is locked: of two coordinators racing for the
    last free bed exactly one wins; the other gets PlaceTaken naming the next-best places."""
    policy.require(actor, "referral.create", object_type="referral", object_id=str(referral.pk))
    _own_referral(actor, referral, "referral.create")
    now = now or timezone.now()
    alternatives: list[matching.Match] = []
    with transaction.atomic():
        referral = Referral.objects.select_for_update().get(pk=referral.pk)
        if referral.status not in (ReferralStatus.OPEN,):
            raise ValidationError(
                {"referral": [_("This referral already has a place held or accepted.")]}
            )
        locked = places_for_matching().select_for_update(of=("self",)).get(pk=place.pk)
        info = place_info(locked)
        if info.free >= 1:
            needs = needs_of(referral, via_national_centre=via_centre(actor))
            excluded = matching.exclusion_for(info, needs)
            if excluded is not None:
                from samen.shelter.texts import exclusion_text

                raise ValidationError(
                    {"place": [_("This place does not fit: %(why)s") % {
                        "why": exclusion_text(excluded.rule)}]}
                )  # fmt: skip
            _move_free(locked, -1, cause="hold", actor=actor, at=now)
            transaction.on_commit(lambda: capacity_alarm_check())
            hold = Hold.objects.create(
                referral=referral,
                place=locked,
                held_by=actor.user,
                created_at=now,
                expires_at=now + hold_duration(),
            )
            referral.status = ReferralStatus.HELD
            referral.save(update_fields=["status"])
            event_add(
                case=referral.case, kind="shelter_hold", actor=actor, at=now,
                referral=referral.pk, hold=hold.pk, place=locked.pk,
                expires_at=hold.expires_at.isoformat(),
            )  # fmt: skip
            audit.record(
                actor,
                "referral_hold.create",
                object_type="case",
                object_id=referral.case.number,
                fields=NEEDS_FIELDS,
                purpose=policy.purpose_of(actor),
                legal_basis=policy.legal_basis(actor, NEEDS_CATEGORIES),
                detail={"referral": referral.pk, "hold": hold.pk, "place": locked.pk},
            )
            return hold
        alternatives = match_referral(
            referral, now=now, exclude={place.pk}, via_national_centre=via_centre(actor)
        ).matches[:3]
    # Outside the rolled-back transaction, so the refused attempt stays in the trail.
    audit.record(
        actor,
        "referral_hold.create",
        object_type="case",
        object_id=referral.case.number,
        fields=NEEDS_FIELDS,
        result="conflict",
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, NEEDS_CATEGORIES),
        detail={"referral": referral.pk, "place": place.pk},
    )
    raise PlaceTaken(place, alternatives)


def _share_on_accept(hold: Hold) -> str:
    """The coordinator's organisation shares the identity once the shelter accepted; returns the
    outcome code. A refusal by the register leaves the identity hidden and is recorded."""
    from samen.sharing.services import share_create

    membership = hold.referral.membership
    if membership is None:
        return "no_coordinator"
    coordinator = actor_for_membership(membership, origin="system:shelter_accept")
    try:
        share_create(
            actor=coordinator,
            case=hold.referral.case,
            recipient=hold.place.location.provider.organisation,
            purpose="shelter_placement",
            categories=ACCEPT_SHARE_CATEGORIES,
            reason="shelter placement accepted",
        )
    except (ValidationError, PermissionDenied, Http404):
        return "share_refused"
    return "shared"


def _respondable_hold(actor: Actor, hold: Hold, now: datetime) -> Hold:
    policy.require(actor, "referral.respond", object_type="hold", object_id=str(hold.pk))
    _own_place(actor, hold.place, "referral.respond")
    hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=hold.pk)
    if hold.status != HoldStatus.ACTIVE or hold.expires_at <= now:
        raise ValidationError({"hold": [_("This hold is no longer active.")]})
    return hold


def _respond(
    actor: Actor, hold: Hold, *, status: str, referral_status: str, kind: str, reason: str = ""
) -> Hold:
    """The shelter's answer to a hold, accept or decline: one place for the checks, the
    status change, the case timeline and the audit entry."""
    now = timezone.now()
    hold = _respondable_hold(actor, hold, now)
    hold.status, hold.responded_at, hold.responded_by = status, now, actor.user
    hold.decline_reason = reason
    hold.save(update_fields=["status", "responded_at", "responded_by", "decline_reason"])
    referral = hold.referral
    referral.status = referral_status
    referral.save(update_fields=["status"])
    extra = {"reason": reason} if reason else {}
    event_add(
        case=referral.case, kind=kind, actor=actor, at=now,
        referral=referral.pk, hold=hold.pk, place=hold.place_id, **extra,
    )  # fmt: skip
    audit.record(
        actor,
        "referral_hold.update",
        object_type="hold",
        object_id=str(hold.pk),
        fields=NEEDS_FIELDS,
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, NEEDS_CATEGORIES),
        detail={"case": referral.case.number, "response": status, **extra},
    )
    return hold


@audit.atomic
def hold_accept(*, actor: Actor, hold: Hold) -> Hold:
    """The shelter accepts: the bed stays taken, and the identity is shared with it."""
    hold = _respond(
        actor,
        hold,
        status=HoldStatus.ACCEPTED,
        referral_status=ReferralStatus.ACCEPTED,
        kind="shelter_accepted",
    )
    outcome = _share_on_accept(hold)
    event_add(
        case=hold.referral.case, kind="shelter_identity", actor=None, at=hold.responded_at,
        hold=hold.pk, outcome=outcome,
    )  # fmt: skip
    return hold


@audit.atomic
def hold_decline(*, actor: Actor, hold: Hold, reason: str) -> Hold:
    """The shelter declines with a reason from the list; the bed is free again."""
    if reason not in DeclineReason.values:
        raise ValidationError({"reason": [_("Choose a reason from the list.")]})
    hold = _respond(
        actor,
        hold,
        status=HoldStatus.DECLINED,
        referral_status=ReferralStatus.OPEN,
        kind="shelter_declined",
        reason=reason,
    )
    place = Place.objects.select_for_update().get(pk=hold.place_id)
    _move_free(place, +1, cause="hold_declined", actor=actor, at=hold.responded_at)
    _offer_after_commit(place.pk)
    return hold


@audit.atomic
def hold_decline_withdraw(*, actor: Actor, hold: Hold, reason: str) -> Hold:
    """The shelter withdraws its refusal, with a reason from the list: the place may be offered
    to this referral again. Only shelter staff of the place's own provider; a refusal that does
    not stand (never made, or withdrawn already) is refused on the hold, a reason off the list on
    the reason, and nothing is saved."""
    policy.require(actor, "referral.respond", object_type="hold", object_id=str(hold.pk))
    _own_place(actor, hold.place, "referral.respond")
    errors: dict[str, list[str]] = {}
    if reason not in WithdrawReason.values:
        errors["reason"] = [_("Choose a reason from the list.")]
    hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=hold.pk)
    if hold.status != HoldStatus.DECLINED or hold.decline_withdrawn_at is not None:
        errors["hold"] = [_("Only a standing refusal can be withdrawn.")]
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    hold.decline_withdrawn_at = now
    hold.save(update_fields=["decline_withdrawn_at"])
    audit.record(
        actor,
        "referral_hold.update",
        object_type="hold",
        object_id=str(hold.pk),
        fields=["decline"],
        purpose=policy.purpose_of(actor),
        detail={
            "case": hold.referral.case.number,
            "response": "decline_withdrawn",
            "reason": reason,
        },
    )
    _offer_after_commit(hold.place_id)
    return hold


def holds_expire(*, now: datetime | None = None) -> int:
    """Release every active hold past its time; safe to run again (only active holds move)."""
    now = now or timezone.now()
    released = 0
    for pk in Hold.objects.filter(status=HoldStatus.ACTIVE, expires_at__lte=now).values_list(
        "pk", flat=True
    ):
        with transaction.atomic():
            hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=pk)
            if hold.status != HoldStatus.ACTIVE:
                continue  # a shelter answered meanwhile
            hold.status = HoldStatus.EXPIRED
            hold.save(update_fields=["status"])
            place = Place.objects.select_for_update().get(pk=hold.place_id)
            _move_free(place, +1, cause="hold_expired", actor=None, at=now)
            _offer_after_commit(place.pk)
            referral = hold.referral
            if referral.status == ReferralStatus.HELD:
                referral.status = ReferralStatus.OPEN
                referral.save(update_fields=["status"])
            # No audit entry: a timer releasing a bed uses no personal data.
            event_add(
                case=referral.case, kind="shelter_hold_expired", actor=None, at=now,
                referral=referral.pk, hold=hold.pk, place=hold.place_id,
            )  # fmt: skip
            released += 1
    return released


# --- placements ------------------------------------------------------------------------------


@audit.atomic
def placement_start(*, actor: Actor, hold: Hold, at: datetime | None = None) -> Placement:
    """The person arrived: the accepted hold becomes a placement (the bed was already taken)."""
    policy.require(actor, "referral.respond", object_type="hold", object_id=str(hold.pk))
    _own_place(actor, hold.place, "referral.respond")
    at = at or timezone.now()
    hold = Hold.objects.select_for_update().select_related("referral__case").get(pk=hold.pk)
    if hold.status != HoldStatus.ACCEPTED or Placement.objects.filter(hold=hold).exists():
        raise ValidationError({"hold": [_("Only an accepted hold can start a placement.")]})
    referral = hold.referral
    if Placement.objects.filter(referral=referral, ended_at__isnull=True).exists():
        raise ValidationError({"hold": [_("This referral already has a running placement.")]})
    placement = Placement.objects.create(
        referral=referral, place=hold.place, hold=hold, started_at=at
    )
    referral.status = ReferralStatus.PLACED
    referral.save(update_fields=["status"])
    # The case's status follows the shelter: a placed person is in care (issue #14).
    case_status_follow(case=referral.case, in_care=True, actor=actor)
    event_add(
        case=referral.case, kind="placement_started", actor=actor, at=at,
        placement=placement.pk, place=hold.place_id,
    )  # fmt: skip
    audit.record(
        actor,
        "placement.create",
        object_type="case",
        object_id=referral.case.number,
        fields=["placement"],
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, {"location"}),
        detail={"placement": placement.pk},
    )
    return placement


@audit.atomic
def placement_end(
    *, actor: Actor, placement: Placement, outflow: str, at: datetime | None = None
) -> Placement:
    """Departure: the placement ends with a destination, and the bed is free again."""
    policy.require(actor, "referral.respond", object_type="placement", object_id=str(placement.pk))
    _own_place(actor, placement.place, "referral.respond")
    at = at or timezone.now()
    if outflow not in OutflowDestination.values:
        raise ValidationError({"outflow": [_("Choose a destination from the list.")]})
    placement = (
        Placement.objects.select_for_update().select_related("referral__case").get(pk=placement.pk)
    )
    if placement.ended_at is not None:
        raise ValidationError({"placement": [_("This placement has already ended.")]})
    if at < placement.started_at:
        raise ValidationError({"at": [_("The departure cannot be before the arrival.")]})
    if at > timezone.now() + timedelta(minutes=5):
        raise ValidationError({"at": [_("The departure cannot be in the future.")]})
    placement.ended_at, placement.outflow = at, outflow
    placement.save(update_fields=["ended_at", "outflow"])
    place = Place.objects.select_for_update().get(pk=placement.place_id)
    _move_free(place, +1, cause="placement_end", actor=actor, at=at)
    _offer_after_commit(place.pk)
    referral = placement.referral
    referral.status = ReferralStatus.ENDED
    referral.save(update_fields=["status"])
    event_add(
        case=referral.case, kind="placement_ended", actor=actor, at=at,
        placement=placement.pk, outflow=outflow,
    )  # fmt: skip
    audit.record(
        actor,
        "placement.update",
        object_type="case",
        object_id=referral.case.number,
        fields=["placement"],
        purpose=policy.purpose_of(actor),
        legal_basis=policy.legal_basis(actor, {"location"}),
        detail={"placement": placement.pk, "outflow": outflow},
    )
    return placement


# --- waiting list ----------------------------------------------------------------------------

URGENCY_RANK = {u: i for i, u in enumerate(["immediate", "high", "normal", "low"])}


def waiting_referrals(place: Place) -> list[Referral]:
    """Open referrals this place fits, in priority order: urgency first, then waiting time."""
    info = place_info(place)
    if info.free < 1:
        return []
    waiting = [
        r
        for r in referrals_for_matching().filter(status=ReferralStatus.OPEN)
        if matching.exclusion_for(info, needs_of(r)) is None
    ]
    waiting.sort(key=lambda r: (URGENCY_RANK.get(r.urgency, 9), r.created_at, r.pk))
    return waiting


def place_offer_to_waiting(*, place_id: int, now: datetime | None = None) -> int:
    """A place freed up: offer it to as many waiting referrals as it has free beds, in priority
    order, and notify their coordinators in-app and by e-mail. Runs after the commit that freed
    the bed; an open offer is never repeated."""
    from django.core.mail import send_mail

    now = now or timezone.now()
    place = places_for_matching().filter(pk=place_id).first()
    if place is None:
        return 0
    offered = 0
    for rank, referral in enumerate(waiting_referrals(place)[: place.free], start=1):
        if WaitingOffer.objects.filter(
            referral=referral, place=place, read_at__isnull=True
        ).exists():
            continue
        WaitingOffer.objects.create(
            referral=referral, place=place, user=referral.created_by, rank=rank, created_at=now
        )
        offered += 1
        email = getattr(referral.created_by, "email", "")
        if email:
            # No personal data in the mail: the referral number and the place, nothing more.
            send_mail(
                subject=_("A shelter place is free for referral %(n)s") % {"n": referral.pk},
                message=_("%(place)s has a free place that fits referral %(n)s. Hold it in Samen.")
                % {"place": place.name, "n": referral.pk},
                from_email=None,
                recipient_list=[email],
                fail_silently=True,
            )
    return offered


def _offer_after_commit(place_id: int) -> None:
    """After any change of a free count: offer a freed bed to the waiting list, and open or close
    capacity alarm episodes (a hold may have taken the last first-reception bed)."""
    transaction.on_commit(lambda: place_offer_to_waiting(place_id=place_id))
    transaction.on_commit(lambda: capacity_alarm_check())


# --- capacity alarm --------------------------------------------------------------------------


def alarm_regions() -> dict[str, bool]:
    """Per scope ("" = the country, else a safety region code with first-reception places):
    True when no first-reception place is free there."""
    rows = Place.objects.filter(is_active=True, type=PlaceType.FIRST_RECEPTION).values_list(
        "municipality__region__code", "free"
    )
    free_by_region: dict[str, int] = {}
    for region, free in rows:
        free_by_region[region] = free_by_region.get(region, 0) + free
    state = {region: free == 0 for region, free in free_by_region.items()}
    state[""] = sum(free_by_region.values()) == 0
    return state


def capacity_alarm_check(*, now: datetime | None = None) -> list[CapacityAlarm]:
    """Open an alarm episode where first reception just ran full, close the ones where a bed is
    free again; tell the registrars once per opened episode (in-app and by e-mail). Idempotent:
    an open episode is never opened twice (also guarded by a unique constraint)."""
    now = now or timezone.now()
    state = alarm_regions()
    open_alarms = {a.region: a for a in CapacityAlarm.objects.filter(cleared_at__isnull=True)}
    opened: list[CapacityAlarm] = []
    for region, alarm in open_alarms.items():
        if not state.get(region, False):
            alarm.cleared_at = now
            alarm.save(update_fields=["cleared_at"])
    for region, full in sorted(state.items()):
        if not full or region in open_alarms:
            continue
        try:
            with transaction.atomic():
                alarm = CapacityAlarm.objects.create(region=region, raised_at=now)
        except IntegrityError:
            continue  # a concurrent check opened it
        opened.append(alarm)
        _notify_registrars(alarm)
    return opened


def registrars() -> list:
    """The national coordination centre's registrars: they keep the national shelter overview.
    Registrars elsewhere (the IND records permits) have no part in finding beds."""
    from samen.accounts.models import User
    from samen.organisations.models import OrganisationType

    return list(
        User.objects.filter(
            memberships__role=Role.NATIONAL_REGISTRAR,
            memberships__is_active=True,
            memberships__organisation__type=OrganisationType.COMENSHA,
            is_active=True,
        )
        .distinct()
        .order_by("pk")
    )


def alarm_text(alarm: CapacityAlarm) -> str:
    if alarm.region:
        return _("No first-reception place is free in safety region %(region)s.") % {
            "region": alarm.region
        }
    return _("No first-reception place is free in the whole country.")


def _notify_registrars(alarm: CapacityAlarm) -> None:
    from django.core.mail import EmailMessage, get_connection

    users = registrars()
    ShelterNotice.objects.bulk_create(
        ShelterNotice(
            user=u, kind=ShelterNotice.Kind.CAPACITY_ALARM, alarm=alarm, created_at=alarm.raised_at
        )
        for u in users
    )
    # Counts and a region code only: an e-mail leaves the platform.
    messages = [
        EmailMessage(
            _("Samen: capacity alarm for first reception"), alarm_text(alarm), None, [u.email]
        )
        for u in users
        if u.email
    ]
    if messages:
        get_connection(fail_silently=True).send_messages(messages)


def notices_mark_read(*, user) -> int:
    """The user has seen her shelter notices and waiting-list offers."""
    now = timezone.now()
    n = ShelterNotice.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
    return n + WaitingOffer.objects.filter(user=user, read_at__isnull=True).update(read_at=now)
