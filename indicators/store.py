"""All SQL of the project: the DuckDB schema, the atomic rebuild of targets, and the read queries.

Every value reaches the database as a bound parameter or a registered DataFrame; identifiers come
only from the fixed names below. The SQL sticks to what PostgreSQL also accepts where that costs
nothing, so replicas sharing one server can run the same statements.
"""
from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import fcntl
import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
import threading
import time
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
    paragraph VARCHAR NOT NULL,           -- the whole source line, so a quote can be shown in its context
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
    status VARCHAR NOT NULL,              -- active or withdrawn
    stored_path VARCHAR,                  -- where the uploaded file is kept, named by its SHA-256
    withdrawn_at TIMESTAMP,
    withdrawn_by VARCHAR
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
    note VARCHAR,
    state VARCHAR NOT NULL DEFAULT 'current',  -- current, superseded (by a newer upload) or withdrawn
    superseded_by VARCHAR,                -- the submission whose row replaced this one
    replaces VARCHAR                      -- the reported_id this row replaced when it was stored, kept as history
);
-- People who may sign in, and what they may change. Never touched by a rebuild of targets.
CREATE TABLE IF NOT EXISTS users (
    user_name VARCHAR PRIMARY KEY,        -- the sign-in name, the OpenID e-mail, or the proxy's header value
    display_name VARCHAR,
    role VARCHAR NOT NULL,                -- viewer, evaluator or admin
    password_hash VARCHAR,                -- argon2id; NULL for users who sign in through OpenID or the proxy
    active BOOLEAN NOT NULL DEFAULT TRUE,
    failed_sign_ins INTEGER NOT NULL DEFAULT 0,  -- failures in a row since the last success
    locked_until TIMESTAMP,
    created_at TIMESTAMP NOT NULL,
    created_by VARCHAR NOT NULL,
    password_changed_at TIMESTAMP
);
CREATE TABLE IF NOT EXISTS user_regions (
    user_name VARCHAR NOT NULL,
    region_code VARCHAR NOT NULL,
    with_subregions BOOLEAN NOT NULL,     -- the region's cities and counties too
    PRIMARY KEY (user_name, region_code)
);
-- Corrections to the extraction made by admins in the app; applied on every build after data/corrections.yml.
CREATE TABLE IF NOT EXISTS stored_corrections (
    correction_id VARCHAR PRIMARY KEY,
    doc VARCHAR NOT NULL,
    line INTEGER NOT NULL,
    value DOUBLE NOT NULL,
    unit VARCHAR NOT NULL,
    action VARCHAR NOT NULL,              -- drop or override
    changes VARCHAR NOT NULL,             -- JSON object of the fields an override sets
    reason VARCHAR NOT NULL,
    created_by VARCHAR NOT NULL,
    created_at TIMESTAMP NOT NULL,
    retracted_by VARCHAR,
    retracted_at TIMESTAMP
);
-- Every change, appended in the same transaction as the change itself and never updated or deleted.
-- Each entry's hash covers the previous one's, so an edited or removed entry breaks the chain.
CREATE TABLE IF NOT EXISTS audit_log (
    sequence INTEGER PRIMARY KEY,
    occurred_at TIMESTAMP NOT NULL,
    actor VARCHAR NOT NULL,               -- user name, cli:<os user>, or anonymous
    actor_role VARCHAR,
    sign_in_method VARCHAR,
    action VARCHAR NOT NULL,
    object_id VARCHAR,                    -- submission, user, correction or build concerned
    detail VARCHAR NOT NULL,              -- JSON object
    file_name VARCHAR,
    file_sha256 VARCHAR,
    stored_path VARCHAR,
    previous_hash VARCHAR NOT NULL,
    entry_hash VARCHAR NOT NULL
);
"""

# Indexes and views, created after MIGRATIONS so they can use columns those add.
DERIVED_SCHEMA = """
CREATE INDEX IF NOT EXISTS reported_by_indicator ON reported_values (indicator, period_year);
-- What every page reads: one value per region, indicator, scope and period from each origin, history left out.
CREATE OR REPLACE VIEW current_reports AS SELECT * FROM reported_values WHERE state = 'current';
CREATE INDEX IF NOT EXISTS targets_by_indicator ON targets (indicator);
"""

# Values a build derives (from documents and the shipped sample workbook); uploads are never touched.
DERIVED_ORIGINS = ("document", "sample")

REBUILT_TABLES = ("targets", "documents", "indicators", "regions")


class DatabaseBusy(RuntimeError):
    """Another process is writing the database."""


class DuplicateSubmission(RuntimeError):
    """The same file is already stored as an active submission (its id is the argument)."""


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


# How long a writer waits for another to finish before giving up with DatabaseBusy.
WRITE_WAIT_SECONDS = 120


@contextlib.contextmanager
def write_lock(database: Path, wait_seconds: float = WRITE_WAIT_SECONDS):
    """One writer at a time across processes; readers never wait for it. The lock dies with its process."""
    database.parent.mkdir(parents=True, exist_ok=True)
    with open(database.with_name(database.name + ".lock"), "w") as lock_file:
        deadline = time.monotonic() + wait_seconds
        while True:
            try:
                fcntl.flock(lock_file, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise DatabaseBusy(f"数据库正被另一写入进程占用超过 {wait_seconds:g} 秒，请稍后重试") from None
                time.sleep(0.05)
        try:
            yield
        finally:
            fcntl.flock(lock_file, fcntl.LOCK_UN)


# Columns added after the first release, for databases built before them.
MIGRATIONS = (
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS stored_path VARCHAR",
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS withdrawn_at TIMESTAMP",
    "ALTER TABLE submissions ADD COLUMN IF NOT EXISTS withdrawn_by VARCHAR",
    "ALTER TABLE reported_values ADD COLUMN IF NOT EXISTS state VARCHAR DEFAULT 'current'",
    "ALTER TABLE reported_values ADD COLUMN IF NOT EXISTS superseded_by VARCHAR",
    "ALTER TABLE reported_values ADD COLUMN IF NOT EXISTS replaces VARCHAR",
)


def create_schema(connection: duckdb.DuckDBPyConnection) -> None:
    connection.execute(SCHEMA)
    for statement in MIGRATIONS:
        connection.execute(statement)
    connection.execute(DERIVED_SCHEMA)


@contextlib.contextmanager
def writable_copy(database: Path, wait_seconds: float = WRITE_WAIT_SECONDS):
    """A read-write connection to a copy of the database that replaces the original only if the block succeeds.

    The copy is committed, checkpointed and closed before it is renamed over the original, so a failure
    or a killed process at any point leaves the previous database exactly as it was; readers holding
    the old file keep reading it undisturbed. Writers take turns through the lock file.
    """
    database = Path(database)
    with write_lock(database, wait_seconds):
        # Holding the lock, any copy left beside the database belongs to a writer that died: clear it.
        for leftover in database.parent.glob(database.name + ".*.tmp*"):
            leftover.unlink()
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
                yield connection
                connection.execute("COMMIT")
                connection.execute("CHECKPOINT")
            finally:
                connection.close()
            # The copy keeps the original's permissions (mkstemp makes files private), and the rename is
            # made durable before anyone is told the write succeeded.
            os.chmod(temporary, database.stat().st_mode & 0o7777 if database.exists() else 0o644)
            with open(temporary, "rb") as written:
                os.fsync(written.fileno())
            os.replace(temporary, database)
            directory = os.open(database.parent, os.O_RDONLY)
            try:
                os.fsync(directory)
            finally:
                os.close(directory)
        finally:
            if temporary.exists():
                temporary.unlink()
            wal = Path(str(temporary) + ".wal")
            if wal.exists():
                wal.unlink()


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


def insert_frame(connection: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame) -> None:
    if frame.empty:
        return
    connection.register("incoming_rows", frame)
    try:
        columns = ", ".join(frame.columns)
        connection.execute(f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_rows")
    finally:
        connection.unregister("incoming_rows")


def file_version(database: Path) -> tuple[int, int, int]:
    """Identifies one version of the database file: every write replaces the file, so the inode changes."""
    status = os.stat(database)
    return status.st_ino, status.st_mtime_ns, status.st_size


# One read-only connection per database file version, shared by the process; each query takes a cursor.
# The file is attached to an in-memory database rather than opened directly, because DuckDB hands a
# second direct connection to a path the instance that is already open there, which after a swap is
# the old file.
_readers: dict[str, tuple[tuple[int, int, int], duckdb.DuckDBPyConnection]] = {}
_readers_lock = threading.Lock()


def reader(database: Path) -> duckdb.DuckDBPyConnection:
    path = str(Path(database).resolve())
    version = file_version(database)
    with _readers_lock:
        known = _readers.get(path)
        if known is None or known[0] != version:
            connection = duckdb.connect(":memory:")
            # A missing table must be an error, never a Python variable of the same name found by DuckDB.
            connection.execute("SET python_enable_replacements = false")
            connection.execute(f"ATTACH {sql_string(path)} AS bizenv (READ_ONLY)")
            _readers[path] = (version, connection)
        return _readers[path][1]


_current_schema: set[tuple[str, tuple[int, int, int]]] = set()


def ensure_current_schema(database: Path) -> None:
    """Bring a database made by an earlier release up to the current tables, once per file version.

    Reads never create tables, so a database built before, say, the users table existed would fail the
    first page that reads it; this adds what is missing in one atomic write (and does nothing otherwise).
    """
    database = Path(database)
    if not database.exists():
        return
    key = (str(database.resolve()), file_version(database))
    if key in _current_schema:
        return
    expected = set(re.findall(r"CREATE TABLE IF NOT EXISTS (\w+)", SCHEMA))
    with read_connection(database) as connection:
        present = {name for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'bizenv'").fetchall()}
    if not expected <= present:
        with writable_copy(database):
            pass  # writable_copy runs create_schema and the migrations
    _current_schema.add((str(database.resolve()), file_version(database)))


def sql_string(text: str) -> str:
    """A string literal for the few statements that take no parameters (ATTACH): quotes doubled."""
    return "'" + text.replace("'", "''") + "'"


@contextlib.contextmanager
def read_connection(database: Path):
    """A cursor on the current version of the database, closed after use."""
    if not Path(database).exists():
        raise FileNotFoundError(database)
    cursor = reader(database).cursor()
    try:
        cursor.execute("USE bizenv")
        yield cursor
    finally:
        cursor.close()


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
        reported = connection.execute("SELECT count(*) FROM current_reports").fetchone()[0]
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


def targets_table(database: Path, region_code: str | None = None, family: str | None = None,
                  limit: int = 5000) -> pd.DataFrame:
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
            "ORDER BY t.region_code, t.category, t.indicator, t.year LIMIT $limit",
            {**parameters, "limit": limit},
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


# --- Queries behind the pages -------------------------------------------------------------------

# Which report counts as a region's latest: the latest period; within it, an upload before a statement in a
# document before sample data; then the latest as-of date. Every "latest report" query orders by this.
LATEST_FIRST = (
    "v.period DESC, CASE v.origin WHEN 'submission' THEN 0 WHEN 'document' THEN 1 ELSE 2 END, "
    "v.as_of DESC NULLS LAST, v.reported_id"
)

TARGET_COLUMNS_FOR_PAGES = (
    "t.target_id, t.document_id, t.region_code, r.name AS region, r.level, r.parent_code, t.category, t.indicator, "
    "t.scope, t.value, t.value_max, t.unit, t.comparator, t.baseline, t.year, t.year_explicit, t.kind, t.quote, "
    "t.doc, t.line, d.title, d.issuer, d.document_number, d.issue_date, d.issue_year"
)
REPORT_COLUMNS_FOR_PAGES = (
    "v.reported_id, v.origin, v.region_code, r.name AS region, r.level, r.parent_code, v.indicator, v.scope, "
    "v.period, v.period_year, v.value, v.unit, v.as_of, v.source, v.note"
)


def origins(include_samples: bool) -> list[str]:
    return ["document", "submission", "sample"] if include_samples else ["document", "submission"]


def indicator_choices(database: Path) -> pd.DataFrame:
    """Named indicators that have at least one target or report, with their counts."""
    with read_connection(database) as connection:
        return connection.execute(
            "WITH target_counts AS (SELECT indicator, count(*) AS targets FROM targets WHERE kind = 'target' "
            "GROUP BY indicator), report_counts AS (SELECT indicator, count(*) AS reports FROM current_reports "
            "GROUP BY indicator) "
            "SELECT i.indicator_code, i.label_zh, i.label_en, i.family, i.unit, i.direction, i.evaluation_heading, "
            "coalesce(tc.targets, 0) AS targets, coalesce(rc.reports, 0) AS reports FROM indicators i "
            "LEFT JOIN target_counts tc ON tc.indicator = i.indicator_code "
            "LEFT JOIN report_counts rc ON rc.indicator = i.indicator_code "
            "WHERE i.indicator_code NOT LIKE '%\\_unclassified' ESCAPE '\\' "
            "AND (tc.targets IS NOT NULL OR rc.reports IS NOT NULL) ORDER BY i.family, i.indicator_code"
        ).df()


def indicator_years(database: Path, indicator: str, include_samples: bool) -> list[int]:
    with read_connection(database) as connection:
        rows = connection.execute(
            "SELECT year FROM targets WHERE indicator = $indicator AND year IS NOT NULL "
            "UNION SELECT period_year FROM current_reports WHERE indicator = $indicator "
            "AND origin IN (SELECT unnest($origins)) ORDER BY 1",
            {"indicator": indicator, "origins": origins(include_samples)},
        ).fetchall()
    return [int(year) for (year,) in rows]


def indicator_scopes(database: Path, indicator: str) -> list[str]:
    with read_connection(database) as connection:
        rows = connection.execute(
            "SELECT scope FROM targets WHERE indicator = $indicator AND scope IS NOT NULL AND kind = 'target' "
            "UNION SELECT scope FROM current_reports WHERE indicator = $indicator AND scope IS NOT NULL ORDER BY 1",
            {"indicator": indicator},
        ).fetchall()
    return [scope for (scope,) in rows]


def indicator_targets(database: Path, indicator: str) -> pd.DataFrame:
    """Every target (not statements of status) for one indicator, with region and document."""
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES} FROM targets t JOIN regions r USING (region_code) "
            "JOIN documents d USING (document_id) WHERE t.indicator = $indicator AND t.kind = 'target' "
            "ORDER BY t.region_code, d.issue_year, t.doc, t.line",
            {"indicator": indicator},
        ).df()


def latest_reports(database: Path, indicator: str, year: int | None, include_samples: bool) -> pd.DataFrame:
    """For each region and scope, the latest report of one indicator (within `year` when given)."""
    condition = "AND v.period_year = $year" if year is not None else ""
    parameters = {"indicator": indicator, "origins": origins(include_samples)}
    if year is not None:
        parameters["year"] = year
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT * FROM (SELECT {REPORT_COLUMNS_FOR_PAGES}, ROW_NUMBER() OVER ("
            f"PARTITION BY v.region_code, v.scope ORDER BY {LATEST_FIRST}) AS recency "
            "FROM current_reports v JOIN regions r USING (region_code) "
            f"WHERE v.indicator = $indicator AND v.origin IN (SELECT unnest($origins)) {condition}) AS ranked "
            "WHERE recency = 1 ORDER BY region_code",
            parameters,
        ).df().drop(columns="recency")


def yearly_reports(database: Path, indicator: str, include_samples: bool, region_codes: list[str] | None = None) -> pd.DataFrame:
    """One value per region, scope and year (the year's latest), for time series."""
    region_condition = "AND v.region_code IN (SELECT unnest($regions))" if region_codes else ""
    parameters = {"indicator": indicator, "origins": origins(include_samples)}
    if region_codes:
        parameters["regions"] = region_codes
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT * FROM (SELECT {REPORT_COLUMNS_FOR_PAGES}, ROW_NUMBER() OVER ("
            f"PARTITION BY v.region_code, v.scope, v.period_year ORDER BY {LATEST_FIRST}) AS recency "
            "FROM current_reports v JOIN regions r USING (region_code) "
            f"WHERE v.indicator = $indicator AND v.origin IN (SELECT unnest($origins)) {region_condition}) AS ranked "
            "WHERE recency = 1 ORDER BY region_code, period_year",
            parameters,
        ).df().drop(columns="recency")


def region_record(database: Path, region_code: str) -> dict | None:
    with read_connection(database) as connection:
        row = connection.execute(
            "SELECT region_code, name, level, parent_code FROM regions WHERE region_code = $code", {"code": region_code}
        ).fetchone()
    return dict(zip(("region_code", "name", "level", "parent_code"), row)) if row else None


def regions_with_data(database: Path) -> pd.DataFrame:
    """Regions that have a target or a report, for pickers."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT r.region_code, r.name, r.level FROM regions r WHERE r.region_code IN "
            "(SELECT region_code FROM targets UNION SELECT region_code FROM current_reports) ORDER BY r.region_code"
        ).df()


def region_targets(database: Path, region_code: str) -> pd.DataFrame:
    """Every statement (targets and statements of status) of one region, with documents."""
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES}, i.label_zh, i.label_en, i.direction FROM targets t "
            "JOIN regions r USING (region_code) JOIN documents d USING (document_id) "
            "JOIN indicators i ON i.indicator_code = t.indicator "
            "WHERE t.region_code = $code ORDER BY t.category, t.indicator, d.issue_year, t.doc, t.line",
            {"code": region_code},
        ).df()


def region_reports(database: Path, region_code: str, include_samples: bool) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {REPORT_COLUMNS_FOR_PAGES} FROM current_reports v JOIN regions r USING (region_code) "
            "WHERE v.region_code = $code AND v.origin IN (SELECT unnest($origins)) ORDER BY v.indicator, v.period",
            {"code": region_code, "origins": origins(include_samples)},
        ).df()


def national_targets(database: Path) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES} FROM targets t JOIN regions r USING (region_code) "
            "JOIN documents d USING (document_id) WHERE t.region_code = '100000' AND t.kind = 'target'",
        ).df()


LIBRARY_FILTERS = ("region_code", "level", "category", "indicator", "year", "kind", "document_id")


def library_rows(database: Path, filters: dict, search: str | None, limit: int = 2000) -> pd.DataFrame:
    """Targets matching exact filters (whitelisted columns) and a text search over quote, scope and title."""
    conditions = []
    parameters: dict = {"limit": limit}
    for column in LIBRARY_FILTERS:
        value = filters.get(column)
        if value in (None, "", []):
            continue
        conditions.append(f"t.{column} = ${column}")
        parameters[column] = value
    if search:
        conditions.append("(t.quote LIKE $search ESCAPE '\\' OR t.scope LIKE $search ESCAPE '\\' "
                          "OR d.title LIKE $search ESCAPE '\\' OR i.label_zh LIKE $search ESCAPE '\\' "
                          "OR i.label_en ILIKE $search ESCAPE '\\')")
        # The user's text is matched literally: % and _ are not wildcards here.
        literal = search.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        parameters["search"] = f"%{literal}%"
    where = ("WHERE " + " AND ".join(conditions)) if conditions else ""
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES}, i.label_zh, i.label_en FROM targets t JOIN regions r USING (region_code) "
            "JOIN documents d USING (document_id) JOIN indicators i ON i.indicator_code = t.indicator "
            f"{where} ORDER BY t.doc, t.line, t.column_offset LIMIT $limit",
            parameters,
        ).df()


def target_detail(database: Path, target_id: str) -> dict | None:
    """One statement with its paragraph and the document it comes from."""
    with read_connection(database) as connection:
        frame = connection.execute(
            f"SELECT {TARGET_COLUMNS_FOR_PAGES}, t.paragraph, t.column_offset, t.correction, d.source, i.label_zh, i.label_en "
            "FROM targets t JOIN regions r USING (region_code) JOIN documents d USING (document_id) "
            "JOIN indicators i ON i.indicator_code = t.indicator WHERE t.target_id = $id",
            {"id": target_id},
        ).df()
    return frame.iloc[0].to_dict() if len(frame) else None


def documents_for_filter(database: Path) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute("SELECT document_id, title FROM documents ORDER BY doc, first_line").df()


def coverage_matrix(database: Path) -> pd.DataFrame:
    """Targets per region and family, for the home page."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT r.name AS region, t.region_code, t.category, count(*) AS targets FROM targets t "
            "JOIN regions r USING (region_code) WHERE t.kind = 'target' GROUP BY r.name, t.region_code, t.category "
            "ORDER BY t.region_code"
        ).df()


def targets_with_latest_reports(database: Path, include_samples: bool) -> pd.DataFrame:
    """Every target with its region's latest report of the same indicator (scope compatible), for status shares."""
    with read_connection(database) as connection:
        return connection.execute(
            # The latest report per region, indicator and scope first (small), then one per target: the same
            # scope before a report or target without one. LATEST_FIRST orders by period first, so only rows of
            # each group's newest period can come first: an aggregate finds that period, and the window ranks
            # just those rows instead of sorting every report. Samples are left out by a plain condition, not
            # a semi-join on a list, which would have DuckDB keep the whole scan in memory for its two uses
            # (bench/queries.py at county scale: 1.9 s and 1.2 GB before, 0.5 s and 0.5 GB after).
            "WITH newest AS (SELECT region_code, indicator, scope, max(period) AS period FROM current_reports "
            "WHERE $samples OR origin <> 'sample' GROUP BY region_code, indicator, scope), "
            "latest AS (SELECT * FROM (SELECT v.region_code, v.indicator, v.scope, v.value, v.unit, v.period, "
            f"v.period_year, ROW_NUMBER() OVER (PARTITION BY v.region_code, v.indicator, v.scope ORDER BY {LATEST_FIRST}) "
            "AS recency FROM current_reports v JOIN newest n ON n.region_code = v.region_code AND n.indicator = v.indicator "
            "AND n.scope IS NOT DISTINCT FROM v.scope AND n.period = v.period "
            "WHERE $samples OR v.origin <> 'sample') AS ranked WHERE recency = 1) "
            "SELECT target_id, region_code, indicator, scope, category, value, value_max, unit, comparator, baseline, "
            "year, reported_value, reported_unit, reported_year, reported_scope FROM (SELECT t.target_id, t.region_code, "
            "t.indicator, t.scope, t.category, t.value, t.value_max, t.unit, t.comparator, t.baseline, t.year, "
            "l.value AS reported_value, l.unit AS reported_unit, l.period_year AS reported_year, l.scope AS reported_scope, "
            # As views.latest_report: the target's scope, then none, then any other; the newest period; and,
            # between two other scopes of one period, the first by name, so the choice never varies by run.
            "ROW_NUMBER() OVER (PARTITION BY t.target_id ORDER BY CASE WHEN l.scope = t.scope THEN 0 "
            "WHEN l.scope IS NULL THEN 1 ELSE 2 END, l.period DESC, l.scope) AS choice "
            "FROM targets t LEFT JOIN latest l ON l.region_code = t.region_code AND l.indicator = t.indicator "
            "AND (l.scope = t.scope OR l.scope IS NULL OR t.scope IS NULL) "
            "WHERE t.kind = 'target' AND t.indicator NOT LIKE '%\\_unclassified' ESCAPE '\\') AS chosen WHERE choice = 1",
            {"samples": include_samples},
        ).df()


def latest_submissions(database: Path, limit: int = 10) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT file_name, uploaded_by, uploaded_at, row_count, status FROM submissions "
            "ORDER BY uploaded_at DESC LIMIT $limit",
            {"limit": limit},
        ).df()


