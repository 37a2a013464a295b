"""Uploaded progress workbooks: one submission stored whole or not at all, superseding older values; withdrawal."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import pandas as pd

from indicators.store.audit import AuditEvent, append_audit
from indicators.store.connection import insert_frame, read_connection, writable_copy


class DuplicateSubmission(RuntimeError):
    """The same file is already stored as an active submission (its id is the argument)."""


def latest_submissions(database: Path, limit: int = 10) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT file_name, uploaded_by, uploaded_at, row_count, status FROM submissions "
            "ORDER BY uploaded_at DESC LIMIT $limit",
            {"limit": limit},
        ).df()


# --- Submissions of progress sheets ------------------------------------------------------------

SUBMISSION_KEY = "region_code, indicator, coalesce(scope, ''), period"


def submission_with_file(database: Path, file_sha256: str) -> dict | None:
    """The active submission of the same file, if it was uploaded before."""
    with read_connection(database) as connection:
        row = connection.execute(
            "SELECT submission_id, file_name, uploaded_by, uploaded_at FROM submissions "
            "WHERE file_sha256 = $sha AND status = 'active' ORDER BY uploaded_at LIMIT 1",
            {"sha": file_sha256},
        ).fetchone()
    return dict(zip(("submission_id", "file_name", "uploaded_by", "uploaded_at"), row)) if row else None


def commit_submission(database: Path, submission: dict, rows: pd.DataFrame, event: AuditEvent) -> int:
    """Store one upload whole, or not at all: its record, its rows, and the older rows they supersede.

    Returns how many earlier values the new rows replaced.
    """
    with writable_copy(database) as connection:
        # Checked again inside the lock: two uploads of one file at the same moment store it once.
        earlier = connection.execute(
            "SELECT submission_id FROM submissions WHERE file_sha256 = $sha AND status = 'active'",
            {"sha": submission["file_sha256"]},
        ).fetchone()
        if earlier:
            raise DuplicateSubmission(earlier[0])
        connection.execute(
            "INSERT INTO submissions (submission_id, file_name, file_sha256, uploaded_by, uploaded_at, row_count, "
            "status, stored_path) VALUES ($submission_id, $file_name, $file_sha256, $uploaded_by, $uploaded_at, "
            "$row_count, 'active', $stored_path)",
            submission,
        )
        connection.register("incoming_rows", rows)
        try:
            pairs = connection.execute(
                "SELECT incoming.reported_id AS new_id, stored.reported_id AS old_id FROM incoming_rows incoming "
                "JOIN reported_values stored ON stored.origin = 'submission' AND stored.state = 'current' "
                "AND stored.region_code = incoming.region_code AND stored.indicator = incoming.indicator "
                "AND coalesce(stored.scope, '') = coalesce(incoming.scope, '') AND stored.period = incoming.period"
            ).fetchall()
            replaced = len(pairs)
            connection.execute(
                f"UPDATE reported_values SET state = 'superseded', superseded_by = $submission_id "
                f"WHERE origin = 'submission' AND state = 'current' "
                f"AND ({SUBMISSION_KEY}) IN (SELECT {SUBMISSION_KEY} FROM incoming_rows)",
                {"submission_id": submission["submission_id"]},
            )
        finally:
            connection.unregister("incoming_rows")
        history = dict(pairs)
        insert_frame(connection, "reported_values", rows.assign(replaces=rows["reported_id"].map(history)))
        append_audit(connection, dataclasses.replace(event, detail={**(event.detail or {}), "replaced": int(replaced)}))
    return int(replaced)


def withdraw_submission(database: Path, submission_id: str, withdrawn_by: str, withdrawn_at, event: AuditEvent) -> int:
    """Withdraw an upload: its rows stop counting and the values they had replaced come back.

    A value the withdrawn upload had replaced inherits whatever replaced the withdrawn row in turn, so a
    newer upload still wins. Returns how many values came back.
    """
    with writable_copy(database) as connection:
        status = connection.execute(
            "SELECT status FROM submissions WHERE submission_id = $id", {"id": submission_id}
        ).fetchone()
        if status is None or status[0] != "active":
            raise LookupError(submission_id)
        restored = connection.execute(
            "SELECT count(*) FROM reported_values earlier JOIN reported_values withdrawn "
            "ON withdrawn.submission_id = $id AND (earlier.region_code, earlier.indicator, coalesce(earlier.scope, ''), "
            "earlier.period) = (withdrawn.region_code, withdrawn.indicator, coalesce(withdrawn.scope, ''), withdrawn.period) "
            "WHERE earlier.superseded_by = $id AND earlier.state <> 'withdrawn' AND withdrawn.superseded_by IS NULL",
            {"id": submission_id},
        ).fetchone()[0]
        connection.execute(
            "UPDATE reported_values AS earlier SET superseded_by = withdrawn.superseded_by, "
            "state = CASE WHEN withdrawn.superseded_by IS NULL THEN 'current' ELSE 'superseded' END "
            "FROM reported_values AS withdrawn WHERE earlier.superseded_by = $id AND earlier.state <> 'withdrawn' "
            "AND withdrawn.submission_id = $id "
            "AND earlier.region_code = withdrawn.region_code AND earlier.indicator = withdrawn.indicator "
            "AND coalesce(earlier.scope, '') = coalesce(withdrawn.scope, '') AND earlier.period = withdrawn.period",
            {"id": submission_id},
        )
        connection.execute(
            "UPDATE reported_values SET state = 'withdrawn' WHERE submission_id = $id", {"id": submission_id}
        )
        connection.execute(
            "UPDATE submissions SET status = 'withdrawn', withdrawn_at = $at, withdrawn_by = $by WHERE submission_id = $id",
            {"id": submission_id, "at": withdrawn_at, "by": withdrawn_by},
        )
        append_audit(connection, dataclasses.replace(event, detail={**(event.detail or {}), "restored": int(restored)}))
    return int(restored)


def submissions_overview(database: Path) -> pd.DataFrame:
    """Every submission, newest first, with how many of its values count now and how many it replaced."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT s.submission_id, s.file_name, s.file_sha256, s.uploaded_by, s.uploaded_at, s.row_count, s.status, "
            "s.withdrawn_at, s.withdrawn_by, "
            "(SELECT count(*) FROM reported_values v WHERE v.submission_id = s.submission_id AND v.state = 'current') AS current_values, "
            "(SELECT count(*) FROM reported_values v WHERE v.submission_id = s.submission_id AND v.replaces IS NOT NULL) "
            "AS replaced_values "
            "FROM submissions s ORDER BY s.uploaded_at DESC"
        ).df()


