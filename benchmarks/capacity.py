"""Capacity planning on the demo: the cost of calibrating and of simulating, and the back-test.

What it does (SQLite, a fresh database in a temporary folder, throwaway keys):
  1. Migrates and builds the synthetic demo world `build_demo_world(seed=1, signals=N)` (the
     full demo with its shelter directory and earlier years of referrals, holds and placements).
  2. Times the calibration of the last complete year through the statistics purpose
     (`samen.capacity.selectors.calibrate`, as programme staff) and reading the directory.
  3. Floor: 100 replications of a year with the same places but no arrivals (SimPy's clock,
     the daily tally and the bookkeeping only).
  4. Times 100 replications of one year (after a 180-day warm-up) for the whole country.
  5. Back-test, out of sample: calibrates on the year before, replays the last complete year
     (100 replications) and compares the simulated median wait and mean places occupied with
     the register's own figures of that year; prints the errors. The same in sample
     (calibrated on the replayed year) separates the model's error from the change of the
     flows between the two years.

  6. Outside back-test (issue #21): for each of --outside seeds, the demo's shelter flows and
     places are set aside (in a transaction rolled back afterwards) and an independent
     generator (src/samen/capacity/tests/outside_flows.py: its own queue, CoMensha's published
     volumes, no capacity code) writes three years with a men's and a minors' shelter short of
     places. Calibrated on the year before (out of sample) and on the year itself (in sample),
     the model replays the last year; prints the mean error of the median wait, the places
     occupied and the share without a place, and how often the generator's figure fell inside
     the replay's 95% prediction range.

Prints a table and a last line `RESULT key=value ...`.

Run:  .venv/bin/python benchmarks/capacity.py [--signals 400] [--replications 100]
      [--outside 10] [--keep]
"""

from __future__ import annotations

import argparse
import time

from benchlib import child_database, log


def measure(signals: int, replications: int) -> dict[str, float]:
    from django.core.management import call_command
    from django.utils import timezone

    from samen.capacity.engine import Calibration, replicate, summarise
    from samen.capacity.selectors import calibrate, directory_units
    from samen.capacity.services import WARMUP_DAYS, year_period
    from samen.core.actor import actor_for_membership
    from samen.demo.builder import build_demo_world
    from samen.organisations.models import Membership

    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    build_demo_world(seed=1, signals=signals)
    log(f"demo world built in {time.perf_counter() - started:.1f} s")
    member = Membership.objects.select_related("user", "organisation").get(
        user__username="demo-programme"
    )
    actor = actor_for_membership(member, origin="bench:capacity")
    year = timezone.localdate().year - 1

    started = time.perf_counter()
    read = calibrate(actor=actor, period=year_period(year))
    units = directory_units()
    calibrate_s = time.perf_counter() - started
    beds = sum(u.beds for u in units)
    log(f"calibrated {year}: {read.observed.referrals} referrals, {len(read.calibration.streams)}"
        f" streams, {len(units)} places with {beds} beds, in {calibrate_s:.2f} s")  # fmt: skip

    empty = Calibration(streams=())
    started = time.perf_counter()
    replicate(empty, units, replications=replications, warmup=WARMUP_DAYS)
    floor_s = time.perf_counter() - started

    started = time.perf_counter()
    results = replicate(read.calibration, units, replications=replications, warmup=WARMUP_DAYS)
    run_s = time.perf_counter() - started
    summary = summarise(results)

    earlier = calibrate(actor=actor, period=year_period(year - 1))
    replay = summarise(
        replicate(earlier.calibration, units, replications=replications, warmup=WARMUP_DAYS)
    )
    # In sample as well: calibrated on the replayed year itself (the model's own error, without
    # the year-to-year change of the flows).
    own = summarise(
        replicate(read.calibration, units, replications=replications, warmup=WARMUP_DAYS)
    )
    observed_wait = read.observed.median_wait or 0.0
    observed_occ = read.observed.mean_occupied
    wait = replay["wait_p50"]
    occ = replay["occupied_beds"]
    return {
        "year": year,
        "referrals": read.observed.referrals,
        "beds": beds,
        "calibrate_s": calibrate_s,
        "floor_s": floor_s,
        "run_s": run_s,
        "arrivals_per_rep": summary["arrivals"].mean,
        "observed_median_wait_d": observed_wait,
        "simulated_median_wait_d": wait.mean,
        "simulated_median_wait_ci": (wait.low, wait.high),
        "wait_error_d": wait.mean - observed_wait,
        "observed_occupied": observed_occ,
        "simulated_occupied": occ.mean,
        "simulated_occupied_ci": (occ.low, occ.high),
        "occupied_error": occ.mean - observed_occ,
        "occupied_error_rel": (occ.mean - observed_occ) / observed_occ if observed_occ else 0.0,
        "earlier_referrals": earlier.observed.referrals,
        "in_sample_wait_error_d": own["wait_p50"].mean - observed_wait,
        "in_sample_occupied_error": own["occupied_beds"].mean - observed_occ,
    }


class _Rollback(Exception):
    pass


