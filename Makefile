# Everyday commands. `make run` and `make test` work from a fresh clone with Python 3.11 + pip.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run install test lint format bench bench-pages bench-match eval bench-startup soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(VENV)/.installed

## Serve Ketao with its demo data on the embedded default (SQLite under ./var).
run: install
	$(BIN)/ketao db upgrade
	$(BIN)/ketao seed
	$(BIN)/ketao serve --host $(HOST) --port $(PORT)

## The whole test suite (SQLite; set KETAO_TEST_DATABASE_URL for PostgreSQL).
test: install
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

## Search benchmark: 1k/10k/100k projects, engine vs SQL LIKE, HTTP with 8 clients.
bench: install
	$(BIN)/python -m bench.search

## The website's pages against the API at 100k projects (same run), and page weights.
bench-pages: install
	$(BIN)/python -m bench.pages

bench-match: install
	$(BIN)/python -m bench.matching

## Matching quality on the labelled set (nDCG@5, hit@1, city top-3), scorer vs baselines.
eval: install
	$(BIN)/python -m bench.matching_eval

bench-startup: install
	$(BIN)/python -m bench.startup

## Mixed load on a served app while a 50,000-record import and an index rebuild run.
soak: install
	$(BIN)/python -m bench.soak

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
