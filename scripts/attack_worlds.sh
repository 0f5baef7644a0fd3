#!/usr/bin/env bash
# Walk the outside attackers over many worlds (ADRs 0127, 0129). The suite runs one fixed
# world each; this walks the others. Prints one line per world and a summary.
#
#   scripts/attack_worlds.sh 2026-01-08 12 29      demo world of scenarios (a)-(d), one per
#                                                  day: FIRST, then every STEP days, COUNT worlds
#   WORLD=demo-seed   scripts/attack_worlds.sh 2 6 1   (a)-(d), seeds 2..7 of the demo world
#                     (on the pinned day, or on SAMEN_ATTACK_WORLD_DAY)
#   WORLD=volume-seed scripts/attack_worlds.sh 4 10 1  scenario (e) and the HTCDS attackers,
#                     seeds 4..13 of the synthetic register (SAMEN_ATTACK_VOLUME_PERSONS: size)
#   WORLD=flows-seed  scripts/attack_worlds.sh 6 10 1  the capacity back-test, seeds 6..15
#   WORLD=year        scripts/attack_worlds.sh 2021 6 1  the capacity attacker on the clock
#                     of 15 June of 2021..2026: its register is built in the year before
#                     "today", so a world is a year. Needs faketime (apt-get install faketime),
#                     which the project itself does not use. The back-test runs too, but its
#                     year is fixed (Y in test_outside_backtest.py, ADR 0128): walk its seeds.
#
# For a seed walk FIRST is a seed and STEP its increment; for a year walk, a year.
set -u
first=${1:?first day (ISO) or seed}
count=${2:-10}
step=${3:-30}
world=${WORLD:-day}
python=${PYTHON:-.venv/bin/python}
s=src/samen/statistics/tests
case $world in
    day | demo-seed)
        tests=("$s/test_outside_attacker.py" -k TestTheDemoWorldsReleases)
        variable=SAMEN_ATTACK_WORLD_SEED ;;
    volume-seed)
        tests=("$s/test_outside_attacker.py" "$s/test_htcds_attacker.py"
               "$s/test_tables_htcds_attacker.py" -k "test_e_ or htcds")
        variable=SAMEN_ATTACK_VOLUME_SEED ;;
    flows-seed)
        tests=(src/samen/capacity/tests/test_outside_backtest.py)
        variable=SAMEN_ATTACK_FLOWS_SEED ;;
    year)
        tests=(src/samen/capacity/tests/test_outside_attacker.py
               src/samen/capacity/tests/test_outside_backtest.py)
        variable=YEAR ;;
    *) echo "WORLD is day, demo-seed, volume-seed, flows-seed or year" >&2; exit 2 ;;
esac
[ "$world" = day ] && variable=SAMEN_ATTACK_WORLD_DAY
failed=0
for i in $(seq 0 $((count - 1))); do
    if [ "$world" = day ]; then
        value=$(date -d "$first + $((i * step)) days" +%F)
    else
        value=$((first + i * step))
    fi
    log=$(mktemp)
    clock=()
    [ "$world" = year ] && clock=(faketime -f "@$value-06-15 12:00:00")
    if env "$variable=$value" "${clock[@]}" "$python" -m pytest -q -p no:logging -p no:randomly "${tests[@]}" \
        >"$log" 2>&1; then
        echo "$variable=$value  passed"
    else
        failed=$((failed + 1))
        echo "$variable=$value  FAILED: $(grep -E '^FAILED|recovered|^E ' "$log" | head -4 | cut -c1-300)"
    fi
    rm -f "$log"
done
echo "worlds: $count, failed: $failed"
[ "$failed" -eq 0 ]
