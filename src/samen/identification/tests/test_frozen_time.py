"""Deadline arithmetic through the services with the clock frozen: the Dutch calendar day at
daylight-saving changes, month ends (31 January + 1 month) and leap years, and the reminder
stage on the Dutch day."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest
from django.utils import timezone

from samen.identification import services
from samen.identification.definitions import PATHS_DIR, path_definitions_sync
from samen.identification.models import Deadline, IdentificationPath
from samen.identification.reminders import reminders_send

pytestmark = pytest.mark.django_db


@pytest.fixture
def freeze(monkeypatch):
    """Freeze django.utils.timezone.now, which the services and reminders read the clock from."""

    def at(moment: datetime) -> None:
        monkeypatch.setattr(timezone, "now", lambda: moment)

    return at


def take(actor, case, code, **values):
    return services.transition_take(actor=actor, case=case, code=code, values=values)


def due(case, kind: str) -> date:
    return Deadline.objects.get(path__case=case, kind=kind, closed_at__isnull=True).due_on


@pytest.mark.parametrize(
    "moment,expected",
    [
        # 28 March 2027, clocks go forward at 01:00 UTC: 23:30 UTC on the 27th is already the
        # 28th in Amsterdam, so 14 days count from the 28th, not from the UTC date.
        (datetime(2027, 3, 27, 23, 30, tzinfo=UTC), date(2027, 4, 11)),
        # 31 October 2027, clocks go back: 22:59 UTC on the 30th is 00:59 CEST on the 31st.
        (datetime(2027, 10, 30, 22, 59, tzinfo=UTC), date(2027, 11, 14)),
        # In winter the offset is one hour: 22:59 UTC on 15 December is still the 15th.
        (datetime(2027, 12, 15, 22, 59, tzinfo=UTC), date(2027, 12, 29)),
    ],
)
def test_a_deadline_counts_from_the_dutch_day_across_daylight_saving(
    actor_for, case, freeze, moment, expected
):
    freeze(moment)
    take(actor_for("demo-investigator"), case, "assessment_start")
    assert due(case, "assessment_decision") == expected


@pytest.mark.parametrize(
    "starts,expected",
    [
        ("2026-11-30", date(2027, 2, 28)),  # no 30 February
        ("2027-11-30", date(2028, 2, 29)),  # leap year
        ("2027-05-31", date(2027, 8, 31)),
    ],
)
def test_the_reflection_period_ends_three_months_on(actor_for, case, freeze, starts, expected):
    # The clock on the start day: a reflection period is recorded when it has started.
    freeze(datetime.combine(date.fromisoformat(starts), datetime.min.time(), UTC).replace(hour=9))
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on=starts)
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=False
    )
    take(police, case, "reflection_offer", starts_on=starts)
    assert due(case, "reflection_end") == expected


@pytest.mark.parametrize(
    "starts,expected", [("2027-01-31", date(2027, 2, 28)), ("2028-01-31", date(2028, 2, 29))]
)
def test_31_january_plus_one_month_with_a_configured_one_month_period(
    actor_for, case, freeze, tmp_path, starts, expected
):
    data = json.loads((PATHS_DIR / "identification_path.json").read_text())
    data["version"] += 1
    data["settings"]["reflection_period_months"] = 1
    (tmp_path / "identification_path.json").write_text(json.dumps(data))
    path_definitions_sync(directory=tmp_path)
    freeze(datetime.combine(date.fromisoformat(starts), datetime.min.time(), UTC).replace(hour=10))
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on=starts)
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=False
    )
    take(police, case, "reflection_offer", starts_on=starts)
    assert IdentificationPath.objects.get(case=case).definition.version == data["version"]
    assert due(case, "reflection_end") == expected


def test_a_permit_from_29_february_and_its_renewal(actor_for, case, ind, freeze):
    freeze(datetime(2028, 2, 29, 9, tzinfo=UTC))
    police = actor_for("demo-investigator")
    take(police, case, "assessment_start")
    take(police, case, "indication_establish", established_on="2028-02-29")
    services.path_facts_set(
        actor=police, case=case, foreign_national=True, lawful_residence=False, unaccompanied=False
    )
    take(
        police, case, "report_record", reported_on="2028-02-29", kind="report", police_unit="Midden"
    )
    assert due(case, "b83_decision") == date(2028, 3, 28)
    take(ind, case, "b83_grant", decided_on="2028-02-29", permit_starts_on="2028-02-29")
    assert due(case, "permit_end") == date(2029, 2, 28)
    freeze(datetime(2029, 2, 1, 9, tzinfo=UTC))
    take(ind, case, "b83_renew", decided_on="2029-02-01")
    assert due(case, "permit_end") == date(2030, 2, 28)  # counts on from the end it replaces


def test_the_reminder_stage_is_taken_on_the_dutch_day(actor_for, case, freeze):
    freeze(datetime(2027, 3, 20, 9, tzinfo=UTC))
    take(actor_for("demo-investigator"), case, "assessment_start")
    deadline = Deadline.objects.get(path__case=case)
    deadline.due_on = date(2027, 4, 4)
    deadline.save()
    # 23:30 UTC on 27 March is 28 March in Amsterdam: 7 days left, so the 7-day stage (on the
    # UTC date it would be 8 days and the 14-day stage).
    assert reminders_send(now=datetime(2027, 3, 27, 23, 30, tzinfo=UTC)) == 1
    assert list(deadline.reminders.values_list("stage", flat=True)) == ["7"]
