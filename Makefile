# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
export FLASK_APP := wsgi

# The versions the suite passed with (pyproject.toml keeps the bounds); `make install CONSTRAINTS=` ignores them.
CONSTRAINTS ?= constraints.txt

.PHONY: run test install translations lint bench clean contract lock

$(STAMP): pyproject.toml $(CONSTRAINTS)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet $(if $(CONSTRAINTS),-c $(CONSTRAINTS)) -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Write constraints.txt from this virtualenv (after `make test` passed on upgraded packages)
lock: install
	$(BIN)/python .ci/lock.py > constraints.txt.new && mv constraints.txt.new constraints.txt

## Compile translations/*/LC_MESSAGES/messages.po to .mo (fuzzy messages left out); fails on any error
translations: $(STAMP)
	$(BIN)/pybabel compile --directory translations --statistics

node_modules/axe-core/axe.min.js:
	-npm install --no-save --no-audit --no-fund --silent axe-core@4 >/dev/null 2>&1 || echo "npm not available: accessibility tests will skip"

## Run the app on an embedded SQLite database with demo data at http://127.0.0.1:5000
run: install translations
	$(FLASK) db upgrade
	$(FLASK) demo load
	$(FLASK) run --host 127.0.0.1 --port 5000

## Run the whole test suite (SQLite, and PostgreSQL when SURVEY_TEST_POSTGRES_URL or a local server is there)
test: install translations node_modules/axe-core/axe.min.js
	$(BIN)/python -m pytest -n 2 --dist worksteal

lint: install
	$(BIN)/ruff check .

contract: install translations
	$(BIN)/python ../shared/tools/contract_check.py
	$(BIN)/python ../shared/tools/contract_check.py --postgres

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
