#!/usr/bin/env bash
# Set everything up on a fresh machine, idempotently: Python venv at .venv with the locked
# dependencies, npm packages from package-lock.json, the solc-js shim where py-solc-x looks
# for compilers, an `anvil` on the venv's PATH that always prunes history, the pages' vendored
# browser assets, and Debian's chromium for the browser tests (the one thing installed outside
# the project, by apt, and only when /usr/bin/chromium is missing).
# It writes nothing outside the project: pip's and npm's caches go to .cache/ (git ignores
# it, `make clean` removes it), the solc shim to .venv/solcx (the Makefile exports
# SOLCX_BINARY_PATH; nothing here writes ~/.solcx).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
export PIP_CACHE_DIR="$root/.cache/pip" npm_config_cache="$root/.cache/npm"

python_bin=${LEDGER_PYTHON:-python$(cut -d. -f1,2 .python-version)}
want=$(cat .python-version)
if ! command -v "$python_bin" >/dev/null; then
  echo "setup: $python_bin not found; this project pins Python $want (.python-version)" >&2
  exit 1
fi

stamp() { sha256sum "$@" | sha256sum | cut -c1-16; }

# Python: venv + locked dependencies (the dev lock: runtime + dev, every file checked against
# its hash) + this project (editable). requirements.lock alone installs the runtime.
py_stamp=$(stamp requirements.lock requirements-dev.lock pyproject.toml)
if [ ! -x .venv/bin/python ] || [ "$(cat .venv/.setup-stamp 2>/dev/null)" != "$py_stamp" ]; then
  [ -x .venv/bin/python ] || "$python_bin" -m venv .venv
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes \
    -r requirements-dev.lock
  .venv/bin/python -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$py_stamp" > .venv/.setup-stamp
fi

# npm: exactly what package-lock.json says.
npm_stamp=$(stamp package-lock.json)
if [ "$(cat node_modules/.setup-stamp 2>/dev/null)" != "$npm_stamp" ]; then
  npm ci --no-audit --no-fund --loglevel=error
  echo "$npm_stamp" > node_modules/.setup-stamp
fi

# The pages' browser assets, copied from node_modules (never fetched at run time, never
# committed: git ignores api/pages/static/vendor/). axe-core stays in node_modules: only the
# browser tests use it.
# The ES modules pages import (the import map in api/pages/render.py names them): ethers,
# @noble/curves with the @noble/hashes it was built against, libsodium (Argon2id, SecretBox),
# canonicalize (CommonJS upstream: wrapped as a module here), and the independent receipt
# verifier's checks, so /verify runs that code, not ours.
vendor=api/pages/static/vendor
mkdir -p "$vendor"
copy() { cmp -s "$1" "$2" 2>/dev/null || { mkdir -p "$(dirname "$2")"; cp "$1" "$2"; }; }
copy node_modules/htmx.org/dist/htmx.min.js "$vendor/htmx.min.js"
copy node_modules/ethers/dist/ethers.min.js "$vendor/ethers.min.js"
copy node_modules/libsodium-wrappers-sumo/dist/modules-sumo-esm/libsodium-wrappers.mjs "$vendor/libsodium-wrappers-sumo.mjs"
copy node_modules/libsodium-sumo/dist/modules-sumo-esm/libsodium-sumo.mjs "$vendor/libsodium-sumo.mjs"
copy tools/independent-verifier/receipt-checks.mjs "$vendor/receipt-checks.mjs"
for package in curves:node_modules/@noble/curves hashes:node_modules/@noble/curves/node_modules/@noble/hashes; do
  (cd "${package#*:}" && find . -name '*.js' -not -path './node_modules/*' -not -path './src/*') |
    while read -r file; do copy "${package#*:}/$file" "$vendor/noble-${package%%:*}/$file"; done
done
{ echo "const module = {exports: {}};"; cat node_modules/canonicalize/lib/canonicalize.js
  echo "export default module.exports;"; } > "$vendor/canonicalize.mjs.new"
copy "$vendor/canonicalize.mjs.new" "$vendor/canonicalize.mjs" && rm -f "$vendor/canonicalize.mjs.new"
# The wallet page (/wallet): QR codes, zlib with a preset dictionary (the LPL1 QR format), and
# JSON-LD RDFC-1.0 for eddsa-rdfc-2022 presentations (jsonld's browser bundle is UMD: wrapped).
copy node_modules/qrcode-generator/dist/qrcode.mjs "$vendor/qrcode-generator.mjs"
copy node_modules/pako/dist/pako.esm.mjs "$vendor/pako.esm.mjs"
{ echo "const module = {exports: {}}; const exports = module.exports;"
  cat node_modules/jsonld/dist/jsonld.esm.min.js; echo
  echo "export default module.exports;"; } > "$vendor/jsonld.mjs.new"
copy "$vendor/jsonld.mjs.new" "$vendor/jsonld.mjs" && rm -f "$vendor/jsonld.mjs.new"
# jsQR (a UMD bundle upstream: wrapped as a module here), for /verify to read a worker's QR
# from a photo or the camera.
{ echo "const module = {exports: {}}; const exports = module.exports;"
  cat node_modules/jsqr/dist/jsQR.js; echo "export default module.exports;"; } > "$vendor/jsqr.mjs.new"
copy "$vendor/jsqr.mjs.new" "$vendor/jsqr.mjs" && rm -f "$vendor/jsqr.mjs.new"

# Chromium for the browser tests (tests/browser): Debian's package, when it is missing. Never
# a browser build of Playwright's own (no `playwright install`).
# fonts-noto-core holds the Devanagari the wallet's Nepali needs (else it shows as boxes).
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
dpkg -s fonts-noto-core >/dev/null 2>&1 || missing+=(fonts-noto-core)
if [ "${#missing[@]}" -gt 0 ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "setup: the browser tests need Debian's ${missing[*]}: apt-get install ${missing[*]} (as root)" >&2
    exit 1
  fi
  # Wait for another apt (a second set-up, unattended upgrades) instead of failing on its lock.
  apt_wait=(-o DPkg::Lock::Timeout=600)
  apt-get "${apt_wait[@]}" update -qq
  DEBIAN_FRONTEND=noninteractive apt-get "${apt_wait[@]}" install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Compiler shim: py-solc-x finds `solc-v<version>` in its install folder, here the venv's
# (the Makefile and tools/test.sh export SOLCX_BINARY_PATH=.venv/solcx).
solc_version=$(node -p 'require("solc/package.json").version')
mkdir -p .venv/solcx
cat > ".venv/solcx/solc-v$solc_version" <<SHIM
#!/bin/sh
exec node "$root/tools/solc-shim.js" "\$@"
SHIM
chmod +x ".venv/solcx/solc-v$solc_version"

# anvil: the npm binary, always with --prune-history (otherwise anvil 1.7 writes a state file
# per block under ~/.foundry and fills the disk). ape-foundry finds it on PATH.
cat > .venv/bin/anvil <<ANVIL
#!/bin/sh
case " \$* " in
  *" --prune-history"*|*" --version "*|*" -V "*|*" --help "*) exec "$root/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil" "\$@" ;;
  *) exec "$root/node_modules/@foundry-rs/anvil-linux-amd64/bin/anvil" --prune-history "\$@" ;;
esac
ANVIL
chmod +x .venv/bin/anvil
