"""Writes of the review: put an item up, comment, answer (with the change or the reason).
Each is one transaction that checks the policy and writes its own audit entry."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from samen.core import audited, policy
from samen.core.actor import Actor
from samen.review import selectors
from samen.review.models import (
    ItemKind,
    Outcome,
    ReviewAnswer,
    ReviewComment,
    ReviewItem,
    TextVersion,
)
from samen.signalling.triage import ADVICE_RANK


def review_item_open(
    *, actor: Actor, kind: str, title: str, reference: str = "", question: str = ""
) -> ReviewItem:
    policy.require(actor, "review.manage", object_type="review_item")
    errors: dict[str, list[str]] = {}
    if kind not in ItemKind.values:
        errors["kind"] = [_("Choose what is reviewed.")]
    if not title.strip():
        errors["title"] = [_("Give a title.")]
    if kind == ItemKind.ADVICE_TEXT and reference not in ADVICE_RANK:
        errors["reference"] = [_("Choose the advice whose text is reviewed.")]
    if errors:
        raise ValidationError(errors)
    text = ""
    if kind == ItemKind.ADVICE_TEXT:
        text = selectors.advice_text_current(level=reference)["nl"]
    with transaction.atomic():
        item = ReviewItem.objects.create(
            kind=kind,
            title=title.strip(),
            reference=reference,
            question=question.strip(),
            text=text,
            opened_by=actor.user,
        )
        audited.record(
            actor,
            "review.open",
            object_type="review_item",
            object_id=str(item.pk),
        )
    return item


def review_comment(*, actor: Actor, item: ReviewItem, text: str, anonymous: bool) -> ReviewComment:
    policy.require(actor, "review.comment", object_type="review_item", object_id=str(item.pk))
    if not text.strip():
        raise ValidationError({"text": [_("Write your comment.")]})
    with transaction.atomic():
        comment = ReviewComment.objects.create(
            item=item, author=actor.user, anonymous=anonymous, text=text.strip()
        )
        audited.record(
            actor,
            "review.comment",
            object_type="review_comment",
            object_id=str(comment.pk),
        )
    return comment


def review_answer(
    *,
    actor: Actor,
    comment: ReviewComment,
    text: str,
    outcome: str,
    change: str = "",
    reason: str = "",
    new_text_nl: str = "",
    new_text_en: str = "",
) -> ReviewAnswer:
    """Every comment gets one answer, and either the change it led to or the reason it did not.
    For an advice text the change is a new version of the text, kept beside the one before."""
    policy.require(actor, "review.manage", object_type="review_comment", object_id=str(comment.pk))
    item = comment.item
    errors: dict[str, list[str]] = {}
    if not text.strip():
        errors["text"] = [_("Write the answer.")]
    if outcome not in Outcome.values:
        errors["outcome"] = [_("Say whether something changed.")]
    elif outcome == Outcome.NOT_CHANGED and not reason.strip():
        errors["reason"] = [_("Give the reason nothing changed.")]
    elif outcome == Outcome.CHANGED:
        if item.kind == ItemKind.ADVICE_TEXT:
            if not new_text_nl.strip() or not new_text_en.strip():
                errors["new_text_nl"] = [_("Give the new text in Dutch and English.")]
        elif not change.strip():
            errors["change"] = [_("Say what changed.")]
    if ReviewAnswer.objects.filter(comment=comment).exists():
        errors["text"] = [_("This comment has been answered already.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        before = after = None
        if outcome == Outcome.CHANGED and item.kind == ItemKind.ADVICE_TEXT:
            before, after = _new_advice_version(
                actor=actor, level=item.reference, nl=new_text_nl, en=new_text_en
            )
            change = change.strip() or _("New version %(n)s of the advice text.") % {
                "n": after.version
            }
        answer = ReviewAnswer.objects.create(
            comment=comment,
            answered_by=actor.user,
            text=text.strip(),
            outcome=outcome,
            change=change.strip() if outcome == Outcome.CHANGED else "",
            reason=reason.strip() if outcome == Outcome.NOT_CHANGED else "",
            before=before,
            after=after,
        )
        audited.record(
            actor,
            "review.answer",
            object_type="review_comment",
            object_id=str(comment.pk),
            fields=["outcome"],
        )
    return answer


def _new_advice_version(*, actor: Actor, level: str, nl: str, en: str):
    key = selectors.advice_key(level)
    latest = TextVersion.objects.select_for_update().filter(key=key).order_by("-version").first()
    if latest is None:
        # The text from the rules file becomes version 1, so the change has a "before".
        current = selectors.advice_text_current(level=level)
        latest = TextVersion.objects.create(
            key=key, version=1, text_nl=current["nl"], text_en=current["en"], made_by=None
        )
    after = TextVersion.objects.create(
        key=key,
        version=latest.version + 1,
        text_nl=_lines(nl),
        text_en=_lines(en),
        made_by=actor.user,
    )
    return latest, after


def _lines(text: str) -> str:
    return "\n".join(line.strip() for line in text.strip().splitlines() if line.strip())
