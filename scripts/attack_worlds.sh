#!/usr/bin/env bash
# Walk the statistics attacker (scenarios a-d of test_outside_attacker.py) over many demo
# worlds: one world per day, FIRST and then every STEP days, COUNT worlds. Each world is built
# up to its day, so its signals and yearly figures differ; the suite itself runs one pinned
# world (world_day), this walks the others. Prints one line per world and a summary.
#   scripts/attack_worlds.sh 2026-01-08 12 29
set -u
first=${1:?first day, ISO}
count=${2:-10}
step=${3:-30}
python=${PYTHON:-.venv/bin/python}
failed=0
for i in $(seq 0 $((count - 1))); do
    day=$(date -d "$first + $((i * step)) days" +%F)
    log=$(mktemp)
    if SAMEN_ATTACK_WORLD_DAY=$day "$python" -m pytest -q -p no:logging -p no:randomly \
        src/samen/statistics/tests/test_outside_attacker.py -k TestTheDemoWorldsReleases \
        >"$log" 2>&1; then
        echo "$day  passed"
    else
        failed=$((failed + 1))
        echo "$day  FAILED: $(grep -E '^FAILED|recovered' "$log" | head -3 | cut -c1-200)"
    fi
    rm -f "$log"
done
echo "worlds: $count, failed: $failed"
[ "$failed" -eq 0 ]
