"""Records no letter or sync names, entered by programme staff (API and pages), corrections of
progress notes with their history, the letter upload page, and the demo's second letter."""

import pytest
from django.conf import settings

from samen.core.models import AuditEntry
from samen.programme.models import (
    Action,
    ActionProgress,
    Commitment,
    ItemStatus,
    Letter,
    Motion,
    Recommendation,
)
from samen.programme.seed import load_demo_letter, load_seed

pytestmark = pytest.mark.django_db
API = "/api/v1/programme"
MOTION = {
    "dossier": "28638",
    "document_number": "270",
    "parliamentary_year": "2025/26",
    "subject": "Verzoekt de regering een landelijk meldpunt voor sekswerkers in te richten",
    "submitters": [{"name": "Den Hartog", "party": "NSC"}, {"name": "El Amrani", "party": "PVV"}],
    "status": "open",
}


@pytest.fixture
def staff_api(api_for):
    return api_for("demo-programme")


@pytest.fixture
def staff(web_for, client):
    web = web_for("demo-programme")
    web.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return web


def test_staff_create_a_motion_through_the_api(staff_api):
    response = staff_api.post(f"{API}/motions/", MOTION, format="json")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["reference_key"] == "28638-270"
    assert body["submitters"] == [
        {"name": "Den Hartog", "party": "NSC", "party_inferred": False},
        {"name": "El Amrani", "party": "PVV", "party_inferred": False},
    ]
    assert body["source_note"] == "Entered in Samen by programme staff"
    motion = Motion.objects.get(dossier="28638", document_number="270")
    assert motion.status == ItemStatus.OPEN
    assert AuditEntry.objects.filter(action="programme.motion.create").count() == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"dossier": "2863"}, "dossier"),
        ({"document_number": ""}, "document_number"),
        ({"status": "finished"}, "status"),
        ({"date": "5 februari"}, "date"),
        ({"submitters": [{"party": "NSC"}]}, "submitters"),
        ({"source_letter": 1}, "source_letter"),
    ],
)
def test_bad_motion_input_names_the_field(staff_api, change, field):
    response = staff_api.post(f"{API}/motions/", {**MOTION, **change}, format="json")
    assert response.status_code == 400
    assert field in response.json()["fields"]
    assert Motion.objects.count() == 0


def test_the_same_motion_twice_is_refused_on_its_number(staff_api):
    assert staff_api.post(f"{API}/motions/", MOTION, format="json").status_code == 201
    again = staff_api.post(f"{API}/motions/", MOTION, format="json")
    assert again.status_code == 400 and "document_number" in again.json()["fields"]
    assert Motion.objects.count() == 1


def test_only_programme_staff_create(api_for):
    response = api_for("demo-shelter").post(f"{API}/motions/", MOTION, format="json")
    assert response.status_code == 403
    assert Motion.objects.count() == 0


def test_staff_create_a_commitment_and_a_recommendation(staff_api):
    commitment = staff_api.post(
        f"{API}/commitments/",
        {
            "made_to": "Mutluer (GL/PvdA)",
            "made_on": "2026-02-05",
            "description": "De Kamer informeren over de pilot bestuurlijke rapportage",
            "tk_number": "TZ202602-031",
        },
        format="json",
    )
    assert commitment.status_code == 201, commitment.json()
    assert commitment.json()["code"] == "tk-tz202602-031"
    assert Commitment.objects.get().made_to_members == [{"name": "Mutluer (GL/PvdA)", "party": ""}]
    bad = staff_api.post(f"{API}/recommendations/", {"code": "x", "title": "t", "body": "UN"})
    assert bad.status_code == 400 and "body" in bad.json()["fields"]
    good = staff_api.post(
        f"{API}/recommendations/",
        {"code": "greta-4-12", "title": "Versterk de identificatie", "body": "greta"},
        format="json",
    )
    assert good.status_code == 201 and Recommendation.objects.filter(code="greta-4-12").exists()


def test_a_progress_note_is_corrected_and_keeps_its_history(staff_api, world):
    load_seed()
    progress = ActionProgress.objects.order_by("pk").first()
    old = progress.note
    response = staff_api.patch(
        f"{API}/progress/{progress.pk}/", {"note": "Gecorrigeerde tekst."}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["note"] == "Gecorrigeerde tekst."
    assert [h["note"] for h in response.json()["history"]] == [old]
    progress.refresh_from_db()
    assert progress.note == "Gecorrigeerde tekst." and progress.history[0]["note"] == old
    empty = staff_api.patch(f"{API}/progress/{progress.pk}/", {"note": " "}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()["fields"]


def test_staff_create_a_motion_on_the_page(staff):
    page = staff.get("/programma/moties/nieuw/")
    assert page.status_code == 200 and 'data-testid="record-new"' in page.content.decode()
    response = staff.post(
        "/programma/moties/nieuw/",
        {
            "chamber": "II",
            "dossier": "28638",
            "document_number": "270",
            "subject": "Meldpunt voor sekswerkers",
            "submitters": "Den Hartog (NSC)\nEl Amrani (PVV)",
            "status": "open",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == "/programma/moties/28638-270/"
    motion = Motion.objects.get()
    assert [(s.name, s.party) for s in motion.submitters.all()] == [
        ("Den Hartog", "NSC"),
        ("El Amrani", "PVV"),
    ]


def test_a_bad_motion_on_the_page_shows_the_field_error(staff):
    response = staff.post(
        "/programma/moties/nieuw/",
        {
            "chamber": "II",
            "dossier": "286",
            "document_number": "1",
            "subject": "x",
            "status": "open",
        },
    )
    assert response.status_code == 400
    assert "five digits" in response.content.decode()
    assert Motion.objects.count() == 0


def test_other_roles_cannot_open_the_new_record_pages(web_for):
    client = web_for("demo-shelter")
    for path in ("/programma/moties/nieuw/", "/programma/toezeggingen/nieuw/"):
        assert client.get(path).status_code == 403


def test_correct_a_progress_note_on_the_action_page(staff, world):
    load_seed()
    progress = ActionProgress.objects.order_by("pk").first()
    action = progress.action
    response = staff.post(
        f"/programma/acties/{action.code}/voortgang/{progress.pk}/corrigeren/",
        {f"progress-{progress.pk}-note": "Nieuwe formulering."},
    )
    assert response.status_code == 302
    page = staff.get(f"/programma/acties/{action.code}/").content.decode()
    assert "Nieuwe formulering." in page and 'data-testid="progress-history"' in page
    assert Action.objects.get(pk=action.pk).progress.get(pk=progress.pk).history


def test_the_letter_upload_address_shows_a_page(staff):
    response = staff.get("/programma/brieven/nieuw/")
    assert response.status_code == 200
    assert 'data-testid="letter-new"' in response.content.decode()


def test_the_demo_has_a_second_letter_with_proposals(world):
    updates = load_demo_letter()
    assert Letter.objects.filter(title__contains="demo").count() == 1
    assert sum(1 for u in updates if u.proposed_status == "done") == 6
    assert {u.reference_key for u in updates} >= {"28638-262", "21501-20-2215"}


def test_the_review_page_shows_each_proposal_with_its_confidence(staff):
    updates = load_demo_letter()
    page = staff.get(f"/programma/brieven/{updates[0].letter_id}/").content.decode()
    done = next(u for u in updates if u.reference_key == "28638-262")
    assert f'data-testid="confidence-{done.item_index}">Confidence: 0.85' in page
