"""Shared fixtures: a database built once from the shipped corpus, in a temporary folder."""
import pytest
from streamlit.testing.v1 import AppTest

from etl.paths import REPO_DIR

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


@pytest.fixture
def open_page():
    """Run the app, then a page, as following a link with the given query in its URL would."""

    def run(page, **query):
        test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
        for name, value in query.items():
            test.query_params[name] = value
        test.run()
        test.switch_page(page).run()
        assert not test.exception, [exception.message for exception in test.exception]
        return test

    return run
