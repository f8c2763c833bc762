# reslog — two commands: `make run` and `make test`.
PY ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: run test install install-dev demo clean

$(BIN)/python:
	@command -v $(PY) >/dev/null 2>&1 || { echo "make: $(PY) not found; set PY=python3 (Python >= 3.11)"; exit 2; }
	$(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install -q -e ".[text,web,imagery,monitoring,scenario]"
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed
	$(BIN)/python -m pip install -q -e ".[dev]"
	touch $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

# `make run`: build the demo warehouse (starter data, report), add recent news events extracted from
# the packaged sample articles, the small MRIO that ships in the pymrio wheel and the demo
# accounts, a simulated monitored site and simulated ASGM hotspots (labelled as such), then serve the
# API and dashboard on 127.0.0.1:8000. Every step is idempotent.
RUN_DB ?= reslog-data/reslog.duckdb
run: install
	$(BIN)/reslog demo --db $(RUN_DB)
	$(BIN)/reslog events extract --input src/reslog/data/sample_articles.jsonl --output reslog-data/sample_events.jsonl --db $(RUN_DB)
	$(BIN)/reslog events ingest reslog-data/sample_events.jsonl --db $(RUN_DB)
	$(BIN)/reslog ingest mrio pymrio-test --db $(RUN_DB)
	$(BIN)/reslog platform demo-users --db $(RUN_DB)
	$(BIN)/reslog platform demo-data --db $(RUN_DB)
	$(BIN)/reslog serve --host 127.0.0.1 --port 8000 --db $(RUN_DB)

test: install-dev
	bash scripts/system-deps.sh
	$(BIN)/python -m pytest -n 2 --dist loadgroup

clean:
	rm -rf $(VENV) reslog-data
