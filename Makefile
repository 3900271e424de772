# Two commands for a new user: `make demo` and `make test`. Only python3 and make are needed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: demo run-demo test install clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# The demo needs sftlint alone; the tests add their own dependencies (a browser driver, pandas,
# datasets, ...: several hundred MB) on top.
$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

# The demo writes its reports here (run-demo does the linting without the install step).
DEMO_OUT ?= reports

demo: install
	@$(MAKE) --no-print-directory run-demo

run-demo:
	@mkdir -p $(DEMO_OUT)
	@echo "== GO sample: sample_data/support_go.jsonl (expected verdict GO, exit 0)"
	$(BIN)/sftlint lint sample_data/support_go.jsonl --report $(DEMO_OUT)/demo-go.html
	@echo
	@echo "== NO-GO sample: sample_data/support_nogo.jsonl (expected verdict NO-GO, exit 1)"
	@$(BIN)/sftlint lint sample_data/support_nogo.jsonl --report $(DEMO_OUT)/demo-nogo.html; \
	  code=$$?; \
	  if [ $$code -eq 1 ]; then echo "exit 1: NO-GO, as expected for this sample"; else exit $$code; fi
	@echo
	@echo "GO report:    $(DEMO_OUT)/demo-go.html"
	@echo "NO-GO report: $(DEMO_OUT)/demo-nogo.html"

test: $(VENV)/.installed-test
	$(BIN)/python -m pytest

clean:
	rm -rf $(VENV) build dist
