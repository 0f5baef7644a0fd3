"""Persona extraction from titles and greetings, on forms neither generator writes."""

import pytest

from samen.online.engine.extract import extract, title_persona


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        ("💋 Hot Latina ANNA 22 in Den Haag 💋", ("Anna", 22)),
        ("Blonde Sophie, 25, Rotterdam", ("Sophie", 25)),
        ("nieuw!!! anna 19", ("Anna", 19)),
        ("Zara uit Breda", ("Zara", -1)),
        ("Utrecht: Noor 21", ("Noor", 21)),
        ("Nueva chica Lucía 21 años en Madrid", ("Lucía", 21)),
        ("Мария, 23", ("Мария", 23)),
        ("NOWOŚĆ: Kasia 22 lat", ("Kasia", 22)),
        ("Brand new petite Yasmin", ("Yasmin", -1)),
    ],
)
def test_title_forms_give_name_and_age(title, expected):
    assert title_persona(title) == expected


@pytest.mark.parametrize(
    "title",
    [
        "Discrete massage in Utrecht",
        "Hot Massage Utrecht",
        "Privé ontvangst Den Haag",
        "The best GFE in town",
    ],
)
def test_titles_without_a_persona_give_none(title):
    assert title_persona(title) is None


def test_a_greeting_gives_the_age_after_the_name():
    found = extract("Nieuw in de stad", "Hi guys! I'm Roos (27) and I'm visiting Leiden.")
    assert (found.names, found.age) == (["Roos"], 27)


def test_a_name_before_here_is_read_and_slotted():
    found = extract("Lieve dame", "Hallo! Femke hier, bel me snel.")
    assert found.names == ["Femke"]
    assert "femke" not in found.tokens and "xnamex" in found.tokens
