"""Opening the database: one writer at a time under a lock file, into a copy swapped in whole; shared read-only readers per file version."""
from __future__ import annotations

import contextlib
import fcntl
import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path

import duckdb
import pandas as pd

from indicators.store.schema import MIGRATIONS, SCHEMA, create_schema


class DatabaseBusy(RuntimeError):
    """Another process is writing the database."""


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
    # Columns added since (the migrations), so a database from before them is upgraded too, not only one missing a table.
    expected_columns = {match.groups() for statement in MIGRATIONS
                        if (match := re.match(r"ALTER TABLE (\w+) ADD COLUMN IF NOT EXISTS (\w+)", statement))}
    with read_connection(database) as connection:
        present = {name for (name,) in connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_catalog = 'bizenv'").fetchall()}
        columns = set(connection.execute(
            "SELECT table_name, column_name FROM information_schema.columns WHERE table_catalog = 'bizenv'").fetchall())
    if not expected <= present or not expected_columns <= columns:
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
