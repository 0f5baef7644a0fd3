"""What is shown once a case is reached (issue #12): deny by default on fields, notes only as
free text and never another organisation's to a field professional, and the timeline, path
steps and notifications through the same field policy as the case."""

from __future__ import annotations

import json
from datetime import date

import pytest
from django.http import Http404

from samen.cases import selectors as cases
from samen.cases.models import CaseEvent, CaseNote
from samen.cases.services import note_add
from samen.core import policy, register
from samen.core.policy import CaseAccess, Relation
from samen.identification import services as identification
from samen.identification.definitions import machine_of
from samen.identification.demo import ask_to_assess
from samen.identification.models import Notification, PathDefinition
from samen.organisations.models import Membership, Organisation
from samen.sharing import services
from samen.signalling.services import PersonInput

SECRET_CARE = "zorgnotitie-kanarie"
SECRET_POLICE = "opsporingsnotitie-kanarie"


def shelter() -> Organisation:
    return Membership.objects.get(user__username="demo-shelter").organisation


@pytest.fixture
def case(record):
    return record(
        person=PersonInput(
            name="Synthetische Persoon", date_of_birth=date(1995, 6, 7), nationality="RO"
        ),
        forms=["sexual"],
    ).case


def test_an_unclassified_field_is_never_shown():
    everything = CaseAccess(Relation.RESPONSIBLE, frozenset(register.FIELD_CATEGORIES.values()), "")
    assert not everything.shows("a_field_added_later")
    assert everything.only_shown({"number": "MH-1", "a_field_added_later": "x"}) == {
        "number": "MH-1"
    }
    assert not everything.shows_timeline_entry("a_kind_added_later", {})
    assert everything.shown_step_values({"established_on": "2026-01-01", "new_value": 1}) == {
        "established_on": "2026-01-01"
    }


def test_the_field_professional_never_reads_a_coordinators_note(case, actor_for, web_for, api_for):
    note_add(actor=actor_for("demo-coordinator"), case=case, text=SECRET_CARE)
    professional = actor_for("demo-professional")
    # The signaller reaches its own signal, never the case (reach by relation, ADR 0007).
    with pytest.raises(Http404):
        cases.case_get(actor=professional, number=case.number)
    assert (
        SECRET_CARE
        not in web_for("demo-professional").get(f"/zaken/{case.number}/").content.decode()
    )
    body = api_for("demo-professional").get(f"/api/v1/cases/{case.number}/").content.decode()
    assert SECRET_CARE not in body
    # The coordinator still reads it.
    notes = cases.case_get(actor=actor_for("demo-coordinator"), number=case.number)["notes"]
    assert [n["text"] for n in notes] == [SECRET_CARE]


def test_notes_need_the_free_text_category():
    without = CaseAccess(Relation.SHARED, frozenset({"criminal"}), "")
    assert without.shows("notes.investigation") and not without.shows("notes")


@pytest.fixture
def shared_to_shelter(case, actor_for):
    """A case with a care note, a police note, identification steps with values, shared with
    the shelter for demographics and location only."""
    police = actor_for("demo-investigator")
    ask_to_assess(case, investigator=police)  # the police reach the case through the request
    note_add(actor=actor_for("demo-coordinator"), case=case, text=SECRET_CARE)
    note_add(actor=police, case=case, text=SECRET_POLICE)
    take = identification.transition_take
    take(actor=police, case=case, code="assessment_start", values={})
    take(
        actor=police,
        case=case,
        code="indication_establish",
        values={"established_on": "2026-11-28"},
    )
    take(
        actor=police,
        case=case,
        code="report_record",
        values={"reported_on": "2026-11-29", "kind": "report", "police_unit": "Midden"},
    )
    services.share_create(
        actor=actor_for("demo-coordinator", "shelter_placement"),
        case=case,
        recipient=shelter(),
        purpose="shelter_placement",
        categories=["demographics", "location"],
    )
    return case


def test_a_shelter_share_of_demographics_and_location_shows_nothing_else_on_the_timeline(
    shared_to_shelter, web_for, api_for
):
    case = shared_to_shelter
    body = api_for("demo-shelter").get(f"/api/v1/cases/{case.number}/")
    assert body.status_code == 200
    data = body.json()
    assert "forms" not in data and "notes" not in data
    timeline = data["timeline"]
    kinds = {e["kind"] for e in timeline}
    assert "note_added" not in kinds and "identification" not in kinds
    dumped = json.dumps(timeline)
    assert "sexual" not in dumped and "2026-11-2" not in dumped and "investigation" not in dumped
    path = api_for("demo-shelter").get(f"/api/v1/identification/cases/{case.number}/").json()
    assert path.get("steps", []) == []
    assert path["state"] == "" and path["next_steps"] == [] and not path.get("deadlines")
    assert "2026-11-2" not in json.dumps(path)

    html = web_for("demo-shelter").get(f"/zaken/{case.number}/").content.decode()
    assert SECRET_CARE not in html and SECRET_POLICE not in html
    assert (
        "Seksuele uitbuiting" not in html and "2026-11-2" not in html and "28-11-2026" not in html
    )
    assert str(CaseEvent.Kind.NOTE_ADDED.label) not in html
    assert "Notitie toegevoegd" not in html
    assert 'data-testid="ident-state"' not in html and 'data-testid="ident-steps"' not in html


