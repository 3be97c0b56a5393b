#!/usr/bin/env bash
# minzheng developer entry point. The README's two commands:
#   ./dev.sh demo    set up, then run the demo at http://127.0.0.1:8000 (embedded SQLite, demo logins printed)
#   ./dev.sh test    set up, then run the whole test suite on SQLite and, when reachable, on PostgreSQL
# Other: ./dev.sh setup | lint | bench NAME [--quick]
set -euo pipefail
cd "$(dirname "$0")"

PY=${PYTHON:-python3}
VENV=.venv
PG_URL=${MINZHENG_TEST_PG_URL:-postgres://postgres@127.0.0.1:5432/minzheng}

need_python() {
  "$PY" -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else 1)' || {
    echo "minzheng needs Python >= 3.11 (found: $("$PY" --version 2>&1))" >&2; exit 1; }
}

setup() {
  need_python
  [ -x "$VENV/bin/python" ] || "$PY" -m venv "$VENV"
  local stamp="$VENV/.minzheng-installed" want
  want=$(cat pyproject.toml | sha256sum | cut -c1-16)
  if [ "$(cat "$stamp" 2>/dev/null)" != "$want" ]; then
    "$VENV/bin/python" -m pip install -q --upgrade pip
    "$VENV/bin/python" -m pip install -q -e ".[dev,spark]"
    echo "$want" > "$stamp"
  fi
  assets
}

# Front-end libraries come from the npm registry (package-lock.json) and are copied into the package's static files
# by the same script the wheel build runs (scripts/vendor_assets.py).
assets() {
  "$VENV/bin/python" scripts/vendor_assets.py
}

pg_reachable() {
  "$VENV/bin/python" - "$PG_URL" <<'PYEOF'
import sys
import psycopg
from urllib.parse import urlsplit
u = urlsplit(sys.argv[1])
try:
    psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username or "postgres", dbname="postgres",
                    connect_timeout=3).close()
except Exception as exc:
    print(f"PostgreSQL not reachable at {u.hostname}:{u.port}: {exc}", file=sys.stderr)
    sys.exit(1)
PYEOF
}

run_tests() {
  setup
  local home; home=$(mktemp -d)
  echo "=== minzheng tests on SQLite ==="
  MINZHENG_HOME="$home" DATABASE_URL= "$VENV/bin/python" -m pytest "$@"
  if pg_reachable; then
    echo "=== minzheng tests on PostgreSQL ($PG_URL) ==="
    MINZHENG_HOME="$home" DATABASE_URL="$PG_URL" MINZHENG_TEST_DB_LABEL=postgresql "$VENV/bin/python" -m pytest -m "not sqlite_only and not engine_only and not single_db" "$@"
  else
    echo "=== PostgreSQL SKIPPED: no server reachable at $PG_URL (set MINZHENG_TEST_PG_URL) ==="
  fi
  rm -rf "$home"
}

cmd=${1:-help}; shift || true
case "$cmd" in
  setup) setup ;;
  demo) setup; exec "$VENV/bin/minzheng" demo "$@" ;;
  test) run_tests "$@" ;;
  lint) setup; "$VENV/bin/ruff" check src tests bench && "$VENV/bin/mypy" ;;  # mypy: [tool.mypy] in pyproject.toml
  bench) setup; name=$1; shift; exec "$VENV/bin/python" "bench/$name.py" "$@" ;;
  *) sed -n '2,6p' "$0" ;;
esac
