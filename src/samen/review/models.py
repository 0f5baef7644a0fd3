"""Review by experts by experience (the Spiegelgroep): items put up for review, comments,
answers, and the versions of texts changed through review."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ItemKind(models.TextChoices):
    ADVICE_TEXT = "advice_text", _("advice text")
    MESSAGE_TEMPLATE = "message_template", _("message template")
    PAGE = "page", _("page")
    PROCEDURE = "procedure", _("procedure")
    ACTION = "action", _("action of the plan")


class ReviewItem(models.Model):
    kind = models.CharField(max_length=20, choices=ItemKind.choices)
    title = models.CharField(max_length=200)
    # What is reviewed: for an advice text the advice level (samen.signalling.triage), for an
    # action its code; free for pages and procedures.
    reference = models.CharField(max_length=80, blank=True)
    question = models.TextField(blank=True)
    text = models.TextField(blank=True)  # the text as put up for review
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opened_at", "-id"]

    def __str__(self) -> str:
        return self.title


class ReviewComment(models.Model):
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # Hidden from the other members of the group; the programme team still sees who wrote it.
    anonymous = models.BooleanField(default=False)
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"comment {self.pk}"


class Outcome(models.TextChoices):
    CHANGED = "changed", _("changed")
    NOT_CHANGED = "not_changed", _("not changed")


class TextVersion(models.Model):
    """A version of a text that review can change (an advice text's steps, one per line)."""

    key = models.CharField(max_length=80)
    version = models.PositiveIntegerField()
    text_nl = models.TextField()
    text_en = models.TextField()
    made_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    made_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["key", "-version"]
        constraints = [models.UniqueConstraint(fields=["key", "version"], name="text_version")]

    def __str__(self) -> str:
        return f"{self.key} v{self.version}"


class ReviewAnswer(models.Model):
    comment = models.OneToOneField(ReviewComment, on_delete=models.CASCADE, related_name="answer")
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    text = models.TextField()
    outcome = models.CharField(max_length=12, choices=Outcome.choices)
    change = models.TextField(blank=True)  # what changed, when it did
    reason = models.TextField(blank=True)  # why not, when it did not
    before = models.ForeignKey(
        TextVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    after = models.ForeignKey(
        TextVersion, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    answered_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"answer {self.pk}"
