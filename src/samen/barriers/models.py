"""Barrier models (barrièremodellen) as versioned data, and the barriers a region raised."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from samen.i18n import pick


class Form(models.TextChoices):
    SEXUAL = "sexual", _("sexual exploitation")
    LABOUR = "labour", _("labour exploitation")
    CRIMINAL = "criminal", _("criminal exploitation")


class BarrierModel(models.Model):
    """One version of the model for one form of exploitation. Old versions stay, so a barrier a
    region raised keeps pointing at the step it was raised against."""

    form = models.CharField(max_length=16, choices=Form.choices)
    version = models.PositiveIntegerField()
    title_nl = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    is_current = models.BooleanField(default=True)
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["form", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["form", "version"], name="barrier_model_version")
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_nl, self.title_en)

    @property
    def description(self) -> str:
        return pick(self.description_nl, self.description_en)


class Step(models.Model):
    """A step the criminal business needs (recruitment, transport, housing, ...)."""

    model = models.ForeignKey(BarrierModel, on_delete=models.CASCADE, related_name="steps")
    code = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField()
    title_nl = models.CharField(max_length=120)
    title_en = models.CharField(max_length=120)
    # Signal-list indicator codes that point at this step. Codes, not foreign keys: they stay the
    # same across versions of a signal list, so a new list version keeps the link.
    indicator_codes = models.JSONField(default=list)

    class Meta:
        ordering = ["model", "order"]
        constraints = [models.UniqueConstraint(fields=["model", "code"], name="step_code")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_nl, self.title_en)


class Barrier(models.Model):
    step = models.ForeignKey(Step, on_delete=models.CASCADE, related_name="barriers")
    code = models.SlugField(max_length=60)
    order = models.PositiveSmallIntegerField()
    title_nl = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)
    # Organisation types that own the barrier (samen.organisations.models.OrganisationType).
    partner_types = models.JSONField(default=list)
    instrument_nl = models.CharField(max_length=300, blank=True)
    instrument_en = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["step", "order"]
        constraints = [models.UniqueConstraint(fields=["step", "code"], name="barrier_code")]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_nl, self.title_en)

    @property
    def description(self) -> str:
        return pick(self.description_nl, self.description_en)

    @property
    def instrument(self) -> str:
        return pick(self.instrument_nl, self.instrument_en)


class BarrierState(models.TextChoices):
    PLANNED = "planned", _("planned")
    ACTIVE = "active", _("active")
    EVALUATED = "evaluated", _("evaluated")


class RaisedBarrier(models.Model):
    """A barrier a region (or one municipality in it) raised, with the partners who own it."""

    barrier = models.ForeignKey(Barrier, on_delete=models.PROTECT, related_name="raised")
    region = models.ForeignKey(
        "organisations.SafetyRegion", on_delete=models.PROTECT, related_name="raised_barriers"
    )
    municipality = models.ForeignKey(
        "organisations.Municipality",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="raised_barriers",
    )
    owner = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="owned_barriers"
    )
    partners = models.ManyToManyField(
        "organisations.Organisation", related_name="partner_barriers", blank=True
    )
    state = models.CharField(max_length=12, choices=BarrierState.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["region", "barrier"]
        # Once per owner: each organisation sees only its own barriers (and those it partners
        # in), so a barrier another organisation of the region raised must not stop it, or the
        # refusal would tell it that barrier exists.
        constraints = [
            models.UniqueConstraint(
                fields=["barrier", "region", "municipality", "owner"],
                name="raised_barrier_once_per_owner",
            )
        ]

    def __str__(self) -> str:
        return f"{self.barrier} ({self.region})"


class ProgressNote(models.Model):
    raised = models.ForeignKey(RaisedBarrier, on_delete=models.CASCADE, related_name="notes")
    on = models.DateField()
    text = models.TextField()
    state = models.CharField(max_length=12, choices=BarrierState.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["raised", "-on", "-id"]

    def __str__(self) -> str:
        return f"{self.raised_id} {self.on}"
