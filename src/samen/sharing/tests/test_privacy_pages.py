import csv
import io

import pytest
from django.utils import translation

from samen.labels import audit_action_label


def test_everyone_can_read_the_register_and_download_it_as_csv(web_for):
    client = web_for("demo-professional")
    assert b"register-table" in client.get("/register/").content
    response = client.get("/register/?format=csv")
    text = response.content.decode("utf-8")
    # Dutch Excel: a byte-order mark, ";" between cells, headers and values in words.
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text[1:]), delimiter=";"))
    assert rows[0][:3] == ["Organisatietype", "Doel", "Gegevenscategorie"] and len(rows) > 50
    assert "care_coordination" not in text and "Zorgcoördinatie" in text


def test_the_register_downloads_as_pdf(web_for):
    response = web_for("demo-privacy").get("/register/?format=pdf")
    assert response.status_code == 200 and response.content.startswith(b"%PDF")


def test_only_the_privacy_officer_edits_the_register(web_for):
    from samen.core.models import ProcessingRule

    rule = ProcessingRule.objects.first()
    assert web_for("demo-coordinator").get(f"/register/{rule.pk}/").status_code == 403
    client = web_for("demo-privacy")
    response = client.post(
        f"/register/{rule.pk}/",
        {
            "legal_basis": "AVG art. 6 lid 1 sub e",
            "sector_law": "",
            "retention_days": "400",
            "share_with": ["shelter"],
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert rule.retention_days == 400
    bad = client.post(f"/register/{rule.pk}/", {"legal_basis": "", "retention_days": "-3"})
    assert bad.status_code == 400


def test_subject_access_report_in_html_and_pdf(web_for, record):
    number = record().case.number
    web_for("demo-coordinator").get(f"/zaken/{number}/")
    client = web_for("demo-privacy")
    html = client.get(f"/privacy/inzage/{number}/").content.decode()
    assert "demo-coordinator" in html and "Zaak: ingezien" in html
    assert "Coördinatie van zorg" in html and "case.read" not in html
    pdf = client.get(f"/privacy/inzage/{number}/?format=pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_audit_viewer_filters_by_case_and_user(web_for, record):
    number = record().case.number
    web_for("demo-coordinator").get(f"/zaken/{number}/")
    client = web_for("demo-privacy")
    page = client.get(f"/privacy/audit/?case={number}&user=demo-coordinator").content.decode()
    with translation.override("nl"):
        read, created = audit_action_label("case.read"), audit_action_label("signal.create")
    # In words, not codes (issue #16): the coordinator's read, not the professional's signal.
    assert read in page and created not in page and "case.read" not in page
    assert client.get("/privacy/audit/").status_code == 200


@pytest.mark.parametrize(
    "path", ["/privacy/", "/privacy/audit/", "/privacy/delingen/", "/privacy/noodtoegang/"]
)
def test_privacy_pages_are_for_the_privacy_officer_only(web_for, path):
    assert web_for("demo-coordinator").get(path).status_code == 403
    assert web_for("demo-privacy").get(path).status_code == 200


def test_sharing_and_revoking_through_the_pages(web_for, record):
    from samen.core.models import CaseShare
    from samen.organisations.models import Organisation

    number = record().case.number
    shelter = Organisation.objects.get(name__startswith="Opvang Veilig Onderdak Utrecht")
    client = web_for("demo-coordinator")
    refused = client.post(
        f"/zaken/{number}/delen/",
        {"recipient": shelter.pk, "purpose": "shelter_placement", "categories": ["criminal"]},
    )
    assert refused.status_code == 400 and CaseShare.objects.count() == 0
    ok = client.post(
        f"/zaken/{number}/delen/",
        {"recipient": shelter.pk, "purpose": "shelter_placement", "categories": ["demographics"]},
    )
    assert ok.status_code == 302
    assert web_for("demo-shelter").get(f"/zaken/{number}/").status_code == 200
    share = CaseShare.objects.get()
    client = web_for("demo-coordinator")
    client.post(f"/delen/{share.pk}/intrekken/")
    assert web_for("demo-shelter").get(f"/zaken/{number}/").status_code == 404


def test_emergency_access_through_the_page(web_for, record):
    number = record().case.number
    client = web_for("demo-coordinator-noord")
    assert client.post("/noodtoegang/", {"number": number, "reason": "kort"}).status_code == 400
    response = client.post(
        "/noodtoegang/", {"number": number, "reason": "Synthetische noodsituatie 's nachts"}
    )
    assert response.status_code == 302
    assert client.get(f"/zaken/{number}/").status_code == 200
