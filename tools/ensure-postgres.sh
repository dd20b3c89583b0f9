#!/usr/bin/env bash
# The storage and anchoring tests run against a real PostgreSQL on 127.0.0.1:5432. Find it,
# start the machine's cluster if it is down, and fail loudly (never skip) if neither works.
set -euo pipefail
url=${LEDGER_TEST_POSTGRES_URL:-postgresql://postgres@127.0.0.1:5432/postgres}

ready() { pg_isready -q -d "$url" 2>/dev/null || .venv/bin/python -c "import psycopg,sys; psycopg.connect(sys.argv[1], connect_timeout=3).close()" "$url" 2>/dev/null; }

if ready; then exit 0; fi
echo "PostgreSQL not answering at $url; trying to start the local cluster" >&2
if command -v pg_ctlcluster >/dev/null && [ -d /etc/postgresql ]; then
  for version in $(ls /etc/postgresql); do
    pg_ctlcluster --skip-systemctl-redirect "$version" main start 2>&1 || true
  done
fi
for _ in $(seq 1 30); do
  if ready; then exit 0; fi
  sleep 1
done
echo "FAIL: PostgreSQL is required for the test suite at $url (set LEDGER_TEST_POSTGRES_URL)" >&2
exit 1
