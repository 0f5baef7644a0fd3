"""Outreach from an online lead: a first contact sent by the worker through the platform's own
channel (Samen never sends), and its follow-up. The contact detail from the ad (phone number,
handle) is the only personal data; retention erases it 90 days after the contact's last step
(retention.json, "outreach"), the steps stay for the monthly reach and response figures."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ContactStatus(models.TextChoices):
    SENT = "sent", _("Sent, no answer yet")
    ANSWERED = "answered", _("Answered")
    NO_ANSWER = "no_answer", _("No answer")
    REFERRED = "referred", _("Referred to help")
    STOPPED = "stopped", _("Stopped")


class Contact(models.Model):
    organisation = models.ForeignKey(
        "organisations.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    lead = models.CharField(max_length=32)  # the lead cluster's id in the scan's leads.json
    platform = models.CharField(max_length=60)  # the channel the worker used, in their words
    contact_detail = models.CharField(max_length=200, blank=True)
    language = models.CharField(max_length=8)
    template = models.CharField(max_length=40)
    sent_at = models.DateTimeField()
    status = models.CharField(
        max_length=16, choices=ContactStatus.choices, default=ContactStatus.SENT
    )
    updated_at = models.DateTimeField(db_index=True)
    detail_erased = models.BooleanField(default=False)

    class Meta:
        ordering = ["-sent_at"]

    def __str__(self) -> str:
        return f"outreach {self.pk}"


class ContactStep(models.Model):
    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="steps")
    status = models.CharField(max_length=16, choices=ContactStatus.choices)
    at = models.DateTimeField()
    by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"step {self.pk}"
