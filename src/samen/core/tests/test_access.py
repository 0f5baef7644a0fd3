"""Who sees which cases and signals, and what a refusal looks like."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from samen.cases import selectors as cases
from samen.cases.models import Case
from samen.core import policy
from samen.core.models import AuditEntry
from samen.signalling import selectors as signals
from samen.signalling.services import PersonInput

IDENTITY = PersonInput(
    name="Synthetische Persoon", date_of_birth=date(1990, 1, 2), nationality="BG"
)


def visible(actor) -> set[str]:
    page = cases.case_search(actor=actor, filters=cases.CaseFilters(), per_page=100)
    return {c["number"] for c in page.object_list}


def test_a_professional_reaches_no_case_not_even_that_of_their_own_signal(record, actor_for):
    record("demo-professional")
    record("demo-hotel")
    assert visible(actor_for("demo-professional")) == set()
    assert visible(actor_for("demo-hotel")) == set()


def test_a_coordinator_sees_the_cases_of_their_region_only(record, actor_for):
    utrecht = record("demo-professional").case.number
    groningen = record("demo-field-vr01", municipality="GM0014").case.number
    assert visible(actor_for("demo-coordinator")) == {utrecht}
    assert visible(actor_for("demo-coordinator-noord")) == {groningen}


def test_the_national_registrar_sees_all_cases(record, actor_for):
    numbers = {
        record("demo-professional").case.number,
        record("demo-field-vr01", municipality="GM0014").case.number,
    }
    assert visible(actor_for("demo-registrar")) == numbers


def test_another_regions_case_answers_not_found_and_is_audited(record, actor_for):
    number = record("demo-professional").case.number
    with pytest.raises(Http404):
        cases.case_get(actor=actor_for("demo-coordinator-noord"), number=number)
    entry = AuditEntry.objects.filter(action="case.read").latest("id")
    assert (entry.result, entry.object_id) == ("not_found", number)


def test_shelter_staff_reach_no_case_without_a_share(record, actor_for):
    number = record().case.number
    assert visible(actor_for("demo-shelter")) == set()
    with pytest.raises(Http404):
        cases.case_get(actor=actor_for("demo-shelter"), number=number)


def test_a_role_without_case_access_is_refused(record, actor_for):
    number = record().case.number
    for username in ("demo-programme", "demo-privacy", "demo-admin"):
        with pytest.raises(PermissionDenied):
            cases.case_get(actor=actor_for(username), number=number)
        with pytest.raises(PermissionDenied):
            cases.case_search(actor=actor_for(username), filters=cases.CaseFilters())


def test_identity_is_absent_for_the_professional_and_present_for_the_coordinator(record, actor_for):
    number = record(person=IDENTITY).case.number
    with pytest.raises(Http404):
        cases.case_get(actor=actor_for("demo-professional"), number=number)
    seen_by_coordinator = cases.case_get(actor=actor_for("demo-coordinator"), number=number)
    assert seen_by_coordinator["identity"]["name"] == "Synthetische Persoon"
    entry = AuditEntry.objects.filter(action="case.read", actor_username="demo-coordinator").get()
    assert "identity.name" in entry.fields


def test_a_professional_sees_only_their_own_signal_of_a_linked_case(record, actor_for):
    first = record("demo-professional", person=IDENTITY, notes="eigen notitie")
    second = record("demo-hotel", person=IDENTITY, notes="notitie van het hotel")
    professional = actor_for("demo-professional")
    with pytest.raises(Http404):
        cases.case_get(actor=professional, number=first.case.number)
    own = signals.signal_get(actor=professional, signal_id=first.signal.pk)
    assert own["notes"] == "eigen notitie"
    with pytest.raises(Http404):
        signals.signal_get(actor=professional, signal_id=second.signal.pk)
    listed = signals.signal_search(actor=professional).object_list
    assert [s["id"] for s in listed] == [first.signal.pk]
    coordinator_view = cases.case_get(actor=actor_for("demo-coordinator"), number=first.case.number)
    assert len(coordinator_view["signals"]) == 2
    assert {s.get("notes") for s in coordinator_view["signals"]} == {
        "eigen notitie",
        "notitie van het hotel",
    }


def test_signal_notes_are_absent_for_an_investigator_reading_someone_elses_signal(
    record, actor_for
):
    outcome = record(notes="synthetische notitie")
    # Investigators may read identity for their purpose, so they see notes; the hotel (another
    # professional) may not read the signal at all.
    with pytest.raises(Http404):
        signals.signal_get(actor=actor_for("demo-hotel"), signal_id=outcome.signal.pk)
    assert signals.signal_get(actor=actor_for("demo-professional"), signal_id=outcome.signal.pk)[
        "notes"
    ]


def test_every_read_writes_one_audit_entry(record, actor_for):
    number = record().case.number
    before = AuditEntry.objects.count()  # the trail is append-only: count, never delete
    coordinator = actor_for("demo-coordinator")
    cases.case_search(actor=coordinator, filters=cases.CaseFilters())
    cases.case_get(actor=coordinator, number=number)
    signals.signal_search(actor=coordinator)
    actions = list(
        AuditEntry.objects.filter(seq__gt=before).order_by("seq").values_list("action", "result")
    )
    assert actions == [("case.search", "ok"), ("case.read", "ok"), ("signal.search", "ok")]
    search = AuditEntry.objects.get(action="case.search")
    assert search.detail["shown"] == [number]


def test_case_filters_narrow_the_list(record, actor_for):
    record(forms=["sexual"])
    record(forms=["labour"], person=PersonInput(age_band="12-17"))
    registrar = actor_for("demo-registrar")

    def count(**kw) -> int:
        return cases.case_search(actor=registrar, filters=cases.CaseFilters(**kw)).paginator.count

    assert count() == 2
    assert count(form="labour") == 1
    assert count(minor=True) == 1
    assert count(region="VR01") == 0
    assert count(status="closed") == 0


def test_every_permission_in_the_table_names_existing_roles():
    from samen.organisations.models import Role

    for permission, roles in policy.PERMISSIONS.items():
        assert roles <= set(Role), permission
    with pytest.raises(KeyError):
        policy.allows(None, "no.such.permission")


def test_status_change_is_recorded_on_the_timeline(record, actor_for):
    from samen.cases.services import case_status_change

    case = record().case
    case_status_change(actor=actor_for("demo-coordinator"), case=case, status="in_assessment")
    assert Case.objects.get(pk=case.pk).status == "in_assessment"
    assert case.events.filter(kind="status_changed").count() == 1
    with pytest.raises(PermissionDenied):
        case_status_change(actor=actor_for("demo-professional"), case=case, status="closed")
    with pytest.raises(Http404):
        case_status_change(actor=actor_for("demo-coordinator-noord"), case=case, status="closed")
