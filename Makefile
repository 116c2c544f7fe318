# make run   - install what is needed, materialise every asset, print where the outputs are
# make test  - install what is needed, run the whole test suite
# make intake PDF=... - take in a published PDF; make candidates DOC=... - its draft register
# make ui    - start the Dagster UI on 127.0.0.1:$(PORT), the published files on $(FILES_PORT)
#             (a team server: make ui INSTANCE=deploy/team/dagster.yaml DAGSTER_HOME=<folder>)
SHELL := /bin/bash
PYTHON ?= python3
PORT ?= 3000
FILES_PORT ?= 3001
HOST ?= 127.0.0.1
INSTANCE ?= dagster.yaml
VENV := .venv
export DAGSTER_HOME := $(CURDIR)/.dagster_home
export PYTHONPATH := $(CURDIR)

.PHONY: run test ui setup instance clean chromium postgresql candidates check intake

setup: $(VENV)/.synced instance

$(VENV)/bin/python:
	@$(PYTHON) -m venv $(VENV)

$(VENV)/bin/uv: | $(VENV)/bin/python
	@$(VENV)/bin/python -m pip install --quiet uv

# Bytecode compiled at install: where PYTHONDONTWRITEBYTECODE is set (as on our machines), every
# process would otherwise compile the libraries again at import (import floor 17 s -> 7 s).
$(VENV)/.synced: uv.lock pyproject.toml Makefile | $(VENV)/bin/uv
	@$(VENV)/bin/uv sync --frozen --quiet --compile-bytecode
	@touch $@

# The instance settings of DAGSTER_HOME: the single-user dagster.yaml unless INSTANCE names another.
instance:
	@mkdir -p $(DAGSTER_HOME)
	@cmp -s $(INSTANCE) $(DAGSTER_HOME)/dagster.yaml || cp $(INSTANCE) $(DAGSTER_HOME)/dagster.yaml

run: setup
	$(VENV)/bin/python -m pipelines.run $(if $(REBUILD),--rebuild)

test: setup chromium postgresql
	$(VENV)/bin/python -m pytest

# The gallery test drives Debian's Chromium; install it where it is missing.
chromium:
	@command -v chromium >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq chromium; fi; }

# The team-instance test starts Debian's PostgreSQL server; install it where it is missing.
postgresql:
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq postgresql; \
	  else sudo apt-get update -qq && sudo apt-get install -y -qq postgresql; fi; }

ui: setup
	$(VENV)/bin/python -m pipelines.ui --host $(HOST) --port $(PORT) --files-port $(FILES_PORT)

# make intake PDF=report.pdf - store a published PDF, its text (page by page) and a draft
# catalogue entry in sources/
intake: setup
	@test -n "$(PDF)" || { echo "usage: make intake PDF=<path to the report as a PDF> [ID=005]"; exit 2; }
	@$(VENV)/bin/python -m sources.intake "$(PDF)" $(if $(ID),--id $(ID))

# make candidates DOC=003 - every number of a document not yet registered, as a draft register
candidates: setup
	@test -n "$(DOC)" || { echo "usage: make candidates DOC=<document id>"; exit 2; }
	@$(VENV)/bin/python -m sources.candidates $(DOC)

# make check DOC=002 - validate the registers of a document and list its unaccounted numbers
check: setup
	@$(VENV)/bin/python -m sources.check $(DOC) -v

clean:
	rm -rf outputs/build outputs/parquet outputs/charts outputs/quality outputs/warehouse.duckdb
