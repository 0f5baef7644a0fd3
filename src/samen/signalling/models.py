from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samen.i18n import pick


class SignalList(models.Model):
    """One version of a signalenkaart. Old versions stay, so old signals keep their meaning."""

    code = models.SlugField(max_length=40)
    version = models.PositiveIntegerField()
    title_nl = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    setting_nl = models.CharField(max_length=200, blank=True)
    setting_en = models.CharField(max_length=200, blank=True)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="signal_list_version")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_nl, self.title_en)

    @property
    def setting(self) -> str:
        return pick(self.setting_nl, self.setting_en)

    @property
    def description(self) -> str:
        return pick(self.description_nl, self.description_en)


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")


SEVERITY_WEIGHT = {Severity.LOW: 1, Severity.MEDIUM: 2, Severity.HIGH: 3}


class Indicator(models.Model):
    signal_list = models.ForeignKey(SignalList, on_delete=models.CASCADE, related_name="indicators")
    code = models.CharField(max_length=80)
    category_code = models.SlugField(max_length=40)
    category_nl = models.CharField(max_length=120)
    category_en = models.CharField(max_length=120)
    text_nl = models.CharField(max_length=300)
    text_en = models.CharField(max_length=300)
    severity = models.CharField(max_length=8, choices=Severity.choices)
    acute = models.BooleanField(default=False)
    concerns_minor = models.BooleanField(default=False)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["signal_list", "order"]
        constraints = [
            models.UniqueConstraint(fields=["signal_list", "code"], name="indicator_code_per_list")
        ]

    def __str__(self) -> str:
        return self.text

    @property
    def text(self) -> str:
        return pick(self.text_nl, self.text_en)

    @property
    def category(self) -> str:
        return pick(self.category_nl, self.category_en)


class Advice(models.TextChoices):
    """Triage outcomes, most urgent first (their order is their rank)."""

    CALL_NOW = "call_now", _("Call the police or Veilig Thuis now")
    REPORT = "report", _("Report to the national register and the police")
    CONSULT = "consult", _("Consult a care coordinator")
    WATCH = "watch", _("Record and keep watching")


class Signal(models.Model):
    case = models.ForeignKey("cases.Case", on_delete=models.PROTECT, related_name="signals")
    signal_list = models.ForeignKey(SignalList, on_delete=models.PROTECT, related_name="signals")
    indicators = models.ManyToManyField(Indicator, related_name="signals")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signals"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="signals"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality", on_delete=models.PROTECT, related_name="signals"
    )
    region = models.ForeignKey(
        "organisations.SafetyRegion", on_delete=models.PROTECT, related_name="signals"
    )
    observed_on = models.DateField()
    setting = models.CharField(max_length=120, blank=True)
    # Free text about a person is personal data: encrypted like the identity.
    notes_ciphertext = models.BinaryField(null=True, blank=True)
    advice = models.CharField(max_length=12, choices=Advice.choices)
    advice_reasons = models.JSONField(default=list)
    linked_to_existing = models.BooleanField(default=False)
    # What the signaller keeps: a random reference, never the case number, so the receipt of a
    # signal about a known person looks exactly like that of a new one. NULL, not "", for rows
    # bulk-loaded without one, so the unique constraint holds.
    receipt = models.CharField(max_length=16, unique=True, null=True, editable=False)  # noqa: DJ001
    # Identity details given with a signal that linked to a known person and that the person's
    # identity did not hold yet (or held otherwise): encrypted, for the coordinator to review.
    identity_ciphertext = models.BinaryField(null=True, blank=True)
    identity_new = models.JSONField(default=list, blank=True)  # key names only, no values
    created_at = models.DateTimeField(db_index=True)
    is_synthetic = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"signal {self.pk}"
