# Two commands on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp

.PHONY: install run test test-slow test-browser lint format bench bench-hard clean lock

$(STAMP): pyproject.toml requirements.lock
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -c requirements.lock -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name intervet-plan --display-name "intervet-plan (.venv)" >/dev/null
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/intervet-plan run scenarios/baseline.yaml

test: install
	$(BIN)/python -m pytest

test-slow: install
	$(BIN)/python -m pytest -m slow

# report.html and comparison.html in headless Chromium (/usr/bin/chromium, or $$CHROMIUM);
# full-page screenshots land in artifacts/screenshots/
test-browser: install
	$(BIN)/python -m pytest -m browser tests/test_browser.py

lint: install
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

format: install
	$(BIN)/ruff format src tests benchmarks
	$(BIN)/ruff check --fix src tests benchmarks

bench: install
	$(BIN)/python benchmarks/run.py
	$(BIN)/python benchmarks/hard.py

# the hard cases of issue 14 alone (a binding budget at scale 10, scale 30): minutes each,
# and up to 30 minutes for each reference run
bench-hard: install
	$(BIN)/python benchmarks/hard.py

lock: install
	( head -n 2 requirements.lock; $(BIN)/python -m pip freeze --exclude-editable | grep -v '^intervet-plan' ) > requirements.lock.new
	mv requirements.lock.new requirements.lock

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .ruff_cache
