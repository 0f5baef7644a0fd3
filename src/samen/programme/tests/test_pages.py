"""The programme pages: review a letter, the progress overview (HTML and PDF), the indicators."""

from io import BytesIO

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from pypdf import PdfReader

from samen.core.models import AuditEntry
from samen.programme.models import (
    ItemStatus,
    Letter,
    Motion,
    OverviewSnapshot,
    ProposedUpdate,
    UpdateState,
)
from samen.programme.seed import load_seed

pytestmark = pytest.mark.django_db


def _upload(client, seed_letter, **extra):
    data = {
        "file": SimpleUploadedFile(
            seed_letter.name, seed_letter.read_bytes(), content_type="text/plain"
        ),
        "title": "Voortgangsbrief najaar 2025",
        **extra,
    }
    return client.post("/programma/brieven/nieuw/", data)


@pytest.fixture
def web_en(web_for):
    """Sign in and read the pages in English, so the tests outlive the Dutch translation."""

    def make(username: str):
        client = web_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


@pytest.fixture
def staff(web_en):
    return web_en("demo-programme")


@pytest.fixture
def letter(staff, seed_letter) -> Letter:
    response = _upload(staff, seed_letter)
    assert response.status_code == 302
    return Letter.objects.get()


def test_upload_registers_the_letter_and_shows_the_review(staff, letter):
    assert letter.title == "Voortgangsbrief najaar 2025"
    assert letter.file_name == "voortgangsbrief_2025.txt"
    page = staff.get(f"/programma/brieven/{letter.pk}/").content.decode()
    assert "Kamerstukken II, 2024/25, 36 547, nr. 29" in page
    assert "Boomsma" in page and "NSC" in page
    assert "Hiermee beschouw ik bovengenoemde motie als afgedaan." in page
    assert page.count('data-testid="accept-') == ProposedUpdate.objects.count() == 18
    assert "<script" not in page
    # The letter list links to it.
    assert f"/programma/brieven/{letter.pk}/" in staff.get("/programma/brieven/").content.decode()


def test_upload_refuses_other_file_types(staff):
    bad = SimpleUploadedFile("brief.odt", b"not a letter")
    response = staff.post("/programma/brieven/nieuw/", {"file": bad})
    assert response.status_code == 400
    assert Letter.objects.count() == 0


def test_accept_through_the_page_updates_the_register_with_provenance(staff, letter):
    update = ProposedUpdate.objects.get(letter=letter, reference_key="36547-29")
    response = staff.post(f"/programma/voorstellen/{update.pk}/aanvaarden/")
    assert response.status_code == 302
    assert response["Location"].endswith(f"/programma/brieven/{letter.pk}/#update-{update.pk}")
    motion = Motion.objects.get(dossier="36547", document_number="29")
    assert motion.status == ItemStatus.DONE
    assert motion.status_letter == letter and motion.source_letter == letter
    assert motion.status_evidence.endswith("als afgedaan.")
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED and update.motion == motion
    assert update.decided_by.username == "demo-programme"
    assert AuditEntry.objects.filter(action="programme.motion.update").count() == 1
    # Deciding again is refused politely, not with an error page.
    again = staff.post(f"/programma/voorstellen/{update.pk}/aanvaarden/", follow=True)
    assert again.status_code == 200
    page = again.content.decode()
    assert "accept-" not in page.split(f'id="update-{update.pk}"')[1].split("</tr>")[0]


def test_reject_through_the_page_leaves_the_register_alone(staff, letter):
    update = ProposedUpdate.objects.get(letter=letter, reference_key="36547-38")
    response = staff.post(
        f"/programma/voorstellen/{update.pk}/afwijzen/", {"reason": "already processed"}
    )
    assert response.status_code == 302
    update.refresh_from_db()
    assert update.state == UpdateState.REJECTED and update.reason == "already processed"
    assert not Motion.objects.exists()


def test_other_roles_read_the_review_but_cannot_decide(web_en, letter, seed_letter):
    update = ProposedUpdate.objects.get(letter=letter, reference_key="36547-29")
    client = web_en("demo-coordinator")
    page = client.get(f"/programma/brieven/{letter.pk}/")
    assert page.status_code == 200 and 'data-testid="accept-' not in page.content.decode()
    assert client.post(f"/programma/voorstellen/{update.pk}/aanvaarden/").status_code == 403
    assert client.post(f"/programma/voorstellen/{update.pk}/afwijzen/").status_code == 403
    assert _upload(client, seed_letter).status_code == 403
    update.refresh_from_db()
    assert update.state == UpdateState.PROPOSED and not Motion.objects.exists()


