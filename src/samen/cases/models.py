import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samen.i18n import pick


class ExploitationForm(models.Model):
    """Forms of exploitation as data: the revised EU directive added some, more may follow."""

    code = models.SlugField(unique=True)
    name_nl = models.CharField(max_length=80)
    name_en = models.CharField(max_length=80)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "code"]

    def __str__(self) -> str:
        return pick(self.name_nl, self.name_en)


class Gender(models.TextChoices):
    FEMALE = "female", _("Female")
    MALE = "male", _("Male")
    OTHER = "other", _("Other / non-binary")
    UNKNOWN = "unknown", _("Unknown")


class AgeBand(models.TextChoices):
    UNDER_12 = "0-11", _("under 12")
    AGE_12_17 = "12-17", _("12 to 17")
    AGE_18_22 = "18-22", _("18 to 22")
    AGE_23_29 = "23-29", _("23 to 29")
    AGE_30_49 = "30-49", _("30 to 49")
    AGE_50_UP = "50+", _("50 or older")
    UNKNOWN = "unknown", _("Unknown")


MINOR_BANDS = frozenset({AgeBand.UNDER_12, AgeBand.AGE_12_17})


class NationalityGroup(models.TextChoices):
    """Coarse nationality for statistics; the nationality itself is identity and stays encrypted."""

    DUTCH = "NL", _("Dutch")
    EU = "EU", _("Other EU")
    NON_EU = "non_EU", _("Outside the EU")
    UNKNOWN = "unknown", _("Unknown")


class Person(models.Model):
    """The pseudonymous person. Nothing here identifies anyone; identity lives in Identity."""

    ref = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    match_key = models.CharField(max_length=64, null=True, blank=True, unique=True)
    gender = models.CharField(max_length=8, choices=Gender.choices, default=Gender.UNKNOWN)
    age_band = models.CharField(max_length=8, choices=AgeBand.choices, default=AgeBand.UNKNOWN)
    is_minor = models.BooleanField(default=False, db_index=True)
    age_is_estimate = models.BooleanField(default=True)
    nationality_group = models.CharField(
        max_length=8, choices=NationalityGroup.choices, default=NationalityGroup.UNKNOWN
    )
    is_synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("person")
        verbose_name_plural = _("persons")

    def __str__(self) -> str:
        return f"person {self.ref}"


class Identity(models.Model):
    """Identifying data, encrypted at rest with AES-GCM (see samen.cases.crypto)."""

    person = models.OneToOneField(Person, on_delete=models.CASCADE, related_name="identity")
    ciphertext = models.BinaryField()
    key_id = models.CharField(max_length=16, default="v1")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("identity")
        verbose_name_plural = _("identities")

    def __str__(self) -> str:
        return f"identity of {self.person_id}"


class CaseStatus(models.TextChoices):
    # The lifecycle follows the identification path and the shelter: signalled -> in
    # assessment -> in care -> closed (samen.cases.lifecycle). The older "in progress" and
    # "referred" were mapped onto these by migration cases 0006 (ADR 0037).
    SIGNALLED = "signalled", _("Signalled")
    IN_ASSESSMENT = "in_assessment", _("In assessment")
    IN_CARE = "in_care", _("In care")
    CLOSED = "closed", _("Closed")


class Case(models.Model):
    number = models.CharField(_("case number"), max_length=16, unique=True)
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(
        _("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.SIGNALLED
    )
    forms = models.ManyToManyField(ExploitationForm, blank=True, related_name="cases")
    responsible_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="cases"
    )
    # The person who answers for the case at the responsible organisation ("mijn zaken").
    responsible_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="responsible_cases",
    )
    municipality = models.ForeignKey(
        "organisations.Municipality", on_delete=models.PROTECT, related_name="cases"
    )
    # Denormalised from the municipality: every regional query filters on it.
    region = models.ForeignKey(
        "organisations.SafetyRegion", on_delete=models.PROTECT, related_name="cases"
    )
    opened_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-opened_at", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [models.Index(fields=["region", "-opened_at"])]

    def __str__(self) -> str:
        return self.number


class CaseNumberCounter(models.Model):
    """Last number handed out per year; rows are locked while a number is taken."""

    year = models.PositiveSmallIntegerField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.year}: {self.last}"


class CaseEvent(models.Model):
    class Kind(models.TextChoices):
        CREATED = "created", _("Case opened")
        SIGNAL_ADDED = "signal_added", _("Signal added")
        LINKED = "linked", _("Signal linked to this case")
        STATUS_CHANGED = "status_changed", _("Status changed")
        CLOSED = "closed", _("Case closed")
        REOPENED = "reopened", _("Case reopened")
        OWNER_CHANGED = "owner_changed", _("Responsible person changed")
        FORMS_CHANGED = "forms_changed", _("Forms of exploitation changed")
        RESPONSIBLE_CHANGED = "responsible_changed", _("Responsible organisation changed")
        NOTE_ADDED = "note_added", _("Note added")
        SHARED = "shared", _("Shared with another organisation")
        SHARE_REVOKED = "share_revoked", _("Share revoked")
        EMERGENCY_ACCESS = "emergency_access", _("Emergency access")
        RETENTION = "retention", _("Data removed after its retention period")
        IDENTIFICATION = "identification", _("Identification step")
        SHELTER_REFERRAL = "shelter_referral", _("Shelter referral made")
        SHELTER_HOLD = "shelter_hold", _("Shelter place held")
        SHELTER_ACCEPTED = "shelter_accepted", _("Shelter accepted")
        SHELTER_IDENTITY = "shelter_identity", _("Identity shared with the shelter")
        SHELTER_DECLINED = "shelter_declined", _("Shelter declined")
        SHELTER_HOLD_EXPIRED = "shelter_hold_expired", _("Shelter hold expired")
        PLACEMENT_STARTED = "placement_started", _("Placement started")
        PLACEMENT_ENDED = "placement_ended", _("Placement ended")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(db_index=True)
    kind = models.CharField(max_length=24, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Codes and ids only, never free text about the person.
    data = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.case_id} {self.kind}"


class CaseNote(models.Model):
    """A note on a case, encrypted. Its kind follows the author's purpose and decides its data
    category: investigators' notes are criminal data and never reach a shelter."""

    class Kind(models.TextChoices):
        CARE = "care", _("Care note")
        INVESTIGATION = "investigation", _("Investigation note")
        SHELTER = "shelter", _("Shelter note")

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="notes")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    ciphertext = models.BinaryField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"note {self.pk} on case {self.case_id}"
