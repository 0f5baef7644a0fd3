"""Barrier models as data, raising barriers, who sees and updates them, and the region map."""

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from samen.barriers import selectors, services
from samen.barriers.loader import read_model_files, validate_model
from samen.barriers.models import Barrier, BarrierModel, BarrierState, RaisedBarrier
from samen.conftest import signal_input
from samen.core.models import AuditEntry
from samen.organisations.models import Organisation, OrganisationType, SafetyRegion
from samen.signalling.services import signal_record

pytestmark = pytest.mark.django_db


def _barrier(form: str, code: str) -> Barrier:
    return Barrier.objects.get(step__model__form=form, step__model__is_current=True, code=code)


def _police(region: str) -> Organisation:
    return Organisation.objects.get(type=OrganisationType.POLICE, municipality__region__code=region)


def test_each_form_has_a_current_model_with_the_six_steps_linked_to_signal_indicators(world):
    current = {m.form: m for m in BarrierModel.objects.filter(is_current=True)}
    assert set(current) == {"sexual", "labour", "criminal"}
    for model in current.values():
        steps = list(model.steps.order_by("order"))
        assert steps[0].code == "recruitment" and len(steps) >= 5
        assert any(s.indicator_codes for s in steps)
        assert all(b.partner_types and b.instrument_nl for s in steps for b in s.barriers.all())


def test_a_model_naming_an_unknown_indicator_or_partner_type_is_refused():
    data = read_model_files()[0]
    data["steps"][0]["indicators"] = ["general.nothing.such"]
    with pytest.raises(ValueError, match="unknown indicators"):
        validate_model(data, source="x", indicator_codes={"general.appearance.injuries"})
    data = read_model_files()[0]
    data["steps"][0]["barriers"][0]["partners"] = ["bakery"]
    codes = {c for s in data["steps"] for c in s["indicators"]}
    with pytest.raises(ValueError, match="bad partners"):
        validate_model(data, source="x", indicator_codes=codes)


def test_the_region_raises_a_barrier_with_partners_of_the_owning_types(actor_for):
    raised = services.barrier_raise(
        actor=actor_for("demo-coordinator"),
        barrier=_barrier("criminal", "premises_closure"),
        partners=[_police("VR09")],
        state=BarrierState.ACTIVE,
        note="Afspraak met de burgemeester.",
    )
    assert raised.region.code == "VR09" and raised.state == "active"
    assert raised.notes.get().text == "Afspraak met de burgemeester."
    assert AuditEntry.objects.filter(action="barrier.raise", object_id=str(raised.pk)).exists()


def test_a_partner_of_a_type_that_does_not_own_the_barrier_is_refused(actor_for):
    school = Organisation.objects.filter(
        type=OrganisationType.SCHOOL, municipality__region__code="VR09"
    ).first()
    with pytest.raises(ValidationError) as error:
        services.barrier_raise(
            actor=actor_for("demo-coordinator"),
            barrier=_barrier("criminal", "premises_closure"),  # municipality and police
            partners=[school],
        )
    assert "partners" in error.value.message_dict
    assert not RaisedBarrier.objects.exists()


def test_a_field_professional_cannot_raise_a_barrier_and_the_refusal_is_audited(actor_for):
    with pytest.raises(PermissionDenied):
        services.barrier_raise(
            actor=actor_for("demo-professional"),
            barrier=_barrier("criminal", "premises_closure"),
            partners=[],
        )
    assert AuditEntry.objects.filter(action="barrier.raise", result="denied").exists()


@pytest.fixture
def raised(actor_for):
    return services.barrier_raise(
        actor=actor_for("demo-coordinator"),
        barrier=_barrier("criminal", "premises_closure"),
        partners=[_police("VR09")],
    )


def test_partners_see_only_their_own_barriers(raised, actor_for):
    assert list(selectors.raised_visible(actor=actor_for("demo-investigator"))) == [raised]
    assert list(selectors.raised_visible(actor=actor_for("demo-programme"))) == [raised]
    other = actor_for("demo-coordinator-noord")
    assert not selectors.raised_visible(actor=other).exists()
    with pytest.raises(RaisedBarrier.DoesNotExist):
        selectors.raised_get(actor=other, raised_id=raised.pk)
    assert AuditEntry.objects.filter(
        action="barrier.read", result="denied", actor_username="demo-coordinator-noord"
    ).exists()


