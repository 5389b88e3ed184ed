# PolyCMS: `make serve` runs the API locally, `make test` runs the suite. Both set everything up first.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
WORKERS ?= 2

.PHONY: install serve test lint bench clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit("PolyCMS needs Python 3.11+") if sys.version_info < (3, 11) else None'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	@touch $@

# Local development server: SQLite unless DATABASE_URL is set; DEBUG on unless DJANGO_DEBUG says otherwise.
serve: install
	@export DJANGO_DEBUG=$${DJANGO_DEBUG-1}; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	echo "" && \
	echo "PolyCMS is starting on http://$(HOST):$(PORT)" && \
	echo "  API:    http://$(HOST):$(PORT)/api/v1/health  (and /api/v1/user, /api/v1/posts, /api/v1/tokens)" && \
	echo "  Docs:   http://$(HOST):$(PORT)/api/v1/docs/" && \
	echo "  Admin:  http://$(HOST):$(PORT)/admin/" && \
	echo "  First admin user:  $(BIN)/python manage.py createsuperuser" && \
	echo "  Stop with Ctrl-C." && echo "" && \
	exec $(BIN)/gunicorn polycms.wsgi --bind $(HOST):$(PORT) --workers $(WORKERS) --access-logfile - --graceful-timeout 5

# The whole suite; on PostgreSQL when DATABASE_URL is set, with Redis tests when REDIS_URL is set.
test: install
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python -m tools.bench $(BENCH_ARGS)

clean:
	rm -rf $(VENV) staticfiles .pytest_cache .ruff_cache
