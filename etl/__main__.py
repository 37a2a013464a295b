"""Command line: `python -m etl build`, `python -m etl export --out FILE`, `python -m etl evaluate LABELS`."""
from __future__ import annotations

import sys

from etl.cli import main

sys.exit(main())
