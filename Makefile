# Stem developer commands. Everything runs from the project's own virtualenv in .venv.
#
#   make run      install, migrate, load demo data and serve on http://127.0.0.1:8000 (SQLite in ./var)
#   make test     lint gates, then the test suite on SQLite and on PostgreSQL
#   make help     all targets

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
IMAGE ?= stem
# Extra arguments for both pytest runs, e.g. `make test PYTEST_ARGS="-x -k journal"`.
PYTEST_ARGS ?=
# Extra arguments for the lock, e.g. `make lock LOCK_ARGS=--upgrade`.
LOCK_ARGS ?=
# Catalogs that `make messages` creates when missing (English is the source language: its msgids are the text).
LOCALES ?= nl

# Rebuilt only when the lock or the project metadata changes, so a second `make` is instant.
INSTALLED := $(VENV)/.installed-dev

# One lock for every Python that Stem supports (3.11 and later, any platform): uv resolves
# "universally", so a dependency that only older interpreters need (async-timeout below 3.11.3,
# for redis) is in the lock with its marker and its hashes. The lock files must not depend on this
# machine's configuration: no index URLs or local wheel folders are written into them.
LOCK := $(BIN)/uv pip compile --quiet --universal --python-version 3.11 --generate-hashes \
	--no-emit-index-url --custom-compile-command "make lock" $(LOCK_ARGS)

.DEFAULT_GOAL := help
.PHONY: help venv install run test test-sqlite debian-packages coverage-report lint format lock messages clean bench docker audit-web \
	image test-image test-install

help:
	@echo "make venv|install  create .venv and install the locked dev dependencies and Stem (editable)"
	@echo "make run           migrate, load demo data, serve on http://$(HOST):$(PORT)"
	@echo "make test          ruff, mypy, then pytest on SQLite and on PostgreSQL; fails if a part cannot run"
	@echo "make test-sqlite   a partial run: pytest on SQLite only, skipping what this machine lacks (said at the end)"
	@echo "make debian-packages  as root: the Debian packages the tests need (PostgreSQL server, Chromium, Redis)"
	@echo "make coverage-report  branch coverage of the last make test, as HTML (htmlcov/)"
	@echo "make lint          ruff check, ruff format --check, mypy, lint-imports"
	@echo "make format        ruff format and ruff check --fix"
	@echo "make lock          regenerate requirements/main.lock and requirements/dev.lock"
	@echo "make messages      extract messages.pot and update the catalogs in web/locales"
	@echo "make bench         load test (wrk) on SQLite and PostgreSQL, then the scale curve (bench/results/)"
	@echo "make audit-web     Lighthouse and axe on journal, write and clinician preparation (docs/audit-web.*)"
	@echo "make image         build the production image '$(IMAGE)' with docker or podman (BASE_IMAGE=... to change the base)"
	@echo "make test-image    build the image on a Debian 12 base and check it running (ops/image/check_image.py)"
	@echo "make test-install  install dev.lock with Debian 12's and Debian 13's own Python in containers"
	@echo "make clean         remove .venv, var/ (the development database!) and caches"

venv install: $(INSTALLED)

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# --require-hashes cannot be combined with an editable requirement, hence two pip runs; the project
# itself adds no dependencies that the lock does not already pin (--no-deps).
$(INSTALLED): requirements/dev.lock pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --require-hashes -r requirements/dev.lock
	$(BIN)/pip install --no-deps -e .
	touch $@

# The address links and the demo logins name: where `make run` serves, unless set otherwise.
STEM_PUBLIC_BASE_URL ?= http://$(HOST):$(PORT)
run: $(INSTALLED)
	$(BIN)/stem migrate
	STEM_PUBLIC_BASE_URL=$(STEM_PUBLIC_BASE_URL) $(BIN)/stem demo
	STEM_PUBLIC_BASE_URL=$(STEM_PUBLIC_BASE_URL) $(BIN)/stem serve --host $(HOST) --port $(PORT)

# Lighthouse for `make audit-web` only (package-lock.json pins it); the test suite needs no npm
# (its axe-core comes from PyPI). `npm install` rather than `npm ci`: older npm (Debian's own)
# refuses `npm ci` on a lock written by a newer npm, and the lock still pins every version.
NODE_INSTALLED := node_modules/.installed
$(NODE_INSTALLED): package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { echo "npm not found: apt-get install npm (as root)"; exit 1; }
	npm install --no-audit --no-fund --loglevel=error --no-save
	touch $@

