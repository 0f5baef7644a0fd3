# house_moves3.sed: rewrite the module paths moved by issue #22's domain branch (ADR 0053):
# statistics/releases.py became statistics/services.py (the writes of the app).
# Run over the merged tree, then let ruff re-sort the rewritten imports:
#   git ls-files -z '*.py' '*.md' | xargs -0 sed -i -f scripts/house_moves3.sed
#   .venv/bin/ruff check --fix --select I,F401 . && .venv/bin/ruff format .
s/samen\.statistics\.releases/samen.statistics.services/g
s/from samen\.statistics import releases$/from samen.statistics import services as releases/
