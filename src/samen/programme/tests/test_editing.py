"""Programme staff edit motions, commitments, recommendations and indicator values, in the UI and
the API; everyone else reads; every read and every change is audited."""

from io import BytesIO

import pytest
from django.conf import settings
from pypdf import PdfReader

from samen.core.models import AuditEntry
from samen.programme.models import (
    Commitment,
    IndicatorValue,
    ItemStatus,
    Motion,
    Recommendation,
)
from samen.programme.seed import load_seed

pytestmark = pytest.mark.django_db
API = "/api/v1/programme"


@pytest.fixture
def seeded(world):
    return load_seed()


@pytest.fixture
def web_en(web_for):
    def make(username: str):
        client = web_for(username)
        client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
        return client

    return make


def _open_motion() -> Motion:
    return Motion.objects.exclude(status=ItemStatus.DONE).exclude(dossier="").first()


def test_staff_declare_a_motion_done_through_the_api(api_for, seeded):
    motion = _open_motion()
    url = f"{API}/motions/{motion.reference_key}/"
    response = api_for("demo-programme").patch(
        url, {"status": "done", "status_date": "2026-11-20", "notes": "Per brief."}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "done" and body["status_date"] == "2026-11-20"
    # A hand-set status has no letter behind it.
    assert body["status_letter"] is None and body["letter_status"] == ""
    motion.refresh_from_db()
    assert motion.status == "done" and motion.notes == "Per brief."
    entry = AuditEntry.objects.get(action="programme.motion.update")
    assert entry.object_id == str(motion.pk) and "status" in entry.fields


def test_other_roles_cannot_edit_and_nothing_changes(api_for, seeded):
    motion = _open_motion()
    url = f"{API}/motions/{motion.reference_key}/"
    response = api_for("demo-coordinator").patch(url, {"status": "done"}, format="json")
    assert response.status_code == 403
    motion.refresh_from_db()
    assert motion.status != "done"
    assert AuditEntry.objects.filter(action="programme.update", result="denied").exists()


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"status": "finished"}, "status"),
        ({"status_date": "2026-13-01"}, "status_date"),
        ({"dossier": "99999"}, "dossier"),  # the reference is the record's identity
        ({"subject": ""}, "subject"),
    ],
)
def test_bad_motion_edits_name_the_field(api_for, seeded, payload, field):
    motion = _open_motion()
    before = (motion.status, motion.subject, motion.dossier)
    response = api_for("demo-programme").patch(
        f"{API}/motions/{motion.reference_key}/", payload, format="json"
    )
    assert response.status_code == 400 and field in response.json()["fields"]
    motion.refresh_from_db()
    assert (motion.status, motion.subject, motion.dossier) == before


