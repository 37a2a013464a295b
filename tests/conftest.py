"""Shared fixtures: a database built once from the shipped corpus, in a temporary folder."""
import pytest
from browser_helpers import launched_chromium, watched_page
from hypothesis import settings
from streamlit.testing.v1 import AppTest

from etl.build import build
from indicators.access import Actor, RegionGrant
from indicators.paths import CORRECTIONS_FILE, POLICIES_DIR, REPO_DIR

# No property test has a time limit: a deadline is a timed assertion, and CI shares a loaded machine.
settings.register_profile("bizenv", deadline=None)
settings.load_profile("bizenv")


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

    def run(page, as_user=None, **query):
        test = AppTest.from_file(str(REPO_DIR / "app.py"), default_timeout=60)
        for name, value in query.items():
            test.query_params[name] = value
        if as_user:
            signed_in(test, as_user)
        test.run()
        test.switch_page(page).run()
        assert not test.exception, [exception.message for exception in test.exception]
        return test

    return run


ADMIN = Actor(user_name="admin", role="admin", method="accounts")
QINGHAI_EVALUATOR = Actor(user_name="qinghai", role="evaluator", method="accounts",
                          regions=(RegionGrant("630000", True),))


@pytest.fixture
def admin():
    return ADMIN


@pytest.fixture
def qinghai_evaluator():
    return QINGHAI_EVALUATOR


DATA_TABLES = ("regions", "indicators", "documents", "targets", "builds", "build_failures", "submissions",
               "reported_values", "users", "user_regions", "stored_corrections")


def data_digest(database) -> dict:
    """Each data table's rows in a fixed order, hashed: what "nothing changed" means beside the audit trail."""
    import hashlib

    import duckdb

    digests = {}
    with duckdb.connect(str(database), read_only=True) as connection:
        for table in DATA_TABLES:
            rows = connection.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()
            digests[table] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return digests


@pytest.fixture
def table_digest():
    return data_digest


PASSWORD = "correct horse 42"


def signed_in(test, user_name):
    """A session signed in with a built-in account, as the sign-in form leaves it."""
    import datetime as dt

    now = dt.datetime.now(dt.UTC).replace(tzinfo=None)
    test.session_state["auth"] = {"user_name": user_name, "method": "accounts", "signed_in_at": now, "last_seen": now}
    return test


def add_users(database):
    """An admin, an evaluator for 青海省 and its cities and counties, and a viewer, all with PASSWORD."""
    from indicators import accounts

    accounts.create_admin(database, "tester", "admin", PASSWORD)
    accounts.create_user(database, ADMIN, "qinghai", "evaluator", "青海评估员", [("630000", True)], PASSWORD)
    accounts.create_user(database, ADMIN, "viewer1", "viewer", None, [], PASSWORD)


@pytest.fixture
def writable_database(corpus_database, tmp_path, monkeypatch):
    """A private copy of the corpus database with the three users, which the app under test opens."""
    import shutil

    path = tmp_path / "bizenv.duckdb"
    shutil.copyfile(corpus_database, path)
    add_users(path)
    monkeypatch.setenv("BIZENV_DB", str(path))
    monkeypatch.setenv("BIZENV_UPLOADS", str(tmp_path / "uploads"))
    monkeypatch.setenv("BIZENV_SIGN_IN_DELAY_SECONDS", "0")
    return path


# Browser tests (tests/test_browser*.py): one Chromium per module, a fresh watched page per test.
@pytest.fixture(scope="module")
def browser():
    with launched_chromium() as launched:
        yield launched


@pytest.fixture
def page(browser, request, tmp_path):
    yield from watched_page(browser, request, tmp_path)
