"""The one module outside pages/ that imports Streamlit: navigation, URL state, cached data access, downloads."""
from __future__ import annotations

import datetime as dt
import logging
import os
from pathlib import Path

import pandas as pd
import streamlit as st

from indicators.paths import database_path
from indicators import access, accounts, downloads, store, views
from indicators.i18n import LANGUAGES, ROLE_LABELS, label

PAGE_FILES = {
    "page_compare": "pages/compare.py",
    "page_region": "pages/region.py",
    "page_indicator": "pages/indicator.py",
    "page_library": "pages/library.py",
    "page_upload": "pages/upload.py",
    "page_submissions": "pages/submissions.py",
    "page_users": "pages/users.py",
    "page_maintenance": "pages/maintenance.py",
    "page_audit": "pages/audit.py",
    "page_sign_in": "pages/sign_in.py",
}
# What a page needs before it draws anything; the sidebar lists only pages the visitor may open.
PAGE_PERMISSIONS = {
    "page_home": "view", "page_compare": "view", "page_region": "view", "page_indicator": "view",
    "page_library": "view", "page_submissions": "view", "page_upload": "upload", "page_users": "manage_users",
    "page_maintenance": "correct", "page_audit": "audit", "page_sign_in": None,
}


# --- Language, URL state and navigation --------------------------------------------------------

def sidebar() -> tuple[str, bool]:
    """Language switch, sample-data switch and navigation, the same on every page; returns (language, samples).

    Both choices live in the URL too, so a shared link reopens in the same language and mode.
    """
    for key in ("language", "samples"):
        if key in st.session_state:
            # Re-assigning keeps a widget's value when the user moves to a page that draws it anew.
            st.session_state[key] = st.session_state[key]
    if "language" not in st.session_state:
        requested = st.query_params.get("lang", "zh")
        st.session_state["language"] = requested if requested in LANGUAGES else "zh"
    chosen = st.sidebar.radio("语言 / Language", list(LANGUAGES), format_func=LANGUAGES.get, key="language",
                              horizontal=True)
    st.query_params["lang"] = chosen
    if "samples" not in st.session_state:
        st.session_state["samples"] = st.query_params.get("samples", "1") != "0"
    samples = st.sidebar.toggle(label("show_samples", chosen), key="samples")
    if samples:
        st.query_params.pop("samples", None)
    else:
        st.query_params["samples"] = "0"
    st.sidebar.divider()
    who = actor()
    links = {"page_home": "app.py", **PAGE_FILES}
    for key, path in links.items():
        needed = PAGE_PERMISSIONS[key]
        if needed is None or can(needed):
            shown = label(key, chosen) if key != "page_sign_in" or not who.signed_in else label("page_account", chosen)
            st.sidebar.page_link(path, label=shown, query_params=navigation_parameters(chosen, samples))
    st.sidebar.divider()
    if who.signed_in:
        st.sidebar.caption(label("signed_in_as", chosen).format(user=plain(who.label), role=ROLE_LABELS[who.role][chosen]))
        if access_settings().sign_in != "header" and st.sidebar.button(label("sign_out", chosen), key="sign_out"):
            sign_out("signed out")
            st.rerun()
    else:
        st.sidebar.caption(label("not_signed_in", chosen))
    if who.role == "admin":
        for problem in access_settings().problems:
            st.sidebar.warning(problem)
    return chosen, samples


def page(title_key: str, requires: str | None = "view") -> tuple[str, bool]:
    """Every page's opening: configuration, sidebar, title, the role check, and a clear stop without a database.

    The role check runs on the server before the page draws anything, so a page reached by its URL
    refuses just as one reached from the sidebar.
    """
    st.set_page_config(page_title="bizenv", layout="wide")
    language_code, samples = sidebar()
    st.title(label(title_key, language_code))
    if database() is None:
        st.warning(label("no_database", language_code))
        st.stop()
    if message := st.session_state.pop("auth_notice", None):
        st.warning(message)
    gate(requires, language_code, title_key)
    return language_code, samples


def gate(requires: str | None, language_code: str, page_key: str = "page_home") -> None:
    """Stop the page here, saying why, unless the visitor may do what it needs.

    The sign-in link remembers the page and its URL state, so signing in leads straight back to it.
    """
    if requires is None or can(requires):
        return
    if not actor().signed_in:
        st.info(label("sign_in_needed", language_code))
        back = {name: value for name, value in st.query_params.to_dict().items() if name != "next"}
        st.page_link(PAGE_FILES["page_sign_in"], label=label("page_sign_in", language_code),
                     query_params={**back, "next": page_key})
    else:
        st.error(label("not_permitted", language_code).format(role=ROLE_LABELS[actor().role][language_code]))
    st.stop()