def full_export(database: Path) -> dict[str, pd.DataFrame]:
    """Targets, indicators and documents, for the whole-database workbook."""
    with read_connection(database) as connection:
        return {
            "targets": connection.execute(
                f"SELECT {TARGET_COLUMNS_FOR_PAGES} FROM targets t JOIN regions r USING (region_code) "
                "JOIN documents d USING (document_id) ORDER BY t.doc, t.line").df(),
            "indicators": connection.execute("SELECT * FROM indicators ORDER BY indicator_code").df(),
            "documents": connection.execute("SELECT * FROM documents ORDER BY doc, first_line").df(),
        }


def neutralized_sql(expression: str, name: str) -> str:
    """A text column whose formula-like values get a leading apostrophe: downloads.neutralize_formula's rule, in SQL."""
    from indicators.downloads import formula_start_pattern  # only for exports: keeps openpyxl out of every start-up

    return (f"CASE WHEN regexp_matches({expression}, {sql_string(formula_start_pattern())}) "
            f"THEN chr(39) || {expression} ELSE {expression} END AS {name}")


def reported_values_csv(database: Path) -> bytes:
    """Every current reported value as CSV in UTF-8 with BOM, written by DuckDB itself (millions of rows)."""
    columns = ", ".join([
        "v.region_code", "r.name AS region", "v.indicator", neutralized_sql("v.scope", "scope"), "v.period", "v.value",
        "v.unit", "v.origin", "v.submission_id", "v.as_of", neutralized_sql("v.source", "source"),
        neutralized_sql("v.note", "note"),
    ])
    handle, name = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    try:
        with read_connection(database) as connection:
            connection.execute(
                f"COPY (SELECT {columns} FROM current_reports v JOIN regions r USING (region_code) "
                f"ORDER BY v.region_code, v.indicator, v.period) TO {sql_string(name)} (HEADER, DELIMITER ',')"
            )
        return "\ufeff".encode("utf-8") + Path(name).read_bytes()
    finally:
        os.unlink(name)


