# Quick start: `make run` starts the bot with .env; `make test` runs the whole suite.
# Both install the exact versions pinned (with hashes) in the lock files, so a fresh machine runs what
# CI tested: `make run` installs requirements.txt (the bot on SQLite), `make run FULL=1` installs
# requirements-full.txt (adds the PostgreSQL and Redis drivers), `make test` installs
# requirements-dev.txt (everything the suite needs). `make lock` regenerates the three from pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# FULL=1 is implied when .env points at PostgreSQL or sets REDIS_URL: the drivers are then needed.
FULL ?= $(shell grep -qsE '^[[:space:]]*(DATABASE_URL[[:space:]]*=[[:space:]]*["'\'']?postgres|REDIS_URL[[:space:]]*=[[:space:]]*["'\'']?[a-z])' .env && echo 1)
RUN_LOCK := $(if $(FULL),requirements-full.txt,requirements.txt)
DEV_LOCK := requirements-dev.txt
# A stamp per lock file and its content: editing pyproject.toml or a lock file reinstalls.
stamp = $(VENV)/.installed-$(basename $(1))-$(shell cat pyproject.toml $(1) | cksum | cut -d' ' -f1)
RUN_STAMP := $(call stamp,$(RUN_LOCK))
DEV_STAMP := $(call stamp,$(DEV_LOCK))
# The index and find-links lines are this machine's, not the project's: keep them out of the locks.
PIP_COMPILE := $(VENV)-lock/bin/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras \
	--no-emit-index-url --no-emit-find-links

.PHONY: run test test-postgres lint typecheck lock bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The locks pin every dependency with hashes; the project itself goes in on top without deps.
$(VENV)/.installed-%: | $(BIN)/python
	$(BIN)/python -m pip install --quiet --require-hashes -r $(LOCK_FILE)
	$(BIN)/python -m pip install --quiet --no-deps -e .
	rm -f $(VENV)/.installed-* && touch $@

$(RUN_STAMP): LOCK_FILE := $(RUN_LOCK)
$(RUN_STAMP): pyproject.toml $(RUN_LOCK)
$(DEV_STAMP): LOCK_FILE := $(DEV_LOCK)
$(DEV_STAMP): pyproject.toml $(DEV_LOCK)

run: $(RUN_STAMP)
	$(BIN)/python -m bot

test: $(DEV_STAMP)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The same suite with PostgreSQL as every test's database (needs TEST_POSTGRES_URL; .ci/run sets it).
test-postgres: $(DEV_STAMP)
	TEST_DATABASE=postgresql $(BIN)/python -m pytest $(PYTEST_ARGS)

lint: $(DEV_STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(DEV_STAMP)
	$(BIN)/mypy

# pip-tools lives in its own venv so that it never shares (or upgrades) the bot's pinned packages.
lock:
	test -x $(VENV)-lock/bin/pip-compile || { $(PYTHON) -m venv $(VENV)-lock && \
		$(VENV)-lock/bin/python -m pip install --quiet pip-tools; }
	$(PIP_COMPILE) --output-file=requirements.txt pyproject.toml
	$(PIP_COMPILE) --extra=postgres --extra=redis --output-file=requirements-full.txt pyproject.toml
	$(PIP_COMPILE) --extra=dev --extra=postgres --extra=redis --output-file=requirements-dev.txt \
		pyproject.toml

bench: $(DEV_STAMP)
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf $(VENV) $(VENV)-lock .pytest_cache .ruff_cache .mypy_cache .hypothesis
