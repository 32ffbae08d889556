# Two commands do everything on a fresh machine:
#   make site    install the pinned dependencies into .venv and build the site into site/
#                (make serve: the same, then a live preview at http://127.0.0.1:8000)
#   make test    install what the tests need into .venv and run them
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1

.PHONY: site serve test lab clean system-deps

# Debian packages the build needs: a CJK font for the share cards (never downloaded at build time).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
system-deps:
	@if [ ! -f $(CJK_FONT) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq fonts-wqy-microhei; \
	  else echo "Missing $(CJK_FONT): run 'sudo apt-get install fonts-wqy-microhei' (the share cards need a CJK font)." >&2; \
	    exit 1; fi; fi

$(BIN)/.site-installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(BIN)/.test-installed: requirements-test.txt requirements.txt $(BIN)/.site-installed
	$(BIN)/pip install --quiet -r requirements-test.txt
	touch $@

site: system-deps $(BIN)/.site-installed
	$(BIN)/mkdocs build --strict

serve: system-deps $(BIN)/.site-installed
	$(BIN)/mkdocs serve

lab: $(BIN)/.site-installed
	$(BIN)/python -m lab --out lab-output

test: system-deps $(BIN)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

clean:
	rm -rf site lab-output docs/assets/lab
