#!/usr/bin/env bash
# Regenerate requirements.lock (runtime) and requirements-dev.lock (runtime + dev) from
# pyproject.toml, fully pinned with hashes for `pip install --require-hashes`.
#
# The locking tool (uv, pinned below) lives in a throwaway venv under .cache/, never in the
# project's dependencies. uv keeps every version the existing lock files pin (it prefers the
# output file's pins), so this only changes a pin when pyproject.toml asks for another one.
# To move a pin, change it in pyproject.toml (direct dependencies) or pass uv's option:
# `tools/lock.sh --upgrade-package NAME` (arguments go to both compiles).
# The dev lock is constrained by the runtime lock, so both pin the runtime tree identically.
set -euo pipefail
cd "$(dirname "$0")/.."

uv_version=0.13.8
venv=.cache/lock-venv
export UV_CACHE_DIR="$PWD/.cache/uv" PIP_CACHE_DIR="$PWD/.cache/pip"
if [ "$("$venv/bin/uv" --version 2>/dev/null)" != "uv $uv_version" ]; then
  python3 -m venv "$venv"
  "$venv/bin/python" -m pip install --quiet --disable-pip-version-check "uv==$uv_version"
fi
uv="$venv/bin/uv"
target=(--python-version 3.11 --python-platform linux)
flags=(--generate-hashes --annotation-style line --no-header --quiet)

# The set-up's own tools: tools/setup.sh upgrades pip in the venv and installs this project
# editable without build isolation, which needs setuptools and (setuptools < 70.1) wheel.
setup_tools=$'pip==24.3.1\nsetuptools==65.5.0\nwheel==0.45.1'

header() {  # $1: what the file holds, $2: the uv command that wrote it
  printf '# %s\n' "$1" \
    "Regenerate with tools/lock.sh (uv $uv_version in a throwaway venv under .cache/), which runs:" \
    "  $2"
}

runtime_cmd="uv pip compile pyproject.toml ${target[*]} ${flags[*]} -o requirements.lock"
"$uv" pip compile pyproject.toml "${target[@]}" "${flags[@]}" "$@" -o requirements.lock
body=$(cat requirements.lock)
{
  header "Runtime dependencies, pinned with hashes: pip install --require-hashes -r requirements.lock" \
    "$runtime_cmd"
  printf '%s\n' "$body"
} > requirements.lock

dev_cmd="uv pip compile pyproject.toml - --extra dev -c requirements.lock ${target[*]} ${flags[*]} -o requirements-dev.lock"
dev_cmd+="  (stdin: ${setup_tools//$'\n'/ })"
"$uv" pip compile pyproject.toml - --extra dev -c requirements.lock "${target[@]}" "${flags[@]}" \
  "$@" -o requirements-dev.lock <<< "$setup_tools"
body=$(cat requirements-dev.lock)
{
  header "Runtime and development dependencies (what tools/setup.sh installs), pinned with hashes" \
    "$dev_cmd"
  printf '%s\n' "$body"
} > requirements-dev.lock
echo "lock: wrote requirements.lock and requirements-dev.lock"
