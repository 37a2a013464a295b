"""The visitor's session: the language chosen and who is signed in, by built-in account, OpenID or proxy header."""
from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import streamlit as st

from indicators import access, accounts, store, views
from indicators.i18n import label
from indicators.paths import database_path
from indicators.ui import cached

# --- Who is signed in ----------------------------------------------------------------------------

def access_settings() -> access.AccessSettings:
    return access.settings_from(os.environ)


def can(action: str) -> bool:
    return access.can(actor(), action, anonymous_view=access_settings().anonymous_view)


def _user_record(path: Path, user_name: str) -> dict | None:
    # The signature accounts expects of store.user_record; `path` is always the current database.
    return cached.user_record(user_name)


def actor() -> access.Actor:
    """The visitor as the configured sign-in method vouches for them, with role and regions as stored now.

    Sessions expire here, and identities vouched for by OpenID or the proxy are recorded in the audit
    trail the first time a session sees them.
    """
    return _resolve_actor()


def _resolve_actor() -> access.Actor:
    settings = access_settings()
    path = cached.database()
    if path is None:
        return access.ANONYMOUS
    now = accounts.utc_now()
    session = st.session_state.get("auth")
    if settings.sign_in == "oidc":
        if not getattr(st.user, "is_logged_in", False):
            st.session_state.pop("auth", None)
            return access.ANONYMOUS
        claims = st.user.to_dict()
        session = _external_session(path, access.oidc_user_name(claims, settings.oidc_accept_unverified) or "",
                                    "oidc", session, now)
        # iat, not auth_time: the provider's single sign-on may be older than any session here should be.
        issued = claims.get("iat")
        if session is not None and isinstance(issued, (int, float)):
            # Streamlit's identity cookie outlives a browser session; the provider's sign-in time bounds it.
            session["signed_in_at"] = min(session["signed_in_at"], dt.datetime.fromtimestamp(issued, dt.UTC).replace(tzinfo=None))
    elif settings.sign_in == "header":
        headers = st.context.headers
        name = access.trusted_header_name(headers.get_all(settings.trusted_header),
                                          headers.get_all(settings.proxy_secret_header), settings)
        client = st.context.ip_address  # None for a client on this machine (Streamlit hides loopback addresses)
        if settings.proxy_secret is None and client is not None and not access.is_loopback(client):
            # Without a shared secret only a proxy on this machine is believed, however the app was started.
            # A second line only: the secret is the dependable check.
            name = None
        session = _external_session(path, name or "", "header", session, now)
        if session is not None:
            session["last_seen"] = now  # the proxy decides how long its sign-in lasts
    if session is None:
        return access.ANONYMOUS
    if access.session_expired(session["signed_in_at"], session["last_seen"], now, settings):
        sign_out("expired")
        st.session_state["auth_notice"] = label("session_expired", current_language())
        return access.ANONYMOUS
    session["last_seen"] = now
    fresh = accounts.fresh_actor(path, access.Actor(user_name=session["user_name"], role=None, method=session["method"]),
                                 read=_user_record, signed_in_at=session.get("password_checked_at", session["signed_in_at"]))
    if fresh is None:
        st.session_state.pop("auth", None)
        return access.ANONYMOUS
    return fresh


# When each OpenID identity was last active in this process: a reload starts a new Streamlit session, which
# must not reset the idle limit while the provider's cookie still vouches for the user.
_external_last_seen: dict[tuple[str, str], dt.datetime] = {}


def _external_session(path: Path, name: str, method: str, session: dict | None, now: dt.datetime) -> dict | None:
    """The session of an identity OpenID or the proxy vouches for, begun (and audited) when the name is new to it."""
    if not name:
        st.session_state.pop("auth", None)
        return None
    if session is not None and session.get("user_name") == name and session.get("method") == method:
        _external_last_seen[(method, name)] = now
        return session
    last_seen = _external_last_seen.get((method, name))
    if last_seen is not None:
        # A new browser session of an identity this process knows carries on (OpenID: idle limit and all)
        # without another audit entry, so reloads cost no database write.
        session = st.session_state["auth"] = {"user_name": name, "method": method, "signed_in_at": now,
                                              "last_seen": last_seen if method == "oidc" else now}
        return session
    found = accounts.actor_for(path, name, method, read=_user_record)
    if found is None:
        st.session_state.pop("auth", None)
        return None
    accounts.record_external_sign_in(path, found)
    _external_last_seen[(method, name)] = now
    session = st.session_state["auth"] = {"user_name": name, "method": method, "signed_in_at": now, "last_seen": now}
    return session


def sign_in_with_password(user_name: str, password: str) -> accounts.SignInResult:
    try:
        result = accounts.sign_in(database_path(), user_name, password, access_settings())
    except store.DatabaseBusy:
        return accounts.SignInResult(None, label("database_busy", "zh"), label("database_busy", "en"))
    if result.actor is not None:
        now = accounts.utc_now()
        st.session_state["auth"] = {"user_name": result.actor.user_name, "method": "accounts",
                                    "signed_in_at": now, "last_seen": now,
                                    "password_checked_at": result.checked_at or now}
    return result


def change_own_password(old_password: str, new_password: str) -> str | None:
    """The refusal's message, or None; this session stays signed in, any other of the account ends."""
    try:
        changed_at = accounts.change_own_password(database_path(), actor(), old_password, new_password, access_settings())
    except accounts.AccountError as error:
        return views.escaped_markdown(error.message(current_language()))
    except store.DatabaseBusy:
        return label("database_busy", current_language())
    # This session proved the new password; the total session limit still counts from signing in.
    st.session_state["auth"]["password_checked_at"] = changed_at
    return None


def sign_out(reason: str) -> None:
    """End the session here; OpenID sign-outs also clear Streamlit's identity cookie."""
    session = st.session_state.pop("auth", None)
    if session:
        _external_last_seen.pop((session["method"], session["user_name"]), None)
    path = cached.database()
    if session and path is not None:
        accounts.record_sign_out(path, access.Actor(user_name=session["user_name"], role=None, method=session["method"]),
                                 reason)
    if session and session.get("method") == "oidc":
        st.logout()


def sign_in_method() -> str:
    return access_settings().sign_in


def unusable_oidc_identity() -> bool:
    """The provider signed someone in whose identity cannot be used here (no verified e-mail)."""
    settings = access_settings()
    return (settings.sign_in == "oidc" and bool(getattr(st.user, "is_logged_in", False))
            and access.oidc_user_name(st.user.to_dict(), settings.oidc_accept_unverified) is None)


def oidc_configuration_problem(language_code: str) -> str | None:
    """What keeps st.login from working here, in the user's language, or None."""
    # load_if_toml_exists probes without drawing Streamlit's own "no secrets" error on the page.
    auth = st.secrets.get("auth") if st.secrets.load_if_toml_exists() else None
    problem = access.oidc_configuration_problem(auth)
    return None if problem is None else problem[0 if language_code == "zh" else 1]


def admin_missing() -> bool:
    path = cached.database()
    return path is not None and cached.active_admin_count() == 0


def actor_scope(language_code: str) -> str:
    """The current actor's regions in words, each named in `language_code` (a county by its Chinese path)."""
    from indicators.regions import default_region_table

    names = cached.region_names(language_code)
    zh, en = accounts.scope_text(actor(), lambda code: names.get(code) or default_region_table().display_name(code))
    return zh if language_code == "zh" else en


def current_language() -> str:
    return st.session_state.get("language", "zh")
