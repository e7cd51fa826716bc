# One command each, from a fresh clone: `make run` (example bot / offline playground), `make test`.
# `make docs-serve` serves the documentation site at http://127.0.0.1:8000.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install test lint run bench docs docs-serve clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	$(BIN)/pytest -q

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy --strict nyx_sessions example_bot

run: $(STAMP)
	$(BIN)/python -m example_bot $(ARGS)

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(ARGS)

# The documentation site: --strict fails on a broken link or reference, and docs/hooks.py on a public
# name the reference does not render or that has no docstring.
docs: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict

docs-serve: $(STAMP)
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs serve

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache site dist build
