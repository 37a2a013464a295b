#!/usr/bin/env bash
# Installs what the app needs, builds the database from data/ when it is missing, and starts the app.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/setup-python.sh requirements.txt
database="${BIZENV_DB:-build/bizenv.duckdb}"
if [ ! -f "$database" ]; then
  .venv/bin/python -m etl build --db "$database" || echo "some documents failed to load; see above" >&2
fi
export BIZENV_DB="$database"
if [ "${BIZENV_SIGN_IN:-accounts}" = accounts ] && [ "$(.venv/bin/python -c 'from indicators.paths import database_path; from indicators import store; path = database_path(); store.ensure_current_schema(path); print(store.active_admin_count(path))')" = 0 ]; then
  echo "No admin yet: anyone may read, nobody may upload. Create one with: .venv/bin/python -m etl create-admin NAME" >&2
fi
address=()
if [ "${BIZENV_SIGN_IN:-accounts}" = header ] && [ -z "${BIZENV_PROXY_SECRET:-}" ]; then
  # Trusting a header nobody vouches for is only safe when the proxy on this machine is the sole way in.
  address=(--server.address 127.0.0.1)
  echo "header sign-in without BIZENV_PROXY_SECRET: listening on 127.0.0.1 only, for a proxy on this machine" >&2
fi
exec .venv/bin/python -m streamlit run app.py --server.headless true "${address[@]}" "$@"