def indicator_definitions(database: Path, codes: tuple[str, ...] = ()) -> pd.DataFrame:
    """Catalog rows for the given indicators (all when none are given), for download metadata."""
    with read_connection(database) as connection:
        if not codes:
            return connection.execute("SELECT * FROM indicators ORDER BY indicator_code").df()
        return connection.execute(
            "SELECT * FROM indicators WHERE indicator_code IN (SELECT unnest($codes)) ORDER BY indicator_code",
            {"codes": list(codes)},
        ).df()


def documents_by_id(database: Path, document_ids: tuple[str, ...]) -> pd.DataFrame:
    """Title, issuer, number and date of the given documents, for download metadata."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT document_id, title, issuer, document_number, issue_date, doc FROM documents "
            "WHERE document_id IN (SELECT unnest($ids)) ORDER BY doc, first_line",
            {"ids": list(document_ids)},
        ).df()


def report_years(database: Path, indicator: str, include_samples: bool) -> list[int]:
    with read_connection(database) as connection:
        rows = connection.execute(
            "SELECT DISTINCT period_year FROM current_reports WHERE indicator = $indicator "
            "AND origin IN (SELECT unnest($origins)) ORDER BY 1",
            {"indicator": indicator, "origins": origins(include_samples)},
        ).fetchall()
    return [int(year) for (year,) in rows]


def year_reports(database: Path, year: int, include_samples: bool) -> pd.DataFrame:
    """Each region's latest report of every named indicator within one year, for composite scores."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT region_code, region, indicator, scope, period, value, unit FROM (SELECT v.region_code, "
            "r.name AS region, v.indicator, v.scope, v.period, v.value, v.unit, ROW_NUMBER() OVER ("
            f"PARTITION BY v.region_code, v.indicator, v.scope ORDER BY {LATEST_FIRST}) AS recency "
            "FROM current_reports v JOIN regions r USING (region_code) "
            "WHERE v.period_year = $year AND v.origin IN (SELECT unnest($origins)) "
            "AND v.indicator NOT LIKE '%\\_unclassified' ESCAPE '\\') AS ranked WHERE recency = 1",
            {"year": year, "origins": origins(include_samples)},
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


