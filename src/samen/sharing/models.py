from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditEntry(models.Model):
    """One use of case data: who, for whom, what, which fields, with what result, from where.

    Written only by samen.sharing.audit; never updated or deleted by the application.
    """

    class Result(models.TextChoices):
        OK = "ok", _("allowed")
        DENIED = "denied", _("denied")
        NOT_FOUND = "not_found", _("not found or not visible")
        INVALID = "invalid", _("rejected input")

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
    result = models.CharField(max_length=12, choices=Result.choices)
    origin = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.action} {self.result}"
