# The two commands of the README, self-sufficient on a fresh clone:
#   make quickstart   the main job, offline (cassettes) unless DataForSEO credentials are set
#   make panel        an AI-visibility panel run, measured and reported, offline (emulator)
#   make test         the whole test suite, offline (loopback only, credentials ignored)
# Both create the virtual environment in $(VENV) and install the project on first use, and
# reuse it afterwards (it is rebuilt when pyproject.toml changes).

VENV ?= .venv
PYTHON ?= python3
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
EXTRAS ?= test,lint,examples,postgres
PYTEST_ARGS ?=
OFFLINE := env -u DATAFORSEO_LOGIN -u DATAFORSEO_PASSWORD -u DATAFORSEO_BASE_URL

.PHONY: quickstart panel test lint format install

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[$(EXTRAS)]"
	touch $(STAMP)

install: $(STAMP)

quickstart: $(STAMP)
	$(PY) examples/quickstart.py

# Always offline: the panel runs on the emulator started in-process (credentials ignored).
panel: $(STAMP)
	@$(OFFLINE) $(PY) examples/visibility.py $(if $(OUT),--out $(OUT))

# pytest's exit code 5 (no test collected) is a failure here, never a pass.
test: $(STAMP)
	@$(OFFLINE) $(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	if [ $$status -eq 5 ]; then echo "pytest collected no tests" >&2; exit 1; fi; \
	exit $$status

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --strict src/

format: $(STAMP)
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