def latest_values_by_key(database: Path) -> pd.DataFrame:
    """The latest current value of every region, indicator and scope, for upload warnings."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT region_code, indicator, scope, period, value FROM (SELECT v.region_code, v.indicator, v.scope, "
            f"v.period, v.value, ROW_NUMBER() OVER (PARTITION BY v.region_code, v.indicator, v.scope ORDER BY {LATEST_FIRST}) "
            "AS recency FROM current_reports v WHERE v.origin <> 'sample') AS ranked WHERE recency = 1"
        ).df()


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


def template_targets(database: Path, region_codes: tuple[str, ...]) -> pd.DataFrame:
    """Every target (not statements of status) of the given regions, with what a progress template shows beside it."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT t.target_id, t.region_code, r.name AS region, t.indicator, i.label_zh AS indicator_zh, "
            "i.label_en AS indicator_en, i.unit AS indicator_unit, t.scope, t.value, t.value_max, t.unit, t.comparator, "
            "t.baseline, t.year, t.kind, t.doc, t.line, d.title, d.document_number, d.issue_year "
            "FROM targets t JOIN regions r USING (region_code) JOIN documents d USING (document_id) "
            "JOIN indicators i ON i.indicator_code = t.indicator "
            "WHERE t.kind = 'target' AND t.region_code IN (SELECT unnest($codes)) "
            "ORDER BY t.region_code, t.indicator, t.scope NULLS FIRST, d.issue_year, t.doc, t.line",
            {"codes": list(region_codes)},
        ).df()


