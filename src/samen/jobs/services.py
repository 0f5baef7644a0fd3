"""What the scheduled jobs do, apart from the queue so each step is testable without a worker.

Every step is idempotent: run twice, or by two workers at once, it changes nothing the second
time (each underlying service already says so; the audit verification only reads).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage, get_connection, send_mail
from django.core.mail.backends.base import BaseEmailBackend
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from samen.accounts.models import User
from samen.chat.services import chat_purge
from samen.core import audit
from samen.core.actor import Actor
from samen.identification.reminders import reminders_send
from samen.identification.services import minors_turning_adult
from samen.jobs.models import OutgoingMail
from samen.organisations.models import Role
from samen.outreach.services import outreach_purge
from samen.sharing import retention
from samen.shelter.services import capacity_alarm_check, holds_expire

log = logging.getLogger("samen.jobs")


def final_connection(*, fail_silently: bool = False) -> BaseEmailBackend:
    """The backend that really sends (SMTP in production), behind the job backend."""
    return get_connection(settings.EMAIL_BACKEND_FINAL, fail_silently=fail_silently)


def reminders_run() -> int:
    sent = reminders_send()
    minors_turning_adult()
    return sent


def chat_purge_run() -> int:
    """The anonymous chat's conversations past their retention (#23); counts only."""
    return sum(chat_purge().values())


def outreach_purge_run() -> int:
    """Outreach contact details past their retention (#23)."""
    return outreach_purge()


def holds_expire_run() -> int:
    return holds_expire()


def capacity_check_run() -> int:
    return len(capacity_alarm_check())


def retention_run() -> int:
    now = timezone.now()
    steps = retention.plan(now=now)
    actor = Actor(user=None, membership=None, origin="job:retention")
    done = retention.apply(steps=steps, actor=actor, now=now)
    return sum(done.values())


@dataclass(frozen=True)
class AuditCheck:
    ok: bool
    checked: int
    reason: str  # a short code or the verifier's reason; never personal data


def audit_check() -> AuditCheck:
    """The nightly verification, by the rule of `samen audit verify`: a chain with entries but no
    checkpoint counts as broken (removal of the newest entries could not be ruled out)."""
    result = audit.verify()
    if not result.ok:
        return AuditCheck(ok=False, checked=result.checked, reason=result.reason or "broken")
    if result.checked and result.last_checkpoint is None:
        return AuditCheck(ok=False, checked=result.checked, reason="not anchored")
    return AuditCheck(ok=True, checked=result.checked, reason="")


def privacy_officers() -> list[User]:
    return list(
        User.objects.filter(
            is_active=True, memberships__role=Role.PRIVACY_OFFICER, memberships__is_active=True
        ).distinct()
    )


def audit_verify_run() -> AuditCheck:
    """Verify the audit trail; on a break, alarm every privacy officer by e-mail (and the log)."""
    check = audit_check()
    if check.ok:
        return check
    log.error("audit trail verification failed: %s", check.reason)
    emails = sorted({u.email for u in privacy_officers() if u.email})
    if emails:
        send_mail(
            subject=_("Samen: the audit trail failed its nightly verification"),
            message=_(
                "The nightly verification of the audit trail failed (%(reason)s) after "
                "%(checked)d intact entries. Run `samen audit verify` and follow the procedure "
                "for a broken audit trail."
            )
            % {"reason": check.reason, "checked": check.checked},
            from_email=None,
            recipient_list=emails,
        )
    return check


def mail_send(*, mail_id: int) -> bool:
    """Send one stored message unless it was sent already; True when it went out now. Raises on
    a failure of the mail server, so the job is retried."""
    with transaction.atomic():
        mail = OutgoingMail.objects.select_for_update().filter(pk=mail_id).first()
        if mail is None or mail.sent_at is not None:
            return False
        mail.attempts += 1
        OutgoingMail.objects.filter(pk=mail.pk).update(attempts=mail.attempts)
    message = EmailMessage(mail.subject, mail.body, mail.from_email or None, mail.recipients)
    final_connection().send_messages([message])
    OutgoingMail.objects.filter(pk=mail.pk, sent_at__isnull=True).update(sent_at=timezone.now())
    return True


def mail_purge(*, days: int = 30) -> int:
    """Sent messages are deleted after `days`: the queue is no archive of mail."""
    cutoff = timezone.now() - timedelta(days=days)
    deleted, _ = OutgoingMail.objects.filter(sent_at__lt=cutoff).delete()
    return deleted