def test_overview_page_and_what_changed(staff, letter):
    load_seed()
    page = staff.get("/programma/").content.decode()
    for heading in ("Progress overview", "Action line 1", "Motions", "Commitments"):
        assert heading in page
    assert "What changed since the previous overview" in page
    assert "Nothing changed." in page  # nothing accepted yet, no overview saved

    # Accepting an update from the letter shows up as a change from its before-state.
    update = ProposedUpdate.objects.get(letter=letter, reference_key="36547-38")
    staff.post(f"/programma/voorstellen/{update.pk}/aanvaarden/")
    update.refresh_from_db()
    assert update.before  # the motion existed: its earlier status was kept

    # After saving an overview, the next one compares against it.
    assert staff.post("/programma/overzicht/opslaan/", {"label": "najaar"}).status_code == 302
    snapshot = OverviewSnapshot.objects.get()
    assert (
        snapshot.state["motion"]["36547-38"]["status"]
        == Motion.objects.get(document_number="38").status
    )
    assert "Nothing changed." in staff.get("/programma/").content.decode()
    Motion.objects.filter(document_number="38").update(status=ItemStatus.DONE)
    page = staff.get("/programma/").content.decode()
    assert "Nothing changed." not in page and "Considered done" in page


def test_overview_pdf_has_the_headings(staff):
    load_seed()
    response = staff.get("/programma/?format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    for heading in (
        "Progress overview",
        "What changed since the previous overview",
        "Action line 1",
        "Action line 6",
        "Motions",
        "Commitments",
    ):
        assert heading in text, heading


def test_indicators_page_draws_svg_with_a_table(web_en):
    load_seed()
    response = web_en("demo-professional").get("/programma/indicatoren/")
    page = response.content.decode()
    assert response.status_code == 200
    assert page.count("<svg") == 12
    assert "<script" not in page and "style=" not in page.split("<main")[1]
    assert "Geregistreerde mogelijke slachtoffers" in page
    assert "1.372" in page and "≥ 3.700" in page


def test_snapshot_is_for_programme_staff(web_en):
    assert web_en("demo-coordinator").post("/programma/overzicht/opslaan/").status_code == 403
    assert not OverviewSnapshot.objects.exists()


def test_nav_links_to_the_programme(web_for):
    assert 'href="/programma/"' in web_for("demo-shelter").get("/").content.decode()


def test_without_a_saved_overview_changes_come_from_accepted_updates(staff, tmp_path):
    load_seed()
    later = SimpleUploadedFile(
        "voortgangsbrief_2026.txt",
        (
            "Moties\n"
            "Motie Ceder (CU) c.s. – leeftijdsverificatie seksadvertentieplatforms"
            "[footnoteRef:1]\n"
            "Het plan van aanpak is gedeeld. Hiermee beschouw ik bovengenoemde motie als "
            "afgedaan. [1:  Kamerstukken II, 2024/25, 36 547, nr. 34.]\n"
        ).encode(),
    )
    assert staff.post("/programma/brieven/nieuw/", {"file": later}).status_code == 302
    update = ProposedUpdate.objects.get(reference_key="36547-34")
    staff.post(f"/programma/voorstellen/{update.pk}/aanvaarden/")
    page = staff.get("/programma/").content.decode()
    changes = page.split('data-testid="changes-table"')[1].split("</table>")[0]
    assert "36 547, nr. 34" in changes
    assert "Open" in changes and "Considered done" in changes
    assert "Declined" in changes and "Declared done" in changes


def test_a_word_letter_is_read_through_the_page(staff, seed_letter, tmp_path):
    from .letter_files import seed_as_docx

    docx = seed_as_docx(seed_letter, tmp_path / "voortgangsbrief.docx")
    upload = SimpleUploadedFile(docx.name, docx.read_bytes())
    response = staff.post("/programma/brieven/nieuw/", {"file": upload, "sent_on": "2025-11-20"})
    assert response.status_code == 302
    letter = Letter.objects.get()
    assert letter.file_name == "voortgangsbrief.docx" and letter.sent_on.isoformat() == "2025-11-20"
    assert ProposedUpdate.objects.filter(letter=letter).exclude(reference_key="").count() == 16


def test_a_damaged_pdf_is_refused_with_a_message(staff):
    upload = SimpleUploadedFile("kapot.pdf", b"%PDF-1.4 not really")
    response = staff.post("/programma/brieven/nieuw/", {"file": upload})
    assert response.status_code == 400
    assert "could not be read" in response.content.decode()
    assert not Letter.objects.exists()


def test_programme_staff_update_an_action_through_the_page(staff, web_en):
    from samen.programme.models import Action, ActionProgress

    load_seed()
    action = Action.objects.filter(status="running").first()
    url = f"/programma/acties/{action.code}/"
    page = staff.get(url).content.decode()
    assert action.title in page and "Update this action" in page
    response = staff.post(
        f"{url}bijwerken/", {"status": "delayed", "note": "Start moved to 2026.", "on": ""}
    )
    assert response.status_code == 302
    action.refresh_from_db()
    assert action.status == "delayed"
    note = ActionProgress.objects.filter(action=action).last()
    assert note.note == "Start moved to 2026." and note.source_note and note.on
    assert AuditEntry.objects.filter(action="programme.action.update").count() == 1
    # The overview shows the new state and links to the action.
    overview = staff.get("/programma/").content.decode()
    assert url in overview and "Start moved to 2026." in overview

    other = web_en("demo-coordinator")
    assert "Update this action" not in other.get(url).content.decode()
    assert other.post(f"{url}bijwerken/", {"status": "done"}).status_code == 403
    action.refresh_from_db()
    assert action.status == "delayed"
