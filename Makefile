# kreg: `make run` sets everything up and shows kreg working; `make test` runs the tests.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.kreg-installed
KREG   := $(BIN)/kreg
OUT    ?= build/run

.PHONY: help setup graphviz chromium run test test-slow test-all bench docs model-table bench-table lint clean

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
test: setup chromium  ## the docs build (make docs), the lint (make lint), then the default test suite (what CI runs)
	@$(MAKE) --no-print-directory docs
	@$(MAKE) --no-print-directory lint
	$(BIN)/python -m pytest -m "not slow" -q

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
