"""Submissions in the database: stored whole, newer values supersede older ones, withdrawal brings them back."""
import datetime as dt
import hashlib
import signal
import subprocess
import sys
import textwrap

import duckdb
import pandas as pd
import pytest

from etl.build import build
from indicators import store
from indicators.models import REPORT_COLUMNS
from indicators.paths import POLICIES_DIR, REPO_DIR


@pytest.fixture
def database(tmp_path):
    path = tmp_path / "bizenv.duckdb"
    build(POLICIES_DIR, path, samples_dir=None)
    return path


def submission(submission_id, minute=0):
    return {
        "submission_id": submission_id, "file_name": f"{submission_id}.xlsx", "file_sha256": submission_id * 4,
        "uploaded_by": "测试员", "uploaded_at": dt.datetime(2021, 12, 1, 8, minute), "row_count": 1, "stored_path": None,
    }


def rows(submission_id, value, period="2021", region="630000", scope=None):
    return pd.DataFrame([{
        "reported_id": f"{submission_id}-{region}-{period}", "origin": "submission", "submission_id": submission_id,
        "target_id": None, "region_code": region, "indicator": "enterprise_startup_time", "scope": scope,
        "period": period, "period_year": int(period[:4]), "value": value, "unit": "working_day", "as_of": None,
        "source": "test", "note": None,
    }], columns=list(REPORT_COLUMNS))


def current_value(database, region="630000", period="2021"):
    with duckdb.connect(str(database), read_only=True) as connection:
        found = connection.execute(
            "SELECT value FROM current_reports WHERE origin = 'submission' AND region_code = ? AND period = ?",
            [region, period]).fetchall()
    return [value for (value,) in found]


UPLOAD = store.AuditEvent(actor="测试员", action="upload")
WITHDRAWAL = store.AuditEvent(actor="管理员", action="withdrawal")


def digest(path):
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_newer_submission_supersedes_and_withdrawal_restores(database):
    store.commit_submission(database, submission("s1", 0), rows("s1", 3.0), UPLOAD)
    assert current_value(database) == [3.0]
    assert store.commit_submission(database, submission("s2", 1), rows("s2", 2.0), UPLOAD) == 1
    assert current_value(database) == [2.0]
    store.commit_submission(database, submission("s3", 2), rows("s3", 1.0), UPLOAD)
    assert current_value(database) == [1.0]
    # Withdrawing the middle one changes nothing visible: the newest still wins.
    assert store.withdraw_submission(database, "s2", "管理员", dt.datetime(2021, 12, 2), WITHDRAWAL) == 0
    assert current_value(database) == [1.0]
    # Withdrawing the newest brings back the oldest, since the middle one is gone.
    assert store.withdraw_submission(database, "s3", "管理员", dt.datetime(2021, 12, 3), WITHDRAWAL) == 1
    assert current_value(database) == [3.0]
    overview = store.submissions_overview(database).set_index("submission_id")
    assert overview.loc["s1", "status"] == "active" and overview.loc["s3", "status"] == "withdrawn"
    changes = store.submission_changes(database, "s2")
    assert changes[["value", "previous_value", "state"]].values.tolist() == [[2.0, 3.0, "withdrawn"]]


def test_different_keys_do_not_supersede(database):
    store.commit_submission(database, submission("s1", 0), rows("s1", 3.0, scope="甲"), UPLOAD)
    store.commit_submission(database, submission("s2", 1), rows("s2", 2.0, scope="乙"), UPLOAD)
    store.commit_submission(database, submission("s3", 2), rows("s3", 2.5, period="2022", scope="甲"), UPLOAD)
    with duckdb.connect(str(database), read_only=True) as connection:
        assert connection.execute(
            "SELECT count(*) FROM current_reports WHERE origin = 'submission'").fetchone()[0] == 3


def test_withdrawing_twice_is_refused(database):
    store.commit_submission(database, submission("s1", 0), rows("s1", 3.0), UPLOAD)
    store.withdraw_submission(database, "s1", "管理员", dt.datetime(2021, 12, 2), WITHDRAWAL)
    with pytest.raises(LookupError):
        store.withdraw_submission(database, "s1", "管理员", dt.datetime(2021, 12, 3), WITHDRAWAL)


def test_submissions_survive_a_rebuild(database):
    store.commit_submission(database, submission("s1", 0), rows("s1", 3.0), UPLOAD)
    build(POLICIES_DIR, database, samples_dir=None)
    assert current_value(database) == [3.0]


def test_a_failed_commit_changes_nothing(database):
    before = digest(database)
    broken = rows("s1", 3.0).assign(region_code=None)  # violates NOT NULL inside the transaction
    with pytest.raises(duckdb.Error):
        store.commit_submission(database, submission("s1", 0), broken, UPLOAD)
    assert digest(database) == before


@pytest.mark.parametrize("moment", ["before_swap", "mid_insert"])
def test_a_process_killed_mid_commit_leaves_the_database_as_it_was(database, tmp_path, moment):
    """A child process commits a large submission and is killed with SIGKILL at a chosen moment."""
    before = digest(database)
    script = tmp_path / "commit_and_die.py"
    script.write_text(textwrap.dedent(f"""
        import os, signal, sys, datetime as dt
        sys.path.insert(0, {str(REPO_DIR)!r})
        import pandas as pd
        from indicators import store
        from indicators.models import REPORT_COLUMNS

        def die(*args, **kwargs):
            os.kill(os.getpid(), signal.SIGKILL)

        if {moment!r} == "before_swap":
            os.replace = die               # killed after the copy is committed, before it replaces the database
        else:
            original = store.insert_frame
            def insert_then_die(connection, table, frame):
                original(connection, table, frame.head(len(frame) // 2))
                die()                      # killed with half the rows written inside the transaction
            store.submissions.insert_frame = insert_then_die
        count = 20000
        rows = pd.DataFrame({{
            "reported_id": [f"r{{index}}" for index in range(count)], "origin": "submission", "submission_id": "big",
            "target_id": None, "region_code": "630000", "indicator": "enterprise_startup_time", "scope": None,
            "period": [f"{{2000 + index % 20}}" for index in range(count)], "period_year": [2000 + index % 20 for index in range(count)],
            "value": 1.0, "unit": "working_day", "as_of": None, "source": "test", "note": None,
        }}, columns=list(REPORT_COLUMNS))
        store.commit_submission({str(database)!r}, {{
            "submission_id": "big", "file_name": "big.xlsx", "file_sha256": "b" * 64, "uploaded_by": "x",
            "uploaded_at": dt.datetime(2021, 1, 1), "row_count": count, "stored_path": None}}, rows,
            store.AuditEvent(actor="x", action="upload"))
    """))
    result = subprocess.run([sys.executable, str(script)], capture_output=True, timeout=120)
    assert result.returncode == -signal.SIGKILL, result.stderr.decode()[-2000:]
    assert digest(database) == before
    # The next writer is not blocked by the dead one: the lock died with it.
    store.commit_submission(database, submission("after", 0), rows("after", 2.0), UPLOAD)
    assert current_value(database) == [2.0]
    assert not [path.name for path in database.parent.iterdir() if ".tmp" in path.name]
