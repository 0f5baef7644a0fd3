"""The shelter directory (providers, locations, places), availability with history,
contra-indications as versioned rules, and the referral chain: referral, hold, placement."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samen.organisations.models import OrganisationType


class PlaceType(models.TextChoices):
    FIRST_RECEPTION = "first_reception", _("First reception")
    FIRST_RECEPTION_MINORS = "first_reception_minors", _("First reception for minors")
    COSM = "cosm", _("Categorical shelter (COSM)")
    SPECIALISED = "specialised", _("Specialised shelter")
    PROTECTED_MINORS = "protected_minors", _("Protected shelter for minors")
    COMBINED = "combined", _("Combined women's / social shelter")


class TargetGroup(models.TextChoices):
    WOMEN = "women", _("Women")
    MEN = "men", _("Men")
    MINORS = "minors", _("Minors")
    FAMILIES = "families", _("Families")
    ALL = "all", _("Everyone")


class SecurityLevel(models.TextChoices):
    STANDARD = "standard", _("Standard")
    ELEVATED = "elevated", _("Elevated")
    HIGH = "high", _("High")


class ContraCode(models.TextChoices):
    """The rules a place may apply; samen.shelter.matching.CONTRA_RULES evaluates each."""

    NO_NETWORK_TIE = "no_network_tie", _("No active tie to a criminal network")
    NO_ACTIVE_ADDICTION = "no_active_addiction", _("No active addiction")
    ADULTS_ONLY = "adults_only", _("Adults only")
    MINORS_ONLY = "minors_only", _("Minors only")
    WOMEN_ONLY = "women_only", _("Women only")
    MEN_ONLY = "men_only", _("Men only")
    NO_PSYCHIATRIC = "no_psychiatric_care_need", _("No psychiatric care need")
    NO_HIGH_SECURITY = "no_high_security_need", _("No need for high security")


class Urgency(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    IMMEDIATE = "immediate", _("Immediate (tonight)")


class Provider(models.Model):
    organisation = models.OneToOneField(
        "organisations.Organisation",
        on_delete=models.PROTECT,
        related_name="shelter_provider",
        limit_choices_to={"type": OrganisationType.SHELTER},
    )
    name = models.CharField(_("name"), max_length=200)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name"]
        verbose_name = _("shelter provider")
        verbose_name_plural = _("shelter providers")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.organisation_id and self.organisation.type != OrganisationType.SHELTER:
            raise ValidationError(
                {"organisation": [_("Choose an organisation of type shelter provider.")]}
            )


class Location(models.Model):
    provider = models.ForeignKey(Provider, on_delete=models.CASCADE, related_name="locations")
    name = models.CharField(_("name"), max_length=200)
    # Where the place is; a protected address is never stored, only the municipality.
    municipality = models.ForeignKey(
        "organisations.Municipality", on_delete=models.PROTECT, related_name="shelter_locations"
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("shelter location")
        verbose_name_plural = _("shelter locations")

    def __str__(self) -> str:
        return self.name


class Place(models.Model):
    """A unit of places with one intake profile. `free` is the current count; every change of
    it is also written to PlaceAvailability, so the history is kept."""

    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="places")
    name = models.CharField(_("name"), max_length=200)
    type = models.CharField(_("type"), max_length=24, choices=PlaceType.choices)
    target_group = models.CharField(_("target group"), max_length=10, choices=TargetGroup.choices)
    min_age = models.PositiveSmallIntegerField(_("minimum age"), null=True, blank=True)
    max_age = models.PositiveSmallIntegerField(_("maximum age"), null=True, blank=True)
    # Empty means every form of exploitation.
    forms = models.ManyToManyField(
        "cases.ExploitationForm", blank=True, related_name="shelter_places"
    )
    security_level = models.CharField(
        _("security level"),
        max_length=10,
        choices=SecurityLevel.choices,
        default=SecurityLevel.STANDARD,
    )
    care_addiction = models.BooleanField(_("addiction care on site"), default=False)
    care_psychiatric = models.BooleanField(_("psychiatric care on site"), default=False)
    care_medical = models.BooleanField(_("medical care on site"), default=False)
    languages = models.JSONField(_("languages"), default=list, blank=True)  # ISO 639-1 codes
    wheelchair_accessible = models.BooleanField(_("wheelchair accessible"), default=False)
    municipality = models.ForeignKey(
        "organisations.Municipality", on_delete=models.PROTECT, related_name="shelter_places"
    )
    funding_municipality = models.ForeignKey(
        "organisations.Municipality", on_delete=models.PROTECT, related_name="funded_places"
    )
    capacity = models.PositiveIntegerField(_("capacity"), default=0)
    free = models.PositiveIntegerField(_("free places"), default=0)
    availability_at = models.DateTimeField(_("availability reported at"), null=True, blank=True)
    availability_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["name", "id"]
        verbose_name = _("shelter place")
        verbose_name_plural = _("shelter places")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(free__lte=models.F("capacity")), name="place_free_le_capacity"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if self.free > self.capacity:
            raise ValidationError({"free": [_("Free places cannot exceed the capacity.")]})
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise ValidationError({"max_age": [_("The maximum age is below the minimum age.")]})
        if (
            self.pk
            and self.type in (PlaceType.FIRST_RECEPTION, PlaceType.FIRST_RECEPTION_MINORS)
            and self.contra_indications.filter(superseded_at__isnull=True).exists()
        ):
            raise ValidationError(
                {
                    "type": [
                        _("First reception takes everyone: remove the contra-indications first.")
                    ]
                }
            )


class PlaceAvailability(models.Model):
    """One report of capacity and free places: who, for which organisation, when. Append-only."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="availability")
    capacity = models.PositiveIntegerField()
    free = models.PositiveIntegerField()
    reported_at = models.DateTimeField(db_index=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Why the count changed: a report by the shelter, or a hold/placement moving a bed.
    cause = models.CharField(max_length=24, default="report")

    class Meta:
        ordering = ["-reported_at", "-id"]

    def __str__(self) -> str:
        return f"{self.place_id}: {self.free}/{self.capacity} at {self.reported_at}"


class ContraIndication(models.Model):
    """A versioned rule of a place. A change writes a new version and closes the old one, so a
    refusal can always be traced to the rule as it read then."""

    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="contra_indications")
    code = models.CharField(_("rule"), max_length=32, choices=ContraCode.choices)
    reason = models.CharField(_("reason"), max_length=500)
    version = models.PositiveIntegerField(default=1)
    valid_from = models.DateTimeField()
    superseded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["place_id", "code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["place", "code", "version"], name="contra_unique_version"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"

    def clean(self) -> None:
        if self.place_id and self.place.type in (
            PlaceType.FIRST_RECEPTION,
            PlaceType.FIRST_RECEPTION_MINORS,
        ):
            raise ValidationError(
                {
                    "code": [
                        _("First reception takes everyone: it may not apply contra-indications.")
                    ]
                }
            )
        if not (self.reason or "").strip():
            raise ValidationError({"reason": [_("Give the reason for this rule.")]})


class ReferralStatus(models.TextChoices):
    OPEN = "open", _("Looking for a place")
    HELD = "held", _("Place held")
    ACCEPTED = "accepted", _("Accepted by the shelter")
    PLACED = "placed", _("Placed")
    ENDED = "ended", _("Placement ended")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Referral(models.Model):
    """A request for a place for a case. The needs profile holds codes only, no identity, so a
    shelter can weigh it before it learns who it is about."""

    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="referrals")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    membership = models.ForeignKey(
        "organisations.Membership", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(db_index=True)
    needs = models.JSONField(default=dict)
    urgency = models.CharField(max_length=10, choices=Urgency.choices, default=Urgency.NORMAL)
    status = models.CharField(
        max_length=10, choices=ReferralStatus.choices, default=ReferralStatus.OPEN
    )

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"referral {self.pk}"


class HoldStatus(models.TextChoices):
    ACTIVE = "active", _("Held")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    RELEASED = "released", _("Released")


class DeclineReason(models.TextChoices):
    NO_FIT = "no_fit", _("The needs do not fit our place")
    CONTRA_INDICATION = "contra_indication", _("A contra-indication applies")
    SAFETY = "safety", _("Safety of residents or staff")
    CARE_NOT_AVAILABLE = "care_not_available", _("The care needed is not available")
    PLACE_NO_LONGER_FREE = "place_no_longer_free", _("The place is no longer free")
    OTHER = "other", _("Other")


class WithdrawReason(models.TextChoices):
    """Why a shelter withdraws its refusal of a referral (codes only: no text about a person)."""

    SITUATION_CHANGED = "situation_changed", _("Our situation changed (staff, residents, care)")
    CONTRA_INDICATION_ENDED = (
        "contra_indication_ended",
        _("The contra-indication no longer applies"),
    )
    DECLINED_IN_ERROR = "declined_in_error", _("The refusal was a mistake")
    OTHER = "other", _("Other")


class Hold(models.Model):
    """A place held for a referral for a limited time; it takes one free bed while active."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="holds")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="holds")
    held_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    status = models.CharField(max_length=10, choices=HoldStatus.choices, default=HoldStatus.ACTIVE)
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decline_reason = models.CharField(
        max_length=24, choices=DeclineReason.choices, blank=True, default=""
    )
    # A declined place stays refused for this referral until the shelter withdraws its refusal.
    decline_withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One active hold per referral: a coordinator cannot sit on several beds at once.
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(status="active"),
                name="hold_one_active_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"hold {self.pk}"


class OutflowDestination(models.TextChoices):
    INDEPENDENT_HOUSING = "independent_housing", _("Independent housing")
    SUPPORTED_HOUSING = "supported_housing", _("Supported housing")
    OTHER_SHELTER = "other_shelter", _("Another shelter")
    RETURN_COUNTRY = "return_country", _("Return to country of origin")
    ASYLUM_RECEPTION = "asylum_reception", _("Asylum reception")
    FAMILY = "family", _("Family or friends")
    UNKNOWN_LEFT = "unknown_left", _("Left, destination unknown")
    OTHER = "other", _("Other")


class Placement(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, related_name="placements")
    place = models.ForeignKey(Place, on_delete=models.PROTECT, related_name="placements")
    hold = models.OneToOneField(
        Hold, null=True, on_delete=models.SET_NULL, related_name="placement"
    )
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    outflow = models.CharField(
        max_length=24, choices=OutflowDestination.choices, blank=True, default=""
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        constraints = [
            # No overlapping placements for one referral: at most one running at a time.
            models.UniqueConstraint(
                fields=["referral"],
                condition=models.Q(ended_at__isnull=True),
                name="placement_one_running_per_referral",
            )
        ]

    def __str__(self) -> str:
        return f"placement {self.pk}"


class WaitingOffer(models.Model):
    """A freed place offered to a waiting referral's coordinator (in-app; e-mail is sent too).
    Codes and ids only: the text is built when shown."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="offers")
    place = models.ForeignKey(Place, on_delete=models.CASCADE, related_name="offers")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.CASCADE, related_name="+"
    )
    rank = models.PositiveIntegerField()  # position in the queue when offered (1 = first)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "rank"]
        constraints = [
            # One open offer per referral and place: a place freeing twice does not spam.
            models.UniqueConstraint(
                fields=["referral", "place"],
                condition=models.Q(read_at__isnull=True),
                name="offer_one_open_per_referral_place",
            )
        ]

    def __str__(self) -> str:
        return f"offer of {self.place_id} to referral {self.referral_id}"


class CapacityAlarm(models.Model):
    """An episode with no first-reception place free, nationally (region "") or in a region.
    Opened once when it starts and closed when a place frees up, so the registrar is told once
    per episode, not on every look at the dashboard."""

    region = models.CharField(max_length=8, blank=True, default="")
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-raised_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["region"],
                condition=models.Q(cleared_at__isnull=True),
                name="alarm_one_open_per_region",
            )
        ]

    def __str__(self) -> str:
        return f"alarm {self.region or 'NL'} {self.raised_at}"


class ShelterNotice(models.Model):
    """An in-app notice of this app to one user (the identification app's Notification needs a
    case; a capacity alarm has none). Codes and ids only: the text is built when shown."""

    class Kind(models.TextChoices):
        CAPACITY_ALARM = "capacity_alarm", _("Capacity alarm")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="shelter_notices"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    alarm = models.ForeignKey(
        CapacityAlarm, null=True, on_delete=models.CASCADE, related_name="notices"
    )
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id}"
