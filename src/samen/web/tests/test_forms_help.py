"""Forms that help (issue #16, item 2): what a form fills in, it fills in so the browser shows it;
choices from lists, not free text; the register's limits before submitting; back to the block."""

from __future__ import annotations

from datetime import date

import pytest

from samen.signalling.services import PersonInput

pytestmark = pytest.mark.django_db

FORM = "/signalen/nieuw/hospitality/"


def test_the_signal_form_fills_its_date_in_iso_so_a_date_input_shows_it(web_for):
    page = web_for("demo-professional").get(FORM).content.decode()
    field = (
        page.split('name="observed_on"')[0].rsplit("<input", 1)[1]
        + page.split('name="observed_on"')[1].split(">")[0]
    )
    assert f'value="{date.today().isoformat()}"' in field, field
    assert 'type="date"' in field


def test_the_municipality_starts_at_the_users_organisation(web_for):
    page = web_for("demo-professional").get(FORM).content.decode()
    select = page.split('name="municipality"')[1].split("</select>")[0]
    assert '<option value="GM0344" selected>' in select  # Utrecht, where the social team is


def test_nationality_is_a_list_of_countries_with_dutch_names(web_for):
    page = web_for("demo-professional").get(FORM).content.decode()
    select = page.split('name="nationality"')[1].split("</select>")[0]
    assert '<option value="RO">Roemenië</option>' in select
    assert '<option value="NL">Nederland</option>' in select


def test_one_person_is_one_case_whatever_the_spelling_of_the_nationality(record):
    person = {"name": "Ana Popescu", "date_of_birth": date(1999, 3, 4)}
    first = record(person=PersonInput(nationality="Roemenië", **person))
    second = record(person=PersonInput(nationality="RO", **person))
    third = record(person=PersonInput(nationality="Romania", **person))
    assert first.case.pk == second.case.pk == third.case.pk


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


def test_after_a_note_the_page_returns_to_the_notes(web_for, record):
    number = record().case.number
    answer = web_for("demo-coordinator").post(f"/zaken/{number}/notitie/", {"text": "Gebeld."})
    assert answer.status_code == 302 and answer["Location"].endswith("#notes-title")


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
