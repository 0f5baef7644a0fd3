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


@pytest.mark.parametrize(
    "sentence",
    [
        # afdoen in other word orders and as a separable verb
        "Ik beschouw de motie hiermee als afgedaan.",
        "Deze motie beschouw ik hiermee als afgedaan.",
        "Daarmee is de motie van de leden Van Kent en Van Baarle afgedaan.",
        "Met deze brief doe ik de motie van het lid El Amrani af.",
        "Ik beschouw, nu het rapport er ligt en de aanbevelingen worden meegenomen, de motie als "
        "afgedaan.",
        "Hiermee is invulling gegeven aan de motie en kan zij als afgedaan worden beschouwd.",
        # gestand doen, uitvoeren, voldoen aan
        "Hiermee doe ik de toezegging gestand.",
        "Daarmee is de toezegging gestand gedaan.",
        "De toezegging aan het lid Van Kent (SP) doe ik met deze brief gestand: er zijn 412 "
        "inspecties uitgevoerd.",
        "De motie is daarmee uitgevoerd.",
        "Deze toezegging heb ik uitgevoerd met de brief van 20 mei 2026.",
        "Met de indiening van het wetsvoorstel is aan de motie voldaan.",
        # a negation in a side clause does not govern the main clause
        "Hoewel de evaluatie niet alle vragen uit de motie beantwoordt, is daarmee aan de motie "
        "voldaan.",
        "Omdat werknemers die niet bij hun werkgever terecht kunnen zich nu tot het meldpunt "
        "wenden, heb ik de motie daarmee uitgevoerd.",
        "Ik beschouw de motie, die niet alleen om opvang vraagt, hiermee als afgedaan.",
        # "eerder genoemde" and "niet alleen" are no past and no negation
        "Hiermee beschouw ik de eerder genoemde motie als afgedaan.",
        "Hiermee is niet alleen aan de motie voldaan, maar ook aan de toezegging.",
        # "nu" and "als" opening a main clause, not a side clause
        "Nu beschouw ik de motie als afgedaan.",
        "Als gevolg hiervan beschouw ik de motie als afgedaan.",
        # nakomen (found missing on the held-out letter D)
        "Hiermee kom ik de toezegging na.",
        "De toezegging aan het lid Van Kent (SP), om te bezien of het kan, is met het overleg "
        "van 20 april 2026 nagekomen.",
    ],
)
def test_done_in_any_form(sentence):
    assert LetterStatus.DONE in statuses_in(sentence)


@pytest.mark.parametrize(
    "sentence",
    [
        "Zodra de resultaten bekend zijn, kan ik de motie als afgedaan beschouwen.",
        "Zodra zij gereed is, stuur ik haar naar uw Kamer en beschouw ik de toezegging als "
        "afgedaan.",
        "Ik beschouw de motie als afgedaan zodra de handreiking er is.",
        "Pas na de inwerkingtreding van de wet beschouw ik de motie als afgedaan.",
        "De motie wordt dus uitgevoerd, maar is nog niet afgedaan.",
        "Dat onderzoek is nog niet afgerond, zodat de toezegging nog niet is afgedaan.",
        "Omdat de motie niet kan worden uitgevoerd, kan zij nog niet als afgedaan worden "
        "beschouwd.",
        "Ik beschouw de motie daarom nog niet als afgedaan en informeer uw Kamer later.",
        "Ik heb uw Kamer laten weten dat ik deze motie niet kan uitvoeren.",
        "Daarmee is nog niet voldaan aan de motie.",
        "De toezegging heb ik nog niet gestand kunnen doen.",
        "In mijn brief van 3 maart is de motie als afgedaan beschouwd.",
        "In de eerdere voortgangsbrief is de toezegging afgedaan.",
        "Als het onderzoek gereed is, beschouw ik de motie als afgedaan.",
        "Als ik de resultaten heb, beschouw ik de motie als afgedaan.",
        "De toezegging is nog niet nagekomen.",
        "Het bedrijf is zijn afspraken nagekomen.",
        # carrying out something that is not the motion
        "In 2025 heeft de Arbeidsinspectie 412 inspecties bij uitzendbureaus uitgevoerd.",
        "Ik heb hiertoe een verkenning laten uitvoeren door SEO.",
    ],
)
def test_not_done_when_negated_conditional_or_about_something_else(sentence):
    assert LetterStatus.DONE not in statuses_in(sentence)
