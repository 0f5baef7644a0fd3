"""Reads of the review: items, comments as each reader may see them, texts by version."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils.translation import gettext as _

from samen.core.actor import Actor
from samen.organisations.models import Role
from samen.review.models import Outcome, ReviewAnswer, ReviewComment, ReviewItem, TextVersion
from samen.signalling.triage import advice_texts


def advice_key(level: str) -> str:
    return f"advice.{level}"


def advice_text_current(*, level: str) -> dict[str, str]:
    """The advice's next steps (one per line), newest reviewed version else the rules file."""
    latest = TextVersion.objects.filter(key=advice_key(level)).order_by("-version").first()
    if latest is not None:
        return {"nl": latest.text_nl, "en": latest.text_en, "version": str(latest.version)}
    steps = advice_texts()[level]["steps"]
    return {"nl": "\n".join(steps["nl"]), "en": "\n".join(steps["en"]), "version": ""}


def advice_steps(*, level: str, language: str) -> list[str]:
    text = advice_text_current(level=level)["en" if language.startswith("en") else "nl"]
    return [line for line in text.splitlines() if line.strip()]


def items() -> list[ReviewItem]:
    return list(
        ReviewItem.objects.annotate(
            n_comments=Count("comments", distinct=True),
            n_open=Count("comments", filter=Q(comments__answer__isnull=True), distinct=True),
        ).order_by("-opened_at", "-id")
    )


def item_get(*, item_id: int) -> ReviewItem | None:
    return ReviewItem.objects.filter(pk=item_id).first()


def comment_get(*, comment_id: int) -> ReviewComment | None:
    return ReviewComment.objects.select_related("item").filter(pk=comment_id).first()


@dataclass
class CommentView:
    comment: ReviewComment
    author: str
    answer: ReviewAnswer | None


def comments_for(*, actor: Actor, item: ReviewItem) -> list[CommentView]:
    """Members see each other's names unless a comment is anonymous; their own always; the
    programme team sees every author (it answers them)."""
    rows = []
    answers = ReviewAnswer.objects.select_related("before", "after")
    for c in item.comments.select_related("author").prefetch_related(
        Prefetch("answer", queryset=answers)
    ):
        if c.author_id == actor.user.pk:
            name = _("you")
        elif c.anonymous and actor.role != Role.PROGRAMME_STAFF:
            name = _("a member of the review group")
        else:
            name = c.author.get_full_name() or c.author.username
        rows.append(CommentView(c, name, getattr(c, "answer", None)))
    return rows


@dataclass
class ReviewSummary:
    items: int
    comments: int
    answered: int
    changed: list[ReviewAnswer]
    reviewed: list[ReviewItem]


def review_summary() -> ReviewSummary:
    """For the programme overview: what was reviewed and what changed."""
    answered = ReviewAnswer.objects.select_related("comment__item", "before", "after")
    return ReviewSummary(
        items=ReviewItem.objects.count(),
        comments=ReviewComment.objects.count(),
        answered=answered.count(),
        changed=list(answered.filter(outcome=Outcome.CHANGED).order_by("-answered_at")[:20]),
        reviewed=items()[:20],
    )
