# Two commands for a new user (README): `make serve` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
ARGS ?=

.PHONY: serve test lint typecheck webunit unit browser bench clean

# The venv is rebuilt when the package's dependencies change.
$(BIN)/frankly: pyproject.toml
	./scripts/system-deps
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e .
	touch $@

# The tests need the captions extra too: its models are what they caption with.
$(VENV)/.test-deps: $(BIN)/frankly
	$(BIN)/pip install -q -e '.[test,captions]'
	touch $@

node_modules/.bin/tsc: package.json package-lock.json
	./scripts/system-deps node
	PUPPETEER_SKIP_DOWNLOAD=1 npm ci --no-audit --no-fund --silent
	touch $@

# The emoji font is checked on every serve (a file test) so a venv built before it still gets it.
serve: $(BIN)/frankly
	./scripts/system-deps fonts
	$(BIN)/frankly serve $(ARGS)

test: $(VENV)/.test-deps node_modules/.bin/tsc
	./scripts/system-deps chromium firefox fonts postgresql redis speech systemd turn
	$(MAKE) lint typecheck webunit
	$(BIN)/pytest

# The web client's pure functions, under Node's own test runner (tests/web/*.test.mjs).
webunit:
	node --test tests/web/

lint:
	$(BIN)/ruff check frankly tests
	$(BIN)/ruff format --check frankly tests

typecheck:
	$(BIN)/mypy
	node_modules/.bin/tsc -p tsconfig.json

bench: $(VENV)/.test-deps
	./scripts/system-deps chromium janus speech
	$(BIN)/frankly bench join
	$(BIN)/frankly bench sfu
	$(BIN)/frankly bench relay
	$(BIN)/frankly bench e2ee
	$(BIN)/frankly bench captions
	$(BIN)/frankly bench captions --room

clean:
	rm -rf $(VENV) node_modules .pytest_cache .mypy_cache .ruff_cache
