#!/usr/bin/env bash
# The whole test suite: what `make test` and CI (.ci/run) run. `tools/test.sh --quick` (what
# `make test-quick` runs) leaves out the slow end-to-end and kill tests. Nothing is taken from
# the environment: a LEDGER_QUICK left exported in a shell never shortens a CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
export PATH="$PWD/.venv/bin:$PWD/node_modules/.bin:$PATH"
export SOLCX_BINARY_PATH="$PWD/.venv/solcx" APE_DATA_FOLDER="$PWD/.ape-data"
unset LEDGER_QUICK

step() { printf '\n== %s\n' "$*"; }
marks=()
case "${1:-}" in
  "") ;;
  --quick) marks=(-m "not slow") ;;
  *) echo "usage: tools/test.sh [--quick]" >&2; exit 2 ;;
esac

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

step "compiled artifacts reproduce from the sources; a skipped contract test fails"
pytest tests/contracts/test_artifacts.py tests/contracts/test_skips_fail.py -q

step "python suite (SQLite and PostgreSQL, embedded EVM and anvil)"
# (A directory plus a file inside an ignored one makes pytest collect only the file: keep apart.)
pytest tests --ignore=tests/contracts --ignore=tests/browser "${marks[@]}" -q

step "pages in a real browser (Playwright, Debian's chromium; screenshots in .artifacts/screenshots/)"
pytest tests/browser "${marks[@]}" -q
