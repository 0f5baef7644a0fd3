"""Reads of the anonymous chat. A counsellor's read of a conversation is audited (ids only)."""

from __future__ import annotations

import json
from pathlib import Path

from django.utils.translation import override

from samen.cases.models import AgeBand, Gender
from samen.chat.models import (
    Conversation,
    ConversationStatus,
    HandOver,
    Message,
    Presence,
    SafetyAlert,
)
from samen.chat.services import HANDOVER_SIGNAL_LIST, draft_digest, token_hash
from samen.core import audited, policy
from samen.core.actor import Actor
from samen.organisations.models import Municipality
from samen.signalling.models import Indicator

CANNED_FILE = Path(__file__).parent / "data" / "canned_answers.json"


def conversation_by_token(token: str) -> Conversation | None:
    if not token:
        return None
    return Conversation.objects.filter(token_hash=token_hash(token)).first()


def messages_after(conversation_id: int, after: int, limit: int = 200) -> list[dict[str, object]]:
    rows = Message.objects.filter(conversation_id=conversation_id, id__gt=after).order_by("id")[
        :limit
    ]
    return [
        {"id": m.id, "sender": m.sender, "body": m.body, "at": m.created_at.isoformat()}
        for m in rows
    ]


def conversation_changed(conversation_id: int) -> object:
    """What moves whenever anything in the conversation is written (every write touches it)."""
    return (
        Conversation.objects.filter(pk=conversation_id)
        .values_list("last_activity_at", "status", "counsellor_id")
        .first()
    )


def pending_handover(conversation_id: int) -> HandOver | None:
    return HandOver.objects.filter(
        conversation_id=conversation_id, signal__isnull=True, declined_at__isnull=True
    ).first()


def person_state(conversation_id: int) -> dict[str, object]:
    """What the person's page shows beside the messages: status and a referral to answer."""
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return {"status": ConversationStatus.CLOSED}
    proposal = pending_handover(conversation_id)
    return {
        "status": conversation.status,
        "handover": handover_summary(proposal.draft, conversation.language) if proposal else None,
        "draft": draft_digest(proposal.draft) if proposal else None,
    }


def handover_summary(draft: dict, language: str) -> list[str]:
    """The draft in words, exactly what would leave the chat."""
    en = language == "en"
    lines = []
    texts = Indicator.objects.filter(
        signal_list__code=HANDOVER_SIGNAL_LIST,
        signal_list__is_current=True,
        code__in=draft.get("indicators", []),
    ).values_list("text_en" if en else "text_nl", flat=True)
    lines += list(texts)
    municipality = Municipality.objects.filter(code=draft.get("municipality", "")).first()
    if municipality is not None:
        lines.append(municipality.name)
    # Gender and age band go into the signal too, so the person must see them (in their words).
    with override(language):
        for choices, key in ((Gender, "gender"), (AgeBand, "age_band")):
            value = draft.get(key, "unknown")
            if value != "unknown" and value in choices.values:
                lines.append(str(choices(value).label))
    if draft.get("notes"):
        lines.append(str(draft["notes"]))
    return lines


def counsellor_view(*, actor: Actor, pk: int) -> Conversation:
    """The conversation for the counsellor it is assigned to (the pages link no other: the queue
    shows colleagues' chats as a count only); anyone else gets the audited not-found. The read is
    audited."""
    policy.require(actor, "chat.counsel", object_type="conversation", object_id=str(pk))
    conversation = (
        Conversation.objects.select_related("counsellor__user")
        .filter(pk=pk, counsellor=actor.membership)
        .first()
    )
    if conversation is None:
        raise policy.not_visible(
            actor, "chat.counsel", object_type="conversation", object_id=str(pk)
        )
    audited.record(
        actor,
        "chat.read",
        object_type="conversation",
        object_id=str(pk),
        fields=["messages"],
    )
    return conversation


def counsellor_state(conversation_id: int) -> dict[str, object]:
    conversation = Conversation.objects.filter(pk=conversation_id).first()
    if conversation is None:
        return {"status": ConversationStatus.CLOSED}
    hand_over = HandOver.objects.filter(conversation_id=conversation_id).first()
    state = "none"
    if hand_over is not None:
        state = (
            "consented"
            if hand_over.signal_id
            else "declined"
            if hand_over.declined_at
            else "proposed"
        )
    return {
        "status": conversation.status,
        "counsellor": conversation.counsellor_id,
        "safety_flag": conversation.safety_flag,
        "handover": state,
    }


def queue(*, actor: Actor) -> dict[str, object]:
    """The queue: who waits (oldest first), the actor's own chats, and who is on duty."""
    policy.require(actor, "chat.counsel", object_type="queue")
    open_ = Conversation.objects.exclude(status=ConversationStatus.CLOSED).order_by("created_at")
    waiting = [c for c in open_ if c.status == ConversationStatus.WAITING]
    mine = [c for c in open_ if c.counsellor_id == actor.membership.pk]  # type: ignore[union-attr]
    audited.record(
        actor,
        "chat.queue",
        object_type="queue",
        fields=["conversations"],
        detail={"waiting": len(waiting), "mine": len(mine)},
    )
    return {
        "waiting": waiting,
        "mine": mine,
        "others": sum(1 for c in open_ if c.status == ConversationStatus.ACTIVE) - len(mine),
        "on_duty": on_duty(actor=actor),
        "available": Presence.objects.filter(membership=actor.membership, available=True).exists(),
    }


def on_duty(*, actor: Actor) -> list[Presence]:
    """Colleagues of the actor's organisation who said they are on duty (until they say not)."""
    return list(
        Presence.objects.filter(
            available=True,
            membership__organisation=actor.organisation,
            membership__is_active=True,
        ).select_related("membership__user")
    )


def queue_version() -> tuple[int, int]:
    """Changes when the queue changes: for the queue page's stream."""
    return (
        Conversation.objects.exclude(status=ConversationStatus.CLOSED).count(),
        Message.objects.order_by("-id").values_list("id", flat=True).first() or 0,
    )


def alerts_open(*, actor: Actor) -> list[SafetyAlert]:
    policy.require(actor, "chat.supervise", object_type="safety_alert")
    alerts = list(
        SafetyAlert.objects.filter(acknowledged_at__isnull=True).select_related(
            "raised_by__user", "conversation"
        )
    )
    audited.record(
        actor,
        "chat.alerts",
        object_type="safety_alert",
        detail={"open": len(alerts)},
    )
    return alerts


def canned_answers(language: str) -> list[dict[str, str]]:
    data = json.loads(CANNED_FILE.read_text(encoding="utf-8"))
    key = "en" if language == "en" else "nl"
    return [{"code": a["code"], "text": a[key]} for a in data["answers"]]


def handover_choices() -> dict[str, object]:
    return {
        "indicators": list(
            Indicator.objects.filter(
                signal_list__code=HANDOVER_SIGNAL_LIST, signal_list__is_current=True
            ).order_by("order")
        ),
        "municipalities": list(Municipality.objects.order_by("name")),
        "genders": Gender.choices,
        "age_bands": AgeBand.choices,
    }
