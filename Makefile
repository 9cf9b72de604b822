# Two commands set everything up on a fresh machine:
#   make site   — create .venv, install the pinned requirements, build the example site
#   make test   — install the test requirements (Chromium included) and run the whole suite
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
NOW    ?=

.PHONY: site test golden check clean

site: $(VENV)/.installed
	$(BIN)/python build.py $(if $(NOW),--now $(NOW))
	@echo "网站已生成：$(CURDIR)/dist/website/index.html"
	@echo "The site is in $(CURDIR)/dist/website/ (open index.html, or: $(BIN)/python -m http.server -d dist/website)"

# The pinned requirements first, then the package itself, editable and without dependencies (pyproject.toml
# reads the same pins): .venv/bin/zwgk, and generator/ edits take effect without reinstalling.
$(VENV)/.installed: requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $@

# Debian's chromium drives the browser tests; Playwright never downloads a browser.
# openssh-server and rsync: the deploy tests start a real sshd on 127.0.0.1 (tests/test_deploy.py);
# nginx: tests/test_nginx.py serves a deployed release with docs/examples/nginx.conf.
$(VENV)/.test-installed: $(VENV)/.installed requirements-test.txt
	@if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "noto.*cjk" \
		|| ! command -v rsync >/dev/null 2>&1 || ! [ -x /usr/sbin/sshd ] || ! [ -x /usr/sbin/nginx ]; then \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium fonts-noto-cjk openssh-server rsync nginx >/dev/null; \
	fi
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-test.txt
	touch $@

test: $(VENV)/.test-installed
	$(BIN)/python -m pytest

# Rebuild tests/expected/golden/ from tests/fixtures/sites/golden/ after an intended output change; review the diff.
golden: $(VENV)/.installed
	REGEN_GOLDEN=1 $(BIN)/python -m pytest -q tests/test_golden.py

check: $(VENV)/.installed
	$(BIN)/python build.py check

clean:
	rm -rf dist test-artifacts
