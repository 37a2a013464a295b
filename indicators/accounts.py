"""Accounts and permissions at work: signing in, managing users, and the checks every write makes first.

Each function takes the acting user and checks their role itself, so a page that forgot to hide a button
still cannot change anything. Messages come in both languages as (zh, en).
"""
from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import threading
import time
import weakref
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from indicators import access, store
from indicators.access import Actor, RegionGrant


class AccountError(ValueError):
    """A refused account operation; args are (zh, en)."""

    def __init__(self, zh: str, en: str):
        super().__init__(zh, en)
        self.zh, self.en = zh, en

    def message(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


class NotPermitted(AccountError):
    """The actor's role or regions do not allow the action."""


def utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC).replace(tzinfo=None)


def event(actor: Actor, action: str, **fields) -> store.AuditEvent:
    return store.AuditEvent(actor=actor.user_name or "anonymous", actor_role=actor.role, sign_in_method=actor.method,
                            action=action, **fields)


def require(actor: Actor, action: str) -> None:
    if not access.can(actor, action, anonymous_view=False):
        raise NotPermitted(
            f"当前身份（{actor.label}，{actor.role or '未登录'}）无权执行此操作",
            f"Your identity ({actor.label}, {actor.role or 'not signed in'}) may not do this",
        )


# --- Who is acting -----------------------------------------------------------------------------

def actor_from_record(record: dict, method: str) -> Actor:
    return Actor(
        user_name=record["user_name"], role=record["role"], method=method, display_name=record.get("display_name"),
        regions=tuple(RegionGrant(code, sub) for code, sub in record.get("regions", [])),
    )


def actor_for(database: Path, user_name: str, method: str, read: Callable = None) -> Actor | None:
    """The actor for a name vouched for by OpenID or the proxy: their stored role, or viewer if not stored.

    None when the user is stored but deactivated.
    """
    record = (read or store.user_record)(database, user_name) if Path(database).exists() else None
    if record is None:
        return Actor(user_name=user_name, role="viewer", method=method)
    if not record["active"]:
        return None
    return actor_from_record(record, method)


def fresh_actor(database: Path, actor: Actor, read: Callable = None, signed_in_at: dt.datetime | None = None) -> Actor | None:
    """The signed-in actor as stored now: role or regions changed by an admin, or deactivation, apply at once.

    A built-in account's session begun before its password last changed ends (None): a reset locks out
    whoever had the old password.
    """
    if not actor.signed_in or actor.method == "cli":
        return actor
    record = (read or store.user_record)(database, actor.user_name)
    if (record is not None and actor.method == "accounts" and signed_in_at is not None
            and record["password_changed_at"] is not None and record["password_changed_at"] > signed_in_at):
        return None
    if record is None:
        # OpenID and the proxy vouch for people an admin has not added: they read, as viewers.
        return Actor(user_name=actor.user_name, role="viewer", method=actor.method) if actor.method in ("oidc", "header") else None
    if not record["active"]:
        return None
    return actor_from_record(record, actor.method)


# --- Signing in with a built-in account ---------------------------------------------------------

@dataclass(frozen=True)
class SignInResult:
    actor: Actor | None
    zh: str = ""
    en: str = ""
    locked_until: dt.datetime | None = None
    checked_at: dt.datetime | None = None  # when the password was found right: the session's proof dates from then

    def message(self, language: str) -> str:
        return self.zh if language == "zh" else self.en


WRONG = ("用户名或密码错误", "Wrong user name or password")

# Failures for names no account has, kept in memory only (a stranger's guesses must not cost a database
# write), so that an unknown name is answered exactly like a known one: same words, delays and lock.
_unknown_names: dict[str, tuple[int, dt.datetime | None]] = {}
_unknown_names_lock = threading.Lock()
UNKNOWN_NAMES_KEPT = 10_000


def _unknown_key(user_name: str) -> str:
    # Keyed by a digest, so a flood of long names costs a few bytes each.
    return hashlib.sha256(user_name.encode("utf-8", "surrogatepass")).hexdigest()


