"""Indicator categories from the literature on online trafficking signals, in several languages,
with evidence spans; and scores that put the largest network first."""

import json

import pytest

from samen.online.engine import ScanConfig, scan
from samen.online.engine.extract import extract
from samen.online.engine.indicators import load_indicators

CASES = [
    ("third_party_booking", "Voor een date: afspraak via mijn chauffeur, groetjes"),
    ("third_party_booking", "Dates only with my agency, thanks"),
    ("third_party_booking", "Reservas con mi representante por favor"),
    ("third_party_booking", "Резервации чрез мениджъра ми"),
    ("several_persons", "Bij ons: keuze uit 5 meisjes vanavond"),
    ("several_persons", "New girls every week, come and see"),
    ("several_persons", "Somos dos chicas muy simpáticas"),
    ("movement", "Ik ben maar 3 dagen hier, daarna weg"),
    ("movement", "Last chance in Utrecht before I go"),
    ("movement", "Estoy de gira por Holanda"),
    ("crypto_only", "Payment only with bitcoin please"),
    ("crypto_only", "Je betaalt met een paysafecard"),
    ("crypto_only", "Pago solo en cripto"),
    ("youth_emphasis", "Sweet girl, just became 18"),
    ("youth_emphasis", "Dziewczyna niedoświadczona i miła"),
    ("language_mismatch", "Ik spreek geen Engels, alleen Roemeens"),
    ("language_mismatch", "No hablo inglés"),
    ("language_mismatch", "Не говоря английски"),
]


@pytest.mark.parametrize(("indicator", "text"), CASES)
def test_each_category_is_found_with_its_evidence_span(indicator, text):
    indicators = load_indicators()
    found = extract("", text)
    assert indicator in indicators.ids_in_mask(indicators.mask(found.lowered, found.words))
    hits = [h for h in indicators.hits(text) if h.indicator == indicator]
    assert hits and all(text[h.start : h.end] == h.evidence for h in hits)


def _ads(prefix, count, personas, phone, extra=""):
    for n in range(count):
        name, age = personas[n % len(personas)]
        yield {
            "id": f"{prefix}{n}",
            "title": f"{name} ({age})",
            "text": f"Hallo, ik ben {name}. {extra} Lekker relaxen bij {prefix} studio nummer "
            f"{prefix} aan de gracht, kom gezellig langs. Bel {phone}",
            "city": ["Utrecht", "Breda", "Zwolle"][n % 3],
        }


def test_the_largest_network_ranks_first_when_the_evidence_is_alike(tmp_path):
    big = _ads("groot", 60, [("Anna", 21), ("Mia", 22), ("Lola", 23)], "0612345671")
    small = _ads(
        "klein", 4, [("Eva", 24), ("Noa", 25), ("Ivy", 26)], "0612345672", "We hebben leuke dames."
    )
    path = tmp_path / "ads.jsonl"
    path.write_text("".join(json.dumps(ad) + "\n" for ad in [*big, *small]), "utf-8")
    result = scan([path], config=ScanConfig())
    ranked = [len(s.ads) for s in result.analysis.clusters]
    assert ranked[:2] == [60, 4]
