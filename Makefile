# Every target creates the virtual environment it needs; nothing else has to be installed first.
PYTHON ?= python3.11
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The real ML-1M folder: an explicit DATA=..., else a sibling shared data folder if present,
# else empty, in which case sessrec looks at $$SESSREC_DATA, its cache, then downloads it.
DATA ?= $(or $(SESSREC_DATA),$(wildcard ../shared/data/ml-1m))
RUN_DIR ?= runs/ml-1m
RUN_ARGS ?=
LOO_DIR ?= runs/ml1m-loo

.PHONY: install run loo test test-fast lint format bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/sessrec run $(if $(DATA),--data $(DATA)) --out $(RUN_DIR) $(RUN_ARGS)

# GRU4Rec under the papers' leave-one-out protocol with the committed config (README: "GRU4Rec
# at the published level"); about 25 minutes on an idle 2-core CPU.
loo: $(STAMP)
	$(BIN)/sessrec run $(if $(DATA),--data $(DATA)) --preset loo \
		--config sessrec/configs/ml1m-loo.toml --out $(LOO_DIR) $(RUN_ARGS)

test: $(STAMP)
	SESSREC_DATA=$(DATA) $(BIN)/python -m pytest -q

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow"

lint: $(STAMP)
	$(BIN)/ruff check sessrec native_loader tests benchmarks
	$(BIN)/ruff format --check sessrec native_loader tests benchmarks

format: $(STAMP)
	$(BIN)/ruff format sessrec native_loader tests benchmarks
	$(BIN)/ruff check --fix sessrec native_loader tests benchmarks

bench: $(STAMP)
	SESSREC_DATA=$(DATA) $(BIN)/python -m benchmarks $(BENCH_ARGS)

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache .ruff_cache
