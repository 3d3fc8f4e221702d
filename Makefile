# shopops: the two set-up commands are `make demo` and `make test`; each does all of its own setup.
PYTHON ?= python3.11
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: demo test install lint bench serve clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[model,dev]'
	@touch $(STAMP)

install: $(STAMP)

## demo: load the demo store and run the main job on the embedded defaults (local model, SQLite)
demo: install
	$(BIN)/shopops model install
	$(BIN)/shopops demo run

## test: ruff, then the test suite (SQLite, plus PostgreSQL when its server binaries are present)
test: install
	$(BIN)/ruff check shopops tests bench scripts
	$(BIN)/shopops model install
	@if ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; then \
		eval "$$(bash scripts/start_test_postgres.sh)"; \
		$(BIN)/pytest -q $(PYTEST_ARGS); \
	else \
		echo "PostgreSQL server binaries not installed: PostgreSQL tests will skip"; \
		$(BIN)/pytest -q $(PYTEST_ARGS); \
	fi

## serve: the web UI and API on http://127.0.0.1:8000/ (after `make demo`, sign in as a demo account)
serve: install
	$(BIN)/shopops serve

lint: install
	$(BIN)/ruff check shopops tests bench scripts
	$(BIN)/ruff format --check shopops tests bench scripts

bench: install
	$(BIN)/python bench/llm_backend.py

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
