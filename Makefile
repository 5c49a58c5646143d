# The only commands a newcomer needs: make run, make test (and make bench, make lint).
# Every target installs what it needs first and is quick when nothing has changed.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# Tests run in one worker per core (pytest-xdist); TEST_WORKERS=0 runs them in one process.
TEST_WORKERS ?= auto
export DJANGO_SETTINGS_MODULE ?= sharewise.settings

.PHONY: run serve test bench lint assets setup setup-test chromium pdf-libs demo clean

# Development settings (DEBUG) only here, where they are asked for.
run: export SHAREWISE_DEVELOPMENT = 1
run: setup assets pdf-libs
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo --if-empty
	@$(PY) manage.py demo_logins
	PY=$(PY) scripts/together $(PY) manage.py runserver $(HOST):$(PORT)

# Production on this machine: gunicorn, a worker and the scheduler under production
# settings, after collectstatic and migrate (scripts/serve; docs/production.md).
serve: export DJANGO_SETTINGS_MODULE = sharewise.settings_production
serve: export SHAREWISE_BIND ?= $(HOST):$(PORT)
serve: setup assets pdf-libs
	PY=$(PY) scripts/serve

test: setup-test assets chromium pdf-libs
	$(PY) -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

bench: setup-test assets
	$(PY) bench/run.py $(BENCH_ARGS)

lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache

setup: $(VENV)/.installed
setup-test: $(VENV)/.installed-test

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed: pyproject.toml | $(VENV)/bin/python
	$(PIP) install -q --upgrade pip
	$(PIP) install -q -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(PIP) install -q -e '.[test]'
	touch $@

assets: sharewise/static/build/sharewise.css

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

sharewise/static/build/sharewise.css: node_modules/.installed sharewise/static/src/sharewise.scss scripts/copy-assets.mjs
	npm run --silent build

# Debian's Chromium: Playwright's own browser download cannot work without internet.
chromium: /usr/bin/chromium
/usr/bin/chromium:
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium

# Pango, which WeasyPrint draws referral PDFs with (Debian's; already there with Chromium).
pdf-libs:
	@ldconfig -p | grep -q libpangoft2-1.0 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq libpango-1.0-0 libpangoft2-1.0-0; }

clean:
	rm -rf $(VENV) node_modules sharewise/static/build var
