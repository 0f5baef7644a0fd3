"""Forms that help (issue #16, item 2), the signal form: what it fills in, it fills in so the
browser shows it; choices from lists, not free text."""

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
