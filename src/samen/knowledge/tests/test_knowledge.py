"""The knowledge base: search on both engines, cards as PDF, what fits a setting, reach."""

import pytest
from django.db import connection
from django.template.loader import render_to_string
from django.utils import translation

from samen.knowledge import selectors
from samen.knowledge.models import Resource
from samen.programme.seed import load_seed

pytestmark = pytest.mark.django_db


def codes(results) -> set[str]:
    return {r.code for r in results}


def test_search_finds_the_hotel_card_and_guide_by_a_word_in_their_texts():
    found = codes(selectors.resource_search(query="hotel"))
    assert {"card-hospitality", "guide-hotels"} <= found
    assert "guide-labour" not in found


def test_search_needs_every_word_and_ignores_an_empty_query():
    assert selectors.resource_search(query="   ") == []
    assert "buit-elearning" in codes(selectors.resource_search(query="e-learning jongeren"))
    assert not selectors.resource_search(query="hotel zzzqqq")


def test_every_current_signal_list_is_a_card_in_the_knowledge_base():
    cards = set(Resource.objects.filter(kind="card").values_list("signal_list_code", flat=True))
    assert {"hospitality", "school", "labour", "asylum_minors", "general", "online"} <= cards


@pytest.mark.skipif(connection.vendor != "postgresql", reason="full-text search on PostgreSQL")
def test_postgres_search_uses_the_dutch_dictionary_and_a_gin_index():
    # "trainingen" is not a substring of "training": found through the Dutch stemmer only.
    assert {"minors-training", "school-training"} <= codes(
        selectors.resource_search(query="trainingen")
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexdef FROM pg_indexes WHERE indexname = 'knowledge_resource_search_gin'"
        )
        assert "gin" in cursor.fetchone()[0]


def test_the_card_prints_in_dutch_and_in_english(world):
    sl = selectors.card_list(code="hospitality")
    for language, title in (("nl", sl.title_nl), ("en", sl.title_en)):
        with translation.override(language):
            html = render_to_string(
                "knowledge/card_print.html",
                {"signal_list": sl, "groups": selectors.card_groups(sl)},
            )
        assert title in html
    assert sl.title_en not in render_to_string(
        "knowledge/card_print.html", {"signal_list": sl, "groups": []}
    )


def test_the_card_pdf_is_a_pdf_and_an_unknown_language_is_not_found(web_for):
    client = web_for("demo-hotel")
    response = client.get("/kennis/kaart/hospitality/en.pdf")
    if response.status_code == 503:
        pytest.skip("Pango missing on this machine")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert client.get("/kennis/kaart/hospitality/de.pdf").status_code == 404


def test_the_signal_form_and_the_advice_page_offer_the_card_and_guide_for_the_setting(
    web_for, record
):
    client = web_for("demo-hotel")
    form = client.get("/signalen/nieuw/hospitality/").content.decode()
    assert "/kennis/kaart/hospitality/" in form and "Handreiking signaleren in hotels" in form
    assert "Handreiking arbeidsuitbuiting herkennen" not in form
    outcome = record("demo-hotel")
    advice = client.get(f"/signalen/ontvangstbewijs/{outcome.receipt}/").content.decode()
    assert "/kennis/kaart/hospitality/" in advice
    assert "Handreiking melden en overleggen" in advice  # a guide for every setting


def test_reach_figures_are_the_programme_indicators_with_their_source(world):
    load_seed()
    reach = {r.resource.code: r.value for r in selectors.reach_figures()}
    assert int(reach["buit-elearning"].value) == 3700 and reach["buit-elearning"].is_lower_bound
    assert int(reach["minors-training"].value) == 836
    assert int(reach["geenbuit-campaign"].value) == 196000
    assert "Voortgangsbrief" in reach["geenbuit-campaign"].source
