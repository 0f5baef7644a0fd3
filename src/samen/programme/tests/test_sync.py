"""`samen programme sync` against recorded Gegevensmagazijn responses (never the network)."""

from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from samen.programme import services
from samen.programme.models import (
    Commitment,
    ItemStatus,
    Letter,
    Motion,
    ParliamentRecord,
    ProposedUpdate,
    SyncState,
    UpdateState,
)
from samen.programme.opendata.client import OpenDataUnavailable, RecordedTransport
from samen.programme.opendata.sync import programme_sync

pytestmark = pytest.mark.django_db

RECORDED = Path(__file__).parent / "fixtures" / "tk_odata"
DOSSIERS = ["28638", "36547"]


def _sync(name: str = "first_sync.json", **kwargs):
    transport = RecordedTransport(RECORDED / name)
    result = programme_sync(transport=transport, dossiers=DOSSIERS, interval=0.0, **kwargs)
    return result, transport


def test_sync_stores_motions_and_commitments_with_their_ids_and_votes():
    result, transport = _sync()
    assert result.fetched == {"motion": 3, "commitment": 2}
    assert len(transport.requested) == 3  # two pages of motions via @odata.nextLink, one more
    assert transport.requested[1].endswith("&$skip=250")
    den_hartog = ParliamentRecord.objects.get(number="2026Z02011")
    assert den_hartog.tk_id == "9a1f8e2c-3b41-4d59-9f4e-0c1a2b3c4d01"
    assert (den_hartog.dossier, den_hartog.document_number) == ("28638", "262")
    assert den_hartog.vote_outcome == "Aangenomen"
    assert den_hartog.votes == {"voor": 69, "tegen": 27}
    assert den_hartog.members == [{"name": "Den Hartog", "party": "NSC", "party_inferred": False}]
    assert ParliamentRecord.objects.get(number="2026Z02012").vote_outcome == "Verworpen"
    assert ParliamentRecord.objects.get(number="TZ202602-031").tk_status == "Voldaan"


def test_sync_proposes_and_changes_nothing_without_review():
    result, _ = _sync()
    assert Motion.objects.count() == 0 and Commitment.objects.count() == 0
    assert result.letter.origin == "open_data"
    by_kind = {(u.kind, u.reference_key or u.payload["mention"]) for u in result.proposals}
    assert by_kind == {
        ("motion", "28638-262"),
        ("motion", "28638-265"),
        ("motion", "28638-266"),
        ("commitment", "TZ202602-031"),
        ("commitment", "TZ202602-032"),
    }
    mutluer = next(u for u in result.proposals if u.payload["mention"] == "TZ202602-031")
    assert mutluer.proposed_status == "done"
    assert mutluer.payload["made_to"][0]["name"] == "Mutluer"
    podt = next(u for u in result.proposals if u.payload["mention"] == "TZ202602-032")
    assert podt.proposed_status == ""  # "Openstaand" proposes no status


def test_second_sync_asks_only_for_changes_and_proposes_only_those():
    _sync()
    assert SyncState.objects.get(entity="motion").last_modified == "2026-02-13T09:01:00+01:00"
    # The recording holds only the URL with "GewijzigdOp gt <last seen>": another query fails.
    result, transport = _sync("second_sync.json")
    assert all("GewijzigdOp%20gt%202026-" in url for url in transport.requested)
    assert result.changed == {"motion": 1, "commitment": 0}
    assert [u.reference_key for u in result.proposals] == ["28638-266"]
    assert ParliamentRecord.objects.get(number="2026Z02490").vote_outcome == "Aangenomen"
    assert Letter.objects.filter(origin="open_data").count() == 2


def test_the_same_answer_twice_proposes_nothing_new():
    _sync()
    SyncState.objects.all().delete()  # forget the watermark: the records themselves still tell
    result, _ = _sync()
    assert result.proposals == [] and result.letter is None
    assert ProposedUpdate.objects.count() == 5


def test_requests_are_spaced_politely():
    waits: list[float] = []
    transport = RecordedTransport(RECORDED / "first_sync.json")
    programme_sync(transport=transport, dossiers=DOSSIERS, interval=5.0, sleep=waits.append)
    assert len(waits) == 2 and all(0 < w <= 5.0 for w in waits)


def test_accepting_sync_proposals_fills_the_register(programme_staff):
    result, _ = _sync()
    for update in result.proposals:
        services.proposed_update_accept(update=update, by=programme_staff)
    motion = Motion.objects.get(dossier="28638", document_number="262")
    assert (motion.tk_number, motion.vote_outcome) == ("2026Z02011", "Aangenomen")
    assert [(s.name, s.party) for s in motion.submitters.all()] == [("Den Hartog", "NSC")]
    assert motion.source_letter == result.letter
    commitment = Commitment.objects.get(tk_number="TZ202602-031")
    assert commitment.status == ItemStatus.DONE and commitment.tk_status == "Voldaan"
    assert commitment.code == "tk-tz202602-031"
    assert commitment.made_by.startswith("Weel, D.M. van")
    assert commitment.due.isoformat() == "2026-06-30"


def test_staff_accept_a_sync_proposal_on_the_review_page(web_for):
    result, _ = _sync()
    staff = web_for("demo-programme")
    page = staff.get(f"/programma/brieven/{result.letter.pk}/")
    assert page.status_code == 200 and "TZ202602-031" in page.content.decode()
    assert "2026Z02011 · Stemming: Aangenomen" in page.content.decode()
    update = next(u for u in result.proposals if u.reference_key == "28638-262")
    assert staff.post(f"/programma/voorstellen/{update.pk}/aanvaarden/").status_code == 302
    update.refresh_from_db()
    assert update.state == UpdateState.ACCEPTED
    assert Motion.objects.get(tk_number="2026Z02011").vote_outcome == "Aangenomen"


def test_an_unrecorded_query_is_an_error_not_a_network_call():
    transport = RecordedTransport(RECORDED / "second_sync.json")
    with pytest.raises(OpenDataUnavailable):
        programme_sync(transport=transport, dossiers=DOSSIERS, interval=0.0)
    assert ParliamentRecord.objects.count() == 0


def test_command_offline_gives_one_clear_line(monkeypatch):
    monkeypatch.setenv("SAMEN_TK_ODATA_URL", "http://127.0.0.1:9/OData/v4/2.0")
    monkeypatch.setenv("SAMEN_TK_ODATA_MIN_INTERVAL", "0")
    with pytest.raises(CommandError) as caught:
        call_command("programme", "sync", "--dossier", "28638")
    message = str(caught.value)
    assert message.startswith("Tweede Kamer open data not available: cannot reach 127.0.0.1:9")
    assert "\n" not in message
    assert ParliamentRecord.objects.count() == 0


def test_command_replays_a_recording(capsys):
    call_command(
        "programme",
        "sync",
        "--recorded",
        str(RECORDED / "first_sync.json"),
        "--dossier",
        "28638",
        "--dossier",
        "36547",
    )
    out = capsys.readouterr().out
    assert "motions 3 fetched, 3 new or changed" in out
    assert "5 proposals to review" in out


def test_command_refuses_a_dossier_that_is_no_number():
    with pytest.raises(CommandError, match="dossier is a number"):
        call_command("programme", "sync", "--dossier", "mensenhandel")