def _unknown_name_failure(user_name: str, now: dt.datetime, settings: access.AccessSettings) -> tuple[int, dt.datetime | None]:
    key = _unknown_key(user_name)
    with _unknown_names_lock:
        failures, locked_until = _unknown_names.pop(key, (0, None))
        if locked_until is not None and locked_until <= now:
            failures, locked_until = 0, None
        if len(_unknown_names) >= UNKNOWN_NAMES_KEPT:
            # Forget the longest-idle name that is not locked: forgetting a lock would tell it from a real one.
            idle = next((name for name, (_, until) in _unknown_names.items() if not access.is_locked(until, now)), None)
            if idle is None:
                return settings.max_failed_sign_ins, now + dt.timedelta(minutes=settings.lock_minutes)
            del _unknown_names[idle]
        failures += 1
        locked_until = access.lock_after_failure(failures, now, settings)
        _unknown_names[key] = (failures, locked_until)  # re-inserted last: the most recently active
        return failures, locked_until


def _unknown_name_lock(user_name: str, now: dt.datetime) -> dt.datetime | None:
    with _unknown_names_lock:
        locked_until = _unknown_names.get(_unknown_key(user_name), (0, None))[1]
    return locked_until if access.is_locked(locked_until, now) else None


# Attempts on one name take turns (each Streamlit session is a thread), so parallel tries cannot all
# be checked before the first failure is counted; and at most two argon2 checks (64 MiB each) run at once.
_name_locks: weakref.WeakValueDictionary[str, threading.Lock] = weakref.WeakValueDictionary()
_name_locks_guard = threading.Lock()


@contextlib.contextmanager
def _name_lock(user_name: str):
    """One lock per name, alive while someone waits on it: other names never queue behind this one."""
    with _name_locks_guard:
        lock = _name_locks.get(user_name)
        if lock is None:
            lock = _name_locks[user_name] = threading.Lock()
    with lock:
        yield
_argon2_slots = threading.BoundedSemaphore(2)
# A failed answer takes at least this long, whether or not it wrote to the database, so timing does not
# tell a known name from an unknown one (unless the write itself takes longer, on a very large database).
FAILURE_ANSWER_FLOOR_SECONDS = 0.5


def _checked_password(password_hash: str | None, password: str) -> bool:
    with _argon2_slots:
        return access.password_matches(password_hash, password)


def locked_answer(locked_until: dt.datetime) -> SignInResult:
    return SignInResult(None, f"账户已锁定，请于 {locked_until:%Y-%m-%d %H:%M} (UTC) 后再试，或请管理员解锁",
                        f"The account is locked until {locked_until:%Y-%m-%d %H:%M} UTC, or until an admin unlocks it",
                        locked_until)


def failure_answer(failures: int, locked_until: dt.datetime | None, settings: access.AccessSettings) -> SignInResult:
    if locked_until is not None:
        return SignInResult(None, f"连续 {failures} 次失败，账户已锁定至 {locked_until:%Y-%m-%d %H:%M} (UTC)",
                            f"{failures} failures in a row: the account is locked until {locked_until:%Y-%m-%d %H:%M} UTC",
                            locked_until)
    left = settings.max_failed_sign_ins - failures
    return SignInResult(None, f"{WRONG[0]}（再错 {left} 次将锁定账户）", f"{WRONG[1]} ({left} more and the account locks)")


def sign_in(database: Path, user_name: str, password: str, settings: access.AccessSettings,
            now: dt.datetime | None = None, sleep: Callable[[float], None] = time.sleep) -> SignInResult:
    """Check a password; failures in a row are answered ever more slowly and then lock the account.

    An unknown name gets the same answers, as slowly, as a known one with a wrong password, so the form
    does not tell which accounts exist. Tries on a locked account are refused without a write.
    """
    user_name = access.normalized_user_name(user_name)
    started = time.monotonic()
    with _name_lock(user_name):
        result, failures = _sign_in_in_turn(database, user_name, password or "", settings, now or utc_now())
    # The failure is counted: the wait happens outside the name's turn, so it delays only this answer.
    if result.actor is None and failures:
        floor = FAILURE_ANSWER_FLOOR_SECONDS if settings.failure_delay_seconds > 0 else 0.0
        sleep(access.failure_delay(failures, settings) + max(0.0, floor - (time.monotonic() - started)))
    return result


