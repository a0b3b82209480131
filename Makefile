# isova: the README's commands. Everything installs into .venv from uv.lock.
SHELL := /bin/bash
PYTHON ?= python3
UV_VERSION := 0.13.9
UV := .tools/bin/uv
PY := .venv/bin/python
PORT ?= 8000
# Links in e-mails follow the address served, unless SITE_URL names another (a proxy, say).
SITE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install run test e2e lint format bench bench-growth migrations-check clean backup prod-check

$(UV):
	@if command -v uv >/dev/null 2>&1 && [ "$$(uv --version | cut -d' ' -f2)" = "$(UV_VERSION)" ]; then \
		mkdir -p .tools/bin && ln -sf "$$(command -v uv)" $(UV); \
	else \
		$(PYTHON) -m venv .tools && .tools/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION); \
	fi

.venv/.synced: pyproject.toml uv.lock | $(UV)
	$(UV) sync --frozen --python $(PYTHON)
	@touch $@

install: .venv/.synced

run: install
	$(PY) manage.py migrate --noinput
	SITE_URL="$(SITE_URL)" $(PY) manage.py seed_demo
	@echo ""
	@echo "  isova is running at http://127.0.0.1:$(PORT)/"
	@echo "  Log in as leader@example.com, manager@example.com, staff@example.com,"
	@echo "  auditor@example.com or leader@care.example.com; password: isova-demo"
	@echo ""
	SITE_URL="$(SITE_URL)" $(PY) manage.py runserver 127.0.0.1:$(PORT)

test: install
	@bash scripts/test.sh $(ARGS)

e2e: install
	@bash scripts/test.sh -m e2e $(ARGS)

lint: install
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy
	.venv/bin/lint-imports
	$(PY) manage.py makemigrations --check --dry-run

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

format: install
	.venv/bin/ruff check --fix .
	.venv/bin/ruff format .

# BENCH_SCALE=0.01 make bench for a quick run; ARGS go to manage.py run_bench.
bench: install
	@bash scripts/bench.sh $(ARGS)

bench-growth: install
	@bash scripts/bench.sh growth $(ARGS)

# A backup directory under BACKUP_DIR (default ./backups): see the README's "Backups".
backup: install
	$(PY) manage.py backup

# The production topology as local processes, faulted under load (README: "Production").
prod-check: install
	@$(PY) scripts/prod_check.py $(ARGS)

clean:
	rm -rf .venv .tools staticfiles db.sqlite3
