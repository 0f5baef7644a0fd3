"""The knowledge base: signal-list cards, guides, trainings and campaigns for professionals."""

from __future__ import annotations

from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.utils.translation import gettext_lazy as _

from samen.i18n import pick


class Kind(models.TextChoices):
    CARD = "card", _("signal list card")
    GUIDE = "guide", _("guide")
    TRAINING = "training", _("training")
    CAMPAIGN = "campaign", _("campaign")


class Resource(models.Model):
    code = models.SlugField(max_length=80, unique=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    title_nl = models.CharField(max_length=200)
    title_en = models.CharField(max_length=200)
    text_nl = models.TextField(blank=True)
    text_en = models.TextField(blank=True)
    audience_nl = models.CharField(max_length=200, blank=True)
    audience_en = models.CharField(max_length=200, blank=True)
    # The settings (signal-list codes) this resource is for; empty: every setting.
    settings = models.JSONField(default=list, blank=True)
    link = models.URLField(blank=True)
    # A card is the printable form of one signal list.
    signal_list_code = models.SlugField(max_length=40, blank=True)
    # The programme indicator that counts this resource's reach (samen.programme Indicator.code).
    reach_indicator = models.SlugField(max_length=80, blank=True)
    # Filled on PostgreSQL only (Dutch dictionary; GIN index in migration 0002); NULL on SQLite,
    # where search falls back to a plain substring match.
    search_vector = SearchVectorField(null=True, editable=False)
    checksum = models.CharField(max_length=64)

    class Meta:
        ordering = ["kind", "code"]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return pick(self.title_nl, self.title_en)

    @property
    def text(self) -> str:
        return pick(self.text_nl, self.text_en)

    @property
    def audience(self) -> str:
        return pick(self.audience_nl, self.audience_en)
