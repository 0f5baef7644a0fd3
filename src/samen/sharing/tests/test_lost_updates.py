"""Races on PostgreSQL for read-modify-write services: two reviews of one emergency access,
two entries of one indicator value. Each thread read its object before the other committed."""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from samen.core.models import AuditEntry, EmergencyAccess
from samen.sharing import services

pytestmark = [pytest.mark.postgres_only, pytest.mark.django_db(transaction=True)]


def race(*jobs: Callable[[threading.Barrier], object]) -> tuple[list, list, list]:
    """Run the jobs at once; each waits at the barrier after its reads. (done, refused, errors)"""
    barrier = threading.Barrier(len(jobs))
    done, refused, errors = [], [], []

    def run(job: Callable[[threading.Barrier], object]) -> None:
        try:
            done.append(job(barrier))
        except ValidationError as exc:
            refused.append(exc)
        except Exception as exc:  # anything else fails the test, kept for the assert
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return done, refused, errors


def test_two_reviews_of_one_emergency_access_do_not_both_stand(record, actor_for):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with row locks")
    case = record().case
    access = services.emergency_start(
        actor=actor_for("demo-coordinator-noord"), case=case, reason="Acute situatie, synthetisch"
    )

    def review(verdict: str) -> Callable[[threading.Barrier], object]:
        def job(barrier: threading.Barrier) -> object:
            seen = EmergencyAccess.objects.get(pk=access.pk)  # the page the officer looked at
            officer = actor_for("demo-privacy")
            barrier.wait()
            return services.emergency_review(actor=officer, access=seen, verdict=verdict)

        return job

    done, refused, errors = race(review("justified"), review("unjustified"))
    assert errors == [] and len(done) == 1 and len(refused) == 1
    stored = EmergencyAccess.objects.get(pk=access.pk).review_verdict
    audited = AuditEntry.objects.filter(action="emergency.update", result="ok")
    assert [e.detail["verdict"] for e in audited] == [stored]


def test_two_entries_of_one_indicator_value_give_one_row_and_a_field_error(actor_for, db):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with row locks")
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership
    from samen.programme import services as programme
    from samen.programme.models import Indicator, IndicatorValue

    indicator = Indicator.objects.create(code="race-indicator", name="Race")
    staff = Membership.objects.filter(role="programme_staff").select_related("user").first()

    def add(value: str, period: str) -> Callable[[threading.Barrier], object]:
        def job(barrier: threading.Barrier) -> object:
            actor = actor_for_membership(staff, origin="test")
            barrier.wait()
            return programme.indicator_value_add(
                indicator=indicator, by=actor, value=Decimal(value), period=period, source="CBS"
            )

        return job

    for year in range(2020, 2025):  # rounds: the old check-then-insert lost some, not all
        done, refused, errors = race(add("10", str(year)), add("11", str(year)))
        assert errors == [] and len(done) == 1 and len(refused) == 1
        assert "period" in refused[0].message_dict
    assert IndicatorValue.objects.filter(indicator=indicator).count() == 5