# --- Audit trail -------------------------------------------------------------------------------

@dataclass(frozen=True)
class AuditEvent:
    """One change, as the audit log keeps it; appended by the same transaction that makes the change."""

    actor: str
    action: str
    actor_role: str | None = None
    sign_in_method: str | None = None
    object_id: str | None = None
    detail: dict | None = None
    file_name: str | None = None
    file_sha256: str | None = None
    stored_path: str | None = None


AUDIT_COLUMNS = ("sequence", "occurred_at", "actor", "actor_role", "sign_in_method", "action", "object_id", "detail",
                 "file_name", "file_sha256", "stored_path", "previous_hash", "entry_hash")
AUDIT_GENESIS = "0" * 64


def audit_entry_hash(entry: dict) -> str:
    """The SHA-256 of an entry's fields and of the hash before it."""
    fields = [entry[column] for column in AUDIT_COLUMNS if column != "entry_hash"]
    fields[1] = fields[1].isoformat(timespec="microseconds")
    return hashlib.sha256(json.dumps(fields, ensure_ascii=False, default=str).encode("utf-8")).hexdigest()


def append_audit(connection: duckdb.DuckDBPyConnection, event: AuditEvent, occurred_at: dt.datetime | None = None) -> int:
    """Append one entry inside the caller's write transaction; returns its sequence number."""
    last = connection.execute("SELECT sequence, entry_hash FROM audit_log ORDER BY sequence DESC LIMIT 1").fetchone()
    entry = {
        "sequence": (last[0] + 1) if last else 1,
        # Microseconds are all the database keeps, so the hash is computed on what is stored.
        "occurred_at": (occurred_at or dt.datetime.now(dt.timezone.utc)).replace(tzinfo=None),
        "actor": event.actor, "actor_role": event.actor_role, "sign_in_method": event.sign_in_method,
        "action": event.action, "object_id": event.object_id,
        "detail": json.dumps(event.detail or {}, ensure_ascii=False, sort_keys=True, default=str),
        "file_name": event.file_name, "file_sha256": event.file_sha256, "stored_path": event.stored_path,
        "previous_hash": last[1] if last else AUDIT_GENESIS,
    }
    entry["entry_hash"] = audit_entry_hash(entry)
    connection.execute(
        f"INSERT INTO audit_log ({', '.join(AUDIT_COLUMNS)}) VALUES ({', '.join('$' + c for c in AUDIT_COLUMNS)})", entry
    )
    return entry["sequence"]


