"""The identification path of a case, its steps and deadlines, reminders and flags.

The rules themselves are not here: they are data (PathDefinition and its rows, synced from
data/paths/*.json) and are evaluated by the plain engine in machine.py.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class PathDefinition(models.Model):
    """One published version of the path's rules. Never edited: paths refer to it."""

    code = models.SlugField(max_length=40)
    version = models.PositiveIntegerField()
    checksum = models.CharField(max_length=64)
    is_current = models.BooleanField(default=True)
    # Settings, identifying parties, HTCDS mapping and advice; states and transitions are rows.
    body = models.JSONField(default=dict)
    loaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(fields=["code", "version"], name="path_definition_version")
        ]

    def __str__(self) -> str:
        return f"{self.code} v{self.version}"


class StateRow(models.Model):
    definition = models.ForeignKey(PathDefinition, on_delete=models.CASCADE, related_name="states")
    code = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField()
    spec = models.JSONField()

    class Meta:
        ordering = ["definition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="path_state_unique")
        ]

    def __str__(self) -> str:
        return self.code


class TransitionRow(models.Model):
    definition = models.ForeignKey(
        PathDefinition, on_delete=models.CASCADE, related_name="transitions"
    )
    code = models.SlugField(max_length=40)
    order = models.PositiveSmallIntegerField()
    spec = models.JSONField()

    class Meta:
        ordering = ["definition", "order"]
        constraints = [
            models.UniqueConstraint(fields=["definition", "code"], name="path_transition_unique")
        ]

    def __str__(self) -> str:
        return self.code


class AgeAssessment(models.TextChoices):
    DOCUMENTED = "documented", _("Age documented")
    ESTIMATED = "estimated", _("Age estimated")
    DISPUTED = "disputed", _("Age disputed or uncertain")


class IdentificationPath(models.Model):
    """Where one case stands on the path. Codes and dates only, never free text about a person."""

    case = models.OneToOneField(
        "cases.Case", on_delete=models.CASCADE, related_name="identification_path"
    )
    definition = models.ForeignKey(PathDefinition, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=40)
    # Facts the rules depend on (a reflection period only for a foreign victim without lawful
    # residence; Nidos for an unaccompanied foreign minor). None = not yet known.
    foreign_national = models.BooleanField(null=True)
    lawful_residence = models.BooleanField(null=True)
    unaccompanied = models.BooleanField(null=True)
    # An EU citizen has a reflection period only without rights under EU law; a Dublin
    # claimant's reflection period is 30 days (since 18 May 2023). None = not yet known.
    eu_citizen = models.BooleanField(null=True)
    eu_residence_rights = models.BooleanField(null=True)
    dublin_claimant = models.BooleanField(default=False)
    age_assessment = models.CharField(
        max_length=16, choices=AgeAssessment.choices, default=AgeAssessment.ESTIMATED
    )
    # When the age is uncertain the person is treated as a minor until shown otherwise.
    presumed_minor = models.BooleanField(default=False)
    guardian_organisation = models.ForeignKey(
        "organisations.Organisation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="guarded_paths",
    )
    # HTCDS 2.0 vic_TraffickingStatus / vic_TraffickingStatusDecisionMakingOrg.
    htcds_status = models.CharField(max_length=40, blank=True)
    htcds_decision_org = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.case_id}: {self.state}"


class PathStep(models.Model):
    path = models.ForeignKey(IdentificationPath, on_delete=models.CASCADE, related_name="steps")
    transition = models.CharField(max_length=40)
    source = models.CharField(max_length=40)
    target = models.CharField(max_length=40)
    values = models.JSONField(default=dict, blank=True)  # ISO dates and codes
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.path_id} {self.transition}"


class DeadlineKind(models.TextChoices):
    ASSESSMENT_DECISION = "assessment_decision", _("Decision on the slightest indication due")
    REFLECTION_END = "reflection_end", _("Reflection period ends")
    B83_DECISION = "b83_decision", _("B8/3 decision due")
    PERMIT_END = "permit_end", _("B8/3 permit ends")
    DEPARTURE = "departure", _("Departure period ends")
    PERMIT_END_DISMISSAL = "permit_end_dismissal", _("B8/3 permit ends after the dismissal")
    CONTINUED_RESIDENCE_DUE = (
        "continued_residence_due",
        _("Three years on B8/3: continued residence"),
    )
    CONTINUED_RESIDENCE_DECISION = (
        "continued_residence_decision",
        _("Decision on continued residence due"),
    )


