# Two commands do all the set-up on a fresh machine: `make run` and `make test` (see README).
SHELL := /bin/bash
.DEFAULT_GOAL := help
VENV ?= .venv
PY := $(VENV)/bin/python
MANAGE := $(VENV)/bin/manage
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/haining
REDIS_TEST_URL ?= redis://127.0.0.1:6379/15

.PHONY: help venv install lock run seed migrate worker beat test test-fixtures test-sqlite test-services lint check-deploy format browser-deps system-deps clean

help:
	@echo "make run     set up everything, seed the demo content, serve on 127.0.0.1:$(PORT)"
	@echo "make test    set up everything and run lint, checks and the whole test suite"
	@echo "make worker  run a Celery worker (needs REDIS_URL or CELERY_BROKER_URL)"

# The virtualenv is built with the first Python >= 3.12 found (PATH, then pyenv's versions), from
# requirements.lock: exactly the versions CI tested. The project itself is then installed without
# resolving again (anything pyproject.toml asks for that the lock lacks is reported by `make lint`).
$(VENV)/.installed: pyproject.toml requirements.lock
	@set -e; PYBIN=$$(bash .ci/find-python); echo "Using $$PYBIN ($$($$PYBIN --version))"; \
	  [ -x $(PY) ] || $$PYBIN -m venv $(VENV); \
	  $(PY) -m pip install -q --upgrade pip; \
	  $(PY) -m pip install -q -r requirements.lock; \
	  $(PY) -m pip install -q -e ".[test,dev]"
	@touch $@

venv install: $(VENV)/.installed

# Upgrading dependencies is this one command: re-resolve pyproject.toml's ranges to the newest releases
# (for every platform and Python >= 3.12), rewrite requirements.lock, reinstall; then run `make test`.
lock: install
	$(PY) -m pip install -q uv
	$(VENV)/bin/uv pip compile pyproject.toml --extra test --extra dev --universal --python-version 3.12 \
	  --upgrade --no-annotate -o requirements.lock
	$(PY) -m pip install -q -r requirements.lock

migrate: install
	$(MANAGE) migrate --noinput

seed: migrate
	$(MANAGE) seed_demo

run: seed
	$(MANAGE) runserver 127.0.0.1:$(PORT)

worker: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-haining.settings.production} $(VENV)/bin/celery -A haining worker -l info

beat: install
	DJANGO_SETTINGS_MODULE=$${DJANGO_SETTINGS_MODULE:-haining.settings.production} $(VENV)/bin/celery -A haining beat -l info

lint: install
	$(PY) .ci/lock_check.py
	$(VENV)/bin/ruff check .
	find templates -name '*.html' -print0 | xargs -0 $(VENV)/bin/djhtml --check

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	find templates -name '*.html' | xargs $(VENV)/bin/djhtml

# Debian packages the tests use: Chromium and a Chinese font for the browser tests (Playwright's own browser
# download does not work offline; without a CJK font, screenshots show boxes instead of Chinese), nginx and its
# cache-purge module for the reverse-proxy test (tests/test_nginx.py runs deploy/nginx/'s config), the PostgreSQL
# client (pg_dump/pg_restore) for the backup test, redis-server for the outage tests (a private instance on
# another port).
SYSTEM_PACKAGES := chromium fonts-noto-cjk nginx-light libnginx-mod-http-cache-purge postgresql-client redis-server
browser-deps system-deps:
	@missing=""; \
	  [ -x /usr/bin/chromium ] || missing="$$missing chromium"; \
	  fc-list :lang=zh 2>/dev/null | grep -q . || missing="$$missing fonts-noto-cjk"; \
	  command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing="$$missing nginx-light"; \
	  [ -e /usr/lib/nginx/modules/ngx_http_cache_purge_module.so ] || missing="$$missing libnginx-mod-http-cache-purge"; \
	  command -v pg_dump >/dev/null || missing="$$missing postgresql-client"; \
	  command -v redis-server >/dev/null || missing="$$missing redis-server"; \
	  if [ -n "$$missing" ]; then \
	    if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	      .ci/apt-install $$missing \
	        || echo "!! could not install$$missing: the tests that need them will be skipped or fail under CI"; \
	    else echo "!! missing Debian packages:$$missing (apt-get install $(SYSTEM_PACKAGES))"; fi; \
	  fi

