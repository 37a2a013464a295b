"""All SQL of the project: the DuckDB schema, the atomic rebuild of targets, and the read queries.

Every value reaches the database as a bound parameter or a registered DataFrame; identifiers come
only from the fixed names below. The SQL sticks to what PostgreSQL also accepts where that costs
nothing, so replicas sharing one server can run the same statements.
"""
from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

EXPORT_COLUMNS = (
    "doc", "line", "section_title", "region_code", "region", "level", "category", "indicator", "scope",
    "value", "value_max", "unit", "comparator", "baseline", "year", "year_explicit", "kind", "quote",
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS regions (
    region_code VARCHAR PRIMARY KEY,      -- GB/T 2260 six-digit code; 100000 is national
    name VARCHAR NOT NULL,
    level VARCHAR NOT NULL,               -- national, province, prefecture, county
    parent_code VARCHAR                   -- NULL only for national
);
CREATE TABLE IF NOT EXISTS indicators (
    indicator_code VARCHAR PRIMARY KEY,
    label_zh VARCHAR NOT NULL,
    label_en VARCHAR NOT NULL,
    family VARCHAR NOT NULL,
    unit VARCHAR NOT NULL,
    direction VARCHAR NOT NULL,
    evaluation_heading VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS documents (
    document_id VARCHAR PRIMARY KEY,      -- file name, plus '#<first line>' for parts of a compilation
    doc VARCHAR NOT NULL,                 -- source file name in data/policies
    file_sha256 VARCHAR NOT NULL,
    title VARCHAR NOT NULL,
    issuer VARCHAR,
    document_number VARCHAR,
    issue_date DATE,
    issue_year INTEGER,
    region_code VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    first_line INTEGER NOT NULL,
    last_line INTEGER NOT NULL,
    source VARCHAR NOT NULL
);
CREATE TABLE IF NOT EXISTS targets (
    target_id VARCHAR PRIMARY KEY,        -- stable hash of where the number stands in its source
    document_id VARCHAR NOT NULL,
    doc VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    column_offset INTEGER NOT NULL,
    section_title VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    region VARCHAR NOT NULL,
    level VARCHAR NOT NULL,
    category VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    scope VARCHAR,
    value DOUBLE NOT NULL,
    value_max DOUBLE,
    unit VARCHAR NOT NULL,
    comparator VARCHAR NOT NULL,
    baseline DOUBLE,
    year INTEGER,
    year_explicit BOOLEAN NOT NULL,
    kind VARCHAR NOT NULL,                -- target or achieved
    quote VARCHAR NOT NULL,
    correction VARCHAR                    -- reason from data/corrections.yml when a hand fix applied
);
CREATE TABLE IF NOT EXISTS builds (
    build_id VARCHAR PRIMARY KEY,
    finished_at TIMESTAMP NOT NULL,
    corpus_sha256 VARCHAR NOT NULL,
    documents INTEGER NOT NULL,
    targets INTEGER NOT NULL,
    failed_files INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS build_failures (
    build_id VARCHAR NOT NULL,
    file_name VARCHAR NOT NULL,
    reason VARCHAR NOT NULL
);
-- Reported values come from progress workbooks and are never touched by a rebuild of targets.
CREATE TABLE IF NOT EXISTS submissions (
    submission_id VARCHAR PRIMARY KEY,
    file_name VARCHAR NOT NULL,
    file_sha256 VARCHAR NOT NULL,
    uploaded_by VARCHAR NOT NULL,
    uploaded_at TIMESTAMP NOT NULL,
    row_count INTEGER NOT NULL,
    status VARCHAR NOT NULL               -- active or withdrawn
);
CREATE TABLE IF NOT EXISTS reported_values (
    reported_id VARCHAR PRIMARY KEY,
    origin VARCHAR NOT NULL,              -- document (a status stated in a policy text), sample, or submission
    submission_id VARCHAR,                -- the upload it came from; NULL for document and sample values
    target_id VARCHAR,                    -- the document statement a value was read from, if any
    region_code VARCHAR NOT NULL,
    indicator VARCHAR NOT NULL,
    scope VARCHAR,
    period VARCHAR NOT NULL,              -- 2021 or 2021Q3
    period_year INTEGER NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    as_of DATE,
    source VARCHAR NOT NULL,
    note VARCHAR
);
CREATE INDEX IF NOT EXISTS reported_by_indicator ON reported_values (indicator, period_year);
CREATE INDEX IF NOT EXISTS targets_by_indicator ON targets (indicator);
"""

# Values a build derives (from documents and the shipped sample workbook); uploads are never touched.
DERIVED_ORIGINS = ("document", "sample")

REBUILT_TABLES = ("targets", "documents", "indicators", "regions")


class DatabaseBusy(RuntimeError):
    """Another process is writing the database."""


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


@contextlib.contextmanager
def write_lock(database: Path):
    """One writer at a time across processes; readers never wait for it."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".lock"), "w") as lock_file:
        fcntl.flock(lock_file, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


def create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(SCHEMA)


def replace_build(database: Path, tables: BuildTables) -> None:
    """Swap in a new set of targets atomically.

    The build writes into a copy of the database and renames it over the original only after the
    copy is committed and closed, so a failure (or a killed process) at any point leaves the
    previous database exactly as it was; reported values are carried over in the copy.
    """
    database = Path(database)
    with write_lock(database):
        handle, temporary_name = tempfile.mkstemp(prefix=database.name + ".", suffix=".tmp", dir=database.parent)
        os.close(handle)
        temporary = Path(temporary_name)
        try:
            if database.exists():
                shutil.copyfile(database, temporary)
            else:
                temporary.unlink()
            connection = duckdb.connect(str(temporary))
            try:
                create_schema(connection)
                connection.execute("BEGIN TRANSACTION")
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
                    "INSERT INTO builds VALUES (?, ?, ?, ?, ?, ?)",
                    [build["build_id"], build["finished_at"], build["corpus_sha256"], build["documents"],
                     build["targets"], build["failed_files"]],
                )
                insert_frame(connection, "build_failures", tables.failures)
                connection.execute("COMMIT")
                connection.execute("CHECKPOINT")
            finally:
                connection.close()
            os.replace(temporary, database)
        finally:
            if temporary.exists():
                temporary.unlink()
            wal = Path(str(temporary) + ".wal")
            if wal.exists():
                wal.unlink()


def insert_frame(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    connection.register("incoming_rows", frame)
    try:
        columns = ", ".join(frame.columns)
        connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_rows")
    finally:
        connection.unregister("incoming_rows")


@contextlib.contextmanager
def read_connection(database: Path):
    """A short-lived read-only connection; opened per use so a rebuild's file swap is picked up."""
    connection = duckdb.connect(str(database), read_only=True)
    try:
        yield connection
    finally:
        connection.close()


def export_rows(database: Path) -> pd.DataFrame:
    """Every target with exactly the export columns, in source order."""
    columns = ", ".join(EXPORT_COLUMNS)
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {columns} FROM targets ORDER BY doc, line, column_offset, value"
        ).df()


def database_summary(database: Path) -> dict:
    """Counts for the command line and the home page."""
    with read_connection(database) as connection:
        documents = connection.execute("SELECT count(*) FROM documents").fetchone()[0]
        targets = connection.execute("SELECT count(*) FROM targets").fetchone()[0]
        regions = connection.execute("SELECT count(DISTINCT region_code) FROM targets").fetchone()[0]
        reported = connection.execute("SELECT count(*) FROM reported_values").fetchone()[0]
        by_family = connection.execute(
            "SELECT category, kind, count(*) AS n FROM targets GROUP BY category, kind ORDER BY category, kind"
        ).df()
        last_build = connection.execute(
            "SELECT build_id, finished_at, failed_files FROM builds ORDER BY finished_at DESC LIMIT 1"
        ).fetchone()
    return {
        "documents": documents,
        "targets": targets,
        "regions_with_targets": regions,
        "reported_values": reported,
        "by_family": by_family,
        "last_build": last_build,
    }


def targets_table(database: Path, region_code: str | None = None, family: str | None = None) -> pd.DataFrame:
    """Targets joined to their document, optionally for one region and one family."""
    conditions = []
    parameters: dict[str, str] = {}
    if region_code:
        conditions.append("t.region_code = $region_code")
        parameters["region_code"] = region_code
    if family:
        conditions.append("t.category = $family")
        parameters["family"] = family
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT t.region, t.level, t.category, t.indicator, i.label_zh AS indicator_zh, i.label_en AS indicator_en, "
            "t.scope, t.value, t.value_max, t.unit, t.comparator, t.baseline, t.year, t.kind, t.quote, d.title, "
            "d.document_number, t.doc, t.line "
            f"FROM targets t JOIN documents d USING (document_id) JOIN indicators i ON i.indicator_code = t.indicator {where} "
            "ORDER BY t.region_code, t.category, t.indicator, t.year",
            parameters,
        ).df()


def documents_overview(database: Path) -> pd.DataFrame:
    """One row per policy document with its number of statements."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT d.title, d.issuer, d.document_number, d.issue_date, r.name AS region, d.level, "
            "count(t.target_id) AS targets "
            "FROM documents d JOIN regions r USING (region_code) "
            "LEFT JOIN targets t ON t.document_id = d.document_id "
            "GROUP BY d.document_id, d.title, d.issuer, d.document_number, d.issue_date, r.name, d.level, d.doc, d.first_line "
            "ORDER BY d.doc, d.first_line"
        ).df()


def latest_build_failures(database: Path) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT f.file_name, f.reason FROM build_failures f "
            "WHERE f.build_id = (SELECT build_id FROM builds ORDER BY finished_at DESC LIMIT 1) "
            "ORDER BY f.file_name"
        ).df()


def document_sections(database: Path) -> pd.DataFrame:
    """Where each policy document sits in its source file."""
    with read_connection(database) as connection:
        return connection.execute("SELECT doc, title, first_line, last_line FROM documents").df()
