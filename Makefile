# Two entry points a new user needs: `make site` and `make test`.
# Each sets everything up first (Debian packages if missing, a virtual environment).
VENV := .venv
PYTHON ?= python3
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
# The browser tests' axe-core, from the npm registry at the version the lock file pins.
AXE := tests/browser/node_modules/axe-core/axe.min.js

.PHONY: site test system clean

site: $(STAMP)
	$(VENV)/bin/sitegen build

test: $(STAMP) $(AXE)
	$(VENV)/bin/pytest

system:
	sh scripts/install-system-deps.sh

$(STAMP): pyproject.toml
	sh scripts/install-system-deps.sh
	$(PYTHON) -m venv $(VENV)
	@echo "Installing sitegen and the Python libraries it uses into $(VENV)/ (a minute or two the first time)"
	PYTHONWARNINGS=ignore $(VENV)/bin/python -m pip install -qq --upgrade pip
	PYTHONWARNINGS=ignore $(VENV)/bin/python -m pip install -qq -e '.[test]'
	rm -f $(VENV)/.installed-*
	touch $@

$(AXE): tests/browser/package-lock.json
	sh scripts/install-system-deps.sh test
	npm ci --prefix tests/browser --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf site .site-new-* .site-old-* .sitegen-cache $(VENV) tests/browser/node_modules