check-deploy: install
	SECRET_KEY=sample-4f9c2b7e1d8a6035-secret-key-for-checks-only-9e7d5c3b1a ALLOWED_HOSTS=www.example.cn DATABASE_URL=sqlite:///$(CURDIR)/var/deploycheck.sqlite3 \
	  REDIS_URL=redis://127.0.0.1:6379/0 CELERY_BROKER_URL=amqp://guest:guest@127.0.0.1:5672// \
	  SMS_URL='aliyun://SampleKeyId:SampleSecret@dysmsapi.aliyuncs.com?sign=海宁市工人文化宫' \
	  DJANGO_SETTINGS_MODULE=haining.settings.production $(MANAGE) check --deploy --fail-level WARNING

# The whole suite on the embedded default (SQLite), then on PostgreSQL + Redis when they answer.
# Service-backed tests are reported as skipped when the services are missing; with CI=true
# (or REQUIRE_SERVICES=1) missing services and a missing Chromium fail the run instead.
# modelsearch's BackendTests (search/tests/test_modelsearch_suite.py) load a fixture that modelsearch's
# wheel and sdist do not ship; Wagtail 7.1's wheel carries it for its test app of the same label.
# Fetched with pip into var/, never committed.
MODELSEARCH_FIXTURE := var/test-fixtures/modelsearch/search.json
$(MODELSEARCH_FIXTURE): | install
	@set -e; mkdir -p $(@D); tmp=$$(mktemp -d); \
	  $(PY) -m pip download -q --no-deps --only-binary :all: wagtail==7.1.2 -d $$tmp; \
	  $(PY) -c "import sys, zipfile; open(sys.argv[2], 'wb').write(zipfile.ZipFile(sys.argv[1]).read('wagtail/test/search/fixtures/search.json'))" $$tmp/wagtail-7.1.2-py3-none-any.whl $@; \
	  rm -rf $$tmp

test-fixtures: $(MODELSEARCH_FIXTURE)

test: install system-deps test-fixtures
	$(MAKE) --no-print-directory lint
	DJANGO_SETTINGS_MODULE=haining.settings.test $(MANAGE) check
	DJANGO_SETTINGS_MODULE=haining.settings.test $(MANAGE) makemigrations --check --dry-run
	$(MAKE) --no-print-directory check-deploy
	$(MAKE) --no-print-directory test-sqlite
	$(MAKE) --no-print-directory test-services

# Browser journeys run one file per process: each uses a live server whose transactional test flushes the
# database, and in one long run that state leaked into later browser files (they pass alone).
test-sqlite: install
	$(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS)
	@set -e; for f in $$(grep -rl --include='*.py' "mark.browser" home culture training search tests | sort); do \
	  echo "== browser tests in their own process: $$f"; \
	  $(VENV)/bin/pytest -m browser $$f $(PYTEST_ARGS); \
	done

test-services: install
	@if $(PY) .ci/services_up.py "$(PG_URL)" "$(REDIS_TEST_URL)"; then \
	  echo "== PostgreSQL + Redis run =="; \
	  DATABASE_URL=$(PG_URL) REDIS_URL=$(REDIS_TEST_URL) $(VENV)/bin/pytest -m "not browser" $(PYTEST_ARGS); \
	elif [ "$$CI" = "true" ] || [ "$$REQUIRE_SERVICES" = "1" ]; then \
	  echo "!! PostgreSQL/Redis not reachable and CI requires them"; exit 1; \
	else \
	  echo "SKIPPED: PostgreSQL + Redis run (no server at $(PG_URL) / $(REDIS_TEST_URL)); the SQLite run above marked those tests as skipped."; \
	fi

clean:
	rm -rf $(VENV) var
