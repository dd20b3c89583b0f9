# The README's two commands: `make run` and `make test`. Each sets everything up first.
SHELL := /bin/bash
export PATH := $(CURDIR)/.venv/bin:$(CURDIR)/node_modules/.bin:$(PATH)
export SOLCX_BINARY_PATH := $(CURDIR)/.venv/solcx
# Ape keeps its data (compiler caches, packages) inside the project, not in ~/.ape.
export APE_DATA_FOLDER := $(CURDIR)/.ape-data

.PHONY: setup run test test-quick lint artifacts bench clean

setup:
	@tools/setup.sh

run: setup
	ledger serve --demo

test: setup
	tools/test.sh

# Without the slow end-to-end and kill tests.
test-quick: setup
	tools/test.sh --quick

lint: setup
	ruff check . && ruff format --check . && mypy && lint-imports --no-cache

artifacts: setup
	ape compile --force && python tools/export_artifacts.py

bench: setup
	python bench/anchoring.py

clean:
	rm -rf .venv node_modules .build .ape-data .cache