class Deadline(models.Model):
    path = models.ForeignKey(IdentificationPath, on_delete=models.CASCADE, related_name="deadlines")
    kind = models.CharField(max_length=40)  # a kind from the definition; known ones have labels
    due_on = models.DateField(db_index=True)  # a Dutch calendar day
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    opened_by_step = models.ForeignKey(
        PathStep, null=True, on_delete=models.SET_NULL, related_name="opened_deadlines"
    )
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_on", "id"]
        indexes = [models.Index(fields=["closed_at", "due_on"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.due_on}"

    @property
    def kind_display(self) -> str:
        return str(dict(DeadlineKind.choices).get(self.kind, self.kind))


class Reminder(models.Model):
    """One reminder stage sent for one deadline. The unique pair makes sending idempotent: a
    second run, or two runs at once, cannot send the same stage twice."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="reminders")
    stage = models.CharField(max_length=12)  # "14", "7", "0" days before, or "overdue"
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "stage"], name="reminder_once_per_stage")
        ]

    def __str__(self) -> str:
        return f"{self.deadline_id} {self.stage}"


class HoldReminder(models.Model):
    """The one reminder sent for a shelter hold about to expire. The hold is referred to by id
    only: this app reads the shelter's tables but does not tie their schema to its own."""

    hold_id = models.PositiveBigIntegerField(unique=True)
    sent_at = models.DateTimeField()
    recipients = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"hold {self.hold_id}"


class Notification(models.Model):
    """An in-app notification. Case number and codes only: the text is built when shown."""

    class Kind(models.TextChoices):
        DEADLINE = "deadline", _("Deadline reminder")
        GUARDIAN = "guardian", _("Guardian attached to a minor's case")
        HOLD = "hold", _("Shelter hold about to expire")
        ADULT = "adult", _("A minor of this case turned 18")
        GUARDIAN_SIGNAL = "guardian_signal", _("New signal on a minor's case")
        # A task: recorded facts no longer meet the conditions of the step the path stands on.
        CONDITION = "condition", _("Facts no longer meet the current step")

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identification_notes"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=16, choices=Kind.choices)
    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    reminder = models.ForeignKey(Reminder, null=True, on_delete=models.CASCADE, related_name="+")
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.user_id} {self.kind} {self.case_id}"


class NonPunishmentReason(models.TextChoices):
    CRIMINAL_EXPLOITATION = "criminal_exploitation", _("Criminal exploitation")
    COERCION = "coercion", _("Offence committed under coercion")
    DEPENDENCY = "dependency", _("Dependency on the exploiter")
    MINOR = "minor", _("Minor exploited by others")
    OTHER = "other", _("Other")


class NonPunishmentFlag(models.Model):
    """A suspect may also be a victim: police and prosecution must be able to weigh that."""

    case = models.ForeignKey(
        "cases.Case", on_delete=models.CASCADE, related_name="non_punishment_flags"
    )
    reasons = models.JSONField(default=list)  # NonPunishmentReason codes
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField()
    withdrawn_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-set_at", "-id"]

    def __str__(self) -> str:
        return f"non-punishment flag on {self.case_id}"


class CommissionOutcome(models.TextChoices):
    POSSIBLE = "possible", _("Possible victim")
    IDENTIFIED = "identified", _("Identified as victim")
    NOT_IDENTIFIED = "not_identified", _("Not identified as victim")


class CommissionReview(models.Model):
    """A case put before a multidisciplinary identification commission."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="+")
    definition = models.ForeignKey(PathDefinition, on_delete=models.PROTECT, related_name="+")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    opened_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=CommissionOutcome.choices, blank=True)
    reasons = models.JSONField(default=list, blank=True)  # reason codes from the definition
    reasons_text = models.BinaryField(null=True)  # the chair's reasons, encrypted
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return f"commission on {self.case_id}"


class CommissionMember(models.Model):
    review = models.ForeignKey(CommissionReview, on_delete=models.CASCADE, related_name="members")
    membership = models.ForeignKey(
        "organisations.Membership", on_delete=models.PROTECT, related_name="+"
    )
    is_chair = models.BooleanField(default=False)
    assessment = models.CharField(max_length=16, choices=CommissionOutcome.choices, blank=True)
    assessment_reasons = models.JSONField(default=list, blank=True)
    assessed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["review", "membership"], name="commission_member_once")
        ]

    def __str__(self) -> str:
        return f"{self.review_id} {self.membership_id}"
