"""/api/v1/programme/: every signed-in role reads; only programme staff decide updates."""

import pytest

from samen.programme import services
from samen.programme.letter import read_letter
from samen.programme.models import ItemStatus, Motion, ProposedUpdate, UpdateState
from samen.programme.seed import load_seed

pytestmark = pytest.mark.django_db
API = "/api/v1/programme"


@pytest.fixture
def seeded(world):
    return load_seed()


def test_motions_of_the_16_references_are_listed(api_for, seeded, seed_letter):
    reading = read_letter(seed_letter)
    motion_keys = {
        i.reference.key for i in reading.items if i.reference is not None and i.kind == "motion"
    }
    assert len(reading.references) == 16
    response = api_for("demo-shelter").get(f"{API}/motions/")
    assert response.status_code == 200
    listed = {m["reference_key"]: m for m in response.json()}
    assert motion_keys <= set(listed)
    boomsma = listed["36547-29"]
    assert boomsma["reference_display"] == "Kamerstukken II, 2024/25, 36 547, nr. 29"
    assert boomsma["submitters"] == [{"name": "Boomsma", "party": "NSC", "party_inferred": False}]
    assert boomsma["parties"] == ["NSC"] and boomsma["status"] == "done"
    assert boomsma["status_evidence"].endswith("als afgedaan.")
    assert boomsma["source_letter"] == seeded.letter.pk
    done = api_for("demo-shelter").get(f"{API}/motions/?status=done").json()
    assert {m["reference_key"] for m in done} == {
        m.reference_key for m in Motion.objects.filter(status=ItemStatus.DONE)
    }
    assert all(m["status"] == "done" for m in done) and done
    detail = api_for("demo-shelter").get(f"{API}/motions/36547-29/")
    assert detail.status_code == 200 and detail.json()["subject"] == boomsma["subject"]
    assert api_for("demo-shelter").get(f"{API}/motions/1-2/").status_code == 404


def test_register_lists_for_every_role(api_for, seeded):
    client = api_for("demo-professional")
    lines = client.get(f"{API}/action-lines/").json()
    assert [line["number"] for line in lines] == [1, 2, 3, 4, 5, 6]
    actions = client.get(f"{API}/actions/").json()
    assert len(actions) == 27 and all("progress" in a for a in actions)
    assert all(a["action_line"] == 3 for a in client.get(f"{API}/actions/?action_line=3").json())
    code = actions[0]["code"]
    assert client.get(f"{API}/actions/{code}/").json()["code"] == code
    assert client.get(f"{API}/action-lines/1/").json()["number"] == 1
    assert len(client.get(f"{API}/commitments/").json()) == 7
    assert len(client.get(f"{API}/recommendations/").json()) == 4
    indicators = client.get(f"{API}/indicators/").json()
    assert len(indicators) == 12
    victims = client.get(f"{API}/indicators/registered-possible-victims/").json()
    assert [v["period"] for v in victims["values"]][:2] == ["2019", "2020"]


def test_bad_filters_answer_400_naming_the_parameter(api_for, seeded):
    response = api_for("demo-professional").get(f"{API}/motions/?status=nonsense")
    assert response.status_code == 400 and "status" in response.json()["fields"]
    assert api_for("demo-professional").get(f"{API}/actions/?action_line=x").status_code == 400


def test_signed_out_callers_are_refused(api_for, seeded):
    assert api_for(None).get(f"{API}/motions/").status_code in (401, 403)


def test_only_programme_staff_decide_through_the_api(api_for, actor_for, seed_letter):
    letter, _, _ = services.letter_register(
        path=seed_letter, by=actor_for("demo-programme"), title="Voortgangsbrief"
    )
    update = ProposedUpdate.objects.get(letter=letter, reference_key="36547-29")
    listed = api_for("demo-coordinator").get(f"{API}/letters/{letter.pk}/updates/").json()
    assert len(listed) == 18
    assert api_for("demo-coordinator").post(f"{API}/updates/{update.pk}/accept/").status_code == 403
    staff = api_for("demo-programme")
    response = staff.post(f"{API}/updates/{update.pk}/accept/")
    assert response.status_code == 200
    assert response.json()["state"] == "accepted" and response.json()["motion"] == "36547-29"
    assert Motion.objects.get(document_number="29").status_letter == letter
    assert staff.post(f"{API}/updates/{update.pk}/accept/").status_code == 409
    other = ProposedUpdate.objects.get(letter=letter, reference_key="36547-38")
    response = staff.post(f"{API}/updates/{other.pk}/reject/", {"reason": "no"}, format="json")
    assert response.status_code == 200 and response.json()["reason"] == "no"
    other.refresh_from_db()
    assert other.state == UpdateState.REJECTED


def test_schema_documents_the_programme_endpoints(client, db):
    paths = client.get("/api/schema/?format=json").json()["paths"]
    assert "/api/v1/programme/motions/" in paths
    assert "/api/v1/programme/updates/{id}/accept/" in paths or any(
        p.startswith("/api/v1/programme/updates/") for p in paths
    )


def test_only_programme_staff_patch_an_action(api_for, seeded):
    from samen.programme.models import Action

    action = Action.objects.filter(status="running").first()
    url = f"{API}/actions/{action.code}/"
    assert (
        api_for("demo-coordinator").patch(url, {"status": "done"}, format="json").status_code == 403
    )
    staff = api_for("demo-programme")
    response = staff.patch(
        url, {"status": "done", "note": "Finished.", "on": "2025-12-01"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "done"
    assert (
        body["progress"][-1]["note"] == "Finished." and body["progress"][-1]["on"] == "2025-12-01"
    )
    assert staff.patch(url, {"status": "bogus"}, format="json").status_code == 400
    empty = staff.patch(url, {}, format="json")
    assert empty.status_code == 400 and "note" in empty.json()["fields"]
