# KIM Suite: the two commands are `make demo` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
SAO_VERSION := 8.0.11
SAO_DIR := .sao/package
STAMP := $(VENV)/.installed

.PHONY: demo test install sao demo-db serve bench clean help
.DEFAULT_GOAL := help

help:
	@echo "make demo   install everything, build the kim_demo database, serve http://127.0.0.1:8000"
	@echo "make test   run the whole test suite on SQLite and PostgreSQL"
	@echo "make bench  run the benchmarks (PostgreSQL, Kreis scale)"
	@echo "make serve  the production set-up on PostgreSQL: gunicorn workers, cron, queue worker"

$(PY):
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip

# Reinstall when the dependency pins or the package layout change.
$(STAMP): $(PY) pyproject.toml constraints.txt
	$(PY) -m pip install -q -c constraints.txt -e '.[test,server]'
	@touch $@

install: $(STAMP)

$(SAO_DIR)/dist/tryton-sao.js:
	@command -v npm >/dev/null || { echo "npm is needed for the web client (apt-get install npm)"; exit 1; }
	rm -rf .sao && mkdir -p .sao
	cd .sao && npm pack --silent tryton-sao@$(SAO_VERSION) >/dev/null && tar xzf tryton-sao-$(SAO_VERSION).tgz
	cd $(SAO_DIR) && npm install --omit=dev --legacy-peer-deps --no-audit --no-fund --silent

# The KIM Suite's title and styles: sao loads custom.js and custom.css from
# its web root (tools/demo.sh and tools/serve.sh copy them as well).
$(SAO_DIR)/custom.%: web/custom.% $(SAO_DIR)/dist/tryton-sao.js
	cp $< $@

sao: $(SAO_DIR)/dist/tryton-sao.js $(SAO_DIR)/custom.js $(SAO_DIR)/custom.css

demo-db: install
	tools/demo.sh build

demo: install sao demo-db
	tools/demo.sh serve

# The browser smoke test needs the web client: build it when npm is there.
test: install
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory sao; else echo "npm not found: the browser smoke test will be skipped"; fi
	tools/test.sh

bench: install sao
	tools/bench.sh

# Production set-up on PostgreSQL (see README "Production"): KIM_SERVE_DB,
# KIM_SERVE_LISTEN, KIM_SERVE_WORKERS, KIM_SERVE_CONF, KIM_SERVE_DEMO=1
serve: install sao
	tools/serve.sh

clean:
	rm -rf var .pytest_cache
