"""Notices to platforms (DSA art. 16): composed per lead and URL, then followed step by step."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from samen.core import audit, policy
from samen.core.actor import Actor
from samen.online import explain
from samen.online.models import (
    Lead,
    Notice,
    NoticeStatus,
)
from samen.online.services.leads import _lead_for
from samen.online.services.scans import _touch, own_row

NEXT_NOTICE_STATUS: dict[str, set[str]] = {
    NoticeStatus.OPEN: {NoticeStatus.SENT},
    NoticeStatus.SENT: {NoticeStatus.ANSWERED, NoticeStatus.REMOVED, NoticeStatus.REFUSED},
    NoticeStatus.ANSWERED: {NoticeStatus.REMOVED, NoticeStatus.REFUSED},
    NoticeStatus.REMOVED: set(),
    NoticeStatus.REFUSED: set(),
}


def lead_urls(lead: Lead) -> list[str]:
    """The ad URLs a lead names: its sample ads and its personas' ads."""
    urls = [str(e.get("url")) for e in lead.data.get("evidence", []) if e.get("url")]
    return list(dict.fromkeys(u for u in urls if u.startswith(("http://", "https://"))))


def platform_of(url: str) -> str:
    host = url.split("://", 1)[-1].split("/", 1)[0].split("@")[-1].split(":")[0]
    return host.lower()[:200]


def notice_reasons(lead: Lead, url: str, language: str) -> str:
    """The substantiated explanation of the reasons (art. 16(2)(a)), in one language."""
    hits: list[dict[str, Any]] = next(
        (e.get("hits", []) for e in lead.data.get("evidence", []) if e.get("url") == url), []
    )
    with translation.override(language):
        lines = [
            _(
                "We have reason to believe that this advertisement offers sexual services of a "
                "person who may be a victim of human trafficking (Dutch Criminal Code art. 273f), "
                "which is illegal content."
            ),
            _("The advertisement belongs to a group of %(n)d ads that share:") % {"n": lead.size},
            *(
                f"- {line}"
                for line in explain.summary(lead.data, lead.data.get("persona_cities", {}))
            ),
            *(
                f"- {i.label}" + (f" ({i.share})" if i.share else "")
                for i in explain.indicators(lead.data)[:6]
            ),
        ]
        if hits:
            lines.append(_("Words in this advertisement that point to it:"))
            for hit in hits[:8]:
                label = explain.indicator_label(str(hit.get("indicator", "")))
                lines.append(f"- “{hit.get('evidence', '')}” ({label})")
        return "\n".join(str(line) for line in lines)


def notices_compose(
    *, actor: Actor, lead_id: int, urls: list[str], notifier_email: str
) -> list[Notice]:
    """One notice per URL (and so per platform), in Dutch and English; a URL that already has a
    notice for this lead keeps it."""
    lead = _lead_for(actor, lead_id, "online.notice")
    allowed = set(lead_urls(lead))
    chosen = [u for u in dict.fromkeys(urls) if u in allowed]
    if not chosen:
        raise ValidationError({"urls": [_("Choose at least one address of the lead's ads.")]})
    made = []
    with transaction.atomic():
        for url in chosen:
            notice, created = Notice.objects.get_or_create(
                lead=lead,
                url=url,
                defaults={
                    "organisation": actor.organisation,
                    "platform": platform_of(url),
                    "reasons_nl": notice_reasons(lead, url, "nl"),
                    "reasons_en": notice_reasons(lead, url, "en"),
                    "notifier_name": actor.organisation.name if actor.organisation else "",
                    "notifier_email": notifier_email,
                    "created_by": actor.user,
                },
            )
            if created:
                audit.record(
                    actor,
                    "online.notice.create",
                    object_type="online_notice",
                    object_id=str(notice.pk),
                    purpose=policy.purpose_of(actor),
                )
            made.append(notice)
    _touch(lead.scan)
    return made


def _notice_for(actor: Actor, notice_id: int, permission: str) -> Notice:
    rows = Notice.objects.select_related("lead__scan").filter(organisation=actor.organisation)
    return own_row(actor, rows, notice_id, permission, "online_notice")


def notice_update(
    *, actor: Actor, notice_id: int, status: str, at: datetime | None = None, answer: str = ""
) -> Notice:
    """Record a step: sent (when), the platform's answer (when, what), removed or refused."""
    notice = _notice_for(actor, notice_id, "online.notice")
    if status not in NEXT_NOTICE_STATUS.get(notice.status, set()):
        raise ValidationError({"status": [_("This step does not follow the notice's last one.")]})
    at = at or timezone.now()
    if at > timezone.now():
        raise ValidationError({"at": [_("This moment lies in the future.")]})
    if notice.sent_at and status != NoticeStatus.SENT and at < notice.sent_at:
        raise ValidationError({"at": [_("The answer cannot come before the notice was sent.")]})
    with transaction.atomic():
        if status == NoticeStatus.SENT:
            notice.sent_at = at
        else:
            notice.answered_at = notice.answered_at or at
            if answer:
                notice.answer = answer[:5000]
        if status in (NoticeStatus.REMOVED, NoticeStatus.REFUSED):
            notice.closed_at = at
        notice.status = status
        notice.updated_at = timezone.now()
        notice.save()
        audit.record(
            actor,
            "online.notice.update",
            object_type="online_notice",
            object_id=str(notice.pk),
            purpose=policy.purpose_of(actor),
            detail={"status": status},
        )
    _touch(notice.lead.scan)
    return notice
