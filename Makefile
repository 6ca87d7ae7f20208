# ocpo: the two quick-start commands are `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: cluster cluster-stop cluster-soak cluster-soak-short run test bench soak soak-short install install-test install-bench migrate load lint format check migrations-check schema-snapshot clean

## run: install, migrate, load the bundled knowledge base into an empty database (an
## editor's database is kept as it is), serve on http://$(HOST):$(PORT)/
run: install migrate
	$(BIN)/python manage.py load_kb --if-empty
	$(BIN)/python manage.py runserver $(HOST):$(PORT)

## test: install with the test extras and run the whole suite, one worker per core
## (PYTEST_WORKERS=0 for one process, e.g. to read a failure's output in order)
PYTEST_WORKERS ?= auto
test: install-test
	$(BIN)/pytest -n $(PYTEST_WORKERS) $(PYTEST_ARGS)

## mutants: mutation testing (mutmut 3) of the core modules, one at a time, with the score
## per module; MUTANT_MODULES="ocpo/kb.py" for one. Slow: not part of `make test` or CI.
mutants: install-test
	$(BIN)/python tests/mutation/run.py $(MUTANT_MODULES)

## bench: the performance benchmark (PostgreSQL at factor 1000, wrk; see README)
bench: install-bench
	$(BIN)/python tests/benchmarks/bench.py

## soak: 64 connections of mixed reads for 60 s while an editor writes (gunicorn + PostgreSQL)
soak: install-bench
	$(BIN)/python tests/benchmarks/soak.py

soak-short: install-bench
	$(BIN)/python tests/benchmarks/soak.py --short

$(VENV)/.installed-bench: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,bench]"
	touch $@ $(VENV)/.installed-test $(VENV)/.installed

install-bench: $(VENV)/.installed-bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

migrate: install
	$(BIN)/python manage.py migrate --verbosity 0

## load: fixtures/ -> database; refuses to overwrite edits not yet exported (fixtures/README.md)
load: install migrate
	$(BIN)/python manage.py load_kb

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-test
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

check: install-test migrations-check
	$(BIN)/python manage.py check

migrations-check: install
	$(BIN)/python manage.py makemigrations --check --dry-run

schema-snapshot: install
	$(BIN)/python manage.py spectacular --file tests/snapshots/openapi.yaml

clean:
	rm -rf $(VENV) var staticfiles .pytest_cache .ruff_cache

## cluster: the deployment on this machine: nginx, two gunicorn app servers, PostgreSQL primary
## and replica, pgbouncer in front of each, Redis (all on loopback; data under var/cluster/)
cluster: install-bench
	$(BIN)/python deploy/cluster.py start

cluster-stop:
	$(BIN)/python deploy/cluster.py stop

## cluster-soak: reads and an editor's writes while an app server, the replica and pgbouncer fail
cluster-soak: cluster
	$(BIN)/python tests/cluster/soak_failures.py

cluster-soak-short: cluster
	$(BIN)/python tests/cluster/soak_failures.py --short
