"""Users, their regions, and the writes of signing in: failures, locks, passwords, each with its audit entry."""
from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import duckdb
import pandas as pd

from indicators.store.audit import AuditEvent, append_audit
from indicators.store.connection import read_connection, writable_copy, write_lock

# A sign-in's write waits no longer than this: a visitor at the form should hear "busy", not wait minutes.
SIGN_IN_WRITE_WAIT_SECONDS = 3


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
    """Every user without their password hash, with the regions granted to them: codes, names and extents, in step
    (empty lists become missing values; i18n.localized_users puts them into words)."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT u.user_name, u.display_name, u.role, u.active, u.password_hash IS NOT NULL AS has_password, "
            "u.failed_sign_ins, u.locked_until, u.created_at, u.created_by, u.password_changed_at, "
            "array_agg(g.region_code ORDER BY g.region_code) FILTER (WHERE g.region_code IS NOT NULL) AS region_codes, "
            "array_agg(coalesce(r.name, g.region_code) ORDER BY g.region_code) FILTER (WHERE g.region_code IS NOT NULL) "
            "AS region_names, "
            "array_agg(g.with_subregions ORDER BY g.region_code) FILTER (WHERE g.region_code IS NOT NULL) AS with_subregions "
            "FROM users u LEFT JOIN user_regions g USING (user_name) LEFT JOIN regions r ON r.region_code = g.region_code "
            "GROUP BY u.user_name, u.display_name, u.role, u.active, u.password_hash, u.failed_sign_ins, u.locked_until, "
            "u.created_at, u.created_by, u.password_changed_at ORDER BY u.role, u.user_name"
        ).df()


def active_admin_count(database: Path) -> int:
    if not Path(database).exists():
        return 0
    with read_connection(database) as connection:
        return connection.execute("SELECT count(*) FROM users WHERE role = 'admin' AND active").fetchone()[0]


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
        changed_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
        if not connection.execute(
            "UPDATE users SET password_hash = $hash, password_changed_at = $at, failed_sign_ins = 0, "
            "locked_until = NULL WHERE user_name = $name RETURNING user_name",
            {"hash": password_hash, "at": changed_at, "name": user_name},
        ).fetchall():
            raise LookupError(user_name)
        append_audit(connection, event)
    return changed_at


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
        signed_in_at = dt.datetime.now(dt.UTC).replace(tzinfo=None)
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
