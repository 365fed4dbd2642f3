# Insyn: `make demo` and `make test` are the two commands of the quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
HOME_DIR ?= insyn-data
PORT ?= 8080

.PHONY: demo test lint bench install clean screenshots

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev,postgres,elasticsearch]'
	touch $(STAMP)

install: $(STAMP)

demo: $(STAMP)
	$(BIN)/insyn --home $(HOME_DIR) demo --port $(PORT)

test: $(STAMP)
	bash scripts/test-services.sh
	bash scripts/setup-pycsw.sh
	$(MAKE) lint
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Each benchmark prints its figures and the machine; together they take about an hour.
bench: $(STAMP)
	$(BIN)/python bench/harvest.py
	$(BIN)/python bench/relevance.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/diarium.py
	$(BIN)/python bench/files.py
	$(BIN)/python bench/followup.py
	$(BIN)/python bench/soak.py

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .venv-pycsw $(HOME_DIR) .pytest_cache .ruff_cache
