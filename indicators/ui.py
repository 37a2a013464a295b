"""The one module outside pages/ that imports Streamlit: navigation, URL state, cached data access, downloads."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd
import streamlit as st

from etl.paths import database_path
from indicators import downloads, store, views
from indicators.i18n import LANGUAGES, label

PAGE_FILES = {
    "page_compare": "pages/compare.py",
    "page_region": "pages/region.py",
    "page_indicator": "pages/indicator.py",
    "page_library": "pages/library.py",
    "page_upload": "pages/upload.py",
    "page_submissions": "pages/submissions.py",
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
    links = {"page_home": "app.py", **PAGE_FILES}
    for key, path in links.items():
        st.sidebar.page_link(path, label=label(key, chosen), query_params=navigation_parameters(chosen, samples))
    return chosen, samples


def page(title_key: str) -> tuple[str, bool]:
    """Every page's opening: configuration, sidebar, title, and a clear stop when there is no database yet."""
    st.set_page_config(page_title="bizenv", layout="wide")
    language_code, samples = sidebar()
    st.title(label(title_key, language_code))
    if database() is None:
        st.warning(label("no_database", language_code))
        st.stop()
    return language_code, samples


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


def choice_from_url(name: str, options: list, default=None):
    """Seed a widget's value from the URL once per session, so a shared link reopens the same view."""
    if name not in st.session_state:
        requested = st.query_params.get(name)
        matches = [option for option in options if str(option) == requested]
        st.session_state[name] = matches[0] if matches else (default if default in options else (options[0] if options else None))
    elif st.session_state[name] not in options and options:
        st.session_state[name] = default if default in options else options[0]


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
    return path if path.exists() else None


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

def download_buttons(frame: pd.DataFrame, kind: str, filters: dict, title: str, indicator_codes: list[str],
                     sources: pd.DataFrame | None = None) -> None:
    """CSV (UTF-8 with BOM) and XLSX (with a metadata sheet) of exactly the rows behind a chart."""
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
        label("download_csv", language_code), lambda: downloads.csv_bytes(frame),
        file_name=downloads.file_name(kind, meta.filters, ".csv"), mime="text/csv", key=f"{kind}-csv",
    )
    right.download_button(
        label("download_xlsx", language_code), lambda: downloads.xlsx_bytes(frame, meta),
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
    from indicators import progress_template

    rows = progress_template.template_rows(query("template_targets", region_codes), list(region_codes), period)
    return progress_template.template_workbook(rows, language_code, long_format=len(region_codes) > 1), len(rows)


def submit_upload(data: bytes, file_name: str, uploaded_by: str):
    """Check and store an upload (see etl.submissions.submit); the cached pages see it at once."""
    from etl.submissions import submit

    return submit(data, file_name, uploaded_by, database_path())


def annotated_upload(data: bytes, outcome, language_code: str) -> bytes:
    from etl.progress_import import annotated_workbook

    return annotated_workbook(data, outcome.validation, language_code)


def can_annotate(outcome) -> bool:
    """False when the file as a whole was refused (not a workbook, too big): there are no cells to mark."""
    from etl.progress_import import can_annotate as workbook_can_be_annotated

    return workbook_can_be_annotated(outcome.validation)


def withdraw_submission(submission_id: str, withdrawn_by: str) -> int:
    from etl.submissions import withdraw

    return withdraw(database_path(), submission_id, withdrawn_by)


def download_name(kind: str, filters: dict, suffix: str) -> str:
    """A file name built from user text that can never be a path."""
    return downloads.file_name(kind, filters, suffix)


def problems_table(problems, language_code: str) -> pd.DataFrame:
    return pd.DataFrame(
        [{"sheet": problem.sheet, "cell": problem.cell, "value": problem.value,
          "message": problem.message_zh if language_code == "zh" else problem.message_en} for problem in problems],
        columns=["sheet", "cell", "value", "message"],
    )
