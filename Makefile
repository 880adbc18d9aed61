# Wuye Field — `make run` serves the demo on http://127.0.0.1:$(PORT); `make test` runs the whole suite;
# `make lint` runs ruff with the rules in pyproject.toml.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 5000
# The demo's printed tags open the port the app is served on (unless PUBLIC_BASE_URL says otherwise).
PUBLIC_BASE_URL ?= http://127.0.0.1:$(PORT)

.PHONY: install system-deps translations run lint test bench clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Re-installs when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install -q --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install -q --disable-pip-version-check -e '.[dev]'
	touch $@

install: $(VENV)/.installed translations

# Debian packages the project needs: a CJK font for tag sheets (and Chromium for browser tests).
system-deps:
	bash scripts/system-deps.sh $(SYSTEM_DEPS)

translations: $(VENV)/.installed
	$(BIN)/pybabel -q compile -d wuye_field/translations

run: SYSTEM_DEPS = fonts
run: install system-deps
	$(BIN)/flask --app app db upgrade
	PUBLIC_BASE_URL="$(PUBLIC_BASE_URL)" $(BIN)/flask --app app wuye demo
	PUBLIC_BASE_URL="$(PUBLIC_BASE_URL)" $(BIN)/flask --app app run --host 127.0.0.1 --port $(PORT)

lint: $(VENV)/.installed
	$(BIN)/ruff check .

test: SYSTEM_DEPS = fonts chromium
test: install system-deps
	bash scripts/test.sh

bench: install
	$(BIN)/python bench/sync.py
	$(BIN)/python bench/photos.py

clean:
	rm -rf $(VENV) .pytest_cache
