# Two commands for a new user: `make demo` and `make test`. Only python3 and make are needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

demo: install
	@mkdir -p reports
	$(BIN)/sftlint lint sample_data/support_go.jsonl --report reports/demo.html
	@echo "report: reports/demo.html"

test: install
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist
