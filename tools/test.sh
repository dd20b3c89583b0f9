#!/usr/bin/env bash
# The whole test suite: what `make test` and CI (.ci/run) run. LEDGER_QUICK=1 leaves out the
# slow end-to-end and kill tests (CI runs everything).
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
export SOLCX_BINARY_PATH="$PWD/.venv/solcx" APE_DATA_FOLDER="$PWD/.ape-data"

step() { printf '\n== %s\n' "$*"; }
marks=()
if [ -n "${LEDGER_QUICK:-}" ]; then marks=(-m "not slow"); fi

step "PostgreSQL (required; started if down)"
tools/ensure-postgres.sh

step "lint: ruff, mypy (strict), import-linter layers, solhint"
ruff check .
ruff format --check .
mypy
lint-imports --no-cache
solhint --max-warnings 0 'contracts/**/*.sol'

step "contracts on the in-process EVM (eth-tester)"
ape test tests/contracts -o addopts="" --network ethereum:local:test -q

step "contracts on anvil (ape-foundry, --prune-history)"
ape test tests/contracts -o addopts="" --network ethereum:local:foundry -q

step "gas report for anchor() (anvil)"
ape test tests/contracts/test_gas.py -o addopts="" --network ethereum:local:foundry -q --gas \
  -W "ignore::pydantic.warnings.PydanticDeprecatedSince211"

step "compiled artifacts reproduce from the sources"
pytest tests/contracts/test_artifacts.py -q

step "python suite (SQLite and PostgreSQL, embedded EVM and anvil)"
# (A directory plus a file inside an ignored one makes pytest collect only the file: keep apart.)
pytest tests --ignore=tests/contracts "${marks[@]}" -q
