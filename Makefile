# The two commands of the README: `make chat` runs the chat, `make test` runs the checks and tests.
# Both create .venv/ and install the project into it on first use (again only when pyproject.toml changes).
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml 2>/dev/null | cksum | cut -d' ' -f1)
PORT ?= 8501

ALQAC ?= ../shared/external/alqac

.PHONY: chat test install lint format seed-cache eval-alqac

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e ".[dev]"
	@rm -f $(VENV)/.installed-* && touch $@

# Binds 127.0.0.1 when no accounts are configured; every interface (or KH32_ADDRESS) once they are (ui/serve.py).
chat: $(STAMP)
	$(PY) -m assistant docs
	$(PY) -m ui.serve $(PORT)

lint: $(STAMP)
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-logo

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

# PostgreSQL: the records' tests also run on a throwaway server the tests start (tests/postgres.py).
test: lint
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium)
	@ls /usr/lib/postgresql/*/bin/pg_ctl >/dev/null 2>&1 || (apt-get update -qq && apt-get install -y -qq postgresql)
	$(PY) -m pytest

# ALQAC (evaluation data beside the project, never bundled), the 192 questions and the 220 of train.jsonl, each
# split (train/dev/sealed) gated on its own figures of the committed baseline.
# The 16 laws are ingested into their own eval store on first use (about 17 minutes).
eval-alqac: $(STAMP)
	$(PY) -m evals articles --dataset $(ALQAC)/questions.jsonl --dataset $(ALQAC)/train.jsonl \
		--corpus $(ALQAC)/corpus --split all --baseline evals/baselines/alqac.json --no-progress

# Rebuild the shipped embedding cache of the bundled corpus (after changing the corpus or the chunker).
seed-cache: $(STAMP)
	$(PY) -m ingest.seed
