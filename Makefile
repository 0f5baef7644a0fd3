# Samen: two commands for a newcomer.
#   make run   set up, migrate the embedded SQLite database, load synthetic demo data, serve
#   make test  set up and run the whole test suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
SAMEN  := $(BIN)/samen

.PHONY: run test install lint format messages clean contracts typecheck coverage-floor coverage-check suite

$(BIN)/uv:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet "uv>=0.5"

$(VENV)/.installed: $(BIN)/uv requirements/lock.txt pyproject.toml setup.py src/samen/online/engine/_tokens.c src/samen/online/engine/_clusterc.c \
		src/samen/core/_chainwalk.c
	$(BIN)/uv pip sync --quiet --python $(BIN)/python requirements/lock.txt
	$(BIN)/uv pip install --quiet --python $(BIN)/python --no-deps -e .
	touch $@

install: $(VENV)/.installed messages

messages: $(VENV)/.installed
	$(BIN)/python scripts/compile_messages.py

run: install
	mkdir -p var
	$(SAMEN) init_local_keys
	$(SAMEN) migrate --no-input
	$(SAMEN) seed_demo --seed 1 --if-empty
	@echo ""
	@echo "Samen runs at http://127.0.0.1:$(PORT)/  (stop with Ctrl+C)"
	$(SAMEN) runserver 127.0.0.1:$(PORT)

# COVERAGE=1 measures the run with pytest-cov and checks the per-app floors (coverage-floor.json).
# COVERAGE=collect only measures, into COVERAGE_DATA: .ci/run measures its passes so, each into
# its own file, and `make coverage-check COVERAGE_PASSES="<files>"` checks the floors on their sum.
# The floors hold for that sum: on SQLite alone the job queue's tests skip (jobs falls short).
# What is measured is [tool.coverage.run] in pyproject.toml (the app code, not its tests); which
# tests are traced, src/samen/conftest.py (`untraced`, SAMEN_COVERAGE_ONCE_ONLY; ADR 0060).
COVERAGE_DATA   ?= var/coverage-suite.data
COVERAGE_PASSES ?= $(COVERAGE_DATA)

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	DJANGO_SETTINGS_MODULE=samen.conf.test $(SAMEN) makemigrations --check --dry-run
	$(MAKE) --no-print-directory contracts typecheck
	$(MAKE) --no-print-directory suite

# The test suite alone, without the checks above (.ci/run's second pass: they ran in the first).
suite: install
ifdef COVERAGE
	mkdir -p var
	COVERAGE_FILE=$(COVERAGE_DATA) $(BIN)/pytest -n 2 --cov=samen --cov-report= $(PYTEST_ARGS)
ifneq ($(COVERAGE),collect)
	$(MAKE) --no-print-directory coverage-check COVERAGE_PASSES=$(COVERAGE_DATA)
endif
else
	$(BIN)/pytest -n 2 $(PYTEST_ARGS)
endif

# The import contracts (.importlinter): no cycles between apps, the core imports no app, engines
# import no Django, views import no models, nothing imports web but the URLs; and no import cycle
# between any two modules (scripts/import_cycles.py, ADR 0053).
contracts: $(VENV)/.installed
	$(BIN)/lint-imports --no-cache
	$(BIN)/python scripts/import_cycles.py

# mypy with django-stubs on the core and the engines (mypy.ini lists the files; grow it).
typecheck: $(VENV)/.installed
	$(BIN)/mypy

# The per-app floors on the union of the passes' data files (a line counts as covered when any
# pass ran it); leaves var/coverage.json for `make coverage-floor`.
coverage-check: $(VENV)/.installed
	$(BIN)/coverage combine -q --keep --data-file=var/coverage-combined.data $(COVERAGE_PASSES)
	$(BIN)/coverage json -q --data-file=var/coverage-combined.data -o var/coverage.json
	$(BIN)/python scripts/coverage_floor.py var/coverage.json

# Raise the per-app coverage floors (coverage-floor.json) to what the last `make coverage-check`
# (or `make test COVERAGE=1`) measured; a floor only rises. Raise them from CI's own two passes
# (.ci/run leaves var/coverage.json): a single run measures differently.
coverage-floor: $(VENV)/.installed
	$(BIN)/python scripts/coverage_floor.py var/coverage.json --raise

lint:
	$(BIN)/ruff check . && $(BIN)/ruff format --check .

format:
	$(BIN)/ruff check --fix . && $(BIN)/ruff format .

clean:
	rm -rf $(VENV) var
