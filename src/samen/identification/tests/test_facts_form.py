"""The facts form posts only the facts its reader may see (issue #14): a reader without the
residence facts gets a form without them, and neither that form nor a post made by hand can
overwrite or wipe them."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from samen.core.models import AuditEntry
from samen.identification import services
from samen.identification.models import IdentificationPath
from samen.sharing.services import share_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def without_residence(record, actor_for):
    """A case whose residence facts the coordinator recorded, shared with the police for
    investigation without the immigration category: the police may take steps and record the
    age, but not see (so not change) the residence facts."""
    case = record().case
    coordinator = actor_for("demo-coordinator")
    share_create(
        actor=coordinator,
        case=case,
        recipient=actor_for("demo-investigator").organisation,
        purpose="investigation",
        categories=["identity", "demographics", "exploitation"],
    )
    services.path_facts_set(
        actor=coordinator,
        case=case,
        foreign_national=True,
        lawful_residence=False,
        unaccompanied=False,
        eu_citizen=False,
        dublin_claimant=True,
        age_assessment="estimated",
    )
    return case


def residence(case) -> tuple:
    path = IdentificationPath.objects.get(case=case)
    return (
        path.foreign_national,
        path.lawful_residence,
        path.unaccompanied,
        path.eu_citizen,
        path.dublin_claimant,
    )


def test_a_reader_without_residence_facts_posts_the_form_and_leaves_them_untouched(
    web_for, without_residence
):
    web = web_for("demo-investigator")
    page = web.get(reverse("identification:path", args=[without_residence.number]))
    html = page.content.decode()
    assert 'data-testid="facts-form"' in html
    assert 'name="foreign_national"' not in html and 'name="dublin_claimant"' not in html
    assert 'name="age_assessment"' in html
    # The form as the page shows it: only the age group.
    response = web.post(
        reverse("identification:facts", args=[without_residence.number]),
        {"age_assessment": "documented"},
    )
    assert response.status_code == 302
    assert residence(without_residence) == (True, False, False, False, True)
    assert IdentificationPath.objects.get(case=without_residence).age_assessment == "documented"


def test_a_post_made_by_hand_cannot_change_hidden_facts_and_the_service_refuses_them(
    web_for, actor_for, without_residence
):
    web = web_for("demo-investigator")
    web.post(
        reverse("identification:facts", args=[without_residence.number]),
        {"foreign_national": "", "lawful_residence": "yes", "eu_citizen": "yes",
         "age_assessment": "documented"},
    )  # fmt: skip
    assert residence(without_residence) == (True, False, False, False, True)  # read: never
    assert IdentificationPath.objects.get(case=without_residence).age_assessment == "documented"
    with pytest.raises(ValidationError) as refused:
        services.path_facts_set(
            actor=actor_for("demo-investigator"), case=without_residence, foreign_national=None
        )
    assert set(refused.value.message_dict) == {"foreign_national"}
    assert residence(without_residence) == (True, False, False, False, True)
    # The coordinator, who sees them, still changes them.
    services.path_facts_set(
        actor=actor_for("demo-coordinator"), case=without_residence, dublin_claimant=False
    )
    assert residence(without_residence) == (True, False, False, False, False)
    assert AuditEntry.objects.filter(
        object_id=without_residence.number,
        action="identification_path.update",
        fields=["identification.residence"],
    ).exists()
