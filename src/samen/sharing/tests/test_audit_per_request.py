"""Every request that shows or changes personal data writes exactly one complete audit entry."""

import pytest

from samen.cases.services import note_add
from samen.core.models import AuditEntry, EmergencyAccess
from samen.sharing import services
from samen.signalling.services import PersonInput

REQUIRED = (
    "seq", "at", "actor_username", "on_behalf_of", "organisation_id", "role", "action",
    "operation", "object_type", "object_id", "purpose", "legal_basis", "result", "origin",
    "prev_hash", "hash",
)  # fmt: skip


@pytest.fixture
def setup(record, actor_for):
    outcome = record(
        notes="synthetisch",
        person=PersonInput(
            name="Synthetische Persoon",
            date_of_birth=__import__("datetime").date(1993, 1, 1),
            nationality="NL",
        ),
    )
    case = outcome.case
    # The coordinator asks the police to assess the case (a share): that is their relation.
    from samen.identification.demo import ask_to_assess

    ask_to_assess(case, investigator=actor_for("demo-investigator"))
    note_add(actor=actor_for("demo-coordinator"), case=case, text="synthetische notitie")
    share = services.share_create(
        actor=actor_for("demo-coordinator"), case=case,
        recipient=__import__("samen.sharing.tests.test_sharing", fromlist=["shelter"]).shelter(),
        purpose="shelter_placement", categories=["demographics"],
    )  # fmt: skip
    emergency = services.emergency_start(
        actor=actor_for("demo-coordinator-noord"), case=case, reason="synthetische noodsituatie"
    )
    return {
        "case": case.number,
        "signal": outcome.signal.pk,
        "share": share.pk,
        "emergency": emergency.pk,
    }


def requests(s: dict) -> list[tuple[str, str, str, str, dict]]:
    n, sig = s["case"], s["signal"]
    return [
        ("web", "demo-coordinator", "get", "/zaken/", {}),
        ("web", "demo-coordinator", "get", f"/zaken/{n}/", {}),
        ("web", "demo-coordinator", "get", "/signalen/", {}),
        ("web", "demo-coordinator", "get", f"/signalen/{sig}/", {}),
        ("web", "demo-coordinator", "post", f"/zaken/{n}/notitie/", {"text": "nog een notitie"}),
        ("web", "demo-coordinator-noord", "get", f"/zaken/{n}/", {}),
        ("web", "demo-shelter", "get", f"/zaken/{n}/", {}),
        ("web", "demo-privacy", "get", "/privacy/audit/", {}),
        ("web", "demo-privacy", "get", f"/privacy/inzage/{n}/", {}),
        ("web", "demo-privacy", "get", "/privacy/delingen/", {}),
        ("web", "demo-privacy", "get", "/privacy/noodtoegang/", {}),
        ("api", "demo-coordinator", "get", "/api/v1/cases/", {}),
        ("api", "demo-coordinator", "get", f"/api/v1/cases/{n}/", {}),
        ("api", "demo-coordinator", "get", "/api/v1/signals/", {}),
        ("api", "demo-coordinator", "get", f"/api/v1/signals/{sig}/", {}),
        ("api", "demo-investigator", "get", f"/api/v1/cases/{n}/", {}),
        ("api", "demo-professional", "get", f"/api/v1/signals/{sig}/", {}),  # their own signal
    ]


def test_each_request_writes_exactly_one_complete_entry(setup, web_for, api_for):
    for channel, username, method, path, data in requests(setup):
        client = web_for(username) if channel == "web" else api_for(username)
        before = AuditEntry.objects.count()
        response = getattr(client, method)(path, data)
        assert response.status_code in (200, 302), (path, response.status_code)
        new = list(AuditEntry.objects.filter(seq__gt=before).values())
        assert len(new) == 1, (path, [e["action"] for e in new])
        entry = new[0]
        empty = [f for f in REQUIRED if entry[f] in ("", None)]
        assert not empty, (path, empty)
        assert entry["fields"] or entry["object_type"] == "audit", path
        assert entry["actor_username"] == username and entry["result"] == "ok"


def test_emergency_reads_are_flagged(setup, web_for):
    web_for("demo-coordinator-noord").get(f"/zaken/{setup['case']}/")
    assert AuditEntry.objects.filter(action="case.read").latest("seq").emergency is True
    assert EmergencyAccess.objects.get().case.number == setup["case"]


def test_recording_a_signal_writes_one_entry(api_for, world):
    from samen.signalling.models import Indicator

    code = Indicator.objects.filter(signal_list__code="general", acute=False).first().code
    before = AuditEntry.objects.count()
    response = api_for("demo-professional").post(
        "/api/v1/signals/",
        {
            "signal_list": "general",
            "indicators": [code],
            "observed_on": "2026-01-05",
            "municipality": "GM0344",
        },
        format="json",
    )
    assert response.status_code == 201
    assert AuditEntry.objects.count() == before + 1


def test_denied_and_hidden_requests_are_audited_once(setup, web_for):
    for username, path, result in [
        ("demo-programme", "/zaken/", "denied"),
        ("demo-coordinator-noord", "/zaken/MH-2000-000001/", "not_found"),
    ]:
        before = AuditEntry.objects.count()
        web_for(username).get(path)
        new = list(AuditEntry.objects.filter(seq__gt=before))
        assert [e.result for e in new] == [result]
