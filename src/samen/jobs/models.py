"""Outgoing e-mail, kept until a job has sent it.

The job that sends a message gets only the row's id, so neither the queue's tables nor the worker's
log lines hold an address; a retried or repeated job finds `sent_at` set and sends nothing twice.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutgoingMail(models.Model):
    created_at = models.DateTimeField(_("created at"), db_index=True)
    subject = models.CharField(_("subject"), max_length=300)
    body = models.TextField(_("body"))
    from_email = models.CharField(_("from"), max_length=254, blank=True)
    recipients = models.JSONField(_("recipients"), default=list)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)

    class Meta:
        verbose_name = _("outgoing e-mail")
        verbose_name_plural = _("outgoing e-mails")

    def __str__(self) -> str:
        return f"mail {self.pk}"