# --- Who is signed in ----------------------------------------------------------------------------

def access_settings() -> access.AccessSettings:
    return access.settings_from(os.environ)


def can(action: str) -> bool:
    return access.can(actor(), action, anonymous_view=access_settings().anonymous_view)


def _user_record(path: Path, user_name: str) -> dict | None:
    # The same signature as store.user_record, read through the per-version cache.
    return cached("user_record", str(path), data_version(path), user_name)


def actor() -> access.Actor:
    """The visitor as the configured sign-in method vouches for them, with role and regions as stored now.

    Sessions expire here, and identities vouched for by OpenID or the proxy are recorded in the audit
    trail the first time a session sees them.
    """
    return _resolve_actor()


def _resolve_actor() -> access.Actor:
    settings = access_settings()
    path = database()
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
            session["signed_in_at"] = min(session["signed_in_at"], dt.datetime.fromtimestamp(issued, dt.timezone.utc).replace(tzinfo=None))
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


def return_after_sign_in() -> None:
    """Back to the page that asked for a sign-in, with its URL state; only pages of this app are targets."""
    wanted = st.query_params.get("next")
    path = {"page_home": "app.py", **PAGE_FILES}.get(wanted or "")
    if path is None or wanted == "page_sign_in":
        st.rerun()
    st.switch_page(path, query_params={name: value for name, value in st.query_params.to_dict().items()
                                       if name != "next"})


def change_own_password(old_password: str, new_password: str) -> str | None:
    """The refusal's message, or None; this session stays signed in, any other of the account ends."""
    try:
        changed_at = accounts.change_own_password(database_path(), actor(), old_password, new_password, access_settings())
    except accounts.AccountError as error:
        return plain(error.message(current_language()))
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
    path = database()
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
    path = database()
    return path is not None and query("active_admin_count") == 0


def region_names() -> dict[str, str]:
    regions = query("regions_with_data")
    return dict(zip(regions["region_code"], regions["name"]))


def actor_scope(language_code: str) -> str:
    """The current actor's regions in words."""
    from indicators.regions import default_region_table

    zh, en = accounts.scope_text(actor(), default_region_table().display_name)
    return zh if language_code == "zh" else en


def run_account_action(function_name: str, *arguments) -> str | None:
    """Call a user or correction function as the current actor (each checks the role itself); the refusal's
    message, or None."""
    from etl import maintenance

    function = {
        "create_user": accounts.create_user, "update_user": accounts.update_user, "unlock": accounts.unlock,
        "reset_password": accounts.reset_password, "add_correction": maintenance.add_correction,
        "retract_correction": maintenance.retract_correction,
    }[function_name]
    try:
        function(database_path(), actor(), *arguments)
    except accounts.AccountError as error:
        return plain(error.message(current_language()))
    except store.DatabaseBusy:
        return label("database_busy", current_language())
    return None


def plain(text) -> str:
    """Text that may hold user input, for Markdown-rendering elements (st.success, st.caption…): shown literally."""
    return views.escaped_markdown(str(text))


def indicator_select(choices: pd.DataFrame, language_code: str, container=st) -> str:
    """The indicator picker, seeded from and kept in the URL."""
    names = dict(zip(choices["indicator_code"], choices[f"label_{language_code}"]))
    codes = list(choices["indicator_code"])
    choice_from_url("indicator", codes, default="enterprise_startup_time")
    indicator = container.selectbox(label("indicator", language_code), codes, format_func=names.get, key="indicator")
    keep_in_url(indicator=indicator)
    return indicator


def navigation_parameters(language_code: str, samples: bool) -> dict:
    return {"lang": language_code, **({} if samples else {"samples": "0"})}


def current_language() -> str:
    return st.session_state.get("language", "zh")


def choice_from_url(name: str, options: list, default=None, first_if_unknown: bool = True):
    """Seed a widget's value from the URL once per session, so a shared link reopens the same view.

    A value not among the options falls back to the default, else to the first option, or to None
    where nothing should be chosen for the visitor (first_if_unknown=False).
    """
    fallback = default if default in options else (options[0] if options and first_if_unknown else None)
    if name not in st.session_state:
        requested = st.query_params.get(name)
        matches = [option for option in options if str(option) == requested]
        st.session_state[name] = matches[0] if matches else fallback
    elif st.session_state[name] not in options and (options or not first_if_unknown):
        st.session_state[name] = fallback


def keep_in_url(**values) -> None:
    for name, value in values.items():
        if value is None or value == "":
            st.query_params.pop(name, None)
        else:
            st.query_params[name] = str(value)


