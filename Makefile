# Every target sets up its own virtual environment from nothing: a fresh clone needs only
# python3 (3.11+) and make.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
DEMO_DB ?= .demo/grassroots.json
WHEELHOUSE_HERE := $(VENV)/wheelhouse-here

.PHONY: run test lint soak bench schemas demo clean render wheelhouse

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

## make test: the linter, the formatter's check, the type check and every test, the tests
## spread over every core by pytest-xdist (TEST_WORKERS=0 runs them in one process, in
## file order; tests/conftest.py says what the workers keep apart)
TEST_WORKERS ?= auto
test: $(VENV)/.installed-dev $(WHEELHOUSE_HERE)/MANIFEST.txt
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/python -m pytest -q -n $(TEST_WORKERS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

## make soak: the long crash test (200 kills)
soak: $(VENV)/.installed-dev
	GRASSROOTS_KILLS=200 $(BIN)/python -m pytest -q -m soak -p no:randomly

## make bench: the benchmarks; writes bench/RESULTS.md
bench: $(VENV)/.installed-dev
	$(BIN)/python -m bench.run

## make render: every paper output (workbook, slips, notices, lists, report) through
## LibreOffice headless to PNG pages in a temp folder, to look at (not part of make test)
render: $(VENV)/.installed-dev
	$(BIN)/python -m bench.render

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

## make wheelhouse: the offline installation folder dist/wheelhouse (and a .zip of it): every
## wheel for Windows x64, Linux x86_64 and aarch64 and each supported Python, install.sh and
## install.bat (tools/wheelhouse.py; downloading needs PyPI, installing nothing)
wheelhouse: $(VENV)/.installed-dev
	$(BIN)/python -m tools.wheelhouse --out dist/wheelhouse

# What tests/test_wheelhouse.py installs from with no index: this machine's wheels for the
# venv's Python, downloaded again only when pyproject.toml or the tool changes.
$(WHEELHOUSE_HERE)/MANIFEST.txt: pyproject.toml tools/wheelhouse.py | $(VENV)/.installed-dev
	$(BIN)/python -m tools.wheelhouse --here --no-archive --out $(WHEELHOUSE_HERE)
