# The two commands of the README. Everything installs into .venv from PyPI.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PYTEST_ARGS ?=

.PHONY: demo test venv dev lint clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

# core install: enough for the demo on the embedded stores
$(VENV)/.core: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e .
	touch $@

# dev install: everything the tests need (PostgreSQL driver, PySpark, Playwright, schemathesis)
$(VENV)/.dev: $(BIN)/python pyproject.toml
	$(BIN)/pip install -q -e '.[dev]'
	touch $@ $(VENV)/.core

venv: $(VENV)/.core
dev: $(VENV)/.dev

demo: $(VENV)/.core
	$(BIN)/ringfence demo

# pytest exits 5 when it collected no test: that is a failure here, like any other non-zero code.
test: $(VENV)/.dev
	$(BIN)/python -m pytest $(PYTEST_ARGS); code=$$?; \
	if [ $$code -eq 5 ]; then echo "pytest collected no tests: failing" >&2; exit 1; fi; exit $$code

lint: $(VENV)/.dev
	$(BIN)/ruff check src tests bench

clean:
	rm -rf $(VENV) .pytest_cache test-artifacts
