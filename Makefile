# The everyday verbs. `make run` and `make test` are all a new machine needs.
VENV ?= .venv
PY := $(VENV)/bin/python
PYTEST_ARGS ?=

.PHONY: run test bench backup restore lint format migrations-check messages compilemessages seed clean help

help:
	@echo "make run    - the app on http://127.0.0.1:8000 with a Celery worker and beat (SQLite, demo data)"
	@echo "make test   - lint, migrations check and the whole test suite"
	@echo "make bench  - the province-scale benchmark on PostgreSQL (DATABASE_URL), results in bench/results/"

$(VENV)/.run-installed: requirements.txt
	@bin/check-system run
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install --quiet --upgrade pip
	$(VENV)/bin/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.test-installed: requirements.txt requirements-dev.txt $(VENV)/.run-installed
	$(VENV)/bin/pip install --quiet -r requirements-dev.txt
	touch $@

run: export DEBUG ?= true
run: $(VENV)/.run-installed compilemessages
	@bin/check-system run
	$(PY) manage.py migrate --noinput
	@$(PY) manage.py shell -c "from members.models import Organisation; import sys; sys.exit(1 if Organisation.objects.exists() else 0)" \
		&& $(PY) manage.py seed_demo || echo "Dữ liệu đã có, không tạo lại dữ liệu mẫu / data present, demo data not reseeded"
	bin/run-dev

test: export SECRET_KEY ?= test-only-secret-key
test: $(VENV)/.test-installed compilemessages
	@bin/check-system test
	$(MAKE) lint
	$(MAKE) migrations-check
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(PY) -m pytest $(PYTEST_ARGS)

# The province-scale benchmark: creates and migrates the databases, collects the static files, compiles the
# catalogues, seeds (or reuses) the data sets, serves the app with gunicorn (cache and broker in Redis,
# BENCH_REDIS_URL), measures, and writes bench/results/latest.md and latest.json. PostgreSQL and Redis.
# `make bench BENCH_SMOKE=1`: every step on small data sets in a few minutes, report in var/bench-smoke/.
bench: export DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/chibo_bench
bench: $(VENV)/.test-installed
	@bin/check-system run
	$(PY) bench/run.py

# Backups: the database (pg_dump on PostgreSQL, an online copy of SQLite) and the media files, with a manifest of
# row counts and checksums, signed, into var/backups/chibo-<time>/. Restore: make restore BACKUP=var/backups/chibo-<time>
# (verifies the whole backup first and refuses a damaged or changed one; see the README's Backups section).
backup: $(VENV)/.run-installed
	$(PY) manage.py backup

restore: $(VENV)/.run-installed
	@test -n "$(BACKUP)" || { echo "Usage: make restore BACKUP=var/backups/chibo-<time>"; exit 2; }
	$(PY) manage.py restore "$(BACKUP)" --yes

lint: $(VENV)/.test-installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports
	$(VENV)/bin/mypy
	$(VENV)/bin/djlint templates --lint

format: $(VENV)/.test-installed
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: export SECRET_KEY ?= test-only-secret-key
migrations-check:
	$(PY) manage.py makemigrations --check --dry-run

# Refresh the catalogues after changing user-facing strings (needs gettext).
messages:
	DEBUG=true $(PY) manage.py makemessages --locale vi --locale en --ignore "$(VENV)/*" --ignore "var/*" --no-obsolete

compilemessages:
	@command -v msgfmt >/dev/null || { echo "Thiếu gói hệ thống / missing system package: sudo apt-get install -y gettext"; exit 1; }
	DEBUG=true $(PY) manage.py compilemessages --ignore "$(VENV)/*" -v0

seed:
	DEBUG=true $(PY) manage.py seed_demo

clean:
	rm -rf $(VENV) var/celery
