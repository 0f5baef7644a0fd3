"""Forms that help (issue #16, item 2), sharing: choices from lists, the register's limits
before submitting, no verdict chosen for the reader."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.django_db


def test_sharing_groups_organisations_by_type_and_filters_without_javascript(web_for, record):
    from django.utils import translation

    from samen.organisations.models import OrganisationType

    with translation.override("nl"):
        police = f'<optgroup label="{OrganisationType.POLICE.label}">'
        shelter = f'<optgroup label="{OrganisationType.SHELTER.label}">'
    number = record().case.number
    client = web_for("demo-coordinator")
    page = client.get(f"/zaken/{number}/").content.decode()
    select = page.split('name="recipient"')[1].split("</select>")[0]
    assert police in select and shelter in select
    assert 'data-testid="share-allowed"' not in page
    narrowed = client.get(f"/zaken/{number}/?org_type=police").content.decode()
    select = narrowed.split('name="recipient"')[1].split("</select>")[0]
    assert select.count("<optgroup") == 1 and police in select
    # Before submitting: what the register lets the coordinator share with the police.
    allowed = narrowed.split('data-testid="share-allowed"')[1].split("</table>")[0]
    assert "Opsporing" in allowed and "Identiteit" in allowed


def test_no_emergency_review_verdict_is_chosen_for_the_privacy_officer(web_for, record, actor_for):
    from samen.sharing import services

    outcome = record()
    services.emergency_start(
        actor=actor_for("demo-coordinator-noord"),
        case=outcome.case,
        reason="Acute danger reported by the police tonight",
    )
    page = web_for("demo-privacy").get("/privacy/noodtoegang/").content.decode()
    select = page.split('name="verdict"')[1].split("</select>")[0]
    assert select.lstrip(" >").split("required>", 1)[-1].startswith('<option value="">')
    assert "selected" not in select
