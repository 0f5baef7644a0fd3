"""Time the shelter matching engine and the allocation proposal on a synthetic directory.

1. Matching: one referral against 10,000 places with `samen.shelter.matching.match` (the engine
   the referral page uses), repeated for many referrals; median and p95 in milliseconds.
2. Allocation: 1,000 waiting referrals over the same 10,000 places with
   `samen.shelter.allocation.allocate` (vectorised rules + pruned sparse assignment), in
   seconds, and how many it places against the greedy first-fit baseline `allocate_greedy`.

The directory is drawn like the demo one, scaled up: 25 safety regions, a minority of first
reception units (no care criteria; the hard safety, age and COSM rules still apply), most units
full, counts of varying freshness, a tenth of the units with contra-indications. Needs mirror
the mix of registered possible victims (mostly adult women, sexual and labour exploitation, some
minors, network ties and addictions), with COSM facts and some places declined per referral.
Plain Python, no database. Deterministic per --seed.

Run: .venv/bin/python benchmarks/matching.py [--places 10000] [--referrals 1000]
         [--match-runs 200] [--seed 1] [--scenario scarce|ample]
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "src"))

from samen.shelter.allocation import allocate, allocate_greedy
from samen.shelter.matching import CONTRA_RULES, Contra, Needs, PlaceInfo, Weights, match, score

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
REGIONS = [f"VR{i:02d}" for i in range(1, 26)]
PROVINCE_OF = {r: str(1 + i // 2) for i, r in enumerate(REGIONS)}
FORMS = ["sexual", "labour", "criminal", "other"]
LANGS = ["nl", "en", "ro", "bg", "pl", "es", "pt", "fr", "ar", "ti", "vi", "zh", "uk"]
# (type, target group, weight): first reception is a minority of the units.
MIX = [
    ("first_reception", "all", 0.04),
    ("first_reception_minors", "minors", 0.01),
    ("specialised", "women", 0.26),
    ("specialised", "men", 0.16),
    ("combined", "women", 0.22),
    ("protected_minors", "minors", 0.1),
    ("combined", "families", 0.1),
    ("cosm", "all", 0.1),
]


def log(msg: str) -> None:
    print(f"[{time.strftime('%H:%M:%S', time.gmtime())}] {msg}", flush=True)


# Share of units with 0, 1, 2, 3 free beds. "scarce" is the situation the letter describes
# (about one free bed per waiting referral); "ample" has six times as many free beds.
FREE_SHARES = {"scarce": [0.93, 0.05, 0.015, 0.005], "ample": [0.6, 0.25, 0.1, 0.05]}


def make_places(rng: random.Random, n: int, scenario: str = "scarce") -> list[PlaceInfo]:
    places = []
    for i in range(n):
        kind, group, _w = rng.choices(MIX, weights=[m[2] for m in MIX])[0]
        region = rng.choice(REGIONS)
        contra: tuple[Contra, ...] = ()
        if kind != "first_reception" and rng.random() < 0.1:
            codes = rng.sample(sorted(CONTRA_RULES), rng.randint(1, 2))
            contra = tuple(Contra(c, "synthetic reason", 1) for c in codes)
        places.append(
            PlaceInfo(
                id=i + 1,
                name=f"Unit {i + 1}",
                type=kind,
                target_group=group,
                region=region,
                province=PROVINCE_OF[region],
                forms=frozenset(rng.sample(FORMS, rng.randint(1, 2)))
                if rng.random() < 0.4
                else frozenset(),
                security=rng.choices(["standard", "elevated", "high"], [0.6, 0.3, 0.1])[0],
                care=frozenset(
                    c for c in ("addiction", "psychiatric", "medical") if rng.random() < 0.25
                ),
                languages=frozenset(["nl", "en", *rng.sample(LANGS, rng.randint(0, 3))]),
                accessible=rng.random() < 0.4,
                min_age=(0 if kind.startswith("first") else 12) if group == "minors" else 18,
                max_age=17 if group == "minors" else None,
                free=rng.choices([0, 1, 2, 3], FREE_SHARES[scenario])[0],
                availability_at=NOW - timedelta(hours=rng.choice([1, 2, 5, 12, 20, 30, 72])),
                contra=contra,
            )
        )
    return places


def make_needs(rng: random.Random) -> Needs:
    minor = rng.random() < 0.12
    region = rng.choice(REGIONS)
    foreign = rng.random() < 0.6
    care = frozenset(c for c in ("addiction", "psychiatric", "medical") if rng.random() < 0.1)
    return Needs(
        gender=rng.choices(["female", "male", "unknown"], [0.65, 0.3, 0.05])[0],
        age_band=rng.choice(["12-17"]) if minor else rng.choice(["18-22", "23-29", "30+"]),
        minor=minor,
        forms=frozenset([rng.choices(FORMS, [0.45, 0.3, 0.2, 0.05])[0]]),
        languages=frozenset(rng.sample(LANGS, rng.randint(1, 2))),
        addiction="addiction" in care or rng.random() < 0.08,
        network_risk=rng.random() < 0.15,
        security=rng.choices(["standard", "elevated", "high"], [0.7, 0.2, 0.1])[0],
        care=care,
        accessibility=rng.random() < 0.05,
        region=region,
        province=PROVINCE_OF[region],
        urgency=rng.choices(["low", "normal", "high", "immediate"], [0.1, 0.6, 0.2, 0.1])[0],
        age=rng.randint(12, 17) if minor and rng.random() < 0.5 else None,
        foreign=foreign,
        reflection=foreign and rng.random() < 0.5,
        via_national_centre=rng.random() < 0.3,
        refused=frozenset(rng.sample(range(1, 10_001), 2)) if rng.random() < 0.1 else frozenset(),
    )


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--places", type=int, default=10_000)
    parser.add_argument("--referrals", type=int, default=1_000)
    parser.add_argument("--match-runs", type=int, default=200)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--scenario", choices=sorted(FREE_SHARES), default="scarce")
    args = parser.parse_args()
    rng = random.Random(args.seed)
    load = os.getloadavg()[0]
    log(f"load average before: {load:.2f} on {os.cpu_count()} CPUs")
    places = make_places(rng, args.places, args.scenario)
    beds = sum(p.free for p in places)
    log(f"{len(places):,} places, {sum(p.free > 0 for p in places):,} with a free bed, "
        f"{beds:,} free beds")  # fmt: skip

    weights = Weights()
    timings = []
    matched = []
    for _ in range(args.match_runs):
        needs = make_needs(rng)
        t0 = time.perf_counter()
        result = match(needs, places, now=NOW, weights=weights)
        timings.append((time.perf_counter() - t0) * 1000)
        matched.append(len(result.matches))
    match_median = statistics.median(timings)
    match_p95 = percentile(timings, 0.95)
    log(f"match: {args.match_runs} referrals x {len(places):,} places: median "
        f"{match_median:.1f} ms, p95 {match_p95:.1f} ms "
        f"(suitable places per referral: median {statistics.median(matched):.0f})")  # fmt: skip

    referrals = [(k, make_needs(rng)) for k in range(args.referrals)]
    t0 = time.perf_counter()
    proposal = allocate(referrals, places, now=NOW, weights=weights)
    alloc_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    greedy = allocate_greedy(referrals, places, now=NOW, weights=weights)
    greedy_s = time.perf_counter() - t0
    mean_fit = statistics.mean(p.score for p in proposal) if proposal else 0.0
    by_id = {p.id: p for p in places}
    needs_of = dict(referrals)
    greedy_fit = (
        statistics.mean(
            score(by_id[g.place], needs_of[g.referral], NOW, weights).score for g in greedy
        )
        if greedy
        else 0.0
    )
    log(f"allocate: {len(referrals):,} referrals over {len(places):,} places in {alloc_s:.2f} s: "
        f"{len(proposal):,} placed (mean score {mean_fit:.3f}); greedy first-fit "
        f"{len(greedy):,} placed (mean score {greedy_fit:.3f}) in {greedy_s:.2f} s")  # fmt: skip
    print(
        f"RESULT scenario={args.scenario} places={len(places)} free_beds={beds} "
        f"match_runs={args.match_runs} "
        f"match_median_ms={match_median:.1f} match_p95_ms={match_p95:.1f} "
        f"referrals={len(referrals)} allocate_s={alloc_s:.2f} placed={len(proposal)} "
        f"mean_score={mean_fit:.3f} greedy_placed={len(greedy)} "
        f"greedy_mean_score={greedy_fit:.3f} greedy_s={greedy_s:.2f} load_before={load:.2f}"
    )


if __name__ == "__main__":
    main()
