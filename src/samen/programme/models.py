"""The programme register: action lines, actions, motions, commitments, international
recommendations and indicators, each record traceable to the letter passage it came from."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from samen.i18n import pick


class Letter(models.Model):
    """A letter to parliament that the register cites as its source (a progress letter)."""

    title = models.CharField(_("title"), max_length=300)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)
    kamerstuk = models.CharField(
        _("parliamentary reference"),
        max_length=80,
        blank=True,
        help_text=_("The letter's own reference, e.g. 'Kamerstukken II 2025/26, 28 638, nr. 260'."),
    )
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    # The hash identifies the exact file read, so re-reading the same letter is recognised.
    sha256 = models.CharField(_("SHA-256"), max_length=64, unique=True)
    text = models.TextField(_("text"), blank=True)
    registered_at = models.DateTimeField(_("registered at"), auto_now_add=True)
    # A sync with the Tweede Kamer's open data is reviewed like a letter: its proposals hang
    # off a source of this kind, so the same review page and provenance apply.
    origin = models.CharField(
        _("origin"),
        max_length=12,
        choices=[("letter", _("Letter")), ("open_data", _("Tweede Kamer open data"))],
        default="letter",
    )

    class Meta:
        ordering = ["-sent_on", "-registered_at"]
        verbose_name = _("letter")
        verbose_name_plural = _("letters")

    def __str__(self) -> str:
        return self.title


class Provenance(models.Model):
    """Where a record comes from: which letter, which passage, where in the letter."""

    source_letter = models.ForeignKey(
        Letter,
        verbose_name=_("source letter"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    source_passage = models.TextField(_("source passage"), blank=True)
    source_location = models.CharField(
        _("location in source"),
        max_length=120,
        blank=True,
        help_text=_("e.g. 'footnote 19', 'actielijn 3', 'Internationale ontwikkelingen'"),
    )
    source_note = models.CharField(
        _("other source"),
        max_length=300,
        blank=True,
        help_text=_(
            "A source that is not a letter, e.g. the National Rapporteur's yearly figures."
        ),
    )

    class Meta:
        abstract = True


class ActionLine(Provenance):
    number = models.PositiveSmallIntegerField(_("number"), unique=True)
    title = models.CharField(_("title"), max_length=200)
    title_nl = models.CharField(_("Dutch title"), max_length=200, blank=True)
    description = models.TextField(_("description"), blank=True)
    holders = models.JSONField(_("action holders"), default=list, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("action line")
        verbose_name_plural = _("action lines")

    def __str__(self) -> str:
        return f"{self.number}. {self.label}"

    @property
    def label(self) -> str:
        """The title in the reader's language (the letter's own Dutch words in Dutch)."""
        return pick(self.title_nl or self.title, self.title)


class ActionStatus(models.TextChoices):
    NOT_STARTED = "not_started", _("Not started")
    RUNNING = "running", _("Running")
    DELAYED = "delayed", _("Delayed")
    DONE = "done", _("Done")


class Action(Provenance):
    action_line = models.ForeignKey(
        ActionLine, verbose_name=_("action line"), on_delete=models.PROTECT, related_name="actions"
    )
    # The action plan numbers actions ("actie 23"), but letters often describe work without
    # its number; `code` is the stable key the loader and the annex use.
    number = models.PositiveSmallIntegerField(_("number"), null=True, blank=True, unique=True)
    code = models.SlugField(_("code"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    # Holders as names: many (ECPAT, Spine, DSP-groep) are not organisations in Samen.
    holders = models.JSONField(_("action holders"), default=list, blank=True)
    start = models.DateField(_("start"), null=True, blank=True)
    end = models.DateField(_("end"), null=True, blank=True)
    period_note = models.CharField(
        _("period as written"),
        max_length=200,
        blank=True,
        help_text=_("Letters give periods like 'medio 2026'; the text is kept beside the dates."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=ActionStatus.choices, default=ActionStatus.NOT_STARTED
    )

    class Meta:
        ordering = ["action_line__number", "number", "code"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")

    def __str__(self) -> str:
        return f"{self.number}. {self.title}" if self.number else self.title

    def clean(self) -> None:
        if self.start and self.end and self.end < self.start:
            raise ValidationError({"end": _("The end date must not be before the start date.")})


class ActionProgress(Provenance):
    """A dated progress note on an action."""

    action = models.ForeignKey(
        Action, verbose_name=_("action"), on_delete=models.CASCADE, related_name="progress"
    )
    on = models.DateField(_("date"), null=True, blank=True)
    note = models.TextField(_("note"))
    # Earlier wordings of a corrected note, oldest first: {"on", "note", "replaced_at"}. The
    # audit trail says who corrected it; the note's history stays readable with the note.
    history = models.JSONField(_("earlier versions"), default=list, blank=True)

    class Meta:
        ordering = ["action", "on", "id"]
        verbose_name = _("progress note")
        verbose_name_plural = _("progress notes")

    def __str__(self) -> str:
        return f"{self.action}: {self.note[:60]}"


class LetterStatus(models.TextChoices):
    """What a letter says about a motion or commitment (finer than the register status)."""

    DONE = "done", _("Declared done")
    IN_PROGRESS = "in_progress", _("Taken along / in progress")
    DECLINED = "declined", _("Declined")
    RESEARCH_PENDING = "research_pending", _("Research pending")


class ItemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Considered done")


class Chamber(models.TextChoices):
    TWEEDE_KAMER = "II", _("House of Representatives (Tweede Kamer)")
    EERSTE_KAMER = "I", _("Senate (Eerste Kamer)")


class ParliamentaryReference(models.Model):
    """Kamerstukken reference: dossier (+ suffix such as 'VI') and document number."""

    chamber = models.CharField(
        _("chamber"), max_length=2, choices=Chamber.choices, default=Chamber.TWEEDE_KAMER
    )
    dossier = models.CharField(_("dossier number"), max_length=8, blank=True)
    suffix = models.CharField(_("dossier suffix"), max_length=8, blank=True)
    document_number = models.CharField(_("document number"), max_length=8, blank=True)
    parliamentary_year = models.CharField(_("parliamentary year"), max_length=9, blank=True)

    class Meta:
        abstract = True

    @property
    def reference_key(self) -> str:
        if not self.dossier:
            return ""
        suffix = f"-{self.suffix}" if self.suffix else ""
        return f"{self.dossier}{suffix}-{self.document_number}"

    @property
    def reference_display(self) -> str:
        if not self.dossier:
            return ""
        dossier = f"{self.dossier[:2]} {self.dossier[2:]}" + (
            f" {self.suffix}" if self.suffix else ""
        )
        year = f", {self.parliamentary_year}" if self.parliamentary_year else ""
        return f"Kamerstukken {self.chamber}{year}, {dossier}, nr. {self.document_number}"


class StatusFields(models.Model):
    status = models.CharField(
        _("status"), max_length=16, choices=ItemStatus.choices, default=ItemStatus.OPEN
    )
    letter_status = models.CharField(
        _("status as the letter puts it"), max_length=20, choices=LetterStatus.choices, blank=True
    )
    status_date = models.DateField(_("status date"), null=True, blank=True)
    status_letter = models.ForeignKey(
        Letter,
        verbose_name=_("letter that set the status"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status_evidence = models.TextField(_("evidence sentence"), blank=True)

    class Meta:
        abstract = True


class Motion(Provenance, ParliamentaryReference, StatusFields):
    date = models.DateField(_("date submitted"), null=True, blank=True)
    subject = models.TextField(_("subject"))
    co_signers = models.BooleanField(
        _("co-signed (c.s.)"), default=False, help_text=_("Submitted 'c.s.': more members signed.")
    )
    notes = models.TextField(_("notes"), blank=True)
    tk_id = models.CharField(_("Tweede Kamer id"), max_length=40, blank=True)
    tk_number = models.CharField(_("Tweede Kamer case number"), max_length=20, blank=True)
    vote_outcome = models.CharField(_("vote outcome"), max_length=40, blank=True)

    class Meta:
        ordering = ["dossier", "suffix", "document_number"]
        verbose_name = _("motion")
        verbose_name_plural = _("motions")
        constraints = [
            # The year is not part of the identity: letters cite the same motion with different
            # (sometimes wrong) years.
            models.UniqueConstraint(
                fields=["chamber", "dossier", "suffix", "document_number"], name="motion_unique_ref"
            )
        ]

    def __str__(self) -> str:
        names = ", ".join(s.name for s in self.submitters.all())
        return f"Motie {names}{' c.s.' if self.co_signers else ''} ({self.reference_display})"


class MotionSubmitter(models.Model):
    motion = models.ForeignKey(Motion, on_delete=models.CASCADE, related_name="submitters")
    name = models.CharField(_("name"), max_length=120)
    party = models.CharField(_("party"), max_length=40, blank=True)
    party_inferred = models.BooleanField(
        _("party inferred"),
        default=False,
        help_text=_(
            "The citing passage names no party; it was taken from elsewhere in the letter."
        ),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        ordering = ["motion", "order"]
        verbose_name = _("submitter")
        verbose_name_plural = _("submitters")
        constraints = [
            models.UniqueConstraint(fields=["motion", "name"], name="submitter_unique_name")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.party})" if self.party else self.name


class Commitment(Provenance, ParliamentaryReference, StatusFields):
    """A toezegging: a promise by a minister to parliament or to members."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    made_by = models.CharField(
        _("made by"), max_length=200, default="minister van Justitie en Veiligheid"
    )
    made_to = models.CharField(_("made to"), max_length=200, blank=True)
    made_to_members = models.JSONField(_("members"), default=list, blank=True)
    made_on = models.DateField(_("made on"), null=True, blank=True)
    occasion = models.CharField(_("occasion"), max_length=300, blank=True)
    description = models.TextField(_("what was promised"))
    due = models.DateField(_("due"), null=True, blank=True)
    due_note = models.CharField(_("due as written"), max_length=200, blank=True)
    related_motion = models.ForeignKey(
        Motion,
        verbose_name=_("related motion"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="commitments",
    )
    tk_id = models.CharField(_("Tweede Kamer id"), max_length=40, blank=True)
    tk_number = models.CharField(_("Tweede Kamer number"), max_length=20, blank=True)
    tk_status = models.CharField(_("status at the Tweede Kamer"), max_length=40, blank=True)

    class Meta:
        ordering = ["made_on", "code"]
        verbose_name = _("commitment")
        verbose_name_plural = _("commitments")

    def __str__(self) -> str:
        return f"Toezegging {self.made_to}: {self.description[:60]}"


class RecommendationBody(models.TextChoices):
    GRETA = "greta", _("GRETA (Council of Europe)")
    OSCE = "osce", _("OSCE")
    OTHER = "other", _("Other")


class RecommendationStatus(models.TextChoices):
    AWAITING_REPORT = "awaiting_report", _("Report awaited")
    RESPONSE_DUE = "response_due", _("Government response due")
    RESPONDED = "responded", _("Responded")
    IMPLEMENTED = "implemented", _("Implemented")


class Recommendation(Provenance):
    """An international review's recommendation or concern, with the government's response."""

    code = models.SlugField(_("code"), max_length=80, unique=True)
    body = models.CharField(_("body"), max_length=8, choices=RecommendationBody.choices)
    round = models.CharField(_("evaluation round"), max_length=120, blank=True)
    report_date = models.DateField(_("report date"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=300)
    text = models.TextField(_("text"), blank=True)
    government_response = models.TextField(_("government response"), blank=True)
    response_due = models.DateField(_("response due"), null=True, blank=True)
    status = models.CharField(
        _("status"),
        max_length=16,
        choices=RecommendationStatus.choices,
        default=RecommendationStatus.RESPONSE_DUE,
    )

    class Meta:
        ordering = ["body", "report_date", "code"]
        verbose_name = _("international recommendation")
        verbose_name_plural = _("international recommendations")

    def __str__(self) -> str:
        return f"{self.get_body_display()}: {self.title}"


UNIT_LABELS = {
    "persons": _("persons"),
    "percent": _("percent"),
    "URLs": _("URLs"),
    "platforms": _("platforms"),
}


class Indicator(models.Model):
    code = models.SlugField(_("code"), max_length=80, unique=True)
    name = models.CharField(_("name"), max_length=200)
    unit = models.CharField(_("unit"), max_length=40, default="persons")
    description = models.TextField(_("description"), blank=True)
    action_line = models.ForeignKey(
        ActionLine,
        verbose_name=_("action line"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="indicators",
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name

    @property
    def unit_label(self) -> str:
        return str(UNIT_LABELS.get(self.unit, self.unit))


class IndicatorValue(Provenance):
    indicator = models.ForeignKey(
        Indicator, verbose_name=_("indicator"), on_delete=models.CASCADE, related_name="values"
    )
    value = models.DecimalField(_("value"), max_digits=14, decimal_places=2)
    # Cumulative counts ("tot op heden ruim 3.700") are dated by the letter; yearly figures by
    # the year they cover. `period` is the label as reported, `as_of` the date for charts.
    period = models.CharField(_("period"), max_length=60)
    as_of = models.DateField(_("as of"), null=True, blank=True)
    is_lower_bound = models.BooleanField(
        _("lower bound"), default=False, help_text=_("Reported as 'ruim' / 'meer dan'.")
    )
    source = models.CharField(_("source"), max_length=300)

    class Meta:
        ordering = ["indicator", "as_of", "period"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["indicator", "period", "source"], name="indicator_value_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value} ({self.period})"


class UpdateState(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    ACCEPTED = "accepted", _("Accepted")
    REJECTED = "rejected", _("Rejected")


class ProposedUpdate(models.Model):
    """One item the letter reader found, waiting for a person to accept or reject it."""

    letter = models.ForeignKey(
        Letter, verbose_name=_("letter"), on_delete=models.CASCADE, related_name="proposed_updates"
    )
    item_index = models.PositiveIntegerField(_("item"))
    kind = models.CharField(_("kind"), max_length=16)
    reference_key = models.CharField(_("reference"), max_length=40, blank=True)
    proposed_status = models.CharField(
        _("proposed status"), max_length=20, choices=LetterStatus.choices, blank=True
    )
    evidence = models.TextField(_("evidence sentence"), blank=True)
    payload = models.JSONField(_("what the reader found"))
    state = models.CharField(
        _("state"), max_length=10, choices=UpdateState.choices, default=UpdateState.PROPOSED
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("decided by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    # What accepting changed, so an overview can say "what changed since the previous one".
    before = models.JSONField(_("before"), default=dict, blank=True)
    motion = models.ForeignKey(
        Motion, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )
    commitment = models.ForeignKey(
        Commitment, on_delete=models.SET_NULL, null=True, blank=True, related_name="updates"
    )

    class Meta:
        ordering = ["letter", "item_index"]
        verbose_name = _("proposed update")
        verbose_name_plural = _("proposed updates")
        constraints = [
            models.UniqueConstraint(fields=["letter", "item_index"], name="update_unique_item")
        ]

    def __str__(self) -> str:
        return f"{self.letter} #{self.item_index} ({self.state})"


class OverviewSnapshot(models.Model):
    """The register's state as a progress overview showed it, so the next overview can list
    what changed since (statuses of actions, motions and commitments, latest progress notes)."""

    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("taken by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    label = models.CharField(_("label"), max_length=200, blank=True)
    state = models.JSONField(_("state"), default=dict)

    class Meta:
        ordering = ["-taken_at", "-id"]
        get_latest_by = ["taken_at", "id"]
        verbose_name = _("overview snapshot")
        verbose_name_plural = _("overview snapshots")

    def __str__(self) -> str:
        return self.label or f"{self.taken_at:%Y-%m-%d %H:%M}"


class ParliamentRecord(models.Model):
    """A motion (Zaak of kind Motie) or commitment (Toezegging) as the Tweede Kamer's open
    data records it; kept as fetched, so a proposal can always be traced to what parliament
    said, and a later sync can tell what changed."""

    kind = models.CharField(_("kind"), max_length=16)  # "motion" | "commitment"
    tk_id = models.CharField(_("Tweede Kamer id"), max_length=40, unique=True)
    number = models.CharField(_("number"), max_length=20)  # "2025Z01234", "TZ202602-031"
    dossier = models.CharField(_("dossier number"), max_length=8, blank=True)
    suffix = models.CharField(_("dossier suffix"), max_length=8, blank=True)
    document_number = models.CharField(_("document number"), max_length=8, blank=True)
    title = models.TextField(_("title"), blank=True)
    members = models.JSONField(_("members"), default=list, blank=True)
    vote_outcome = models.CharField(_("vote outcome"), max_length=40, blank=True)
    votes = models.JSONField(_("votes"), default=dict, blank=True)
    tk_status = models.CharField(_("status at the Tweede Kamer"), max_length=40, blank=True)
    modified_at = models.DateTimeField(_("modified at the Tweede Kamer"))
    payload = models.JSONField(_("payload as fetched"))
    fetched_at = models.DateTimeField(_("fetched at"), auto_now=True)

    class Meta:
        ordering = ["kind", "number"]
        verbose_name = _("parliamentary record")
        verbose_name_plural = _("parliamentary records")

    def __str__(self) -> str:
        return f"{self.kind} {self.number}"


class SyncState(models.Model):
    """How far the last sync got per entity set, for incremental fetching by GewijzigdOp."""

    entity = models.CharField(_("entity"), max_length=40, unique=True)
    last_modified = models.CharField(_("last modification seen"), max_length=40, blank=True)
    synced_at = models.DateTimeField(_("synced at"), auto_now=True)

    class Meta:
        verbose_name = _("sync state")
        verbose_name_plural = _("sync states")

    def __str__(self) -> str:
        return f"{self.entity}: {self.last_modified}"
