# The two commands: `make demo` runs careline with demo data, `make test` runs the tests.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO_ITEMS ?= 2500

.PHONY: install install-test demo test lint clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install-test: $(VENV)/.installed-test

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e ".[test,accurate]"
	touch $@

demo: export CARELINE_DEMO_SINK = 1
demo: export CARELINE_FAKE_PLATFORM_URL = http://127.0.0.1:8001
demo: install
	$(BIN)/careline migrate --noinput
	$(BIN)/careline demo-data --items $(DEMO_ITEMS) --seed 1
	$(BIN)/careline run --fake-platform-port 8001

test: install-test
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy careline
	$(BIN)/careline makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