def test_the_investigator_still_sees_the_steps_and_their_values(
    shared_to_shelter, actor_for, api_for
):
    from samen.identification.selectors import path_get

    case = shared_to_shelter
    path = path_get(actor=actor_for("demo-investigator"), case=case)
    values = {k: v for s in path["steps"] for k, v in (s["values"] or {}).items()}
    assert values["established_on"] == "2026-11-28" and values["reported_on"] == "2026-11-29"
    assert path_get(actor=actor_for("demo-shelter"), case=case)["steps"] == []
    timeline = api_for("demo-investigator").get(f"/api/v1/cases/{case.number}/").json()["timeline"]
    assert {"note_added", "identification", "created"} <= {e["kind"] for e in timeline}
    assert "2026-11-29" in json.dumps(timeline)


def test_a_notification_shows_only_with_its_kinds_category(shared_to_shelter, actor_for):
    from samen.identification.selectors import notifications_of

    shelter_actor = actor_for("demo-shelter")
    Notification.objects.create(
        user=shelter_actor.user,
        organisation=shelter_actor.organisation,
        kind=Notification.Kind.DEADLINE,
        case=shared_to_shelter,
        data={"deadline": "b83_decision", "due_on": "2026-12-24", "stage": "7"},
        created_at=shared_to_shelter.opened_at,
    )
    assert notifications_of(actor=shelter_actor) == []


# --- completeness: every emitted field, entry kind, step and value has a category ----------


def _classified(name: str) -> bool:
    return name in register.FIELD_CATEGORIES


def test_every_serialized_case_and_signal_field_has_a_category():
    from samen.cases import serializers as s
    from samen.identification.api import NotificationSerializer

    unclassified = []
    for serializer, prefix in (
        (s.CaseDetailSerializer, ""),
        (s.SignalSerializer, "signal."),
        (s.NoteSerializer, "note."),
        (s.TimelineEventSerializer, "timeline."),
        (s.IdentitySerializer, "identity."),
    ):
        unclassified += [prefix + f for f in serializer().fields if not _classified(prefix + f)]
    unclassified += [
        f"notification.{k}"
        for k in Notification.Kind.values
        if not _classified(f"notification.{k}")
    ]
    assert NotificationSerializer  # notifications are classified by kind, each row as a whole
    assert unclassified == []


def test_every_timeline_kind_path_step_and_step_value_has_a_category(db):
    assert [k for k in CaseEvent.Kind.values if k not in register.TIMELINE_CATEGORIES] == []
    assert [k for k in CaseNote.Kind.values if not _classified(f"notes.{k}")] == []
    missing = []
    for definition in PathDefinition.objects.all():
        for t in machine_of(definition).transitions.values():
            if not _classified(f"identification.step.{t.code}"):
                missing.append(t.code)
            missing += [
                f.name for f in t.fields if not _classified(f"identification.value.{f.name}")
            ]
    assert missing == []


class _Recording(dict):
    """FIELD_CATEGORIES that lets every field through but writes down the unclassified ones."""

    def __init__(self, data: dict[str, str]):
        super().__init__(data)
        self.unclassified: set[str] = set()

    def get(self, key, default=None):
        if key not in self:
            self.unclassified.add(key)
            return register.CASE_METADATA
        return super().get(key, default)


def test_every_field_the_case_and_signal_selectors_emit_has_a_category(
    shared_to_shelter, actor_for, api_for, web_for, record, monkeypatch
):
    """Every name the presentation asks the policy about, on a case with notes, identification
    steps, a share and a linked signal with a new detail: a key added later to case_summary,
    the notes, the timeline data, a path step or a signal fails here until it is classified
    (and until then the policy hides it)."""
    from samen.signalling import selectors as signal_selectors

    case = shared_to_shelter
    record(
        "demo-hotel",
        person=PersonInput(
            name="Synthetische Persoon", date_of_birth=date(1995, 6, 7), nationality="RO",
            contact="fictief",
        ),
    )  # fmt: skip
    recording = _Recording(register.FIELD_CATEGORIES)
    monkeypatch.setattr(policy, "FIELD_CATEGORIES", recording)
    monkeypatch.setattr(signal_selectors, "FIELD_CATEGORIES", recording)
    for username in ("demo-registrar", "demo-coordinator", "demo-investigator", "demo-shelter"):
        assert api_for(username).get(f"/api/v1/cases/{case.number}/").status_code == 200
        api_for(username).get(f"/api/v1/identification/cases/{case.number}/")
        api_for(username).get("/api/v1/signals/")
        web_for(username).get(f"/zaken/{case.number}/")
    for signal in case.signals.all():
        api_for("demo-registrar").get(f"/api/v1/signals/{signal.pk}/")
    assert recording.unclassified == set()
    stored = {
        f"timeline.data.{k}"
        for data in CaseEvent.objects.filter(case=case).values_list("data", flat=True)
        for k in data
    }
    assert {k for k in stored if k not in register.FIELD_CATEGORIES} == set()
