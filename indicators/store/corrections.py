"""Corrections to single extracted statements made in the app, and their retraction."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from indicators.store.audit import AuditEvent, append_audit, update_one_and_audit
from indicators.store.connection import read_connection, writable_copy

# --- Corrections made in the app ---------------------------------------------------------------

CORRECTION_COLUMNS = ("correction_id", "doc", "line", "value", "unit", "action", "changes", "reason",
                      "created_by", "created_at", "retracted_by", "retracted_at")


def stored_corrections(database: Path, include_retracted: bool = False) -> pd.DataFrame:
    if not Path(database).exists():
        return pd.DataFrame(columns=list(CORRECTION_COLUMNS))
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {', '.join(CORRECTION_COLUMNS)} FROM stored_corrections "
            "WHERE $all OR retracted_at IS NULL ORDER BY created_at DESC",
            {"all": include_retracted},
        ).df()


def add_correction(database: Path, correction: dict, event: AuditEvent) -> None:
    with writable_copy(database) as connection:
        connection.execute(
            f"INSERT INTO stored_corrections ({', '.join(CORRECTION_COLUMNS[:10])}) "
            f"VALUES ({', '.join('$' + c for c in CORRECTION_COLUMNS[:10])})",
            {column: correction[column] for column in CORRECTION_COLUMNS[:10]},
        )
        append_audit(connection, event)


def retract_correction(database: Path, correction_id: str, retracted_by: str, retracted_at: dt.datetime,
                       event: AuditEvent) -> None:
    update_one_and_audit(
        database, "UPDATE stored_corrections SET retracted_by = $by, retracted_at = $at "
        "WHERE correction_id = $id AND retracted_at IS NULL RETURNING correction_id",
        {"by": retracted_by, "at": retracted_at, "id": correction_id}, event)