def test_commitment_and_recommendation_edits(api_for, seeded):
    staff = api_for("demo-programme")
    commitment = Commitment.objects.exclude(status=ItemStatus.DONE).first()
    response = staff.patch(
        f"{API}/commitments/{commitment.code}/",
        {"status": "in_progress", "due": "2027-03-01"},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["due"] == "2027-03-01"
    recommendation = Recommendation.objects.first()
    url = f"{API}/recommendations/{recommendation.code}/"
    assert api_for("demo-professional").get(url).status_code == 200
    response = staff.patch(
        url, {"government_response": "Reactie verzonden.", "status": "responded"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "responded"
    assert staff.patch(url, {"status": "sleeping"}, format="json").status_code == 400
    assert staff.get(f"{API}/recommendations/nope/").status_code == 404


def test_indicator_values_are_added_with_their_source(api_for, seeded):
    staff = api_for("demo-programme")
    url = f"{API}/indicators/registered-possible-victims/values/"
    payload = {"value": "1012", "period": "2025", "as_of": "2025-12-31", "source": "CoMensha"}
    response = staff.post(url, payload, format="json")
    assert response.status_code == 201, response.content
    assert "2025" in [v["period"] for v in response.json()["values"]]
    value = IndicatorValue.objects.get(indicator__code="registered-possible-victims", period="2025")
    assert value.source_note and value.source == "CoMensha"
    # The same period from the same source twice is refused, with the field named.
    again = staff.post(url, payload, format="json")
    assert again.status_code == 400 and "period" in again.json()["fields"]
    negative = staff.post(url, {**payload, "period": "2026", "value": "-1"}, format="json")
    assert negative.status_code == 400 and "value" in negative.json()["fields"]
    assert api_for("demo-shelter").post(url, {**payload, "period": "2027"}).status_code == 403
    assert IndicatorValue.objects.filter(period__in=["2026", "2027"]).count() == 0


def test_every_read_leaves_one_audit_entry(api_for, web_for, seeded):
    before = AuditEntry.objects.filter(action="programme.read").count()
    api_for("demo-professional").get(f"{API}/motions/")
    web_for("demo-shelter").get("/programma/")
    reads = AuditEntry.objects.filter(action="programme.read").order_by("id")
    assert reads.count() == before + 2
    assert [r.object_type for r in reads][-2:] == ["programme.motion", "programme.overview"]


def test_staff_edit_a_motion_through_the_page(web_en, seeded):
    motion = _open_motion()
    staff = web_en("demo-programme")
    overview = staff.get("/programma/").content.decode()
    url = f"/programma/moties/{motion.reference_key}/"
    assert url in overview
    page = staff.get(url).content.decode()
    assert motion.subject[:30] in page and f'action="{url}bijwerken/"' in page
    bad = staff.post(f"{url}bijwerken/", {"status": "finished", "subject": motion.subject})
    assert bad.status_code == 400 and "Please check the form" in bad.content.decode()
    response = staff.post(
        f"{url}bijwerken/",
        {"status": "done", "status_date": "2026-11-20", "subject": motion.subject, "notes": ""},
    )
    assert response.status_code == 302
    motion.refresh_from_db()
    assert motion.status == "done"
    reader = web_en("demo-coordinator")
    assert f'action="{url}bijwerken/"' not in reader.get(url).content.decode()
    assert reader.post(f"{url}bijwerken/", {"status": "open"}).status_code == 403


def test_staff_add_an_indicator_value_through_the_page(web_en, seeded):
    staff = web_en("demo-programme")
    code = "registered-possible-victims"
    page = staff.get("/programma/indicatoren/").content.decode()
    assert f'data-testid="value-form-{code}"' in page
    url = f"/programma/indicatoren/{code}/waarden/"
    bad = staff.post(url, {f"{code}-value": "abc", f"{code}-period": "", f"{code}-source": ""})
    assert bad.status_code == 400 and "Please check the form" in bad.content.decode()
    ok = staff.post(
        url, {f"{code}-value": "1012", f"{code}-period": "2025", f"{code}-source": "CoMensha"}
    )
    assert ok.status_code == 302
    assert IndicatorValue.objects.filter(indicator__code=code, period="2025").exists()
    assert (
        "value-form"
        not in web_en("demo-professional").get("/programma/indicatoren/").content.decode()
    )


def test_the_overview_pdf_says_it_holds_no_personal_data(web_en, seeded):
    response = web_en("demo-programme").get("/programma/?format=pdf")
    text = "\n".join(p.extract_text() for p in PdfReader(BytesIO(response.content)).pages)
    assert "contains no personal data" in text and "Contains personal data" not in text


def test_action_lines_and_units_read_in_the_pages_language(web_for, seeded):
    client = web_for("demo-programme")  # Dutch, the default
    overview = client.get("/programma/").content.decode()
    assert "Creëren van brede bewustwording" in overview and "Broad awareness" not in overview
    assert "Eenheid: personen" in client.get("/programma/indicatoren/").content.decode()
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    assert "Broad awareness" in client.get("/programma/").content.decode()


def test_staff_edit_an_actions_holders_and_period(api_for, web_en, seeded):
    from samen.programme.models import Action

    action = Action.objects.order_by("code").first()
    staff = api_for("demo-programme")
    url = f"{API}/actions/{action.code}/"
    response = staff.patch(
        url,
        {"holders": ["JenV", "CoMensha"], "start": "2026-01-01", "end": "2027-06-30",
         "status": "running"},
        format="json",
    )  # fmt: skip
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["holders"] == ["JenV", "CoMensha"] and body["end"] == "2027-06-30"
    assert body["status"] == "running"
    backwards = staff.patch(url, {"start": "2027-01-01", "end": "2026-01-01"}, format="json")
    assert backwards.status_code == 400 and "end" in backwards.json()["fields"]
    action.refresh_from_db()
    assert str(action.start) == "2026-01-01"

    page = web_en("demo-programme")
    form = page.get(f"/programma/acties/{action.code}/").content.decode()
    assert 'data-testid="action-details-form"' in form and "CoMensha" in form
    saved = page.post(
        f"/programma/acties/{action.code}/gegevens/",
        {"holders": "JenV\nVWS\n\nJenV", "start": "", "end": "", "period_note": "medio 2026"},
    )
    assert saved.status_code == 302
    action.refresh_from_db()
    assert action.holders == ["JenV", "VWS"] and action.period_note == "medio 2026"
    assert (
        web_en("demo-coordinator")
        .post(f"/programma/acties/{action.code}/gegevens/", {"holders": "X"})
        .status_code
        == 403
    )
