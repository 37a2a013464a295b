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
exec .venv/bin/python -m streamlit run app.py --server.headless true "$@"
