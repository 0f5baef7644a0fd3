from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Publication(models.Model):
    """A release of the yearly tables as it left the module (page, download or API, for any
    reader), recorded on its first delivery so that every later release is checked against
    what readers really have (see samen.statistics.archive and releases). Aggregate counts
    only, no case or person; the true counts in ``archive`` are never shown.

    A release is one fixed period (``period_code``) for one set of data categories, in a
    ``version``: a later version of the same period is a correction of it."""

    period_code = models.CharField(_("period"), max_length=20, default="")
    version = models.PositiveIntegerField(_("version"), default=1)
    #: The data categories the tables were made from (roles may be granted different ones).
    categories = models.CharField(max_length=200, default="")
    #: Hash of the true counts: the same counts are the same release.
    fingerprint = models.CharField(max_length=64, default="")
    provisional = models.BooleanField(_("provisional"), default=False)
    #: Why this release differs from what readers might expect (a correction), shown to them.
    notice = models.TextField(_("notice"), blank=True)
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
        indexes = [
            models.Index(fields=["period_start", "period_end"]),
            models.Index(fields=["period_code", "categories", "version"]),
        ]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")

    def __str__(self) -> str:
        return f"{self.period_code or self.period_start} v{self.version}"


class HtcdsExport(models.Model):
    """One HTCDS 2.0 case-level export as it left: who, when, which years, k, and what an
    attacker learns from the file (the level of each column and the count of each released
    group, every one at least k), so that the next export of an overlapping population is
    checked against it (see samen.statistics.kanon). No case, no pseudonym, no key."""

    exported_at = models.DateTimeField(_("exported at"))
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    organisation = models.ForeignKey(
        "organisations.Organisation", null=True, on_delete=models.SET_NULL, related_name="+"
    )
    reason = models.CharField(_("reason"), max_length=200, blank=True)
    first_year = models.PositiveSmallIntegerField(_("first year"))
    last_year = models.PositiveSmallIntegerField(_("last year"))
    k = models.PositiveSmallIntegerField("k")
    columns = models.JSONField()
    levels = models.JSONField()
    groups = models.JSONField()  # [[value per column..., count], ...]
    released = models.PositiveIntegerField(_("records released"))
    withheld = models.PositiveIntegerField(_("records withheld"))
    held_back = models.PositiveIntegerField(_("records held back"))

    class Meta:
        ordering = ["exported_at", "id"]
        indexes = [models.Index(fields=["first_year", "last_year"])]
        verbose_name = _("HTCDS export")
        verbose_name_plural = _("HTCDS exports")

    def __str__(self) -> str:
        return f"HTCDS {self.first_year}–{self.last_year} ({self.exported_at:%Y-%m-%d})"
