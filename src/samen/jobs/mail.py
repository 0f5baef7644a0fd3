"""E-mail through the job queue: the request stores the message and a job sends it, with retries.

Every `send_mail` of the apps goes through this backend (EMAIL_BACKEND). With the queue on
(settings.JOBS_QUEUED, PostgreSQL) a message is stored as an OutgoingMail row and a job is
deferred in the same transaction, so a request that rolls back sends nothing and a mail server
that is down delays mail instead of failing the request. Without the queue (SQLite: `make run`)
it sends at once through the final backend, as before.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import EmailMessage
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone

from samen.jobs.models import OutgoingMail
from samen.jobs.services import final_connection


class JobEmailBackend(BaseEmailBackend):
    def send_messages(self, email_messages: Sequence[EmailMessage]) -> int:
        if not getattr(settings, "JOBS_QUEUED", False):
            return final_connection(fail_silently=self.fail_silently).send_messages(email_messages)
        stored = 0
        for message in email_messages:
            recipients = message.recipients()
            if not recipients:
                continue
            mail_queue(
                subject=str(message.subject),
                body=str(message.body),
                from_email=str(message.from_email or settings.DEFAULT_FROM_EMAIL),
                recipients=list(recipients),
            )
            stored += 1
        return stored


def mail_queue(*, subject: str, body: str, from_email: str, recipients: list[str]) -> OutgoingMail:
    """Store a message and defer the job that sends it once the transaction commits."""
    # Imported here: the task module needs the app registry of procrastinate, which is installed
    # only on PostgreSQL.
    from samen.jobs.tasks import send_mail_job

    mail = OutgoingMail.objects.create(
        created_at=timezone.now(),
        subject=subject[:300],
        body=body,
        from_email=from_email,
        recipients=recipients,
    )
    transaction.on_commit(lambda: send_mail_job.defer(mail_id=mail.pk))
    return mail
