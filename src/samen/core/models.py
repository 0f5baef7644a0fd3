from typing import Any

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.utils.translation import gettext_lazy as _

from samen.i18n import pick


class CaseNumbersField(ArrayField):
    """An audit entry's case numbers (ADR 0086): `varchar(16)[]` on PostgreSQL, under a GIN
    index (migration 0013); elsewhere a text column that stays empty, since SQLite has no index
    on an array's elements and keeps one AuditSubject row per case number instead."""

    def db_type(self, connection: Any) -> str | None:
        if connection.vendor == "postgresql":
            return super().db_type(connection)
        return "text"


class AuditEntry(models.Model):
    """One use of case data: who, for whom, what, which fields, with what result, from where.

    Written only by samen.core.audit; never updated or deleted by the application.
    """

    class Result(models.TextChoices):
        OK = "ok", _("allowed")
        DENIED = "denied", _("denied")
        NOT_FOUND = "not_found", _("not found or not visible")
        INVALID = "invalid", _("rejected input")

    seq = models.BigIntegerField(unique=True, null=True)
    at = models.DateTimeField(_("time (UTC)"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    actor_username = models.CharField(max_length=150, blank=True)
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    role = models.CharField(max_length=32, blank=True)
    action = models.CharField(max_length=64)
    operation = models.CharField(max_length=1, help_text="C, R, U, D or E (export)")
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    fields = models.JSONField(default=list, blank=True)
    detail = models.JSONField(default=dict, blank=True)
    purpose = models.CharField(max_length=48, blank=True)
    legal_basis = models.CharField(max_length=400, blank=True)
    on_behalf_of = models.CharField(max_length=64, blank=True)
    emergency = models.BooleanField(default=False)
    result = models.CharField(max_length=12, choices=Result.choices)
    origin = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64, blank=True)
    hash = models.CharField(max_length=64, blank=True)
    # Which message the hash covers (samen.core.audit, ADR 0059): 1 the canonical JSON (SQLite,
    # and PostgreSQL entries older than the column), 2 the columns as the server writes them.
    form = models.SmallIntegerField(default=1, db_default=1)
    # PostgreSQL: the cases the entry is about, sorted, NULL for none (ADR 0086); one value per
    # entry where an AuditSubject row per case cost the append ~10 µs of server CPU each. Its
    # hash covers them as it covered the rows. On SQLite always NULL (AuditSubject rows).
    case_numbers = CaseNumbersField(models.CharField(max_length=16), null=True, blank=True)

    class Meta:
        ordering = ["-seq"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.result}"


class Purpose(models.Model):
    """A purpose of processing (doelbinding): every use of personal data serves one."""

    code = models.SlugField(max_length=40, unique=True)
    name_nl = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    description_nl = models.TextField(blank=True)
    description_en = models.TextField(blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")

    def __str__(self) -> str:
        return pick(self.name_nl, self.name_en)


class DataCategory(models.Model):
    code = models.SlugField(max_length=40, unique=True)
    name_nl = models.CharField(max_length=120)
    name_en = models.CharField(max_length=120)
    special = models.BooleanField(
        default=False, help_text=_("Special category (GDPR art. 9) or criminal data (art. 10).")
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("data category")
        verbose_name_plural = _("data categories")

    def __str__(self) -> str:
        return pick(self.name_nl, self.name_en)


class ProcessingRule(models.Model):
    """One line of the register of processing: this organisation type may process this category
    for this purpose, on this legal basis, this long, and may share it with these types."""

    organisation_type = models.CharField(_("organisation type"), max_length=32)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="rules")
    category = models.ForeignKey(DataCategory, on_delete=models.PROTECT, related_name="rules")
    legal_basis = models.CharField(
        _("legal basis (GDPR)"), max_length=200, help_text=_("e.g. GDPR art. 6(1)(e), 9(2)(g)")
    )
    sector_law = models.CharField(_("sector law"), max_length=200, blank=True)
    retention_days = models.PositiveIntegerField(_("retention (days)"))
    share_with = models.JSONField(
        _("may be shared with"), default=list, blank=True, help_text=_("organisation types")
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["organisation_type", "purpose__code", "category__code"]
        verbose_name = _("processing rule")
        verbose_name_plural = _("processing rules")
        constraints = [
            models.UniqueConstraint(
                fields=["organisation_type", "purpose", "category"], name="processing_rule_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation_type} · {self.purpose.code} · {self.category.code}"


class CaseShare(models.Model):
    """An explicit share of one case with another organisation, for one purpose and some
    categories; checked against the register when made, revocable."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="shares")
    from_organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="shares_given"
    )
    recipient = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="shares_received"
    )
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    categories = models.JSONField(default=list)
    reason = models.CharField(max_length=300, blank=True)
    shared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    shared_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-shared_at"]
        indexes = [models.Index(fields=["recipient", "revoked_at"])]

    def __str__(self) -> str:
        return f"share {self.pk} of case {self.case_id}"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class EmergencyAccess(models.Model):
    """Break the glass: access to a case outside one's scope, with a reason, for a short time,
    flagged and reviewed by the privacy officer."""

    case = models.ForeignKey("cases.Case", on_delete=models.CASCADE, related_name="emergencies")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=32)
    reason = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField(db_index=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    review_verdict = models.CharField(max_length=16, blank=True)  # justified / unjustified
    review_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"emergency access {self.pk}"


class AuditChainHead(models.Model):
    """The last entry of the hash chain; its row is locked while an entry is appended, which
    serialises appends so the chain has no forks."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self) -> str:
        return f"audit head {self.seq}"


class RegisterVersion(models.Model):
    """A token that changes with every write to the register's tables (a database trigger sets a
    fresh random one), so each process can keep the register in memory and check in one cheap
    query that its copy is current (samen.core.register). Random, not a counter: a rolled
    back change must not leave a copy cached under a number the next change reuses."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    token = models.CharField(max_length=40)

    def __str__(self) -> str:
        return f"register version {self.token}"


class RolePurpose(models.Model):
    """For which purposes a role acts; the first (lowest order) is its default."""

    role = models.CharField(max_length=32)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["role", "order"]
        constraints = [
            models.UniqueConstraint(fields=["role", "purpose"], name="role_purpose_unique")
        ]

    def __str__(self) -> str:
        return f"{self.role} · {self.purpose_id}"


class AuditSubject(models.Model):
    """Which cases an audit entry touched, so a subject-access report is one indexed query on
    every database (a list read touches many cases; their numbers are also in the entry)."""

    # Indexed with the case number (Meta): verify's fast walk reads each entry's numbers in
    # order from the index instead of sorting them (ADR 0059). No foreign-key constraint in the
    # database (ADR 0073): the append inserts these rows joined to the entry it has just
    # inserted, entries are never deleted, and verify checks every row against its entry's
    # hash; the constraint's 25 deferred checks per list read guarded nothing more.
    entry = models.ForeignKey(
        AuditEntry,
        on_delete=models.CASCADE,
        related_name="subjects",
        db_index=False,
        db_constraint=False,
    )
    # Looked up by equality only (the subject-access report, the audit search): migration 0012
    # drops the `varchar_pattern_ops` twin PostgreSQL's schema editor adds for LIKE.
    case_number = models.CharField(max_length=16, db_index=True)

    class Meta:
        indexes = [models.Index(fields=["entry", "case_number"], name="sharing_auditsubject_entry")]

    def __str__(self) -> str:
        return f"{self.case_number} in {self.entry_id}"


class ThrottleCount(models.Model):
    """Calls counted per throttle key (a user, a client address) in the current fixed window,
    shared by every worker; one row per key, bumped by one statement (samen.api.throttling).
    UNLOGGED on PostgreSQL: counts lost in a crash only start the window afresh."""

    key = models.CharField(max_length=200, primary_key=True)
    period = models.BigIntegerField()  # when the window began, seconds since the epoch
    hits = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}: {self.hits} in window {self.period}"
