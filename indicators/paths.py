"""Every path the project reads or writes, in one dependency-free place."""
from __future__ import annotations

import os
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = REPO_DIR / "data"
POLICIES_DIR = DATA_DIR / "policies"
SAMPLES_DIR = DATA_DIR / "samples"
CORRECTIONS_FILE = DATA_DIR / "corrections.yml"
REGION_ALIASES_FILE = DATA_DIR / "region_aliases.yml"
REGIONS_DIR = DATA_DIR / "regions"
REGION_HISTORY_FILE = REGIONS_DIR / "areacodes-history.csv"
ENGLISH_NAMES_FILE = REGIONS_DIR / "english_names.yml"
INDICATORS_DIR = REPO_DIR / "indicators"
CATALOG_FILE = INDICATORS_DIR / "catalog.yml"
NON_TARGETS_FILE = REPO_DIR / "etl" / "rules" / "non_targets.yml"
SCOPES_FILE = REPO_DIR / "etl" / "rules" / "scopes.yml"


def database_path() -> Path:
    """The DuckDB file; BIZENV_DB overrides the default so tests and replicas can point elsewhere."""
    return Path(os.environ.get("BIZENV_DB", REPO_DIR / "build" / "bizenv.duckdb"))


def uploads_dir(database: Path) -> Path:
    """Where uploaded workbooks are kept; BIZENV_UPLOADS overrides the folder beside the database."""
    configured = os.environ.get("BIZENV_UPLOADS")
    return Path(configured) if configured else Path(database).parent / "uploads"
