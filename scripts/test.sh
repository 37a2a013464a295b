#!/usr/bin/env bash
# Installs everything the tests need on a fresh Debian machine (Chromium from Debian's packages
# for the browser tests) and runs the whole suite.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v chromium >/dev/null 2>&1 || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then
  if [ "$(id -u)" = "0" ]; then
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null
  else
    echo "chromium and fonts-noto-cjk are missing and this user cannot install them" >&2
  fi
fi
bash scripts/setup-python.sh requirements-dev.txt
# Hypothesis keeps its example database out of the working tree.
export HYPOTHESIS_STORAGE_DIRECTORY="${HYPOTHESIS_STORAGE_DIRECTORY:-$(mktemp -d)}"
exec .venv/bin/python -m pytest "$@"
