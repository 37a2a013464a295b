"""Shared fixtures: a database built once from the shipped corpus, in a temporary folder."""
import pytest

from etl.build import build
from etl.paths import CORRECTIONS_FILE, POLICIES_DIR


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory):
    database = tmp_path_factory.mktemp("corpus") / "bizenv.duckdb"
    result = build(POLICIES_DIR, database, CORRECTIONS_FILE)
    return result


@pytest.fixture(scope="session")
def corpus_database(corpus_build):
    return corpus_build.database
