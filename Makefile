# Trustledger: `make demo` runs the product, `make test` runs every check. See README.md.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# Django 6 needs Python 3.12+; the machine's python3 may be older, so look for a newer one.
PYTHON ?= $(shell for p in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 \
	$$HOME/.pyenv/versions/3.12*/bin/python3; do \
	  command -v $$p >/dev/null 2>&1 && $$p -c 'import sys; sys.exit(sys.version_info < (3, 12))' \
	  2>/dev/null && { command -v $$p; break; }; done)
VENV := .venv
BIN := $(VENV)/bin
UV := $(PYTHON) -m uv
export UV_PYTHON_DOWNLOADS := never

.PHONY: help install demo serve test lint typecheck pytest bench system-deps clean

help:
	@echo "make demo     set up, load the demo firm, serve on http://127.0.0.1:8000"
	@echo "make test     install test dependencies (PostgreSQL, Chromium as root) and run all checks"
	@echo "make install  create .venv and install the locked dependencies"
	@echo "make bench    print the benchmark figures (docs/benchmarks.md)"

$(BIN)/trustledger: pyproject.toml uv.lock
	@test -n "$(PYTHON)" || { echo "Python 3.12 or newer is required (python3.13, python3.12 or pyenv)."; exit 1; }
	@$(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet --user uv \
		|| $(PYTHON) -m pip install --quiet uv
	$(UV) sync --frozen --compile-bytecode --python $(PYTHON)
	@touch $@

install: $(BIN)/trustledger

demo: install
	$(BIN)/trustledger demo

serve: install
	$(BIN)/trustledger serve

# Debian packages the tests need: PostgreSQL, Chromium, WeasyPrint's Pango, pdftoppm.
system-deps:
	@bash scripts/system-deps.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

typecheck: install
	$(BIN)/mypy trustledger

pytest: install system-deps
	@bash scripts/run-tests.sh

test: lint typecheck pytest

bench: install system-deps
	@bash scripts/run-bench.sh

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