def test_only_an_owning_partner_records_progress(raised, actor_for):
    today = date.today()
    note = services.barrier_progress(
        actor=actor_for("demo-investigator"),
        raised=raised,
        state="active",
        on=today,
        text="Gestart",
    )
    raised.refresh_from_db()
    assert raised.state == "active" and note.organisation == _police("VR09")
    for outsider in ("demo-coordinator-noord", "demo-programme"):
        with pytest.raises(PermissionDenied):
            services.barrier_progress(
                actor=actor_for(outsider), raised=raised, state="evaluated", on=today, text="x"
            )
    assert AuditEntry.objects.filter(action="barrier.update", result="denied").count() == 2


def test_a_progress_note_cannot_be_dated_in_the_future(raised, actor_for):
    with pytest.raises(ValidationError) as error:
        services.barrier_progress(
            actor=actor_for("demo-coordinator"),
            raised=raised,
            state="active",
            on=date.today() + timedelta(days=1),
            text="Later",
        )
    assert "on" in error.value.message_dict


def _last_year(actor_for, n: int, **overrides) -> None:
    """Signals observed and recorded last year: the map counts whole calendar years only."""
    on = date(timezone.localdate().year - 1, 6, 15)
    for _ in range(n):
        signal_record(
            actor=actor_for("demo-professional"),
            data=signal_input(observed_on=on, **overrides),
            at=datetime.combine(on, time(10), ZoneInfo("Europe/Amsterdam")),
        )


def test_the_map_shows_states_and_signal_clusters_only_through_the_statistics_grant(
    raised, actor_for
):
    model = BarrierModel.objects.get(form="criminal", is_current=True)
    region = SafetyRegion.objects.get(code="VR09")
    # Twelve signals on the recruitment step (school list), none on housing.
    _last_year(actor_for, 12, signal_list="school", indicators=["school.relationships.recruiting"])
    coordinator_map = selectors.barrier_map(
        actor=actor_for("demo-coordinator"), model=model, region=region
    )
    assert not coordinator_map.signals_shown
    housing = next(r for r in coordinator_map.rows if r.step.code == "housing")
    assert {c.barrier.code: c.state for c in housing.cells}["premises_closure"] == "planned"

    stats_map = selectors.barrier_map(actor=actor_for("demo-registrar"), model=model, region=region)
    rows = {r.step.code: r for r in stats_map.rows}
    assert stats_map.signals_shown
    assert rows["recruitment"].signals == 12 and rows["recruitment"].gap
    assert rows["housing"].signals == 0 and not rows["housing"].gap
    assert AuditEntry.objects.filter(
        action="statistics.export", object_type="barrier_map", actor_username="demo-registrar"
    ).exists()


def test_small_signal_counts_on_the_map_are_hidden_by_disclosure_control(actor_for):
    model = BarrierModel.objects.get(form="criminal", is_current=True)
    region = SafetyRegion.objects.get(code="VR09")
    _last_year(actor_for, 3, signal_list="school", indicators=["school.relationships.recruiting"])
    the_map = selectors.barrier_map(actor=actor_for("demo-registrar"), model=model, region=region)
    assert next(r for r in the_map.rows if r.step.code == "recruitment").signals is None


def test_the_coordinator_raises_a_barrier_through_the_page(web_for):
    client = web_for("demo-coordinator")
    page = client.get("/barrieres/criminal/regio/VR09/")
    assert page.status_code == 200
    assert "Barrièremodel criminele uitbuiting" in page.content.decode()
    barrier = _barrier("criminal", "premises_closure")
    response = client.post(
        "/barrieres/criminal/opwerpen/",
        {"barrier": barrier.pk, "partners": [_police("VR09").pk], "state": "planned"},
    )
    assert response.status_code == 302
    bad = client.post("/barrieres/criminal/opwerpen/", {"barrier": barrier.pk, "state": "x"})
    assert bad.status_code == 400
