# One Makefile for set-up, data, report and tests. Needs only Python 3.11+ and make.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: help install fetch build forecast report batch test test-fast bench lint lab clean

GRID ?= notebooks/grids/example.yaml

help:
	@echo "make report   fetch, build and publish the default report (prints its path last)"
	@echo "make test     install, fetch, build and run every test (unit, real data, notebooks)"
	@echo "make lab      open JupyterLab with the project's kernel"
	@echo "make batch    every report of a grid (GRID=notebooks/grids/example.yaml)"
	@echo "make bench    time the models, the report, a batch and the build (prints figures)"
	@echo "make lint     ruff over the package, tests and benchmarks"
	@echo "make clean    remove processed tables and reports (raw files stay)"

# The environment is (re)made when missing or older than pyproject.toml. uv installs the
# stack in seconds; plain pip is the fall-back.
$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' || \
		{ echo "error: Python 3.11+ is needed; $(PYTHON) is $$($(PYTHON) --version)"; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if command -v uv >/dev/null 2>&1; then \
		uv pip install --quiet --python $(PY) -e '.[test]'; \
	elif $(PY) -m pip install --quiet uv >/dev/null 2>&1; then \
		$(VENV)/bin/uv pip install --quiet --python $(PY) -e '.[test]'; \
	else \
		$(PY) -m pip install --quiet -e '.[test]'; \
	fi
	@touch $(STAMP)

install: $(STAMP)

fetch: $(STAMP)
	$(PY) -m analysis fetch --all

build: fetch
	$(PY) -m analysis build --all

forecast: build
	$(PY) -m analysis forecast --all

report: forecast
	@$(PY) -m analysis report

batch: forecast
	$(PY) -m analysis batch $(GRID)

test: build
	$(PY) -m pytest tests --nbval-lax notebooks

bench: build
	$(PY) benchmarks/bench_models.py
	$(PY) benchmarks/bench_pipeline.py

test-fast: $(STAMP)
	$(PY) -m pytest tests -m "not real_data and not kernel"

lint: $(STAMP)
	$(VENV)/bin/ruff check analysis tests benchmarks

lab: $(STAMP)
	$(PY) -m ipykernel install --sys-prefix --name strike-escalation \
		--display-name "Python (strike-escalation)" >/dev/null
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks

# Forecast snapshots are the record of what was predicted when: clean keeps them.
clean:
	rm -rf data/processed/*/
	find reports -mindepth 1 -maxdepth 1 ! -name forecasts ! -name .gitkeep -exec rm -rf {} +
