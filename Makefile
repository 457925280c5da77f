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
# Notifications are e-mailed to files in var/mail (no mail server needed).
demo: export EMAIL_BACKEND = django.core.mail.backends.filebased.EmailBackend
demo: install
	$(BIN)/careline migrate --noinput
	$(BIN)/careline demo-data --items $(DEMO_ITEMS) --seed 1
	$(BIN)/careline run --fake-platform-port 8001

# SQLite tests use a file, not the in-memory default: the browser tests' live server answers
# concurrent requests (a heartbeat while a reply is sent), and only a file database waits for
# a writer's lock (busy_timeout) instead of failing with "database table is locked".
test: export CARELINE_TEST_SQLITE ?= var/test-careline.sqlite3
test: install-test
	mkdir -p var
	$(BIN)/pytest

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy careline
	$(BIN)/careline makemigrations --check --dry-run

clean:
	rm -rf $(VENV) var
