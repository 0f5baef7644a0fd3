from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """A release of the yearly tables as it was published, kept so that the next release is
    checked against what readers really have (see samen.statistics.archive). Aggregate counts
    only, no case or person; the true counts in ``archive`` are never shown."""

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    cells = models.PositiveIntegerField(_("cells"))
    suppressed = models.PositiveIntegerField(_("suppressed cells"))
    archive = models.JSONField()

    class Meta:
        ordering = ["-published_at", "-id"]
        indexes = [models.Index(fields=["period_start", "period_end"])]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.period_start} – {self.period_end} ({self.published_at:%Y-%m-%d})"