def outside(seeds: int, replications: int, year: int) -> dict[str, float]:
    """The model against an independent generator's flows (see the module's step 6)."""
    import numpy as np
    from django.db import transaction

    from samen.capacity.engine import replicate
    from samen.capacity.engine.summary import wait_percentile
    from samen.capacity.selectors import calibrate, directory_units
    from samen.capacity.services import WARMUP_DAYS, year_period
    from samen.capacity.tests.outside_flows import PUBLISHED, OutsideWorld, generate, write
    from samen.core.actor import actor_for_membership
    from samen.organisations.models import Membership
    from samen.shelter.models import Hold, Place, Placement, Referral, WaitingOffer

    member = Membership.objects.select_related("user", "organisation").get(
        user__username="demo-programme"
    )
    actor = actor_for_membership(member, origin="bench:capacity")
    figures = {"median_wait": [], "occupied": [], "unplaced": []}
    errors: dict[str, list[float]] = {f"{k}_{w}": [] for k in figures for w in ("out", "in")}
    inside: dict[str, list[bool]] = {f"{k}_{w}": [] for k in figures for w in ("out", "in")}
    world = OutsideWorld(years=dict.fromkeys((year - 2, year - 1, year), PUBLISHED[2020]))
    for seed in range(1, seeds + 1):
        try:
            with transaction.atomic():
                WaitingOffer.objects.all().delete()
                Placement.objects.all().delete()
                Hold.objects.all().delete()
                Referral.objects.all().delete()
                Place.objects.update(is_active=False)
                generated = generate(world, seed=seed)
                write(generated)
                real = generated.realised[year]
                observed = {"median_wait": real.median_wait, "occupied": real.mean_occupied,
                            "unplaced": real.unplaced_share}  # fmt: skip
                for which, calibrated in (("out", year - 1), ("in", year)):
                    read = calibrate(actor=actor, period=year_period(calibrated))
                    runs = replicate(read.calibration, directory_units(),
                                     replications=replications, warmup=WARMUP_DAYS)  # fmt: skip
                    sim = {
                        "median_wait": [wait_percentile(r, 50) for r in runs],
                        "occupied": [sum(r.occupied.values()) for r in runs],
                        "unplaced": [(r.waiting + r.left) / max(r.arrivals, 1) for r in runs],
                    }
                    for k, values in sim.items():
                        low, high = np.nanpercentile(values, [2.5, 97.5])
                        errors[f"{k}_{which}"].append(float(np.nanmean(values)) - observed[k])
                        inside[f"{k}_{which}"].append(bool(low <= observed[k] <= high))
                    if which == "in":
                        for k in figures:
                            figures[k].append(observed[k])
                raise _Rollback
        except _Rollback:
            pass
    out: dict[str, float] = {"seeds": seeds}
    for k, v in errors.items():
        out[f"error_{k}"] = float(np.mean(v))
        out[f"inside_{k}"] = float(np.mean(inside[k]))
    for k, v in figures.items():
        out[f"observed_{k}"] = float(np.mean(v))
    return out


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--signals", type=int, default=400, help="demo size (default 400: the demo)")
    p.add_argument("--replications", type=int, default=100)
    p.add_argument("--outside", type=int, default=10, help="seeds of the outside back-test")
    p.add_argument("--keep", action="store_true", help="keep the bench database afterwards")
    args = p.parse_args()
    with child_database("sqlite", "", keep=args.keep, prefix="samen-bench-capacity-"):
        r = measure(args.signals, args.replications)
        o = outside(args.outside, min(args.replications, 40), r["year"]) if args.outside else {}
    n = args.replications
    print()
    print(f"calibration year            {r['year']} ({r['referrals']} referrals, {r['beds']} beds)")
    print(f"calibrate (register + directory)  {r['calibrate_s']:8.2f} s")
    print(f"floor: {n} empty replications      {r['floor_s']:8.2f} s")
    print(
        f"{n} replications x 1 year (NL)     {r['run_s']:8.2f} s "
        f"({r['arrivals_per_rep']:.0f} referrals a year each)"
    )
    lo, hi = r["simulated_median_wait_ci"]
    print(
        f"back-test median wait: observed {r['observed_median_wait_d']:.2f} d, simulated "
        f"{r['simulated_median_wait_d']:.2f} d (95% CI {lo:.2f}-{hi:.2f}), "
        f"error {r['wait_error_d']:+.2f} d"
    )
    lo, hi = r["simulated_occupied_ci"]
    print(
        f"back-test mean occupied: observed {r['observed_occupied']:.2f}, simulated "
        f"{r['simulated_occupied']:.2f} (95% CI {lo:.2f}-{hi:.2f}), error "
        f"{r['occupied_error']:+.2f} ({r['occupied_error_rel']:+.0%})"
    )
    print(f"  (calibrated on {r['year'] - 1}: {r['earlier_referrals']} referrals; in sample, "
          f"calibrated on {r['year']} itself: wait error {r['in_sample_wait_error_d']:+.2f} d, "
          f"occupied error {r['in_sample_occupied_error']:+.2f})")  # fmt: skip
    if o:
        print(f"outside back-test, {o['seeds']} generated worlds (means; in 95% range: share):")
        for k, unit in (("median_wait", "d"), ("occupied", "places"), ("unplaced", "share")):
            print(f"  {k:<12} observed {o[f'observed_{k}']:7.3f} {unit}; error out of sample "
                  f"{o[f'error_{k}_out']:+7.3f} (in range {o[f'inside_{k}_out']:.0%}), in sample "
                  f"{o[f'error_{k}_in']:+7.3f} (in range {o[f'inside_{k}_in']:.0%})")  # fmt: skip
    print(
        f"RESULT calibrate_s={r['calibrate_s']:.2f} floor_s={r['floor_s']:.2f} "
        f"run_{n}x1y_s={r['run_s']:.2f} wait_error_d={r['wait_error_d']:+.2f} "
        f"occupied_error={r['occupied_error']:+.2f} "
        f"occupied_error_rel={r['occupied_error_rel']:+.3f}"
        + "".join(f" outside_{k}={v:+.3f}" for k, v in o.items() if k.startswith("error"))
    )  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
