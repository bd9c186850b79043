# Reflect: two commands on a fresh machine —  `make demo`  and  `make test`.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip

.PHONY: setup demo test bench loadtest lint types requirements assets collectstatic browser clean

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# Reinstall only when the pinned requirements change (requirements-dev.txt holds them all).
$(VENV)/.installed: requirements.txt requirements-dev.txt | $(PY)
	$(PIP) install --quiet -r requirements-dev.txt
	touch $@

# The dependencies are declared in pyproject.toml; requirements.txt (what runs) and
# requirements-dev.txt (that and the tools) pin them, compiled by uv, each beginning with its
# command. After changing pyproject.toml run `make requirements`; to move pins on as well,
# `make requirements UPGRADE=--upgrade` (or UPGRADE="--upgrade-package django").
UV_COMPILE := $(VENV)/bin/uv pip compile pyproject.toml --universal --python-version 3.11
requirements: $(VENV)/.installed
	$(UV_COMPILE) -o requirements.txt --quiet $(UPGRADE)
	$(UV_COMPILE) --extra dev -c requirements.txt -o requirements-dev.txt --quiet $(UPGRADE)

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

static/reflect/reflect.css: node_modules/.installed assets/build.mjs $(wildcard assets/scss/*.scss)
	npm run --silent build

# The built static/reflect/init.js comes from assets/js/ (see assets/build.mjs).
static/reflect/reflect.css: $(wildcard assets/js/*.js)

assets: static/reflect/reflect.css

collectstatic: assets $(VENV)/.installed
	$(PY) manage.py collectstatic --noinput -v0

setup: $(VENV)/.installed assets collectstatic

# `make demo PORT=8123` serves on another port; e-mailed links (SITE_URL) follow it, unless
# SITE_URL is set already.
PORT ?= 8000
demo: export SITE_URL ?= http://127.0.0.1:$(PORT)
demo: setup
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	@echo "Reflect is running at http://127.0.0.1:$(PORT) (Ctrl+C to stop). E-mailed links use $$SITE_URL."
	@# Due notifications (reminders) go out on time with no worker: a delivery loop runs
	@# beside the server and is stopped with it. Busy calendars are read by their own loop,
	@# never inside a web request (docs/security.md).
	$(PY) manage.py deliver_notifications --loop & loop=$$!; \
		$(PY) manage.py refresh_busy_calendars --loop & calendars=$$!; \
		trap 'kill $$loop $$calendars 2>/dev/null' EXIT; \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

# Browser tests use Debian's Chromium; install it when we can (root on Debian), else they skip.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null && \
		(apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium >/dev/null) || \
		echo "Chromium is not installed: browser tests will be skipped."; }

test: setup browser
	$(VENV)/bin/pytest $(PYTEST_ARGS)

bench: setup
	$(PY) bench/run.py

# Locust against gunicorn (4 workers), PostgreSQL, Redis and a Celery worker, at 50 then 200
# users (LOADTEST_USERS, LOADTEST_SECONDS): needs DATABASE_URL naming a local PostgreSQL
# (docs/performance.md, "Under load").
loadtest: setup
	$(PY) bench/loadtest/run.py

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check config reflect supervision scheduling equality dashboard demo tests bench records webhooks outcomes learning api
	$(VENV)/bin/lint-imports
	$(VENV)/bin/vulture

# Type checks: what is checked, and how strictly, is set in pyproject.toml ([tool.mypy]).
types: $(VENV)/.installed
	$(VENV)/bin/mypy

clean:
	rm -rf $(VENV) node_modules static staticfiles db.sqlite3
