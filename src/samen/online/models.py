"""What the chain keeps of the online engine's work: which leads were sent in as signals."""

from __future__ import annotations

from django.db import models


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
