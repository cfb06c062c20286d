# ipm-workflow: `make run` to try it, `make test` to check it. `make` alone lists the targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

UV_VERSION := 0.13.9
TOOLS := .tools
UV := $(TOOLS)/bin/uv
BIN := .venv/bin
# Never download a Python: the machine's 3.11+ is the one we build on.
export UV_PYTHON_DOWNLOADS := never
PYTEST_ARGS ?=

.PHONY: help install run sandbox lint fmt test bench clean

help: ## Show this help
	@awk 'BEGIN {FS = ":.*## "} /^[a-z-]+:.*## / {printf "  make %-10s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(UV):
	python3 -m venv $(TOOLS)
	$(TOOLS)/bin/pip install --quiet uv==$(UV_VERSION)

# Bytecode is compiled at install time, for the dependencies and our own package alike: these
# machines set PYTHONDONTWRITEBYTECODE=1, and without .pyc files every command would compile
# ~3,000 modules from source again (seconds per start).
.venv/.synced-compiled: $(UV) pyproject.toml uv.lock
	$(UV) sync --frozen --quiet --compile-bytecode
	@touch $@

install: .venv/.synced-compiled ## Install the locked dependencies into .venv (bytecode compiled)
	@$(BIN)/python -m compileall -q -j 0 src migrations > /dev/null

run: install ## Migrate the embedded SQLite database, load demo data once, run API + worker
	$(BIN)/ipm-workflow db upgrade
	$(BIN)/ipm-workflow demo
	$(BIN)/ipm-workflow serve

sandbox: install ## Run the training sandbox (own database, movable clock, captured messages)
	$(BIN)/ipm-workflow serve --sandbox

lint: install ## ruff, formatting, mypy strict, import contracts, workflow files
	$(BIN)/ruff check src tests bench migrations
	$(BIN)/ruff format --check src tests bench migrations
	$(BIN)/mypy
	$(BIN)/lint-imports
	$(BIN)/ipm-workflow workflows check

fmt: install ## Format and auto-fix the code
	$(BIN)/ruff format src tests bench migrations
	$(BIN)/ruff check --fix src tests bench migrations

test: lint ## Lint, type checks and the whole suite (SQLite, and PostgreSQL when reachable)
	$(BIN)/pytest $(PYTEST_ARGS)

bench: install ## Print start-up, throughput and memory figures (SQLite and PostgreSQL)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/engine.py
	$(BIN)/python bench/http_api.py
	$(BIN)/python bench/reminders.py
	$(BIN)/python bench/web.py

clean: ## Remove the virtual environments and the embedded database
	rm -rf .venv $(TOOLS) var .pytest_cache .mypy_cache .ruff_cache