# Both suites always run, so one report shows failures on each backend; any failure (including
# pytest's 5, "no tests collected") makes the target fail. Branch coverage is measured in both
# runs and judged once, combined, against fail_under in pyproject.toml (`make coverage-report`
# shows it line by line). COVERAGE=0 skips the measurement (and the floor), e.g. with -k.
COVERAGE ?= 1
COVERAGE_ARGS = $(if $(filter 1,$(COVERAGE)),--cov=app --cov-report= --cov-fail-under=0,)
# `make test` is the whole suite: a database or the browser tests that cannot run here stop it
# with what to do (STEM_REQUIRE_ALL_BACKENDS=0 turns that into skips, listed at the end).
STEM_REQUIRE_ALL_BACKENDS ?= 1
export STEM_REQUIRE_ALL_BACKENDS
# TEST_JOBS=2 (the default) runs the two suites side by side, each line of output marked with its
# database (a 2-core machine does both in about the time of the longer one); TEST_JOBS=1 runs
# them one after the other.
TEST_JOBS ?= 2
test: lint
	@status=0; rm -f .coverage .coverage.sqlite .coverage.postgresql .test-status.*; \
	run() { \
		{ COVERAGE_FILE=.coverage.$$1 STEM_TEST_DATABASE=$$1 $(BIN)/pytest -q $(COVERAGE_ARGS) $(PYTEST_ARGS) 2>&1; \
		  echo $$? > .test-status.$$1; } | sed -u "s/^/$$1 | /"; \
	}; \
	if [ "$(TEST_JOBS)" = 1 ]; then \
		echo "== tests on SQLite, then on PostgreSQL =="; run sqlite; run postgresql; \
	else \
		echo "== tests on SQLite and on PostgreSQL, side by side =="; run sqlite & run postgresql & wait; \
	fi; \
	for db in sqlite postgresql; do \
		code=$$(cat .test-status.$$db 2>/dev/null || echo 1); \
		echo "== $$db: pytest exited with $$code =="; \
		if [ "$$code" -ne 0 ]; then status=$$code; fi; \
	done; rm -f .test-status.*; \
	if [ "$(COVERAGE)" = 1 ]; then \
		echo "== branch coverage of app/, both runs combined (floor: fail_under in pyproject.toml) =="; \
		$(BIN)/coverage combine --keep -q .coverage.sqlite .coverage.postgresql || status=$$?; \
		$(BIN)/coverage report --skip-covered --sort=-cover > .coverage-report.txt; coverage=$$?; \
		tail -n 15 .coverage-report.txt; \
		if [ $$coverage -ne 0 ]; then echo "== coverage under the floor =="; status=$$coverage; fi; \
	fi; \
	if [ $$status -ne 0 ]; then echo "== tests FAILED (last non-zero status: $$status) =="; fi; \
	exit $$status

# A partial run, said as such: SQLite only; what this machine lacks is skipped and listed at the end.
test-sqlite: $(INSTALLED)
	STEM_REQUIRE_ALL_BACKENDS=0 STEM_TEST_DATABASE=sqlite $(BIN)/pytest -q $(PYTEST_ARGS)

# What the tests need from Debian (run as root): the PostgreSQL server (the suite starts a
# throw-away cluster when none answers) and Chromium for the browser tests.
DEBIAN_PACKAGES := make postgresql chromium redis-server
debian-packages:
	apt-get update
	DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends $(DEBIAN_PACKAGES)

# The combined coverage of the last `make test`, line by line, in htmlcov/index.html.
coverage-report: $(INSTALLED)
	$(BIN)/coverage html --skip-covered
	@echo "open htmlcov/index.html"

lint: $(INSTALLED)
	@echo "== ruff check =="
	$(BIN)/ruff check .
	@echo "== ruff format --check =="
	$(BIN)/ruff format --check .
	@echo "== mypy =="
	$(BIN)/mypy app
	@echo "== lint-imports (the walls of ARCHITECTURE.md, contracts in pyproject.toml) =="
	$(BIN)/lint-imports

format: $(INSTALLED)
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

lock: $(INSTALLED)
	$(LOCK) -o requirements/main.lock pyproject.toml
	$(LOCK) --extra dev -o requirements/dev.lock pyproject.toml

messages: $(INSTALLED)
	$(BIN)/pybabel extract -F babel.cfg -k N_ -k _l -o web/locales/messages.pot .
	@for locale in $(LOCALES); do \
		if [ ! -f web/locales/$$locale/LC_MESSAGES/messages.po ]; then \
			echo "$(BIN)/pybabel init -i web/locales/messages.pot -d web/locales -D messages -l $$locale"; \
			$(BIN)/pybabel init -i web/locales/messages.pot -d web/locales -D messages -l $$locale || exit 1; \
		fi; \
	done
	$(BIN)/pybabel update -i web/locales/messages.pot -d web/locales -D messages --no-fuzzy-matching

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache build dist *.egg-info
	find . -name __pycache__ -type d -prune -exec rm -rf {} +

# Lighthouse (mobile) and axe on a throw-away demo server; writes docs/audit-web.json and .md and
# fails when a page scores below 95 performance, 100 accessibility or best practices, or axe objects.
audit-web: $(INSTALLED) $(NODE_INSTALLED)
	CHROME_PATH=/usr/bin/chromium $(BIN)/python scripts/audit_web.py

# The benchmark (not part of `make test`): wrk against `stem serve` on SQLite and PostgreSQL, then
# the scale curve (10k, 100k, 1M entries). Results in bench/results/; see README, "Performance".
# It needs the PostgreSQL of STEM_BENCH_POSTGRES (default postgres@127.0.0.1:5432) and wrk.
BENCH_ARGS ?=
SCALE_ARGS ?=
bench: $(INSTALLED)
	@command -v wrk >/dev/null 2>&1 || { echo "installing wrk (Debian package)"; \
		apt-get install -y --no-install-recommends wrk || { apt-get update && apt-get install -y --no-install-recommends wrk; }; }
	$(BIN)/python -m bench.run $(BENCH_ARGS)
	$(BIN)/python -m bench.scale --database sqlite $(SCALE_ARGS)
	$(BIN)/python -m bench.scale --database postgresql $(SCALE_ARGS)

# The production image (Dockerfile), built with docker when its daemon answers, else podman
# (STEM_CONTAINER_ENGINE=docker|podman chooses). This machine's pip settings reach the build as
# build secrets only. BASE_IMAGE empty: the Dockerfile's default, the official Python image.
BASE_IMAGE ?=
image:
	$(PYTHON) ops/image/engine.py build $(IMAGE) $(BASE_IMAGE)
docker: image

# Both need root and Debian's podman, runc and mmdebstrap (see .ci/run). They bootstrap Debian base
# images from Debian's packages when the official one cannot be pulled, and keep them for the next
# run (localhost/stem-base:debian12 and :debian13; `podman image rm` them to start afresh).
test-image:
	$(PYTHON) ops/image/check_image.py

test-install:
	$(PYTHON) ops/image/check_install.py
