# kreg: `make run` sets everything up and shows kreg working; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kreg-installed
KREG   := $(BIN)/kreg
OUT    ?= build/run

.PHONY: help setup graphviz chromium run test test-slow test-all bench bench-scale docs model-table bench-table lint clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[cpu,dev]"
	@touch $@

setup: $(STAMP) graphviz  ## create .venv, install kreg with TensorFlow, and graphviz's dot

# The install scripts say what apt-get will install (its own figures) and why before
# installing; KREG_NO_SYSTEM_INSTALL=1 makes them say it and install nothing.
graphviz:  ## install graphviz's `dot` when it is missing, saying first what apt-get installs
	@command -v dot >/dev/null 2>&1 || sh scripts/install-graphviz.sh

chromium:  ## install Debian's chromium (~115 packages) for the review page's browser test when missing
	@command -v chromium >/dev/null 2>&1 || sh scripts/install-chromium.sh

run: setup  ## list the architectures, describe one, plot it and smoke-train it
	$(KREG) list
	$(KREG) info risk-factor-autoencoder
	$(KREG) inspect risk-factor-autoencoder
	$(KREG) plot risk-factor-autoencoder -o $(OUT)/risk-factor-autoencoder.png
	$(KREG) plot transformer --expand-nested -o $(OUT)/transformer.svg
	@echo "graphs written to $(OUT)/"
	$(KREG) train risk-factor-autoencoder --steps 20

# The docs build and the lint go first so that pytest's summary stays the last line CI reads.
# The suite runs on TEST_WORKERS processes (pytest-xdist), a test file to each so that module fixtures are built
# once: most tests wait on a kreg process or a TensorFlow trace on one core (1.2-1.35x faster on 2 cores, measured
# side by side under the same load). TEST_WORKERS=0 runs it in this process. The 25 slowest are listed, to keep it fast.
TEST_WORKERS ?= 2
test: setup chromium  ## the docs build (make docs), the lint (make lint), then the default test suite (what CI runs)
	@$(MAKE) --no-print-directory docs
	@$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -m "not slow" -q -n $(TEST_WORKERS) --dist loadfile --durations=25

# ruff, then the type checker (python -m scripts.typecheck), then the layering: python -m scripts.layering
# stages the installed layout in build/layering (every module under its real import
# name) and runs lint-imports on it with the contracts of pyproject.toml; a bare
# `lint-imports` cannot see inspect_tools/ and plugins/.
lint: setup  ## ruff (lint and format), the types (mypy), then the layering of ARCHITECTURE.md (the contracts in pyproject.toml)
	$(BIN)/ruff check --quiet .
	$(BIN)/ruff format --check --quiet .
	$(BIN)/python -m scripts.typecheck
	$(BIN)/python -m scripts.layering

test-slow: setup  ## only the slow tests
	$(BIN)/python -m pytest -m slow -q

test-all: setup chromium  ## every test
	$(BIN)/python -m pytest -q

bench: setup  ## run benchmarks/ side by side with plain Keras; writes benchmarks/results.md
	$(BIN)/python benchmarks/run_all.py

# The scale group: inspect, plot, review and diff of 100 to 10,000-layer chains beside plain Keras, and kreg list
# of 100 to 20,000 architectures; rows merged into benchmarks/results.md. About an hour on 2 cores (the
# 10,000-layer sides take minutes each); `$(BIN)/python benchmarks/run_all.py --quick --only scale` stops at 1,000.
bench-scale: setup  ## kreg against depth (100 to 10,000 layers) and registry size (100 to 20,000): benchmarks/results.md (slow)
	$(BIN)/python benchmarks/run_all.py --only scale registry --merge

docs: setup  ## regenerate docs/reference (committed), the command reference and the gallery, then mkdocs build --strict
	$(BIN)/python -m scripts.docgen --output docs/generated --reference docs/reference
	$(BIN)/mkdocs build --strict --quiet
	@echo "docs built in build/site/ (open build/site/index.html)"

# Builds every built-in architecture at full size (the applications: 224 x 224 and up),
# about 20 minutes on a laptop CPU, so it is not part of `make docs`; commit what it writes.
model-table: setup  ## measure every built-in architecture into docs/reference/model-table.md and .csv (slow: ~20 min)
	$(BIN)/python -m scripts.docgen.model_table --output docs/reference

bench-table: setup  ## measure every built-in architecture (kreg bench, batch 32) into docs/reference/bench-table.md and .csv (slow; BENCH_TABLE_ARGS="--quick --keras-io" for a subset)
	$(BIN)/python -m scripts.docgen.bench_table --output docs/reference $(BENCH_TABLE_ARGS)

clean:  ## remove the virtual environment and build outputs
	rm -rf $(VENV) build dist *.egg-info .pytest_cache docs/generated
