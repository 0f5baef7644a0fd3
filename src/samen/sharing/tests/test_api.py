"""The sharing API: shares, revoking, notes and emergency access."""


def test_sharing_revoking_notes_and_emergency_through_the_api(api_for, record):
    from samen.organisations.models import Organisation

    number = record().case.number
    shelter = Organisation.objects.get(name__startswith="Opvang Veilig Onderdak Utrecht")
    coordinator = api_for("demo-coordinator")
    refused = coordinator.post(
        f"/api/v1/cases/{number}/shares/",
        {"recipient": shelter.pk, "purpose": "shelter_placement", "categories": ["criminal"]},
        format="json",
    )
    assert refused.status_code == 400 and "categories" in refused.json()["fields"]
    share = coordinator.post(
        f"/api/v1/cases/{number}/shares/",
        {"recipient": shelter.pk, "purpose": "shelter_placement", "categories": ["demographics"]},
        format="json",
    ).json()
    shelter_api = api_for("demo-shelter")
    seen = shelter_api.get(f"/api/v1/cases/{number}/").json()
    assert seen["access"] == "shared" and "identity" not in seen and "gender" in seen
    assert [s["case"] for s in shelter_api.get("/api/v1/shares/").json()["received"]] == [number]
    assert coordinator.post(f"/api/v1/shares/{share['id']}/revoke/").json()["revoked_at"]
    assert shelter_api.get(f"/api/v1/cases/{number}/").status_code == 404
    note = coordinator.post(
        f"/api/v1/cases/{number}/notes/", {"text": "synthetisch"}, format="json"
    )
    assert note.status_code == 201 and note.json()["kind"] == "care"
    noord = api_for("demo-coordinator-noord")
    assert (
        noord.post(
            "/api/v1/emergency-access/", {"case": number, "reason": "kort"}, format="json"
        ).status_code
        == 400
    )
    opened = noord.post(
        "/api/v1/emergency-access/",
        {"case": number, "reason": "synthetische noodsituatie"},
        format="json",
    )
    assert opened.status_code == 201
    assert noord.get(f"/api/v1/cases/{number}/").json()["access"] == "emergency"
    assert len(api_for("demo-professional").get("/api/v1/register/").json()) > 50