# An event that changes nothing else waits this long for another writer (a rebuild, say), then is logged.
SIDE_EVENT_WAIT_SECONDS = 10
# A sign-in's write waits no longer than this: a visitor at the form should hear "busy", not wait minutes.
SIGN_IN_WRITE_WAIT_SECONDS = 3


def record_audit(database: Path, event: AuditEvent) -> int | None:
    """An event that changes nothing else (a refused upload, a sign-in), in a write of its own.

    When the database stays busy, the event goes to the process log instead and None is returned:
    a visitor is never kept waiting, or shown an error, for a record of something that changed nothing.
    """
    try:
        with writable_copy(database, SIDE_EVENT_WAIT_SECONDS) as connection:
            return append_audit(connection, event)
    except DatabaseBusy:
        logging.getLogger("bizenv.audit").warning("database busy; audit event not stored: %s", event)
        return None


def audit_entries(database: Path, actions: tuple[str, ...] = (), actor: str | None = None,
                  since: dt.date | None = None, until: dt.date | None = None, limit: int = 5000) -> pd.DataFrame:
    """Audit entries, newest first, filtered by action, actor (substring) and date range."""
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log "
            "WHERE ($all_actions OR action IN (SELECT unnest($actions))) "
            "AND (CAST($actor AS VARCHAR) IS NULL OR strpos(lower(actor), lower(CAST($actor AS VARCHAR))) > 0) "
            "AND (CAST($since AS DATE) IS NULL OR occurred_at >= CAST($since AS DATE)) "
            "AND (CAST($until AS DATE) IS NULL OR occurred_at < CAST($until AS DATE) + INTERVAL '1 day') "
            "ORDER BY sequence DESC LIMIT $limit",
            {"all_actions": not actions, "actions": list(actions) or [""], "actor": actor or None, "since": since,
             "until": until, "limit": limit},
        ).df()


def audit_count(database: Path) -> int:
    with read_connection(database) as connection:
        return connection.execute("SELECT count(*) FROM audit_log").fetchone()[0]


def audit_chain_breaks(database: Path) -> list[int]:
    """Sequence numbers whose entry no longer matches its hash or its predecessor: empty when the log is intact."""
    with read_connection(database) as connection:
        rows = connection.execute(f"SELECT {', '.join(AUDIT_COLUMNS)} FROM audit_log ORDER BY sequence").fetchall()
    breaks = []
    previous_hash, expected_sequence = AUDIT_GENESIS, 1
    for row in rows:
        entry = dict(zip(AUDIT_COLUMNS, row))
        if (entry["sequence"] != expected_sequence or entry["previous_hash"] != previous_hash
                or audit_entry_hash(entry) != entry["entry_hash"]):
            breaks.append(entry["sequence"])
        previous_hash, expected_sequence = entry["entry_hash"], entry["sequence"] + 1
    return breaks


def audit_actions(database: Path) -> list[str]:
    with read_connection(database) as connection:
        return [row[0] for row in connection.execute("SELECT DISTINCT action FROM audit_log ORDER BY action").fetchall()]


