# Two commands for a new machine: `make run` and `make test` (see README.md).

VENV := .venv
PY := $(VENV)/bin/python
ADDR ?= 127.0.0.1:8000

# Django 6.1 needs Python 3.12 or newer: take the first such interpreter on
# PATH, then any that pyenv has installed even when it is not the global one.
PYTHON ?= $(shell for p in python3.14 python3.13 python3.12 python3 \
	$$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.1[2-9]*/bin/python3 2>/dev/null | sort -rV); do \
	"$$p" -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1 && { echo "$$p"; break; }; done)

.PHONY: install messages run test lint format migrate seed clean bench drills cluster lock audit nginx

# requirements.lock pins every package with its file's SHA-256, for the Python
# it names (tools/lock.py); with another Python, constraints.txt's versions
# are installed without hash checks, and the install says so.
LOCK_PYTHON := $(shell sed -n 's/^\# python: \([0-9.]*\).*/\1/p' requirements.lock)
PIP := $(PY) -m pip --disable-pip-version-check

$(VENV)/.installed: pyproject.toml constraints.txt requirements.lock
	@test -n "$(PYTHON)" || { echo "error: Python 3.12 or newer is needed (Django 6.1); none was found on PATH or in pyenv." >&2; exit 1; }
	@if [ -x $(PY) ] && ! $(PY) -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "Removing $(VENV): it was made with a Python older than 3.12."; rm -rf $(VENV); fi
	@test -x $(PY) || { echo "Creating $(VENV) with $(PYTHON)"; $(PYTHON) -m venv $(VENV); }
	$(PIP) install --quiet --upgrade pip
	@if [ "$$($(PY) -c 'import sys; print("%d.%d" % sys.version_info[:2])')" = "$(LOCK_PYTHON)" ]; then \
		echo "Installing requirements.lock (hash-checked)"; \
		$(PIP) install --quiet --require-hashes --no-deps -r requirements.lock && \
		$(PIP) install --quiet --no-deps -e . ; \
	else \
		echo "requirements.lock is for Python $(LOCK_PYTHON), not $$($(PY) -V): installing constraints.txt without hash checks."; \
		$(PIP) install --quiet -c constraints.txt -e ".[test]"; \
	fi
	@touch $@

install: $(VENV)/.installed

# The site's own words in Belarusian and Russian (locale/*/LC_MESSAGES/django.po), compiled for gettext; GNU gettext's
# msgfmt does it (.ci/run installs it where it is missing).
MESSAGES := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
locale/%.mo: locale/%.po
	@command -v msgfmt >/dev/null || { echo "error: msgfmt is missing: install GNU gettext (apt-get install gettext)" >&2; exit 1; }
	msgfmt --check-format -o $@ $<

messages: $(MESSAGES)

migrate: install messages
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py loaddata belarus

# The development server runs with the development settings (DEBUG, the key written in
# the code), which a server process refuses unless told it is a developer's machine.
run: seed
	$(PY) manage.py export_dataset --site-url http://$(ADDR)
	$(PY) manage.py createlocaladmin
	DEVELOPMENT_MACHINE=true $(PY) manage.py runserver $(ADDR)

# On every core (pytest-xdist; each worker its own test database): the suite took 18-27 min on PostgreSQL
# on one core of a 2-core machine, 10.5 on both. PYTEST_ARGS="-n 0" runs it in one process.
PYTEST_ARGS ?= -n auto
test: install messages
	$(PY) -m pytest $(PYTEST_ARGS)

# ruff.toml: the lint and the format .ci/run holds the code to; `make format` applies both.
lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# The benchmark suite (bench/run.py): PostgreSQL and SQLite, 10,000 and 200,000 people,
# results in bench/RESULTS.md. A subset: make bench BENCH_ARGS="--sizes 10000 --backends sqlite".
bench: install nginx
	$(PY) bench/run.py $(BENCH_ARGS)

# Load and fault drills (bench/drills.py): 32 clients for 60 s, PostgreSQL stopped for 10 s under load,
# dropped CSV downloads, an import killed halfway. Stops PostgreSQL for ten seconds: not during CI.
drills: install
	$(PY) bench/drills.py $(DRILLS_ARGS)

# The multi-machine drill (bench/cluster.py, ~5 min; docs/deploy.md): its own PostgreSQL primary and streaming
# replica, Redis (database 13), two gunicorn servers behind nginx, under load; one server killed, then the replica stopped.
cluster: install nginx
	$(PY) bench/cluster.py $(CLUSTER_ARGS)

# nginx, the proxy deploy/ puts in front (the bench's downloads part and the cluster drill run it):
# Debian's package, installed when missing and the machine lets us.
nginx:
	@command -v nginx >/dev/null || { \
		if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
			echo "Installing nginx (apt-get)"; apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends nginx; \
		else echo "nginx is not installed: the downloads part measures gunicorn directly, and make cluster needs it (apt-get install nginx)." >&2; fi; }

# Rewrite requirements.lock after changing pyproject.toml or constraints.txt.
lock: install
	$(PY) tools/lock.py

# Known vulnerabilities in the locked versions (pip-audit, in a virtual environment
# of its own). It needs its vulnerability database (PyPI's JSON API) to be reachable:
# where it is not, the audit fails and says that nothing could be checked.
audit:
	@test -x .venv-audit/bin/pip-audit || { $(PYTHON) -m venv .venv-audit && .venv-audit/bin/pip install --quiet --disable-pip-version-check pip-audit==2.10.1; }
	@.venv-audit/bin/pip-audit --strict --disable-pip --require-hashes -r requirements.lock || { \
		echo "audit failed: vulnerabilities are listed above, or pip-audit could not reach its vulnerability database (\"could not be audited\") and nothing was checked." >&2; exit 1; }

clean:
	rm -rf $(VENV) .venv-audit db.sqlite3 db.sqlite3-wal db.sqlite3-shm .pytest_cache
