"""The append-only, hash-chained audit trail: appended in the same transaction as each change, read by the audit page."""
from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

from indicators.store.connection import DatabaseBusy, read_connection, writable_copy

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
        "occurred_at": (occurred_at or dt.datetime.now(dt.UTC)).replace(tzinfo=None),
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


def update_one_and_audit(database: Path, statement: str, parameters: dict, event: AuditEvent) -> None:
    """One UPDATE ... RETURNING and its audit entry in one write; LookupError when it matched no row."""
    with writable_copy(database) as connection:
        if not connection.execute(statement, parameters).fetchall():
            raise LookupError(parameters)
        append_audit(connection, event)