def open_region(region_code: str) -> None:
    st.switch_page(PAGE_FILES["page_region"], query_params={
        "region": region_code, **navigation_parameters(current_language(), st.session_state.get("samples", True))})


def open_statement(target_id: str) -> None:
    st.switch_page(PAGE_FILES["page_library"], query_params={
        "target": target_id, **navigation_parameters(current_language(), st.session_state.get("samples", True))})


def selected_statement(event) -> str | None:
    """The target id of a selected target marker: charts put it in customdata[1] of target points."""
    if not event:
        return None
    for point in event.get("selection", {}).get("points", []):
        custom = point.get("customdata")
        if isinstance(custom, (list, tuple)) and len(custom) > 2 and isinstance(custom[1], str) and len(custom[1]) == 16:
            return custom[1]
    return None


def selected_region(event) -> str | None:
    """The region code of the first selected point, row-independent: charts put it in customdata[0]."""
    if not event:
        return None
    points = event.get("selection", {}).get("points", [])
    for point in points:
        custom = point.get("customdata")
        if custom:
            return str(custom[0] if isinstance(custom, (list, tuple)) else custom)
        location = point.get("location")
        if location:
            return str(location)
    return None


# --- Data, cached by database version -----------------------------------------------------------

def database() -> Path | None:
    path = database_path()
    if not path.exists():
        return None
    try:
        store.ensure_current_schema(path)
    except (store.DatabaseBusy, OSError) as error:
        # Pages that read only old tables still work; the upgrade is tried again on the next run.
        logging.getLogger("bizenv").warning("database schema not brought up to date yet: %s", error)
    return path


def data_version(path: Path) -> tuple[int, int, int]:
    # Every write replaces the file, so its inode, modification time and size identify the data version.
    return store.file_version(path)


@st.cache_data(show_spinner=False, max_entries=256)
def cached(function_name: str, path: str, version: tuple, *arguments, **keywords):
    """Any read function of the store, cached per database version and arguments."""
    return getattr(store, function_name)(Path(path), *arguments, **keywords)


def query(function_name: str, *arguments, **keywords):
    path = database()
    if path is None:
        raise FileNotFoundError(database_path())
    return cached(function_name, str(path), data_version(path), *arguments, **keywords)


def summary(path: Path) -> dict:
    return query("database_summary")


def documents(path: Path) -> pd.DataFrame:
    return query("documents_overview")


def failures(path: Path) -> pd.DataFrame:
    return query("latest_build_failures")


def targets(path: Path, family: str | None) -> pd.DataFrame:
    return query("targets_table", family=family)


def current_year() -> int:
    return dt.date.today().year


@st.cache_data(show_spinner=False, max_entries=16)
def _status_shares(path: str, version: tuple, include: bool, year: int) -> pd.Series:
    return views.status_shares(store.targets_with_latest_reports(Path(path), include), year)


def status_shares(include: bool) -> pd.Series:
    """Cached per data version: deciding every target's status takes a second at county scale."""
    path = database()
    return _status_shares(str(path), data_version(path), include, current_year())


def coverage_matrix(language_code: str) -> pd.DataFrame:
    return views.coverage_pivot(query("coverage_matrix"), lambda family: label(family, language_code))


# --- Downloads ---------------------------------------------------------------------------------

def download_buttons(frame, kind: str, filters: dict, title: str, indicator_codes: list[str],
                     sources: pd.DataFrame | None = None) -> None:
    """CSV (UTF-8 with BOM) and XLSX (with a metadata sheet) of exactly the rows behind a chart.

    `frame` is a DataFrame, or a function returning one when the rows are only worth fetching on a click.
    """
    rows = frame if callable(frame) else (lambda: frame)
    language_code = current_language()
    indicators_frame = query("indicator_definitions", tuple(sorted(set(indicator_codes))))
    meta = downloads.DownloadMeta(
        title=title, filters={key: str(value) for key, value in filters.items() if value not in (None, "")},
        indicators=indicators_frame, sources=sources if sources is not None else pd.DataFrame(),
        generated_at=dt.datetime.now(dt.timezone.utc), language=language_code,
    )
    left, right = st.columns(2)
    # The files are built only when a button is clicked: a county-scale table takes seconds to write.
    left.download_button(
        label("download_csv", language_code), lambda: downloads.csv_bytes(rows()),
        file_name=downloads.file_name(kind, meta.filters, ".csv"), mime="text/csv", key=f"{kind}-csv",
    )
    right.download_button(
        label("download_xlsx", language_code), lambda: downloads.xlsx_bytes(rows(), meta),
        file_name=downloads.file_name(kind, meta.filters, ".xlsx"),
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", key=f"{kind}-xlsx",
    )


