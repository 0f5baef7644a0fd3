"""Writes of the anonymous chat. The person has no account: their calls carry the token their
browser holds and are never audited (an audit entry would carry their address as origin). Every
counsellor's and supervisor's act is audited without message content (ids and codes only)."""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import replace
from datetime import date, datetime, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.translation import gettext as _
from django.utils.translation import override

from samen.chat import broker, conf
from samen.chat.models import (
    Conversation,
    ConversationStatus,
    HandOver,
    Message,
    Presence,
    SafetyAlert,
    Sender,
)
from samen.core import audit, audited, policy
from samen.core.actor import Actor, actor_for_membership
from samen.organisations.models import Membership
from samen.signalling.services import PersonInput, SignalInput, signal_record

HANDOVER_SIGNAL_LIST = "general"


class RateLimited(ValidationError):
    """Too many messages from one conversation in the window (answered 429)."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _notify_after_commit(*topics: str) -> None:
    transaction.on_commit(lambda: broker.notify(*topics))


def _system(conversation: Conversation, text: str, now: datetime) -> None:
    Message.objects.create(
        conversation=conversation, sender=Sender.SYSTEM, body=text, created_at=now
    )


def conversation_start(*, language: str = "nl", now: datetime | None = None) -> tuple[int, str]:
    """Open a conversation; returns its id and the token only the person's browser keeps."""
    now = now or timezone.now()
    if Conversation.objects.filter(status=ConversationStatus.WAITING).count() >= conf.max_waiting():
        raise ValidationError({"chat": [_("All counsellors are busy. Please try again later.")]})
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        conversation = Conversation.objects.create(
            token_hash=token_hash(token),
            language="en" if language == "en" else "nl",
            created_at=now,
            last_activity_at=now,
        )
        _notify_after_commit(broker.QUEUE_TOPIC)
    return conversation.pk, token


def clean_body(body: str) -> str:
    """Plain text only: tags are dropped (the pages render text, never HTML), size bounded."""
    text = strip_tags(str(body or "")).replace("\x00", "").strip()
    if not text:
        raise ValidationError({"body": [_("Type a message first.")]})
    limit = conf.max_message_chars()
    if len(text) > limit:
        raise ValidationError(
            {"body": [_("Keep a message under %(n)d characters.") % {"n": limit}]}
        )
    return text


def _post(conversation: Conversation, sender: str, body: str, now: datetime) -> Message:
    message = Message.objects.create(
        conversation=conversation, sender=sender, body=body, created_at=now
    )
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=now)
    _notify_after_commit(broker.conversation_topic(conversation.pk), broker.QUEUE_TOPIC)
    return message


def _open_by_token(token: str) -> Conversation:
    conversation = (
        Conversation.objects.select_for_update().filter(token_hash=token_hash(token or "")).first()
    )
    if conversation is None or conversation.status == ConversationStatus.CLOSED:
        raise ValidationError({"chat": [_("This conversation has ended.")]})
    return conversation


def person_send(*, token: str, body: str, now: datetime | None = None) -> int:
    now = now or timezone.now()
    text = clean_body(body)
    with transaction.atomic():
        conversation = _open_by_token(token)
        limit, window = conf.rate_limit()
        recent = Message.objects.filter(
            conversation=conversation,
            sender=Sender.PERSON,
            created_at__gt=now - timedelta(seconds=window),
        ).count()
        if recent >= limit:
            raise RateLimited({"body": [_("Slow down a little, please, and send again.")]})
        return _post(conversation, Sender.PERSON, text, now).pk


