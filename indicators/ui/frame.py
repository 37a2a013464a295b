"""What every page shares: configuration, sidebar, title, the role gate, URL state and navigation between pages."""
from __future__ import annotations

import pandas as pd
import streamlit as st

from indicators import views
from indicators.i18n import LANGUAGES, ROLE_LABELS, label
from indicators.ui import cached
from indicators.ui.session import access_settings, actor, can, current_language, sign_out

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
    if cached.database() is None:
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


def return_after_sign_in() -> None:
    """Back to the page that asked for a sign-in, with its URL state; only pages of this app are targets."""
    wanted = st.query_params.get("next")
    path = {"page_home": "app.py", **PAGE_FILES}.get(wanted or "")
    if path is None or wanted == "page_sign_in":
        st.rerun()
    st.switch_page(path, query_params={name: value for name, value in st.query_params.to_dict().items()
                                       if name != "next"})


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