def _sign_in_in_turn(database: Path, user_name: str, password: str, settings: access.AccessSettings,
                     now: dt.datetime) -> tuple[SignInResult, int]:
    """(answer, failures in a row counted by this attempt, 0 when none was)."""
    valid_name = access.user_name_problem(user_name) is None
    record = store.user_record(database, user_name) if valid_name and Path(database).exists() else None
    if record is not None and access.is_locked(record["locked_until"], now):
        return locked_answer(record["locked_until"]), 0
    if record is None and (locked_until := _unknown_name_lock(user_name, now)):
        return locked_answer(locked_until), 0
    matches = _checked_password(record["password_hash"] if record else None, password)
    if record is None:
        # A known name's failure is a write, which waits while another writer holds the database (and is then
        # refused as busy): an unknown one waits the same way, so a busy database does not tell them apart.
        store.wait_for_write_turn(database)
        failures, locked_until = _unknown_name_failure(user_name, now, settings)
        return failure_answer(failures, locked_until, settings), failures
    if not matches or not record["active"]:
        attempt = Actor(user_name=user_name, role=record["role"], method="accounts")
        failures, locked_until = store.record_failed_sign_in(
            database, user_name, now, settings.max_failed_sign_ins, settings.lock_minutes,
            event(attempt, "sign_in_failed", object_id=user_name,
                  detail={"reason": "inactive" if matches and not record["active"] else "wrong password"}),
        )
        return failure_answer(failures, locked_until, settings), failures
    actor = actor_from_record(record, "accounts")
    rehashed = access.hash_password(password) if access.needs_rehash(record["password_hash"]) else None
    try:
        checked_at = store.record_sign_in(database, user_name, record["password_hash"], event(
            actor, "sign_in", object_id=user_name, detail={"password_rehashed": True} if rehashed else None), rehashed)
    except store.PasswordChangedMeanwhile:
        # Reset or deactivated between the check and now: the password proved nothing any more.
        return SignInResult(None, *WRONG), 0
    return SignInResult(actor, checked_at=checked_at), 0


def record_external_sign_in(database: Path, actor: Actor) -> None:
    """An OpenID or proxy identity seen for the first time in a session, for the audit trail."""
    store.record_audit(database, event(actor, "sign_in", object_id=actor.user_name))


def record_sign_out(database: Path, actor: Actor, reason: str) -> None:
    store.record_audit(database, event(actor, "sign_out", object_id=actor.user_name, detail={"reason": reason}))


# --- Managing users -------------------------------------------------------------------------------

def checked_grants(database: Path, grants: list[tuple[str, bool]]) -> list[tuple[str, bool]]:
    known = store.region_parents(database)
    unknown = [code for code, _ in grants if code not in known]
    if unknown:
        raise AccountError(f"未知地区代码：{'、'.join(unknown)}", f"Unknown region codes: {', '.join(unknown)}")
    return sorted(set(grants))


def _checked_new_user(user_name: str, role: str) -> None:
    if problem := access.user_name_problem(user_name):
        raise AccountError(*problem)
    if role not in access.ROLES:
        raise AccountError(f"未知角色：{role}", f"Unknown role: {role}")


def create_user(database: Path, by: Actor, user_name: str, role: str, display_name: str | None = None,
                grants: list[tuple[str, bool]] = (), password: str | None = None) -> None:
    """A new user; a password only for built-in accounts (OpenID and proxy users sign in elsewhere)."""
    require(by, "manage_users")
    _create(database, by, user_name, role, display_name, grants, password)


def create_admin(database: Path, os_user: str, user_name: str, password: str) -> None:
    """The command line's way in: whoever holds the server's files may add an admin, e.g. the first one."""
    _create(database, access.command_line_actor(os_user), user_name, "admin", None, [], password)


def _create(database, by, user_name, role, display_name, grants, password) -> None:
    user_name = access.normalized_user_name(user_name)
    _checked_new_user(user_name, role)
    if password is not None and (problem := access.password_problem(password, user_name)):
        raise AccountError(*problem)
    grants = checked_grants(database, list(grants)) if grants else []
    now = utc_now()
    try:
        store.save_user(database, {
            "user_name": user_name, "display_name": (display_name or "").strip() or None, "role": role,
            "password_hash": access.hash_password(password) if password else None, "active": True,
            "created_at": now, "created_by": by.user_name, "password_changed_at": now if password else None,
        }, grants, event(by, "user_created", object_id=user_name,
                         detail={"role": role, "regions": [list(grant) for grant in grants],
                                 "password": bool(password)}), create=True)
    except store.UserExists:
        raise AccountError(f"用户 {user_name} 已存在", f"User {user_name} already exists") from None


