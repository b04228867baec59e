# SSP platform. Two commands: `make run` and `make test`. Everything else is a step they share.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
HOST ?= 127.0.0.1
PORT ?= 8000
# Development defaults for commands that load the settings outside pytest.
DEV_ENV := DEBUG=1

.PHONY: run manage test setup venv assets messages migrate seed lint typecheck migrations-check pytest e2e clean screenshots bench load a11y

run: setup migrate seed
	@echo ""
	@echo "SSP-platformen kører på http://$(HOST):$(PORT)/  (stop med Ctrl+C)"
	$(DEV_ENV) $(MANAGE) runserver $(HOST):$(PORT)

# Any manage.py command with the development settings: make manage CMD="createsuperuser".
manage: setup
	$(DEV_ENV) $(MANAGE) $(CMD)

test: setup lint typecheck migrations-check pytest

setup: venv assets messages

venv: $(VENV)/.installed
$(VENV)/.installed: pyproject.toml
	test -d $(VENV) || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

assets: ssp/static/vendor/.installed
ssp/static/vendor/.installed: node_modules/.installed
	rm -rf ssp/static/vendor
	mkdir -p ssp/static/vendor/dkfds ssp/static/vendor/htmx
	cp -r node_modules/dkfds/dist/css node_modules/dkfds/dist/js node_modules/dkfds/dist/fonts node_modules/dkfds/dist/img ssp/static/vendor/dkfds/
	cp node_modules/htmx.org/dist/htmx.min.js ssp/static/vendor/htmx/
	touch $@

messages: venv
	$(DEV_ENV) $(MANAGE) compilemessages --ignore=.venv --ignore=node_modules -v 0

migrate: setup
	mkdir -p var
	$(DEV_ENV) $(MANAGE) migrate --no-input -v 0

seed: migrate
	$(DEV_ENV) $(MANAGE) seed_demo

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: venv
	$(DEV_ENV) $(BIN)/mypy --strict ssp tests

migrations-check: venv
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run

# Two worker processes (pytest-xdist), each with a test database of its own. `--dist load`
# hands each worker its tests in collection order, which tests/conftest.py sorts (the browser
# tests, which flush the database, last); `loadscope`, `loadfile` or `worksteal` would not
# keep that order. PYTEST_WORKERS=0 runs everything in one process.
PYTEST_WORKERS ?= 2
PYTEST_PARALLEL := -n $(PYTEST_WORKERS) --dist load

pytest: setup
	$(BIN)/pytest $(PYTEST_PARALLEL)

e2e: setup
	$(BIN)/pytest $(PYTEST_PARALLEL) tests/e2e

clean:
	rm -rf $(VENV) node_modules ssp/static/vendor var/staticfiles

# Refresh the README's screenshots from the demo data (needs Chromium).
screenshots: seed
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8765 --noreload > var/screenshots-server.log 2>&1 & \
	  server=$$!; sleep 3; $(BIN)/python docs/screenshots/take.py http://127.0.0.1:8765; \
	  status=$$?; kill $$server; exit $$status

# Accessibility of every page each demo role reaches by links (axe, WCAG 2.1 A/AA, at 1280 and
# 390 px, no sideways scrolling on a phone): slow, so outside `make test`, which checks one page
# per URL name and role. Options in A11Y_ARGS, e.g. A11Y_ARGS='--roles laerer --limit 200'.
# On the PostgreSQL of DATABASE_URL when set, else the development database.
A11Y_ARGS ?=
a11y: seed
	mkdir -p var
	$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8766 --noreload > var/a11y-server.log 2>&1 & \
	  server=$$!; $(BIN)/python tests/a11y/crawl.py http://127.0.0.1:8766 $(A11Y_ARGS); \
	  status=$$?; kill $$server; exit $$status

# Latency and queries per request of the main pages at a named scale
# (SCALE=small|medium|large on SQLite; SCALE=copenhagen10 on the PostgreSQL of DATABASE_URL,
# e.g. `make bench SCALE=copenhagen10 DATABASE_URL=postgres://postgres@127.0.0.1/ssp_bench`).
# More options in BENCH_ARGS, e.g. BENCH_ARGS='--only "case list" --compare-queries'.
SCALE ?= small
BENCH_ARGS ?=
bench: setup
	$(DEV_ENV) $(if $(DATABASE_URL),DATABASE_URL="$(DATABASE_URL)") $(BIN)/python bench/run.py --scale $(SCALE) $(BENCH_ARGS)

# 20 sessions on gunicorn (4 workers) against DATABASE_URL: start page and case list.
LOAD_ARGS ?=
load: setup
	$(if $(DATABASE_URL),DATABASE_URL="$(DATABASE_URL)") $(BIN)/python bench/load.py $(LOAD_ARGS)
