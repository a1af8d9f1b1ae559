# Two commands do all set-up on a fresh machine with Python 3.11+:
#   make run   — venv, install, migrate, demo data, web + Celery worker + beat on http://127.0.0.1:8000
#   make test  — dev dependencies and the whole suite
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
# --dist load keeps pytest-django's order on each worker: rolled-back tests first, then transactional ones.
PYTEST_ARGS ?= -n 2 --dist load

.PHONY: run test install install-dev lint messages bench clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(VENV)/bin/python
	$(PIP) install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt requirements.txt $(VENV)/.installed
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed

# axe-core for the browser tests' accessibility checks (tests/e2e/axe.py); without npm those checks are skipped.
node_modules/.package-lock.json: package-lock.json
	@if command -v npm >/dev/null 2>&1; then npm ci --no-audit --no-fund --loglevel=error; \
	else echo "npm not found: the axe-core checks of the browser tests will be skipped"; fi

install-dev: $(VENV)/.installed-dev node_modules/.package-lock.json

run: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py setup_schedules
	$(PY) manage.py seed_demo
	bin/run-local

# With PGBOUNCER_URL set (.ci/run does), the API and job tests run a second time through PgBouncer in transaction
# mode. --reuse-db --create-db: a fresh test database that is not dropped at the end (PgBouncer still holds server
# connections to it; .ci/run drops it WITH (FORCE) on its next run).
PGBOUNCER_TESTS ?= tests/api tests/core/test_jobs.py tests/prepaid/test_jobs.py tests/billing/test_tasks.py
test: install-dev
	$(VENV)/bin/pytest $(PYTEST_ARGS)
	@if [ -n "$(PGBOUNCER_URL)" ]; then \
	  echo "== the API and job tests through PgBouncer ($(PGBOUNCER_URL))"; \
	  DATABASE_URL="$(PGBOUNCER_URL)" DATABASE_PGBOUNCER=true \
	    $(VENV)/bin/pytest $(PYTEST_ARGS) --reuse-db --create-db $(PGBOUNCER_TESTS); \
	fi

lint: install-dev
	$(VENV)/bin/ruff check .

messages: install
	$(PY) manage.py makemessages --locale id --no-obsolete --ignore '.venv/*' --ignore 'var/*' --ignore 'bench/*' --ignore 'staticfiles/*' --ignore 'node_modules/*'
	$(PY) manage.py compilemessages --locale id --ignore '.venv/*'

bench: install-dev
	$(PY) -m bench.run

clean:
	rm -rf $(VENV) var staticfiles node_modules
