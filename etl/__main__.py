"""Command line: `python -m etl COMMAND` (build, export, evaluate, template, import-progress, withdraw, create-admin, reset-password, audit)."""
from __future__ import annotations

import sys

from etl.cli import main

sys.exit(main())
