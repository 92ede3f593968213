# One Makefile for set-up, data, report and tests. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install upgrade fetch build forecast report pdf batch test test-fast bench lint \
	typecheck lab clean calibrate

GRID ?= notebooks/grids/example.yaml

help:
	@echo "make report     fetch, build and publish the default report (prints its path last)"
	@echo "make pdf        the default report, every page printed into its report.pdf (Chromium)"
	@echo "make test       install, lint, fetch, build and run every test (what CI runs)"
	@echo "make test-fast  the unit tier only: no kernel, browser or data build (about a minute)"
	@echo "make lab        open JupyterLab with the project's kernel"
	@echo "make batch      every report of a grid (GRID=notebooks/grids/example.yaml)"
	@echo "make bench      time the models, the report, a batch and the build (prints figures)"
	@echo "make calibrate  coverage of every headline interval on simulated data (reports/calibration)"
	@echo "make lint       ruff check, ruff format --check and the type check (fails on any finding)"
	@echo "make typecheck  mypy over analysis/; fails on an error not in tools/mypy-baseline.txt"
	@echo "make upgrade    refresh uv.lock to the newest allowed versions, re-pin, run the tests"
	@echo "make clean      remove processed tables and reports (raw files stay)"

# The environment is (re)made when missing or older than pyproject.toml or the lock, always at
# the locked versions: `uv sync --locked` (which also fails when uv.lock is out of date with
# pyproject.toml), with uv from PATH, from the venv, or installed from PyPI; plain pip with the
# constraints exported from the lock is the fall-back. uv compiles the bytecode at install, as
# pip does: where Python may not write it (PYTHONDONTWRITEBYTECODE), every process would
# otherwise compile pandas, scipy and statsmodels anew (about 6 s of each kernel's start).
UV := $(VENV)/bin/uv
UV_CMD = $(shell command -v uv 2>/dev/null || echo $(UV))
SYNC := sync --locked --extra test --compile-bytecode --quiet --python $(PY)

$(STAMP): pyproject.toml uv.lock constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11+ is needed; $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then \
		uv $(SYNC); \
	elif test -x $(UV) || $(PY) -m pip install --quiet uv >/dev/null 2>&1; then \
		$(UV) $(SYNC); \
	else \
		$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'; \
	fi
	@touch $(STAMP)

install: $(STAMP)

# Newest versions within pyproject's bounds: relock, re-pin constraints.txt and
# environment.yml, install them, and run every test before anyone commits the new lock.
upgrade: $(STAMP)
	$(UV_CMD) lock --upgrade
	$(PY) tools/pins.py $(UV_CMD)
	$(UV_CMD) $(SYNC)
	@touch $(STAMP)
	$(MAKE) test

fetch: $(STAMP)
	$(PY) -m analysis fetch --all

build: fetch
	$(PY) -m analysis build --all

forecast: build
	$(PY) -m analysis forecast --all

report: forecast
	@$(PY) -m analysis report

# The newest default report (made first when its inputs changed) printed into one PDF by the
# installed Chromium: reports/latest/report.pdf.
pdf: forecast
	@$(PY) -m analysis report --pdf

batch: forecast
	$(PY) -m analysis batch $(GRID)

# Lint first, so that unformatted code, a lint finding or a new type error fails CI before the
# long run (a stale uv.lock already fails `uv sync --locked` above).
test: lint build
	$(PY) -m pytest tests --nbval-lax notebooks

bench: build
	$(PY) benchmarks/bench_models.py
	$(PY) benchmarks/bench_pipeline.py

# How often each headline interval holds a planted truth: 200 simulated data sets per interval
# and error process (independent, AR(1) 0.3 and 0.5), one process per core. Needs no data.
# About 15 minutes on 2 cores; `python -m analysis calibrate --quick` is the CI subset.
calibrate: $(STAMP)
	$(PY) -m analysis calibrate
	mkdir -p docs/calibration && cp reports/calibration/calibration.* docs/calibration/

# The unit tier (tests/conftest.py marks it): no kernel, no browser, no data fetched or built.
test-fast: $(STAMP)
	$(PY) -m pytest tests -m unit

LINTED := analysis tests benchmarks tools notebooks

lint: $(STAMP)
	$(VENV)/bin/ruff check $(LINTED)
	$(VENV)/bin/ruff format --check $(LINTED)
	$(MAKE) --no-print-directory typecheck

# mypy over analysis/ against the baseline of known errors, which may only shrink
# (`$(PY) tools/typecheck.py --update` after fixing some).
typecheck: $(STAMP)
	$(PY) tools/typecheck.py

lab: $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name strike-escalation \
		--display-name "Python (strike-escalation)" >/dev/null
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

# Forecast snapshots are the record of what was predicted when: clean keeps them.
clean:
	rm -rf data/processed/*/
	find reports -mindepth 1 -maxdepth 1 ! -name forecasts ! -name .gitkeep -exec rm -rf {} +
