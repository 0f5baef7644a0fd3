"""Review by experts by experience: comments, answers with a change or a reason, versions."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from samen.accounts.models import User
from samen.core.register import purposes_of_role
from samen.organisations.models import Membership, Organisation, Role
from samen.review import selectors, services
from samen.review.models import ItemKind, Outcome, TextVersion

pytestmark = pytest.mark.django_db


@pytest.fixture
def item(actor_for):
    return services.review_item_open(
        actor=actor_for("demo-programme"),
        kind=ItemKind.ADVICE_TEXT,
        title="Adviestekst overleg",
        reference="consult",
    )


def test_the_review_member_role_acts_for_programme_monitoring_only(world):
    assert purposes_of_role("review_member") == ["programme_monitoring"]


def test_only_programme_staff_put_items_up_and_only_members_comment(actor_for, item):
    with pytest.raises(PermissionDenied):
        services.review_item_open(
            actor=actor_for("demo-review"), kind=ItemKind.PAGE, title="Pagina"
        )
    with pytest.raises(PermissionDenied):
        services.review_comment(
            actor=actor_for("demo-programme"), item=item, text="x", anonymous=False
        )
    with pytest.raises(PermissionDenied):
        services.review_comment(
            actor=actor_for("demo-coordinator"), item=item, text="x", anonymous=False
        )


def test_an_anonymous_comment_hides_its_author_from_other_members_not_from_staff(
    actor_for, item, world
):
    other = User.objects.create(username="demo-review-2", first_name="Bo", last_name="Ander")
    Membership.objects.create(
        user=other, organisation=Organisation.objects.get(type="ministry"), role=Role.REVIEW_MEMBER
    )
    services.review_comment(
        actor=actor_for("demo-review"), item=item, text="Te lang", anonymous=True
    )
    seen_by_other = selectors.comments_for(actor=actor_for("demo-review-2"), item=item)
    seen_by_staff = selectors.comments_for(actor=actor_for("demo-programme"), item=item)
    seen_by_self = selectors.comments_for(actor=actor_for("demo-review"), item=item)
    assert "Eva" not in seen_by_other[0].author
    assert seen_by_staff[0].author == "Eva Ervaring"
    assert seen_by_self[0].author != seen_by_other[0].author


def test_an_answer_without_a_change_needs_a_reason_and_a_comment_is_answered_once(actor_for, item):
    comment = services.review_comment(
        actor=actor_for("demo-review"), item=item, text="Moeilijk", anonymous=False
    )
    staff = actor_for("demo-programme")
    with pytest.raises(ValidationError) as error:
        services.review_answer(actor=staff, comment=comment, text="Dank", outcome="not_changed")
    assert "reason" in error.value.message_dict
    services.review_answer(
        actor=staff,
        comment=comment,
        text="Dank",
        outcome="not_changed",
        reason="Wettelijk voorgeschreven",
    )
    with pytest.raises(ValidationError):
        services.review_answer(
            actor=staff, comment=comment, text="Nog eens", outcome="not_changed", reason="x"
        )


def test_an_advice_text_changed_through_review_keeps_before_and_after_and_reaches_the_advice(
    actor_for, item, web_for, record
):
    comment = services.review_comment(
        actor=actor_for("demo-review"),
        item=item,
        text="Zeg dat je niet zelf hoeft te confronteren.",
        anonymous=True,
    )
    answer = services.review_answer(
        actor=actor_for("demo-programme"),
        comment=comment,
        text="Overgenomen.",
        outcome=Outcome.CHANGED,
        new_text_nl=(
            "Bespreek het met de zorgcoördinator.\nJe hoeft de persoon niet zelf aan te spreken."
        ),
        new_text_en="Discuss it with the care coordinator.\nYou need not confront the person.",
    )
    assert (answer.before.version, answer.after.version) == (1, 2)
    assert "niet zelf aan te spreken" not in answer.before.text_nl
    assert TextVersion.objects.filter(key="advice.consult").count() == 2
    assert selectors.advice_steps(level="consult", language="en")[1] == (
        "You need not confront the person."
    )
    # The advice page shows the new text for a signal whose advice is to consult.
    outcome = record(
        signal_list="general",
        indicators=["general.appearance.neglect", "general.behaviour.fearful"],
    )
    assert outcome.triage.advice == "consult"
    page = web_for("demo-professional").get(f"/signalen/ontvangstbewijs/{outcome.receipt}/")
    assert "Je hoeft de persoon niet zelf aan te spreken." in page.content.decode()
    overview = web_for("demo-programme").get("/programma/").content.decode()
    assert "Adviestekst overleg" in overview and "versie 1 naar 2" in overview