def person_exit(*, token: str, now: datetime | None = None) -> None:
    """The quick exit: the conversation ends at once (its messages go with retention)."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = (
            Conversation.objects.select_for_update().filter(token_hash=token_hash(token)).first()
        )
        if conversation is None or conversation.status == ConversationStatus.CLOSED:
            return
        conversation.status = ConversationStatus.CLOSED
        conversation.closed_at = now
        # The old cookie must open nothing any more (someone who grabs the phone after the quick
        # exit replays it): the hash now belongs to a token nobody holds.
        conversation.token_hash = token_hash(secrets.token_urlsafe(32))
        conversation.save(update_fields=["status", "closed_at", "token_hash"])
        with override(conversation.language):
            _system(conversation, _("The person left the chat."), now)
        _post_touch(conversation, now)


def _post_touch(conversation: Conversation, now: datetime) -> None:
    Conversation.objects.filter(pk=conversation.pk).update(last_activity_at=now)
    _notify_after_commit(broker.conversation_topic(conversation.pk), broker.QUEUE_TOPIC)


def _mine(actor: Actor, pk: int, *, lock: bool = True) -> Conversation:
    policy.require(actor, "chat.counsel", object_type="conversation", object_id=str(pk))
    qs = Conversation.objects.select_for_update() if lock else Conversation.objects
    conversation = qs.filter(pk=pk).first()
    if conversation is None:
        raise policy.not_visible(
            actor, "chat.counsel", object_type="conversation", object_id=str(pk)
        )
    return conversation


def _require_own(actor: Actor, conversation: Conversation) -> None:
    # Another counsellor's chat looks exactly like a missing one (its existence is not told).
    if conversation.counsellor_id != actor.membership.pk:  # type: ignore[union-attr]
        raise policy.not_visible(
            actor, "chat.counsel", object_type="conversation", object_id=str(conversation.pk)
        )
    if conversation.status != ConversationStatus.ACTIVE:
        raise ValidationError({"chat": [_("This conversation is not open.")]})


def _audit(actor: Actor, action: str, conversation: Conversation, **detail: object) -> None:
    audited.record(
        actor,
        action,
        object_type="conversation",
        object_id=str(conversation.pk),
        detail=detail or None,
    )


def conversation_take(*, actor: Actor, pk: int, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _mine(actor, pk)
        if conversation.status != ConversationStatus.WAITING:
            raise ValidationError({"chat": [_("Another counsellor already took this chat.")]})
        conversation.status = ConversationStatus.ACTIVE
        conversation.counsellor = actor.membership
        conversation.save(update_fields=["status", "counsellor"])
        with override(conversation.language):
            _system(conversation, _("A counsellor joined the chat."), now)
        _post_touch(conversation, now)
        _audit(actor, "chat.take", conversation)


def counsellor_send(*, actor: Actor, pk: int, body: str, now: datetime | None = None) -> int:
    now = now or timezone.now()
    text = clean_body(body)
    with transaction.atomic():
        conversation = _mine(actor, pk)
        _require_own(actor, conversation)
        message = _post(conversation, Sender.COUNSELLOR, text, now)
        _audit(actor, "chat.message", conversation, message=message.pk)
        return message.pk


def conversation_transfer(
    *, actor: Actor, pk: int, to_membership: int, now: datetime | None = None
) -> None:
    """Hand the conversation to another counsellor on duty."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _mine(actor, pk)
        _require_own(actor, conversation)
        target = Membership.objects.filter(
            pk=to_membership,
            is_active=True,
            role__in=policy.PERMISSIONS["chat.counsel"],
            organisation=actor.organisation,
        ).first()
        on_duty = Presence.objects.filter(membership=target, available=True).exists()
        if target is None or target.pk == actor.membership.pk or not on_duty:  # type: ignore[union-attr]
            raise ValidationError({"to": [_("Choose a colleague who is on duty.")]})
        conversation.counsellor = target
        conversation.save(update_fields=["counsellor"])
        with override(conversation.language):
            _system(conversation, _("Another counsellor took over the chat."), now)
        _post_touch(conversation, now)
        _audit(actor, "chat.transfer", conversation, to=target.pk)


