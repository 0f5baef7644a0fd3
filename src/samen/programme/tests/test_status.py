"""Status formulae, and sentences that look like a status but are not one."""

import pytest

from samen.programme.letter.status import LetterStatus, statuses_in

DONE = LetterStatus.DONE
DECLINED = LetterStatus.DECLINED
RESEARCH = LetterStatus.RESEARCH_PENDING
PROGRESS = LetterStatus.IN_PROGRESS


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Hiermee beschouw ik bovengenoemde motie als afgedaan.", DONE),
        ("Hiermee beschouw ik bovengenoemde motie van de leden Boomsma c.s. als afgedaan.", DONE),
        ("Hiermee beschouw ik bovengenoemde toezegging aan het lid Tseggai als afgedaan.", DONE),
        ("Daarmee kan de motie als afgedaan worden beschouwd.", DONE),
        ("De toezegging is hiermee afgedaan.", DONE),
        ("In die zin neem ik de motie mee bij de verdere trajecten.", PROGRESS),
        (
            "In de uitwerking worden de financiering en een verwijzingsmechanisme meegenomen.",
            PROGRESS,
        ),
        (
            "Tevens wordt hiermee uitvoering gegeven aan de motie van de leden Kuiken en Van Dijk.",
            PROGRESS,
        ),
        (
            "Ter uitvoering van deze motie zal ik met de relevante partijen in gesprek gaan.",
            PROGRESS,
        ),
        ("In de verkenning houd ik rekening met de toezegging aan het lid Tseggai.", PROGRESS),
        (
            "Bij de implementatie zal ik bijzondere aandacht besteden aan de afbakening.",
            PROGRESS,
        ),
        ("Ik informeer uw Kamer wanneer dit gesprek heeft plaatsgevonden.", PROGRESS),
        (
            "Om die reden ligt het niet in de rede de positie van pornoacteurs mee te nemen.",
            DECLINED,
        ),
        (
            "Daarom wordt nu nog niet overgegaan tot invoering van een leeftijdsverificatie.",
            DECLINED,
        ),
        ("Ik zie geen aanleiding de regeling te wijzigen.", DECLINED),
        ("Momenteel wordt onderzoek uitgevoerd door het WODC naar de sekswerkbranche.", RESEARCH),
        (
            "Er wordt momenteel al in opdracht van het WODC onderzocht hoe de coördinatie kan.",
            RESEARCH,
        ),
        (
            "Op dit moment voert het Verwey-Jonker Instituut onderzoek uit naar misstanden.",
            RESEARCH,
        ),
        ("Naar verwachting worden de resultaten eind 2025 opgeleverd.", RESEARCH),
        ("Dit onderzoek geeft uitvoering aan de motie Mutluer (GL/PvdA) c.s.", RESEARCH),
    ],
)
def test_status_formula(sentence, expected):
    found = statuses_in(sentence)
    assert found and found[0] is expected, found


@pytest.mark.parametrize(
    ("sentence", "not_expected"),
    [
        # Negated, conditional or past: not a declaration of done by this letter.
        ("Ik beschouw de motie nog niet als afgedaan.", DONE),
        ("Zodra het onderzoek gereed is, beschouw ik de motie als afgedaan.", DONE),
        ("Ik beschouw de motie pas als afgedaan wanneer de handreiking er is.", DONE),
        ("In de vorige voortgangsbrief is de motie als afgedaan beschouwd.", DONE),
        ("Beschouwt u de motie als afgedaan?", DONE),
        ("De motie is niet afgedaan.", DONE),
        # Work that is finished, or about something other than a motion.
        (
            "Daarom is een aanpak opgenomen waarin een deel van deze resultaten zijn meegenomen.",
            PROGRESS,
        ),
        ("Hiermee wordt uitvoering gegeven aan de doelstellingen binnen het programma.", PROGRESS),
        ("De uitvoering van het Actieplan ligt bij vele actiehouders.", PROGRESS),
        # Research that is done, not pending.
        ("In het verleden zijn er verschillende onderzoeken verricht.", RESEARCH),
        ("Regioplan concludeerde dat misbruik niet kon worden aangetoond.", RESEARCH),
        ("Het onderzoek laat zien dat de capaciteit onvoldoende is.", RESEARCH),
        ("Het CKM en het WODC hebben in 2022 en 2023 hier onderzoek naar gedaan.", RESEARCH),
        # "geen"/"niet" alone is no refusal.
        ("Geen van hen herkent het beeld van misbruik van de B8/3-regeling.", DECLINED),
        ("Het is niet de bedoeling dat slachtoffers lang wachten.", DECLINED),
    ],
)
def test_look_alike_is_not_that_status(sentence, not_expected):
    assert not_expected not in statuses_in(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Het rapport wordt aan uw Kamer aangeboden als bijlage bij deze brief.",
        "Sekswerk is een legaal beroep in Nederland.",
        "De e-learning is afgelopen zomer afgerond en staat inmiddels online.",
    ],
)
def test_plain_sentences_give_no_status(sentence):
    assert statuses_in(sentence) == []
