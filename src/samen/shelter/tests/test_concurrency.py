"""Races on PostgreSQL: two coordinators for the last free bed (exactly one wins), two edits of
one location (neither is lost)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from samen.organisations.models import Municipality
from samen.shelter import services
from samen.shelter.models import Hold, HoldStatus, Location, Place
from samen.shelter.services import NeedsInput, PlaceTaken
from samen.signalling.services import PersonInput

RACERS = ("demo-coordinator", "demo-registrar", "demo-coordinator", "demo-registrar")


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_concurrent_holds_on_the_last_free_place_exactly_one_wins(directory, actor_for, record):
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with row locks")
    last_bed = directory["women"]
    Place.objects.filter(pk=last_bed.pk).update(free=1)
    referrals = []
    for i, username in enumerate(RACERS):
        case = record(person=PersonInput(gender="female", age_band="23-29", name=f"Racer {i}")).case
        referrals.append(
            services.referral_create(actor=actor_for(username), case=case, data=NeedsInput())
        )
    barrier = threading.Barrier(len(RACERS))
    won, lost, errors = [], [], []

    def race(username: str, referral) -> None:
        try:
            actor = actor_for(username)
            barrier.wait()
            won.append(services.hold_place(actor=actor, referral=referral, place=last_bed))
        except PlaceTaken as exc:
            lost.append(exc)
        except Exception as exc:  # anything else is a failure of the test, kept for the assert
            errors.append(exc)
        finally:
            connection.close()

    threads = [
        threading.Thread(target=race, args=(u, r)) for u, r in zip(RACERS, referrals, strict=True)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert len(won) == 1 and len(lost) == len(RACERS) - 1
    assert Place.objects.get(pk=last_bed.pk).free == 0
    assert Hold.objects.filter(place=last_bed, status=HoldStatus.ACTIVE).count() == 1
    # The losers are told which places come next.
    assert all("Eerste opvang Utrecht" in str(exc.message_dict["place"]) for exc in lost)
    # ... and get them as places to hold next (the UI and the API list them with a button).
    assert all(last_bed.pk not in {m.place.id for m in exc.alternatives} for exc in lost)
    assert all(exc.alternatives for exc in lost)


@pytest.mark.postgres_only
@pytest.mark.django_db(transaction=True)
def test_parallel_edits_of_a_location_keep_both_changes(directory, actor_for):
    """Two staff members edit the same location at once, one its name, one its municipality;
    each read the location before the other saved (as the API view does). Both changes stay."""
    if connection.vendor != "postgresql":
        pytest.skip("needs a database server with row locks")
    location = directory["women"].location
    zeist = Municipality.objects.get(code="GM0355")
    for round_ in range(5):
        Location.objects.filter(pk=location.pk).update(
            name="Locatie Utrecht", municipality=location.municipality
        )
        barrier = threading.Barrier(2)
        errors: list[Exception] = []

        def edit(data: dict, barrier: threading.Barrier, errors: list[Exception]) -> None:
            try:
                stale = Location.objects.get(pk=location.pk)  # read before the other's commit
                barrier.wait()
                services.location_save(actor=actor_for("demo-shelter"), data=data, location=stale)
            except Exception as exc:  # kept for the assert
                errors.append(exc)
            finally:
                connection.close()

        threads = [
            threading.Thread(target=edit, args=(data, barrier, errors))
            for data in ({"name": f"Locatie Noord {round_}"}, {"municipality": zeist})
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        assert errors == []
        after = Location.objects.get(pk=location.pk)
        assert (after.name, after.municipality_id) == (f"Locatie Noord {round_}", zeist.pk)