def conversation_close(*, actor: Actor, pk: int, now: datetime | None = None) -> None:
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _mine(actor, pk)
        _require_own(actor, conversation)
        conversation.status = ConversationStatus.CLOSED
        conversation.closed_at = now
        conversation.save(update_fields=["status", "closed_at"])
        with override(conversation.language):
            _system(conversation, _("The counsellor ended the chat."), now)
        _post_touch(conversation, now)
        _audit(actor, "chat.close", conversation)


def safety_flag(*, actor: Actor, pk: int, now: datetime | None = None) -> int:
    """Acute danger: the supervisors on duty are alerted, and the person is advised to call 112."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _mine(actor, pk)
        _require_own(actor, conversation)
        alert = SafetyAlert.objects.create(
            conversation=conversation, raised_by=actor.membership, raised_at=now
        )
        conversation.safety_flag = True
        conversation.save(update_fields=["safety_flag"])
        with override(conversation.language):
            _system(
                conversation,
                _("Are you in danger right now? Call 112 (police, ambulance, fire brigade)."),
                now,
            )
        _post_touch(conversation, now)
        _audit(actor, "chat.safety_flag", conversation, alert=alert.pk)
        _notify_after_commit(broker.ALERT_TOPIC)
        return alert.pk


def alert_acknowledge(*, actor: Actor, pk: int, now: datetime | None = None) -> None:
    policy.require(actor, "chat.supervise", object_type="safety_alert", object_id=str(pk))
    with transaction.atomic():
        alert = SafetyAlert.objects.select_for_update().filter(pk=pk).first()
        if alert is None:
            raise policy.not_visible(
                actor, "chat.supervise", object_type="safety_alert", object_id=str(pk)
            )
        if alert.acknowledged_at is None:
            alert.acknowledged_at = now or timezone.now()
            alert.acknowledged_by = actor.membership
            alert.save(update_fields=["acknowledged_at", "acknowledged_by"])
            audited.record(
                actor,
                "chat.alert_acknowledge",
                object_type="safety_alert",
                object_id=str(alert.pk),
            )
        _notify_after_commit(broker.ALERT_TOPIC)


def presence_set(*, actor: Actor, available: bool, now: datetime | None = None) -> None:
    policy.require(actor, "chat.counsel", object_type="presence")
    Presence.objects.update_or_create(
        membership=actor.membership,
        defaults={"available": available, "seen_at": now or timezone.now()},
    )
    transaction.on_commit(lambda: broker.notify(broker.QUEUE_TOPIC))


def _draft(
    *,
    indicators: list[str],
    municipality: str,
    gender: str,
    age_band: str,
    notes: str,
    today: date,
) -> SignalInput:
    return SignalInput(
        signal_list=HANDOVER_SIGNAL_LIST,
        indicators=list(indicators),
        observed_on=today,
        municipality=municipality,
        setting=_("anonymous chat"),
        notes=notes,
        person=PersonInput(gender=gender, age_band=age_band),
    )


def handover_propose(
    *,
    actor: Actor,
    pk: int,
    indicators: list[str],
    municipality: str,
    gender: str,
    age_band: str,
    notes: str,
    now: datetime | None = None,
) -> None:
    """Put to the person exactly what would leave the chat; nothing leaves until they agree."""
    now = now or timezone.now()
    if not indicators:
        raise ValidationError({"indicators": [_("Tick at least one indicator.")]})
    with transaction.atomic():
        conversation = _mine(actor, pk)
        _require_own(actor, conversation)
        HandOver.objects.filter(conversation=conversation, signal__isnull=True).delete()
        HandOver.objects.create(
            conversation=conversation,
            proposed_by=actor.membership,
            proposed_at=now,
            draft={
                "indicators": list(indicators),
                "municipality": municipality,
                "gender": gender,
                "age_band": age_band,
                "notes": notes[:5000],
            },
        )
        with override(conversation.language):
            _system(conversation, _("The counsellor asks whether you agree to be referred."), now)
        _post_touch(conversation, now)
        _audit(actor, "chat.handover_propose", conversation)


def draft_digest(draft: dict) -> str:
    """Names one draft's content: the person's consent is to the draft their screen showed."""
    return hashlib.sha256(json.dumps(draft, sort_keys=True).encode()).hexdigest()[:16]


def handover_answer(
    *, token: str, agree: bool, shown: str = "", now: datetime | None = None
) -> str:
    """The person's answer. With consent the draft becomes a signal recorded by the counsellor's
    organisation, the consent is audited, and the person gets the signal's receipt as their
    reference; the draft itself is then erased from the chat. Without consent nothing leaves."""
    now = now or timezone.now()
    with transaction.atomic():
        conversation = _open_by_token(token)
        hand_over = (
            HandOver.objects.select_for_update(of=("self",))
            .filter(conversation=conversation, signal__isnull=True, declined_at__isnull=True)
            .select_related("proposed_by__organisation", "proposed_by__user")
            .first()
        )
        if hand_over is None or hand_over.proposed_by is None:
            raise ValidationError({"chat": [_("There is no referral to answer.")]})
        if agree and shown != draft_digest(hand_over.draft):
            # The counsellor changed the proposal after the person's screen showed it: a "yes"
            # to the old one must not send the new one.
            raise ValidationError(
                {"chat": [_("The proposal has changed. Read it again before you answer.")]}
            )
        if not agree:
            hand_over.declined_at = now
            hand_over.draft = {}
            hand_over.save(update_fields=["declined_at", "draft"])
            with override(conversation.language):
                _system(
                    conversation, _("You chose not to be referred. Nothing was passed on."), now
                )
            _post_touch(conversation, now)
            return ""
        # The signal is the counsellor's, for the signalling purpose; the origin names the chat,
        # never the person's address.
        counsellor = actor_for_membership(hand_over.proposed_by, origin="chat:consent")
        counsellor = replace(counsellor, purpose="signalling")
        draft = hand_over.draft
        outcome = signal_record(
            actor=counsellor,
            data=_draft(today=timezone.localdate(now), **draft),
        )
        hand_over.consent_at = now
        hand_over.signal = outcome.signal
        hand_over.draft = {}
        hand_over.save(update_fields=["consent_at", "signal", "draft"])
        audit.record(
            counsellor,
            "chat.consent",
            object_type="signal",
            object_id=str(outcome.signal.pk),
            purpose="signalling",
            legal_basis=policy.legal_basis(counsellor, set(policy.grants(counsellor))),
            detail={"conversation": conversation.pk, "consent": "given_in_chat"},
        )
        with override(conversation.language):
            _system(
                conversation,
                _("Thank you. You were referred. Your reference: %(ref)s")
                % {"ref": outcome.receipt},
                now,
            )
        _post_touch(conversation, now)
        return outcome.receipt


def chat_purge(*, now: datetime | None = None) -> dict[str, int]:
    """Delete every conversation silent for the retention period, with its messages, alerts and
    unanswered or declined hand-over drafts. Hand-overs that became signals keep only the link."""
    now = now or timezone.now()
    cutoff = now - timedelta(hours=conf.retention_hours())
    with transaction.atomic():
        old = Conversation.objects.filter(last_activity_at__lt=cutoff)
        ids = list(old.values_list("pk", flat=True))
        drafts = HandOver.objects.filter(conversation_id__in=ids, signal__isnull=True).delete()[0]
        HandOver.objects.filter(conversation_id__in=ids).update(draft={})
        messages = Message.objects.filter(conversation_id__in=ids).delete()[0]
        alerts = SafetyAlert.objects.filter(conversation_id__in=ids).delete()[0]
        Conversation.objects.filter(pk__in=ids).delete()
    return {
        "conversations": len(ids),
        "messages": messages,
        "alerts": alerts,
        "drafts": drafts,
    }