# --- Users -------------------------------------------------------------------------------------

USER_COLUMNS = ("user_name", "display_name", "role", "password_hash", "active", "failed_sign_ins", "locked_until",
                "created_at", "created_by", "password_changed_at")


def user_record(database: Path, user_name: str) -> dict | None:
    """One user with the regions granted to them as (region_code, with_subregions) pairs."""
    with read_connection(database) as connection:
        row = connection.execute(
            f"SELECT {', '.join(USER_COLUMNS)} FROM users WHERE user_name = $name", {"name": user_name}
        ).fetchone()
        if row is None:
            return None
        grants = connection.execute(
            "SELECT region_code, with_subregions FROM user_regions WHERE user_name = $name ORDER BY region_code",
            {"name": user_name},
        ).fetchall()
    return {**dict(zip(USER_COLUMNS, row)), "regions": [(code, bool(sub)) for code, sub in grants]}


def users_overview(database: Path) -> pd.DataFrame:
    """Every user without their password hash, with their regions named."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT u.user_name, u.display_name, u.role, u.active, u.password_hash IS NOT NULL AS has_password, "
            "u.failed_sign_ins, u.locked_until, u.created_at, u.created_by, u.password_changed_at, "
            "string_agg(coalesce(r.name, g.region_code) || CASE WHEN g.with_subregions THEN '+' ELSE '' END, '、' "
            "ORDER BY g.region_code) AS regions "
            "FROM users u LEFT JOIN user_regions g USING (user_name) LEFT JOIN regions r ON r.region_code = g.region_code "
            "GROUP BY u.user_name, u.display_name, u.role, u.active, u.password_hash, u.failed_sign_ins, u.locked_until, "
            "u.created_at, u.created_by, u.password_changed_at ORDER BY u.role, u.user_name"
        ).df()


def active_admin_count(database: Path) -> int:
    if not Path(database).exists():
        return 0
    with read_connection(database) as connection:
        return connection.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active").fetchone()[0]


def region_parents(database: Path) -> dict[str, str | None]:
    with read_connection(database) as connection:
        return dict(connection.execute("SELECT region_code, parent_code FROM regions").fetchall())


class UserExists(RuntimeError):
    """A user of that name is already stored."""


class LastAdmin(RuntimeError):
    """The change would leave no active admin."""


class UserChangedMeanwhile(RuntimeError):
    """The user was changed by someone else since the form showing them was drawn."""


def save_user(database: Path, user: dict, grants: list[tuple[str, bool]], event: AuditEvent, create: bool,
              expected: dict | None = None) -> bool:
    """Create a user or replace their role, name, state and regions (not their password), with its audit entry.

    For a change, what changed ([before, after] per field) is read inside the write, so two admins saving
    at once each get an audit entry true to what they replaced. Returns False when nothing changed (and
    the database file is left as it was).
    """
    try:
        return _save_user(database, user, grants, event, create, expected)
    except _NothingToWrite:
        return False


class _NothingToWrite(Exception):
    """Raised inside a writable copy to drop it: the original stays, untouched."""


def _save_user(database: Path, user: dict, grants: list[tuple[str, bool]], event: AuditEvent, create: bool,
               expected: dict | None) -> bool:
    with writable_copy(database) as connection:
        exists = connection.execute(
            "SELECT display_name, role, active FROM users WHERE user_name = $name", {"name": user["user_name"]}
        ).fetchone()
        if create and exists:
            raise UserExists(user["user_name"])
        if not create and not exists:
            raise LookupError(user["user_name"])
        if not create:
            changes = {field: [before, user[field]] for field, before in zip(("display_name", "role", "active"), exists)
                       if before != user[field]}
            granted = sorted((code, bool(sub)) for code, sub in connection.execute(
                "SELECT region_code, with_subregions FROM user_regions WHERE user_name = $name",
                {"name": user["user_name"]}).fetchall())
            if expected is not None and (
                    dict(zip(("display_name", "role", "active"), exists))
                    != {field: expected[field] for field in ("display_name", "role", "active")}
                    or granted != sorted((code, bool(sub)) for code, sub in expected["regions"])):
                # Saving a stale form would silently undo someone else's change (a deactivation, say).
                raise UserChangedMeanwhile(user["user_name"])
            if granted != sorted(grants):
                changes["regions"] = [[list(grant) for grant in granted], [list(grant) for grant in sorted(grants)]]
            if not changes:
                raise _NothingToWrite()
            event = dataclasses.replace(event, detail=changes)
        if create:
            connection.execute(
                "INSERT INTO users (user_name, display_name, role, password_hash, active, failed_sign_ins, created_at, "
                "created_by, password_changed_at) VALUES ($user_name, $display_name, $role, $password_hash, $active, 0, "
                "$created_at, $created_by, $password_changed_at)",
                {key: user.get(key) for key in ("user_name", "display_name", "role", "password_hash", "active",
                                                "created_at", "created_by", "password_changed_at")},
            )
        else:
            connection.execute(
                "UPDATE users SET display_name = $display_name, role = $role, active = $active WHERE user_name = $user_name",
                {key: user[key] for key in ("user_name", "display_name", "role", "active")},
            )
        _check_an_admin_remains(connection)
        connection.execute("DELETE FROM user_regions WHERE user_name = $name", {"name": user["user_name"]})
        for code, with_subregions in grants:
            connection.execute(
                "INSERT INTO user_regions (user_name, region_code, with_subregions) VALUES ($name, $code, $sub)",
                {"name": user["user_name"], "code": code, "sub": with_subregions},
            )
        append_audit(connection, event)
    return True


def _check_an_admin_remains(connection: duckdb.DuckDBPyConnection) -> None:
    had = connection.execute("SELECT count(*) FROM users").fetchone()[0]
    admins = connection.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active").fetchone()[0]
    if had and not admins:
        raise LastAdmin()


def set_password(database: Path, user_name: str, password_hash: str, event: AuditEvent) -> dt.datetime:
    """A new password hash; it also clears failures and any lock. Returns when it took effect.

    The time is taken once the write lock is held, so any sign-in that checked the old password before
    it is older, and its session ends (see accounts.fresh_actor).
    """
    with writable_copy(database) as connection:
        changed_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        if not connection.execute(
            "UPDATE users SET password_hash = $hash, password_changed_at = $at, failed_sign_ins = 0, "
            "locked_until = NULL WHERE user_name = $name RETURNING user_name",
            {"hash": password_hash, "at": changed_at, "name": user_name},
        ).fetchall():
            raise LookupError(user_name)
        append_audit(connection, event)
    return changed_at


def _update_one_and_audit(database: Path, statement: str, parameters: dict, event: AuditEvent) -> None:
    """One UPDATE ... RETURNING and its audit entry in one write; LookupError when it matched no row."""
    with writable_copy(database) as connection:
        if not connection.execute(statement, parameters).fetchall():
            raise LookupError(parameters)
        append_audit(connection, event)


def unlock_user(database: Path, user_name: str, event: AuditEvent) -> bool:
    """Clear a user's failures and lock; False (nothing written, nothing audited) when it had neither."""
    try:
        with writable_copy(database) as connection:
            row = connection.execute("SELECT failed_sign_ins > 0 OR locked_until IS NOT NULL FROM users "
                                     "WHERE user_name = $name", {"name": user_name}).fetchone()
            if row is None:
                raise LookupError(user_name)
            if not row[0]:
                raise _NothingToWrite()
            connection.execute("UPDATE users SET failed_sign_ins = 0, locked_until = NULL WHERE user_name = $name",
                               {"name": user_name})
            append_audit(connection, event)
    except _NothingToWrite:
        return False
    return True


