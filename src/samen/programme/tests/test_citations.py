"""Each citation form the ministry uses, and text that only looks like one."""

import pytest

from samen.programme.letter.citations import find_citations


def only(text: str):
    found = find_citations(text)
    assert len(found) == 1, found
    return found[0].reference


@pytest.mark.parametrize(
    ("text", "chamber", "year", "dossier", "suffix", "number"),
    [
        ("Kamerstukken II, 2024/25, 36 547, nr. 40.", "II", "2024/25", "36547", "", "40"),
        ("Kamerstuk 28 638, nr. 254", "", "", "28638", "", "254"),
        ("Kamerstukken II 2023/24, 28 638, nr. 244.", "II", "2023/24", "28638", "", "244"),
        ("Kamerstukken II, 2024/25, 36 547, 41.", "II", "2024/25", "36547", "", "41"),
        ("Kamerstukken II, 2020/21, 35 570 VI, nr. 85.", "II", "2020/21", "35570", "VI", "85"),
        ("Kamerstukken II, 2025/2026, 36 835, nr. 2. ", "II", "2025/26", "36835", "", "2"),
        ("kamerstuk 36547 nr 40", "", "", "36547", "", "40"),
        (
            "Kamerstukken II, vergaderjaar 2024-2025, 36 600 XVI, nr. 12",
            "II",
            "2024/25",
            "36600",
            "XVI",
            "12",
        ),
        ("Kamerstukken I 2024/25, 36 547, C", "I", "2024/25", "36547", "", "C"),
        ("zie kst-36547-40", "", "", "36547", "", "40"),
        ("Kamerstuk 36547-41", "", "", "36547", "", "41"),
    ],
)
def test_citation_forms(text, chamber, year, dossier, suffix, number):
    ref = only(text)
    assert (ref.chamber, ref.year, ref.dossier, ref.suffix, ref.number) == (
        chamber,
        year,
        dossier,
        suffix,
        number,
    )


def test_suffix_shows_in_display_and_key():
    ref = only("Kamerstukken II, 2020/21, 35 570 VI, nr. 85.")
    assert ref.display() == "Kamerstukken II, 2020/21, 35 570 VI, nr. 85"
    assert ref.key == "35570-VI-85"


def test_without_year_displays_as_kamerstuk():
    assert only("Kamerstuk 28 638, nr. 254").display() == "Kamerstuk 28 638, nr. 254"


def test_year_is_not_part_of_identity():
    # The same paper cited with a wrong or missing year is still the same paper.
    a = only("Kamerstukken II, 2025/2026, 36 547, nr. 30.")
    b = only("Kamerstuk 36 547, nr. 30")
    assert a.key == b.key


def test_two_citations_in_one_sentence():
    found = find_citations(
        "Zie Kamerstuk 28 638, nr. 254 en Kamerstukken II 2023/24, 28 638, nr. 244."
    )
    assert [c.reference.number for c in found] == ["254", "244"]


@pytest.mark.parametrize(
    "text",
    [
        "Toezegging gedaan tijdens de behandeling van de Wet op 5 juni 2025.",
        "Regioplan, Vooronderzoek oneigenlijk gebruik verblijfsregeling mensenhandel 2013",
        "In 2024 werden 79 minderjarige slachtoffers gemeld tegenover 52 in 2023.",
        "artikel 273f Wetboek van Strafrecht",
        # A capital after the dossier is the next word, not an Eerste Kamer letter.
        "Kamerstukken II, 2024/25, 36 547, Daarom",
        "Het Kamerstuk wordt in 2026 verwacht.",
    ],
)
def test_text_that_is_not_a_citation(text):
    assert find_citations(text) == []


@pytest.mark.parametrize(
    ("text", "key", "display"),
    [
        (
            "Kamerstukken II 2025/26, 21 501-20, nr. 2215.",
            "21501-20-2215",
            "Kamerstukken II, 2025/26, 21 501-20, nr. 2215",
        ),
        ("Kamerstuk 21 501-20 nr. 2180", "21501-20-2180", "Kamerstuk 21 501-20, nr. 2180"),
        (
            "Kamerstukken II 2024/25, 36 600 VI, nr. 31.",
            "36600-VI-31",
            "Kamerstukken II, 2024/25, 36 600 VI, nr. 31",
        ),
        ("Kamerstuk 36547-40", "36547-40", "Kamerstuk 36 547, nr. 40"),
    ],
)
def test_sub_series_and_suffixes(text, key, display):
    ref = only(text)
    assert (ref.key, ref.display()) == (key, display)
