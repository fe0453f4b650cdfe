# Two commands for a fresh Debian machine with Python 3.11: `make run` and `make test`.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: install system-deps run test lint imports typecheck pytest bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip uv

# Installs the locked versions (requirements.lock, made by `uv pip compile pyproject.toml --extra test`).
$(STAMP): $(BIN)/python requirements.lock pyproject.toml
	$(BIN)/uv pip install -q --python $(BIN)/python -r requirements.lock
	$(BIN)/uv pip install -q --python $(BIN)/python --no-deps -e .
	touch $@

install: $(STAMP)

system-deps:
	@bash scripts/install-system-deps.sh

run: install
	@bash scripts/run.sh

lint: install
	$(BIN)/ruff check mescams tests bench

# The import contracts of pyproject's [tool.importlinter] (imports run one way; sim and core never import the EDC).
imports: install
	$(BIN)/lint-imports --no-cache

typecheck: install
	$(BIN)/mypy mescams

# One test process per core (CI has 2): whole files go to one process, so a module's server or world is built once.
pytest: install system-deps
	$(BIN)/pytest -n auto --dist loadfile

test: install system-deps lint imports typecheck pytest

bench: install system-deps
	$(BIN)/python -m bench

lock: $(BIN)/python
	$(BIN)/uv pip compile pyproject.toml --extra test --python-version 3.11 -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .grimp_cache
