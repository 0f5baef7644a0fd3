"""An advice text up for review in the demo world, with one comment waiting for an answer."""

from __future__ import annotations

from django.db import transaction

from samen.accounts.models import User
from samen.review.models import ItemKind, ReviewComment, ReviewItem
from samen.review.selectors import advice_text_current

TITLE = "Adviestekst 'Overleg met een zorgcoördinator'"


def build_review_demo() -> None:
    programme = User.objects.filter(username="demo-programme").first()
    member = User.objects.filter(username="demo-review").first()
    if programme is None or member is None or ReviewItem.objects.filter(title=TITLE).exists():
        return
    with transaction.atomic():
        item = ReviewItem.objects.create(
            kind=ItemKind.ADVICE_TEXT,
            title=TITLE,
            reference="consult",
            question="Begrijpt iemand die twijfelt wat hij nu moet doen?",
            text=advice_text_current(level="consult")["nl"],
            opened_by=programme,
        )
        ReviewComment.objects.create(
            item=item,
            author=member,
            anonymous=True,
            text="Zeg erbij dat je de persoon niet zelf hoeft te confronteren. (synthetisch)",
        )
