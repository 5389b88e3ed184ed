# PolyCMS: `make serve` runs the API locally, `make test` runs the suite. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
WORKERS ?= 2
MANAGE := $(BIN)/python manage.py

# $(call given,VAR): VAR's value when it was given on make's command line, else empty. USER and NAME are
# read only from there: the environment often has a USER (the login name) or a NAME of its own.
given = $(if $(filter command line,$(origin $1)),$($1))

.PHONY: install serve worker superuser token test lint bench clean editorjs sdk-tools zapier-tools

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("PolyCMS needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# Local development settings, read by polycms/settings.py for the server and every manage.py command alike
# (variables set in the real environment win). Written once, never overwritten: delete it for a new key.
# Only the local development targets write it, not install: a server must never get DJANGO_DEBUG=1 from it.
.env:
	@umask 077 && key=$$($(PYTHON) -c 'import secrets; print(secrets.token_urlsafe(50))') && printf '%s\n' \
		'# Local development settings for `make serve` and manage.py (git-ignored; see README "Configuration").' \
		'# Variables set in the real environment win over these. Delete this file to get a new secret key.' \
		"DJANGO_SECRET_KEY=$$key" 'DJANGO_DEBUG=1' > $@
	@echo "Created .env for local development: a random DJANGO_SECRET_KEY, DJANGO_DEBUG=1." >&2

# Local development server: SQLite unless DATABASE_URL is set; settings from .env and the environment.
serve: install .env
	@$(MANAGE) migrate --noinput && \
	$(MANAGE) collectstatic --noinput --verbosity 0 && \
	echo "" && \
	echo "PolyCMS is starting on http://$(HOST):$(PORT)" && \
	echo "  API:    http://$(HOST):$(PORT)/api/v1/  (/api/v1/health, /api/v1/user, /api/v1/posts, /api/v1/tokens)" && \
	echo "  Docs:   http://$(HOST):$(PORT)/api/v1/docs/" && \
	echo "  Admin:  http://$(HOST):$(PORT)/admin/" && \
	echo "  Next, in another terminal:" && \
	echo "    make superuser USER=admin                            # the first admin user" && \
	echo "    TOKEN=\$$(make -s token USER=admin NAME=\"My script\")  # a token, printed once" && \
	echo "    curl -H \"Authorization: Bearer \$$TOKEN\" http://$(HOST):$(PORT)/api/v1/user" && \
	echo "  Worker: webhook deliveries, media renditions (make worker runs one alone). Uploads: mediafiles/ at /media/" && \
	echo "  Settings: .env (variables set in the environment win). Stop with Ctrl-C." && echo "" && \
	{ $(MANAGE) worker & worker=$$!; trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(BIN)/gunicorn polycms.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - --graceful-timeout 5; }

# One job worker in the foreground (webhook deliveries, media renditions; see README "Workers"). Run several in production.
worker: install .env
	@$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) worker

# An admin user (staff and superuser). `make superuser USER=alice` asks for an email and a password; with
# DJANGO_SUPERUSER_PASSWORD (and DJANGO_SUPERUSER_EMAIL) set, it asks nothing.
superuser: install .env
	@$(MANAGE) migrate --noinput --verbosity 0
	$(MANAGE) createsuperuser $(if $(call given,USER),--username '$(USER)') $(if $(DJANGO_SUPERUSER_PASSWORD),--noinput)

# A personal access token with every ability and no expiry, printed alone on stdout (once):
# TOKEN=$$(make -s token USER=alice NAME="My script"). Abilities and expiry: manage.py createtoken --help.
token: install .env
	@$(if $(call given,USER),,echo 'Usage: make token USER=<username> [NAME="what it is for"]' >&2 && exit 2)
	@$(MANAGE) createtoken '$(USER)' --name '$(or $(call given,NAME),make token)'

# The whole suite; on PostgreSQL when DATABASE_URL is set, with Redis tests when REDIS_URL is set. It reads no
# .env (POLYCMS_DOTENV=0 in pyproject.toml).
test: install sdk-tools zapier-tools
	$(BIN)/pytest $(PYTEST_ARGS)

# The TypeScript SDK test's tools (openapi-typescript, openapi-fetch, TypeScript), as tests/sdk/typescript's
# package-lock.json pins them, from the npm registry. Without npm that test skips (and fails CI).
SDK_TS := tests/sdk/typescript
sdk-tools: $(SDK_TS)/node_modules/.package-lock.json

$(SDK_TS)/node_modules/.package-lock.json: $(SDK_TS)/package-lock.json
	@if command -v npm >/dev/null; then cd $(SDK_TS) && npm ci --no-audit --no-fund --loglevel=error || \
		echo "npm ci failed (offline?): the TypeScript SDK test (tests/sdk) skips." >&2; \
	else echo "npm not found: the TypeScript SDK test (tests/sdk) skips. Install Node.js 20+ and npm to run it." >&2; fi

# The Zapier integration's packages (zapier-platform-core…), as integrations/zapier/package-lock.json pins them, for
# its tests (tests/integrations/test_zapier.py). Without npm they skip (and fail CI), as the SDK test does.
ZAPIER := integrations/zapier
zapier-tools: $(ZAPIER)/node_modules/.package-lock.json

$(ZAPIER)/node_modules/.package-lock.json: $(ZAPIER)/package-lock.json
	@if command -v npm >/dev/null; then cd $(ZAPIER) && npm ci --no-audit --no-fund --loglevel=error || \
		echo "npm ci failed (offline?): the Zapier integration's test (tests/integrations) skips." >&2; \
	else echo "npm not found: the Zapier integration's test (tests/integrations) skips. Install Node.js 20+ and npm to run it." >&2; fi

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

# Re-vendor the admin's Editor.js from tools/editorjs/package-lock.json (UPDATE=1: latest releases first).
editorjs:
	tools/editorjs/vendor.sh $(if $(UPDATE),update)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