def full_download() -> None:
    """The whole database: every target (Excel, with definitions and sources) and every reported value (CSV)."""
    language_code = current_language()
    path = database_path()

    def targets_workbook() -> bytes:
        tables = store.full_export(path)
        meta = downloads.DownloadMeta(
            title=label("download_all", language_code), filters={}, indicators=tables["indicators"],
            sources=tables["documents"], generated_at=dt.datetime.now(dt.timezone.utc), language=language_code,
        )
        return downloads.xlsx_bytes(tables["targets"], meta)

    left, right = st.columns(2)
    # Built on click only, and the reported values straight from DuckDB: millions of rows never pass pandas.
    left.download_button(
        label("download_all", language_code), targets_workbook,
        file_name=downloads.file_name("all_targets", {}, ".xlsx"), key="all-xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    right.download_button(
        f"{label('reported_values', language_code)} (CSV)", lambda: store.reported_values_csv(path),
        file_name=downloads.file_name("all_reported_values", {}, ".csv"), mime="text/csv", key="all-reports-csv",
    )


# --- Progress sheets ---------------------------------------------------------------------------

def template_bytes(region_codes: tuple[str, ...], period: str, language_code: str) -> tuple[bytes, int]:
    """The progress template for the regions and period, and its number of rows."""
    from indicators.progress import template as progress_template

    rows = progress_template.template_rows(query("template_targets", region_codes), list(region_codes), period)
    return progress_template.template_workbook(rows, language_code, long_format=len(region_codes) > 1), len(rows)


def submit_upload(data: bytes, file_name: str):
    """Check and store an upload as the signed-in user (see etl.submissions.submit); the cached pages see it at once."""
    from indicators.progress.submissions import submit

    return submit(data, file_name, actor(), database_path())


def annotated_upload(data: bytes, outcome, language_code: str) -> bytes:
    from indicators.progress.reader import annotated_workbook

    return annotated_workbook(data, outcome.validation, language_code)


def can_annotate(outcome) -> bool:
    """False when the file as a whole was refused (not a workbook, too big): there are no cells to mark."""
    from indicators.progress.reader import can_annotate as workbook_can_be_annotated

    return workbook_can_be_annotated(outcome.validation)


def withdraw_submission(submission_id: str, reason: str) -> tuple[int | None, str | None]:
    """(values restored, None), or (None, why it was refused)."""
    from indicators.progress.submissions import withdraw

    try:
        return withdraw(database_path(), submission_id, actor(), reason=reason or None), None
    except accounts.AccountError as error:
        return None, plain(error.message(current_language()))
    except LookupError:
        return None, label("no_active_submission", current_language())
    except store.DatabaseBusy:
        return None, label("database_busy", current_language())


def may_withdraw(submission_id: str) -> bool:
    from indicators.progress.submissions import may_withdraw as allowed

    return allowed(database_path(), actor(), submission_id)


def download_name(kind: str, filters: dict, suffix: str) -> str:
    """A file name built from user text that can never be a path."""
    return downloads.file_name(kind, filters, suffix)


def problems_table(problems, language_code: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"sheet": problem.sheet, "cell": problem.cell, "value": problem.value,
          "message": problem.message_zh if language_code == "zh" else problem.message_en} for problem in problems],
        columns=["sheet", "cell", "value", "message"],
    )


# --- Maintenance -------------------------------------------------------------------------------

def rebuild_targets(allow_shrink: bool):
    """(build result, None) or (None, why the rebuild was refused); the database is unchanged on refusal."""
    from etl import maintenance
    from etl.build import BuildCheckFailed

    try:
        return maintenance.rebuild(database_path(), actor(), allow_shrink), None
    except accounts.AccountError as error:
        return None, plain(error.message(current_language()))
    except BuildCheckFailed as error:
        return None, plain(error)
    except store.DatabaseBusy:
        return None, label("database_busy", current_language())


def file_corrections_count() -> int:
    from etl.corrections import load_corrections
    from indicators.paths import CORRECTIONS_FILE

    return len(load_corrections(CORRECTIONS_FILE))


def correction_fields() -> dict:
    """The choices an override offers: indicators, units, comparators, kinds."""
    from etl.build import KINDS
    from indicators.attainment import COMPARATORS
    from indicators.catalog import UNITS, default_catalog

    return {"indicator": [indicator.code for indicator in default_catalog().indicators], "unit": list(UNITS),
            "comparator": list(COMPARATORS), "kind": list(KINDS)}
