# Two commands do everything on a fresh machine:
#   make site    install the pinned dependencies into .venv and build the site into site/
#                (make serve: the same, then a live preview at http://127.0.0.1:8000)
#   make test    install what the tests need into .venv and run them
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export NO_MKDOCS_2_WARNING := 1
# Reproducible builds: date the site by the last commit, so two builds of one commit are identical.
COMMIT_TIME := $(shell git log -1 --format=%ct 2>/dev/null)
ifneq ($(COMMIT_TIME),)
export SOURCE_DATE_EPOCH ?= $(COMMIT_TIME)
endif

.PHONY: site serve test lab clean system-deps browser-deps screenshots bench portable

# Debian packages: a CJK font for the share cards (never downloaded at build time) and, for the
# browser tests, Debian's Chromium (Playwright drives it; no browser is downloaded).
CJK_FONT := /usr/share/fonts/truetype/wqy/wqy-microhei.ttc
define apt_need
	@if [ ! -e $(1) ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq $(2); \
	  else echo "Missing $(1): run 'sudo apt-get install $(2)'." >&2; exit 1; fi; fi
endef

system-deps:
	$(call apt_need,$(CJK_FONT),fonts-wqy-microhei)

browser-deps: system-deps
	$(call apt_need,/usr/bin/chromium,chromium)

# Dependencies: pyproject.toml lists them, uv.lock pins all of them with hashes, and uv installs
# them (a few seconds from a warm cache). uv itself is pinned with hashes in tools/uv-requirements.txt
# and kept apart in .uv/, so syncing .venv never removes it. It never downloads a Python.
UV := .uv/bin/uv
export UV_PYTHON_DOWNLOADS := never
export UV_PROJECT_ENVIRONMENT := $(VENV)

$(UV): tools/uv-requirements.txt
	$(PYTHON) -m venv .uv
	.uv/bin/pip install --quiet --require-hashes --only-binary :all: -r tools/uv-requirements.txt
	touch $@

# The build's packages; a test environment's extra packages are left where they are (--inexact).
$(BIN)/.site-installed: pyproject.toml uv.lock $(UV)
	$(UV) sync --quiet --locked --inexact --compile-bytecode --python $(PYTHON)
	touch $@

$(BIN)/.test-installed: pyproject.toml uv.lock $(UV) $(BIN)/.site-installed
	$(UV) sync --quiet --locked --group test --compile-bytecode --python $(PYTHON)
	touch $@

site: system-deps $(BIN)/.site-installed
	$(BIN)/mkdocs build --strict

serve: system-deps $(BIN)/.site-installed
	$(BIN)/mkdocs serve

lab: $(BIN)/.site-installed
	$(BIN)/python -m lab --out lab-output

# The tests run on every core, one test file per worker (a file's builds share its fixtures).
test: browser-deps $(BIN)/.test-installed
	$(BIN)/ruff check .
	$(BIN)/python -m pytest -n auto --dist loadfile --durations=15

# Every number another CPU would change (reruns the lab with perturbed arithmetic; about a minute).
portable: system-deps $(BIN)/.site-installed
	$(BIN)/python -m macros check --portable

bench: $(BIN)/.test-installed
	$(BIN)/python -m tools.benchmark

screenshots: browser-deps $(BIN)/.test-installed site
	$(BIN)/python -m tools.screenshots --site site --out screenshots

clean:
	rm -rf site lab-output docs/assets/lab .uv
