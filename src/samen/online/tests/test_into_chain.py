"""An analyst sends a lead cluster into the chain as a signal on the online list, audited."""

import json

import pytest
from django.core.management import CommandError, call_command

from samen.cases import crypto
from samen.core.models import AuditEntry
from samen.signalling.models import Signal

CLUSTER = {
    "cluster_id": "c0000042",
    "size": 9,
    "score": 7.5,
    "cities": ["Utrecht", "Zeist"],
    "first_seen": "2026-02-01",
    "last_seen": "2026-03-01",
    "personas": ["Synth A (19)", "Synth B (17)"],
    "shared_contacts": [{"contact": "telegram:synth_handle", "type": "telegram handle"}],
    "indicators": [
        {"id": "contact_many_personas", "contribution": 3.0},
        {"id": "template_many_cities", "contribution": 2.0},
        {"id": "price_below_median", "contribution": 0.5},
    ],
    "explanation": ["One contact behind many personas (synthetic)."],
    "evidence": [{"ad_id": "ad1", "url": "https://adsite.example/ad/1", "hits": []}],
}


@pytest.fixture
def leads_file(tmp_path):
    path = tmp_path / "leads.json"
    path.write_text(json.dumps({"clusters": [CLUSTER]}))
    return path


def test_a_lead_becomes_an_online_signal_with_its_evidence(world, leads_file, capsys):
    call_command("online", "send-lead", "--leads", str(leads_file), "--cluster", "c0000042",
                 "--user", "demo-coordinator")  # fmt: skip
    assert "recorded" in capsys.readouterr().out
    signal = Signal.objects.get()
    assert signal.signal_list.code == "online"
    assert set(signal.indicators.values_list("code", flat=True)) == {
        "online.contact.shared_number",
        "online.platform.template_text",
        "online.ad_content.low_price",
    }
    assert signal.municipality.name == "Utrecht"  # the first of its cities that is a municipality
    notes = crypto.decrypt_json(signal.notes_ciphertext, context=f"signal:{signal.case.number}")
    assert "https://adsite.example/ad/1" in notes["notes"] and "c0000042" in notes["notes"]
    assert signal.case.person.is_minor  # a persona of 17
    assert signal.advice == "call_now"
    entry = AuditEntry.objects.get(action="signal.create")
    assert entry.origin == "cli:online-send-lead" and entry.actor_username == "demo-coordinator"


def test_unknown_cluster_and_roles_without_signalling_are_refused(world, leads_file):
    with pytest.raises(CommandError, match="cluster"):
        call_command("online", "send-lead", "--leads", str(leads_file), "--cluster", "nope",
                     "--user", "demo-coordinator")  # fmt: skip
    with pytest.raises(CommandError, match="may not"):
        call_command("online", "send-lead", "--leads", str(leads_file), "--cluster", "c0000042",
                     "--user", "demo-shelter")  # fmt: skip
    assert Signal.objects.count() == 0


def test_sending_the_same_lead_twice_links_to_the_same_signal_and_case(world, leads_file, capsys):
    args = ["online", "send-lead", "--leads", str(leads_file), "--cluster", "c0000042",
            "--user", "demo-coordinator"]  # fmt: skip
    call_command(*args)
    call_command(*args)
    assert "already sent" in capsys.readouterr().out
    assert Signal.objects.count() == 1


def test_a_lead_from_synthetic_ads_is_marked_synthetic(world, leads_file):
    call_command("online", "send-lead", "--leads", str(leads_file), "--cluster", "c0000042",
                 "--user", "demo-coordinator")  # fmt: skip
    signal = Signal.objects.get()
    assert signal.is_synthetic and signal.case.is_synthetic


def test_a_missing_leads_file_is_a_one_line_error(world, tmp_path):
    with pytest.raises(CommandError, match=r"^leads: "):
        call_command("online", "send-lead", "--leads", str(tmp_path / "none.json"),
                     "--cluster", "c0000042", "--user", "demo-coordinator")  # fmt: skip
