# Insyn: `make demo` and `make test` are the two commands of the quick start.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-stamp
# Every dependency, pinned with its PyPI hashes; `make lock` regenerates it from pyproject.toml.
LOCK := requirements.lock
EXTRAS := --extra dev --extra postgres --extra elasticsearch --extra mysql
HOME_DIR ?= insyn-data
PORT ?= 8080

.PHONY: demo test lint bench install lock clean screenshots

# pip is used as the venv brings it (not upgraded from the network), so nothing unpinned
# comes in; --require-hashes refuses any file whose hash is not the lock's.
$(STAMP): $(LOCK) pyproject.toml
	@echo "==> Skapar den virtuella miljön $(VENV) med $(PYTHON) …"
	$(PYTHON) -m venv $(VENV)
	@echo "==> Installerar beroenden från $(LOCK) (kontrollerade mot sina hashar; en minut eller två första gången) …"
	$(BIN)/pip install --require-hashes -r $(LOCK)
	@echo "==> Installerar insyn självt (redigerbart, utan beroenden) …"
	$(BIN)/pip install --no-deps -e .
	touch $(STAMP)
	@echo "==> Klart: $(VENV) är installerad."

install: $(STAMP)

# Re-resolve pyproject.toml into the lock with uv (from the lock itself), and pycsw's own
# environment (scripts/pycsw-requirements.in) into scripts/pycsw.lock. Pins still allowed are
# kept; `make lock UPGRADE=1` moves every pin to its newest release.
lock: $(STAMP)
	@echo "==> Löser beroendena i pyproject.toml och skriver $(LOCK) med hashar …"
	$(BIN)/uv pip compile --quiet pyproject.toml $(EXTRAS) --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) \
		-o $(LOCK)
	$(BIN)/uv pip compile --quiet scripts/pycsw-requirements.in --universal --python-version 3.11 \
		--generate-hashes --custom-compile-command 'make lock' $(if $(UPGRADE),--upgrade) \
		-o scripts/pycsw.lock
	@echo "==> $(LOCK): $$(grep -c '^[A-Za-z0-9]' $(LOCK)) paket; scripts/pycsw.lock (pycsw): $$(grep -c '^[A-Za-z0-9]' scripts/pycsw.lock)."

demo: $(STAMP)
	$(BIN)/insyn --home $(HOME_DIR) demo --no-serve
	@echo ""
	@echo "Kör insyn själv / run insyn yourself:"
	@echo "  source $(VENV)/bin/activate && insyn --home $(HOME_DIR) search bygglov"
	@echo "  $(BIN)/insyn --home $(HOME_DIR) --help"
	@echo "Webbkatalogen / the web catalogue: http://127.0.0.1:$(PORT)/"
	@echo ""
	$(BIN)/insyn --home $(HOME_DIR) serve --port $(PORT)

test: $(STAMP)
	bash scripts/test-services.sh
	bash scripts/setup-pycsw.sh
	$(MAKE) lint
	# axe-core for the browser tests' accessibility check, exactly as package-lock.json pins it.
	npm ci --no-audit --no-fund
	$(BIN)/python -m pytest -q -n 2 --dist loadgroup

# ruff, then the rooms of DESIGN.md (.importlinter): layers, forbidden imports, no cycles.
lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

# Each benchmark prints its figures and the machine; together they take about an hour.
bench: $(STAMP)
	$(BIN)/python bench/harvest.py
	$(BIN)/python bench/relevance.py
	$(BIN)/python bench/search.py
	$(BIN)/python bench/search_load.py
	$(BIN)/python bench/diarium.py
	$(BIN)/python bench/files.py
	$(BIN)/python bench/followup.py
	$(BIN)/python bench/soak.py
	$(BIN)/python bench/scaleout.py
	$(BIN)/python bench/es_bulk.py
	$(BIN)/python bench/footprint.py
	$(BIN)/python bench/web_load.py

screenshots: $(STAMP)
	$(BIN)/python scripts/screenshots.py

clean:
	rm -rf $(VENV) .venv-pycsw $(HOME_DIR) .pytest_cache .ruff_cache