def submission_changes(database: Path, submission_id: str) -> pd.DataFrame:
    """What one submission changed: each of its rows beside the value it replaced, if any."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT n.region_code, r.name AS region, n.indicator, n.scope, n.period, n.value, n.unit, n.state, "
            "o.value AS previous_value, o.submission_id AS previous_submission FROM reported_values n "
            "JOIN regions r USING (region_code) LEFT JOIN reported_values o ON o.reported_id = n.replaces "
            "WHERE n.submission_id = $id ORDER BY n.region_code, n.indicator, n.period",
            {"id": submission_id},
        ).df()


def submission_region_codes(database: Path, submission_id: str) -> list[str]:
    """The regions an upload's rows are for, to check who may withdraw it."""
    with read_connection(database) as connection:
        return [row[0] for row in connection.execute(
            "SELECT DISTINCT region_code FROM reported_values WHERE submission_id = $id ORDER BY region_code",
            {"id": submission_id},
        ).fetchall()]


def submission_record(database: Path, submission_id: str) -> dict | None:
    with read_connection(database) as connection:
        row = connection.execute(
            "SELECT submission_id, file_name, file_sha256, stored_path, uploaded_by, status FROM submissions "
            "WHERE submission_id = $id", {"id": submission_id},
        ).fetchone()
    return dict(zip(("submission_id", "file_name", "file_sha256", "stored_path", "uploaded_by", "status"), row)) if row else None
