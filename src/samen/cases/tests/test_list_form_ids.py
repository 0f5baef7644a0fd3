"""The API's case list reads a case's forms as ids and turns them into codes by the forms' table
kept under the register's version (selectors._form_table, ADR 0099). Every write to the forms'
table renews that version (migration cases 0007), so the list never shows codes or an order the
table no longer holds: its rows stay case_search_after's (which reads the codes from the
database on every page) after the forms change, however they are written."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from samen.api.base import present_many, writer_of
from samen.cases import selectors
from samen.cases import serializers as s
from samen.cases.models import Case, ExploitationForm
from samen.core.register import register_version


@pytest.fixture
def cases(record):
    for forms in (["sexual", "labour"], ["criminal"], ["labour", "criminal", "sexual"], []):
        record(forms=forms)


def _api_rows(actor) -> list[dict]:
    kw = {"actor": actor, "filters": selectors.CaseFilters(), "per_page": 50}
    got = selectors.case_list_page(**kw)
    want = selectors.case_search_after(**kw)
    write = writer_of(s.CaseSerializer, "opened_at")
    rows = [{**r, "opened_at": write(r["opened_at"])} for r in got.rows]
    # The reference reads the forms' codes and order from the database on every page.
    assert repr(rows) == repr(present_many(s.CaseSerializer, want.rows))
    return rows


def _forms_shown(rows: list[dict]) -> set[tuple[str, ...]]:
    return {tuple(r["forms"]) for r in rows}


def test_every_write_to_the_forms_renews_the_register_version(db):
    seen = {register_version()}
    form = ExploitationForm.objects.create(code="new_form", name_nl="Nieuw", name_en="New")
    seen.add(register_version())
    ExploitationForm.objects.filter(pk=form.pk).update(order=99)  # no signal: the trigger
    seen.add(register_version())
    form.name_en = "Newer"
    form.save()
    seen.add(register_version())
    ExploitationForm.objects.filter(pk=form.pk).delete()
    seen.add(register_version())
    assert None not in seen and len(seen) == 5


def test_the_list_follows_the_forms_order_and_codes(actor_for, cases):
    actor = actor_for("demo-registrar")
    before = _forms_shown(_api_rows(actor))
    assert any(len(f) >= 2 for f in before)  # an order to turn round
    assert selectors._forms_kept is not None  # the table is kept now
    # The order turned round, by a queryset update (no model signal: the trigger renews).
    for form in ExploitationForm.objects.all():
        ExploitationForm.objects.filter(pk=form.pk).update(order=100 - form.order)
    reversed_ = _forms_shown(_api_rows(actor))
    assert reversed_ == {tuple(reversed(f)) for f in before}
    # A code renamed.
    ExploitationForm.objects.filter(code="labour").update(code="labour_x")
    renamed = _forms_shown(_api_rows(actor))
    assert any("labour_x" in f for f in renamed) and not any("labour" in f for f in renamed)


def test_a_form_newer_than_the_kept_table_is_read_again(actor_for, cases):
    actor = actor_for("demo-registrar")
    _api_rows(actor)
    kept = selectors._forms_kept
    form = ExploitationForm.objects.create(code="aaa_first", name_nl="A", name_en="A", order=0)
    Case.objects.order_by("-opened_at", "-id").first().forms.add(form)
    # As if this request had read the version before the form was added: the kept table (without
    # the form) is current for it.
    selectors._forms_kept = selectors._FormTable(register_version(), kept.by_id)
    rows = _api_rows(actor)
    assert rows[0]["forms"][0] == "aaa_first"


def test_the_list_reads_no_form_names_and_no_organisation(actor_for, cases):
    actor = actor_for("demo-registrar")
    _api_rows(actor)  # the forms' table kept
    with CaptureQueriesContext(connection) as seen:
        selectors.case_list_page(actor=actor, filters=selectors.CaseFilters(), per_page=5)
    page = [q["sql"] for q in seen.captured_queries if "cases_case_forms" in q["sql"]]
    assert len(page) == 1
    assert "name_nl" not in page[0] and "organisations_organisation" not in page[0]
    assert not any("cases_exploitationform" in q["sql"] for q in seen.captured_queries)
