"""The anonymous chat: conversations, their messages, counsellors' presence, safety alerts and the
hand-over into the chain. Nothing here names the person: no account, no address, no fingerprint;
the browser holds a random token whose hash finds its conversation. Retention deletes a
conversation with everything on it a short period after its last activity (chat/retention.py)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class ConversationStatus(models.TextChoices):
    WAITING = "waiting", _("Waiting for a counsellor")
    ACTIVE = "active", _("In conversation")
    CLOSED = "closed", _("Closed")


class Conversation(models.Model):
    token_hash = models.CharField(max_length=64, unique=True)
    status = models.CharField(
        max_length=16, choices=ConversationStatus.choices, default=ConversationStatus.WAITING
    )
    counsellor = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    language = models.CharField(max_length=8, default="nl")
    safety_flag = models.BooleanField(default=False)
    created_at = models.DateTimeField()
    last_activity_at = models.DateTimeField(db_index=True)
    closed_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return f"conversation {self.pk}"


class Sender(models.TextChoices):
    PERSON = "person", _("Person")
    COUNSELLOR = "counsellor", _("Counsellor")
    SYSTEM = "system", _("Samen")


class Message(models.Model):
    conversation = models.ForeignKey(
        Conversation, on_delete=models.CASCADE, related_name="messages"
    )
    sender = models.CharField(max_length=16, choices=Sender.choices)
    body = models.TextField()
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["id"]
        indexes = [models.Index(fields=["conversation", "id"], name="chat_message_conv_id")]

    def __str__(self) -> str:
        return f"message {self.pk}"


class Presence(models.Model):
    """Whether a counsellor is on duty; the queue shows who is, and who was seen lately."""

    membership = models.OneToOneField(
        "organisations.Membership", on_delete=models.CASCADE, related_name="+"
    )
    available = models.BooleanField(default=False)
    seen_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"presence {self.membership_id}"


class SafetyAlert(models.Model):
    """A counsellor's flag of acute danger, for the supervisors on duty (advise 112)."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="alerts")
    raised_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    raised_at = models.DateTimeField()
    acknowledged_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-raised_at"]

    def __str__(self) -> str:
        return f"alert {self.pk}"


class HandOver(models.Model):
    """A proposal to turn the conversation into a signal, and once the person consents, the
    signal it became. The draft holds what the person chose to share and is deleted with the
    conversation; the link to the signal and the person's reference live as long as the signal."""

    conversation = models.OneToOneField(
        Conversation, on_delete=models.SET_NULL, null=True, related_name="hand_over"
    )
    proposed_by = models.ForeignKey(
        "organisations.Membership", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    proposed_at = models.DateTimeField()
    draft = models.JSONField(default=dict)
    consent_at = models.DateTimeField(null=True)
    declined_at = models.DateTimeField(null=True)
    signal = models.ForeignKey(
        "signalling.Signal", on_delete=models.CASCADE, null=True, related_name="+"
    )

    def __str__(self) -> str:
        return f"hand-over {self.pk}"
