"""Calibration from the register, through the statistics purpose and its grants."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied

from samen.capacity.engine import Scenario
from samen.capacity.selectors import calibrate, directory_units
from samen.capacity.services import plan_run, protect_groups, year_period
from samen.core.models import AuditEntry, ProcessingRule
from samen.shelter.models import PlaceType
from samen.shelter.tests.conftest import make_place


def test_calibration_counts_the_years_referrals_by_profile_and_region(register, actor_for):
    read = calibrate(actor=actor_for("demo-programme"), period=year_period(register.year))
    streams = read.calibration.streams
    assert sum(s.count for s in streams) == register.referrals
    utrecht = [s for s in streams if s.needs.region == "VR09"]
    assert [(s.count, s.needs.gender, s.needs.minor, s.needs.forms) for s in utrecht] == [
        (12, "female", False, frozenset({"sexual"}))
    ]
    assert dict(read.calibration.refusals) == register.refusals
    assert set(read.calibration.stays["specialised"]) == {30.0}
    assert read.observed.median_wait == pytest.approx(2.0)
    assert read.observed.by_region == {"VR09": 12, "VR01": 4, "VR03": 15}
    assert read.modelled == ("gender", "minor", "form", "region")


def test_calibration_is_one_audit_entry_for_the_statistics_purpose(register, actor_for):
    before = AuditEntry.objects.count()
    calibrate(actor=actor_for("demo-programme"), period=year_period(register.year))
    entries = list(AuditEntry.objects.order_by("id")[before:])
    assert [(e.action, e.purpose) for e in entries] == [("capacity.calibrate", "statistics")]
    assert set(entries[0].fields) <= {"demographics", "exploitation", "location"}


def test_what_the_register_does_not_grant_statistics_stays_out_of_the_model(register, actor_for):
    ProcessingRule.objects.filter(
        organisation_type="ministry", purpose__code="statistics", category__code="location"
    ).delete()
    read = calibrate(actor=actor_for("demo-programme"), period=year_period(register.year))
    assert {s.needs.region for s in read.calibration.streams} == {""}
    assert "region" in read.withheld and read.observed.by_region == {}


def test_a_role_without_the_statistics_grant_cannot_calibrate(register, actor_for):
    with pytest.raises(PermissionDenied):
        calibrate(actor=actor_for("demo-coordinator"), period=year_period(register.year))
    assert AuditEntry.objects.filter(result="denied", object_type="capacity").exists()


def test_figures_resting_on_a_small_region_are_hidden_with_a_secondary(register, actor_for):
    """Four referrals in VR01 (fewer than 10): hidden; the national total is published, so one
    more region must be hidden too, or VR01 could be recalculated."""
    actor = actor_for("demo-programme")
    result = plan_run(actor=actor, year=register.year, scenario=Scenario(), replications=3)
    rows = {r.region: r for r in result.regions}
    assert not rows["VR01"].published and rows["VR01"].base_wait is None
    hidden = [r for r in result.regions if not r.published]
    assert len(hidden) >= 2
    assert all(r.base_wait is None and r.scenario_overflow is None for r in hidden)
    shown = [r for r in result.regions if r.published]
    assert shown and all(r.base_wait is not None for r in shown)
    release = protect_groups(result.read)
    assert release.table("referrals by region").cell(("VR01",)).suppressed
    # Eight holds for male minors: their refusal rate is hidden too; the arrivals are not.
    rows = {(r.kind, r.key): r for r in result.calibration_rows}
    assert rows[("refusal", "minor/male")].estimate is None
    assert rows[("arrivals", "")].n == register.referrals


def test_the_back_test_replays_the_year_calibrated_on_the_year_before(register, actor_for):
    result = plan_run(
        actor=actor_for("demo-programme"), year=register.year, scenario=Scenario(), replications=4
    )
    test = result.backtest
    assert test.observed_median_wait == pytest.approx(2.0)
    # Search (12 h) plus answers (6 h each): the register's own decomposition of the wait.
    assert 0.5 < test.simulated_median_wait.mean < 3.0
    assert test.wait_error == pytest.approx(test.simulated_median_wait.mean - 2.0)
    assert test.observed_occupied > 0 and test.simulated_occupied.mean > 0


def test_shared_places_count_with_the_chains_share_of_their_beds(register):
    """A combined women's / social shelter place is shared with other groups: of its ten beds
    the simulation counts the chain's share (CHAIN_SHARE, a fifth); a categorical place counts
    wholly."""
    location = register.places["women"].location
    shared = make_place(location, "Gedeeld", type=PlaceType.COMBINED, capacity=10)
    beds = {u.place.id: u.beds for u in directory_units()}
    assert beds[shared.id] == 2 and beds[register.places["women"].id] == 6
