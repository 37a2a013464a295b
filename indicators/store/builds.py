"""A build of the targets swapped in whole, and the history of builds with the files that failed."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from indicators.store.audit import AuditEvent, append_audit
from indicators.store.connection import insert_frame, read_connection, writable_copy
from indicators.vocabulary import DERIVED_ORIGINS

# Values a build derives (from documents and the shipped sample workbook); uploads are never touched.

REBUILT_TABLES = ("targets", "documents", "indicators", "regions")


@dataclass(frozen=True)
class BuildTables:
    """Everything a build replaces, as DataFrames whose columns match the tables."""

    regions: pd.DataFrame
    indicators: pd.DataFrame
    documents: pd.DataFrame
    targets: pd.DataFrame
    build: dict
    failures: pd.DataFrame
    derived_reports: pd.DataFrame  # reported values from document statements of status and from sample workbooks


def replace_build(database: Path, tables: BuildTables, event: AuditEvent | None = None) -> None:
    """Swap in a new set of targets atomically; reported values uploaded by users are carried over untouched."""
    with writable_copy(database) as connection:
        if event is not None:
            append_audit(connection, event)
        for table in REBUILT_TABLES:
            connection.execute(f"DELETE FROM {table}")
        connection.execute("DELETE FROM reported_values WHERE origin IN (?, ?)", list(DERIVED_ORIGINS))
        for table, frame in (
            ("regions", tables.regions),
            ("indicators", tables.indicators),
            ("documents", tables.documents),
            ("targets", tables.targets),
            ("reported_values", tables.derived_reports),
        ):
            insert_frame(connection, table, frame)
        build = tables.build
        connection.execute(
            "INSERT INTO builds (build_id, finished_at, corpus_sha256, documents, targets, failed_files) "
            "VALUES (?, ?, ?, ?, ?, ?)",
            [build["build_id"], build["finished_at"], build["corpus_sha256"], build["documents"],
             build["targets"], build["failed_files"]],
        )
        insert_frame(connection, "build_failures", tables.failures)


def latest_build_failures(database: Path) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT f.file_name, f.reason FROM build_failures f "
            "WHERE f.build_id = (SELECT build_id FROM builds ORDER BY finished_at DESC LIMIT 1) "
            "ORDER BY f.file_name"
        ).df()