def update_user(database: Path, by: Actor, user_name: str, role: str, active: bool, display_name: str | None,
                grants: list[tuple[str, bool]], expected: dict | None = None) -> None:
    """Replace a user's role, state, name and regions; with `expected` (the record the form showed), refuse
    when someone else changed the user in between."""
    require(by, "manage_users")
    user_name = access.normalized_user_name(user_name)
    if role not in access.ROLES:
        raise AccountError(f"未知角色：{role}", f"Unknown role: {role}")
    grants = checked_grants(database, list(grants)) if grants else []
    try:
        store.save_user(database, {"user_name": user_name, "display_name": (display_name or "").strip() or None,
                                   "role": role, "active": bool(active)},
                        grants, event(by, "user_changed", object_id=user_name), create=False, expected=expected)
    except store.UserChangedMeanwhile:
        raise AccountError(f"用户 {user_name} 刚被他人修改，未保存：请刷新页面后再改",
                           f"User {user_name} was just changed by someone else; nothing saved: reload and edit again") from None
    except LookupError:
        raise AccountError(f"没有用户 {user_name}", f"No user {user_name}") from None
    except store.LastAdmin:
        raise AccountError("不能停用或降级最后一位管理员", "The last active admin cannot be deactivated or demoted") from None


def reset_password(database: Path, by: Actor, user_name: str, new_password: str) -> None:
    """An admin sets a user's password (which also unlocks the account)."""
    require(by, "manage_users")
    _set_password(database, by, user_name, new_password, "password_reset")


def change_own_password(database: Path, actor: Actor, old_password: str, new_password: str,
                        settings: access.AccessSettings | None = None) -> dt.datetime:
    """Returns when the new password took effect, from which this session's proof dates."""
    if not actor.signed_in or actor.method != "accounts":
        raise NotPermitted("只有内置账户可以在此修改密码", "Only built-in accounts change their password here")
    settings = settings or access.AccessSettings()
    now = utc_now()
    record = store.user_record(database, actor.user_name)
    if record is None:
        raise AccountError("账户不存在", "The account does not exist")
    if access.is_locked(record["locked_until"], now):
        raise AccountError("账户已锁定，请稍后再试或请管理员解锁", "The account is locked: try later or ask an admin")
    if not _checked_password(record["password_hash"], old_password):
        # Counted like a failed sign-in, so a borrowed session cannot guess the password without limit.
        store.record_failed_sign_in(database, actor.user_name, now, settings.max_failed_sign_ins, settings.lock_minutes,
                                    event(actor, "sign_in_failed", object_id=actor.user_name,
                                          detail={"reason": "wrong current password on a password change"}))
        raise AccountError("原密码不正确", "The current password is wrong")
    return _set_password(database, actor, actor.user_name, new_password, "password_changed")


def reset_password_from_command_line(database: Path, os_user: str, user_name: str, new_password: str) -> None:
    _set_password(database, access.command_line_actor(os_user), user_name, new_password, "password_reset")


def _set_password(database, by, user_name, new_password, action) -> dt.datetime:
    """When the new password took effect."""
    user_name = access.normalized_user_name(user_name)
    if problem := access.password_problem(new_password, user_name):
        raise AccountError(*problem)
    try:
        return store.set_password(database, user_name, access.hash_password(new_password),
                                  event(by, action, object_id=user_name))
    except LookupError:
        raise AccountError(f"没有用户 {user_name}", f"No user {user_name}") from None


def unlock(database: Path, by: Actor, user_name: str) -> bool:
    """Clear a user's failed sign-ins and lock; False when there was neither (then nothing is audited)."""
    require(by, "manage_users")
    user_name = access.normalized_user_name(user_name)
    try:
        return store.unlock_user(database, user_name, event(by, "account_unlocked", object_id=user_name))
    except LookupError:
        raise AccountError(f"没有用户 {user_name}", f"No user {user_name}") from None


def scope_text(actor: Actor, name_of: Callable[[str], str]) -> tuple[str, str]:
    """The actor's regions in words, for refusals: 青海省及其下辖地区."""
    if actor.role == "admin":
        return "全部地区", "all regions"
    if not actor.regions:
        return "未分配任何地区", "no region assigned"
    zh = "、".join(name_of(grant.region_code) + ("及其下辖地区" if grant.with_subregions else "") for grant in actor.regions)
    en = ", ".join(name_of(grant.region_code) + (" and below" if grant.with_subregions else "") for grant in actor.regions)
    return zh, en