def record_failed_sign_in(database: Path, user_name: str, now: dt.datetime, max_failures: int,
                          lock_minutes: float, event: AuditEvent) -> tuple[int, dt.datetime | None]:
    """Count a failure in a row, lock the account when there are max_failures of them; both audited.

    Counted inside the write so that attempts racing each other are all counted. Returns the number of
    failures in a row and when the account unlocks, if it is locked.
    """
    with writable_copy(database, SIGN_IN_WRITE_WAIT_SECONDS) as connection:
        # A lock that has run out starts the count afresh: one more failure must not lock again at once.
        row = connection.execute(
            "UPDATE users SET failed_sign_ins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $now THEN 1 "
            "ELSE failed_sign_ins + 1 END, locked_until = CASE WHEN locked_until <= $now THEN NULL ELSE locked_until END "
            "WHERE user_name = $name RETURNING failed_sign_ins",
            {"name": user_name, "now": now.replace(tzinfo=None)},
        ).fetchone()
        if row is None:
            raise LookupError(user_name)
        failures = row[0]
        append_audit(connection, dataclasses.replace(event, detail={**(event.detail or {}), "failures": failures}),
                     occurred_at=now)
        locked_until = None
        if failures >= max_failures:
            locked_until = now.replace(tzinfo=None) + dt.timedelta(minutes=lock_minutes)
            connection.execute("UPDATE users SET locked_until = $until WHERE user_name = $name",
                               {"until": locked_until, "name": user_name})
            append_audit(connection, AuditEvent(
                actor=event.actor, actor_role=event.actor_role, sign_in_method=event.sign_in_method,
                action="account_locked", object_id=user_name,
                detail={"failures": failures, "locked_until": locked_until.isoformat(timespec="seconds")},
            ), occurred_at=now)
    return failures, locked_until


class PasswordChangedMeanwhile(RuntimeError):
    """The password a sign-in checked was replaced (or the account deactivated) before the sign-in was stored."""


def record_sign_in(database: Path, user_name: str, checked_hash: str, event: AuditEvent,
                   password_hash: str | None = None) -> dt.datetime:
    """A successful sign-in: failures reset, the hash upgraded when its parameters were outdated.

    Stored only while the account still has the hash that was checked: a reset that lands between the check
    and this write would otherwise leave a session proven by the old password. Returns the time of the write,
    from which the session's proof dates (any later reset is later still, since writers take turns).
    """
    with writable_copy(database, SIGN_IN_WRITE_WAIT_SECONDS) as connection:
        signed_in_at = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
        if not connection.execute(
            "UPDATE users SET failed_sign_ins = 0, locked_until = NULL, "
            "password_hash = coalesce($hash, password_hash) "
            "WHERE user_name = $name AND password_hash = $checked AND active RETURNING user_name",
            {"name": user_name, "hash": password_hash, "checked": checked_hash},
        ).fetchall():
            raise PasswordChangedMeanwhile(user_name)
        append_audit(connection, event)
    return signed_in_at


def wait_for_write_turn(database: Path) -> None:
    """Wait, as a write would, until no other writer holds the database; DatabaseBusy if that takes too long.

    For answers that write nothing but must not be told apart from those that do (see accounts.sign_in).
    """
    if Path(database).exists():  # no database, no writer to wait for (and no lock file to leave behind)
        with write_lock(Path(database), SIGN_IN_WRITE_WAIT_SECONDS):
            pass


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
    _update_one_and_audit(
        database, "UPDATE stored_corrections SET retracted_by = $by, retracted_at = $at "
        "WHERE correction_id = $id AND retracted_at IS NULL RETURNING correction_id",
        {"by": retracted_by, "at": retracted_at, "id": correction_id}, event)


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


def region_choices(database: Path) -> pd.DataFrame:
    """Every region with its parent's name, for assigning regions to users."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT r.region_code, r.name, r.level, coalesce(p.name, '') AS parent FROM regions r "
            "LEFT JOIN regions p ON p.region_code = r.parent_code ORDER BY r.region_code"
        ).df()
