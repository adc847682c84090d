# Every target sets up its own virtual environment from nothing: a fresh clone needs only
# python3 (3.11+) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= .demo/grassroots.json

.PHONY: run test lint soak bench schemas demo clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@ $(VENV)/.installed

## make run: a fresh demo store for today, then the program on it
run: $(VENV)/.installed
	$(BIN)/grassroots demo --db $(DEMO_DB) --force
	$(BIN)/grassroots --db $(DEMO_DB)

demo: $(VENV)/.installed
	$(BIN)/grassroots demo --db $(DEMO_DB) --force

## make test: the linter, the formatter's check, the type check and every test
test: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make soak: the long crash test (200 kills)
soak: $(VENV)/.installed-dev
	GRASSROOTS_KILLS=200 $(BIN)/python -m pytest -q -m soak -p no:randomly

## make bench: the benchmarks; writes bench/RESULTS.md
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run

## make schemas: regenerate schemas/ from the models
schemas: $(VENV)/.installed-dev
	$(BIN)/python -m grassroots_tui.models.schema_export schemas

clean:
	rm -rf $(VENV) .demo .pytest_cache .ruff_cache .hypothesis

## make typecheck: mypy with the pydantic plugin, configured in pyproject.toml (also run by
## make test)
.PHONY: typecheck
typecheck: $(VENV)/.installed-dev
	$(BIN)/mypy
