# Two commands do all set-up: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
export FLASK_APP := wsgi

.PHONY: run test install translations lint bench clean contract

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

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
	$(BIN)/python -m pytest -n 2 --dist loadgroup

lint: install
	$(BIN)/ruff check .

contract: install translations
	$(BIN)/python ../shared/tools/contract_check.py
	$(BIN)/python ../shared/tools/contract_check.py --postgres

clean:
	rm -rf $(VENV) instance .pytest_cache node_modules
