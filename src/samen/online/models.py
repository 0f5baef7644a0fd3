"""What the chain keeps of the online engine's work: the analyst's scans, their leads and marks,
the notices to platforms, and which leads were sent in as signals.

Every row here is online data (ADR 0012): deleted a year after it was last written
(retention.json, "online"). A scan's `touched_at` moves with every mark, send and notice, so a
lead someone still works on is not deleted under them.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class SentLead(models.Model):
    """A lead sent into the chain. The fingerprint (a hash of the lead's sample ads, personas and
    contacts, never the values themselves) makes sending the same lead again find this signal
    and case instead of opening new ones."""

    fingerprint = models.CharField(max_length=64, unique=True)
    cluster_id = models.CharField(max_length=32)
    signal = models.ForeignKey(
        "signalling.Signal", on_delete=models.PROTECT, null=True, related_name="+"
    )
    is_synthetic = models.BooleanField(default=False)
    sent_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"lead {self.cluster_id}"


class ScanStatus(models.TextChoices):
    QUEUED = "queued", _("Waiting to start")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


class Scan(models.Model):
    """One run of the engine over one file of ads, started by an analyst of an organisation.
    Its files (the input, leads.json, clusters.csv, the report) live in `directory` under
    ONLINE_DATA_DIR; the leads are copied into rows so that the screen survives restarts."""

    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    source_name = models.CharField(_("file"), max_length=200)
    directory = models.CharField(max_length=64, unique=True)
    input_name = models.CharField(max_length=32)
    status = models.CharField(
        _("status"), max_length=16, choices=ScanStatus.choices, default=ScanStatus.QUEUED
    )
    progress = models.FloatField(default=0.0)  # share of the input's bytes read, 0..1
    ads = models.PositiveIntegerField(default=0)
    bad_lines = models.PositiveIntegerField(default=0)
    duplicate_ids = models.PositiveIntegerField(default=0)
    lead_count = models.PositiveIntegerField(default=0)
    failure = models.CharField(max_length=200, blank=True)  # a translatable English message
    is_synthetic = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    touched_at = models.DateTimeField(default=timezone.now)  # the retention clock

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"scan {self.pk}"


class LeadStatus(models.TextChoices):
    OPEN = "open", _("Not reviewed yet")
    REVIEWED = "reviewed", _("Reviewed")
    FALSE_POSITIVE = "false_positive", _("False positive")
    SENT = "sent", _("Sent into the chain")


class Lead(models.Model):
    """A lead cluster of a scan: the engine's explanation as it wrote it (`data`, one cluster of
    leads.json) plus what Samen adds: the personas' cities and the cities over time."""

    scan = models.ForeignKey(Scan, on_delete=models.CASCADE, related_name="leads")
    cluster_id = models.CharField(max_length=32)
    rank = models.PositiveIntegerField()
    score = models.FloatField()
    size = models.PositiveIntegerField()
    first_seen = models.DateField(null=True, blank=True)
    last_seen = models.DateField(null=True, blank=True)
    data = models.JSONField(default=dict)
    status = models.CharField(
        _("status"), max_length=16, choices=LeadStatus.choices, default=LeadStatus.OPEN
    )
    signal = models.ForeignKey(
        "signalling.Signal", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    touched_at = models.DateTimeField(default=timezone.now)  # moves with its scan's clock

    class Meta:
        ordering = ["rank"]
        constraints = [
            models.UniqueConstraint(fields=["scan", "cluster_id"], name="online_lead_unique")
        ]

    def __str__(self) -> str:
        return f"lead {self.cluster_id}"


class LeadMark(models.Model):
    """Each decision on a lead, kept: who marked it what, and when."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="marks")
    status = models.CharField(max_length=16, choices=LeadStatus.choices)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-pk"]

    def __str__(self) -> str:
        return f"mark {self.status}"


class NoticeStatus(models.TextChoices):
    OPEN = "open", _("Not sent yet")
    SENT = "sent", _("Sent to the platform")
    ANSWERED = "answered", _("Platform answered")
    REMOVED = "removed", _("Removed by the platform")
    REFUSED = "refused", _("Refused by the platform")


class Notice(models.Model):
    """A notice to a hosting platform about one URL (DSA art. 16): the reasons, the exact
    location, the notifier (the organisation and its functional mailbox, never a person's own
    address) and the statement of good faith; then when it was sent, the answer, removal."""

    lead = models.ForeignKey(Lead, on_delete=models.CASCADE, related_name="notices")
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    platform = models.CharField(_("platform"), max_length=200)
    url = models.URLField(_("exact location (URL)"), max_length=2000)
    reasons_nl = models.TextField()
    reasons_en = models.TextField()
    notifier_name = models.CharField(_("notifier"), max_length=200)
    notifier_email = models.EmailField(_("notifier's e-mail address"))
    status = models.CharField(
        _("status"), max_length=16, choices=NoticeStatus.choices, default=NoticeStatus.OPEN
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answer = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["lead", "url"], name="online_notice_one_per_url")
        ]

    def __str__(self) -> str:
        return f"notice {self.pk}"
