"""The store's reads on the current database, cached per file version and arguments.

Pages call these by reference (`cached.latest_reports(indicator, year, samples)`): each is the store function
of the same name without its first argument, the database path.
"""
from __future__ import annotations

import datetime as dt
import functools
import logging
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import streamlit as st

from indicators import store, views
from indicators.i18n import label, localized_regions
from indicators.paths import database_path
from indicators.regions import NamedRegion, english_labels


def database() -> Path | None:
    """The database file, brought up to the current schema, or None before the first build."""
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


# The store functions wrapped below, by name: the one cached function keys its entries on that name.
_READS: dict[str, Callable] = {}


@st.cache_data(show_spinner=False, max_entries=256)
def _cached_read(name: str, path: str, version: tuple, *arguments, **keywords):
    return _READS[name](Path(path), *arguments, **keywords)


def _on_current_database(read: Callable) -> Callable:
    """`read(database, ...)` of the store as `read(...)` on the current database, cached per data version."""
    _READS[read.__name__] = read

    @functools.wraps(read)
    def on_current_database(*arguments, **keywords):
        path = database()
        if path is None:
            raise FileNotFoundError(database_path())
        return _cached_read(read.__name__, str(path), data_version(path), *arguments, **keywords)

    return on_current_database


active_admin_count = _on_current_database(store.active_admin_count)
audit_actions = _on_current_database(store.audit_actions)
audit_chain_breaks = _on_current_database(store.audit_chain_breaks)
audit_count = _on_current_database(store.audit_count)
audit_entries = _on_current_database(store.audit_entries)
database_summary = _on_current_database(store.database_summary)
documents_by_id = _on_current_database(store.documents_by_id)
documents_for_filter = _on_current_database(store.documents_for_filter)
documents_overview = _on_current_database(store.documents_overview)
indicator_choices = _on_current_database(store.indicator_choices)
indicator_definitions = _on_current_database(store.indicator_definitions)
indicator_scopes = _on_current_database(store.indicator_scopes)
indicator_targets = _on_current_database(store.indicator_targets)
indicator_years = _on_current_database(store.indicator_years)
latest_build_failures = _on_current_database(store.latest_build_failures)
latest_reports = _on_current_database(store.latest_reports)
latest_submissions = _on_current_database(store.latest_submissions)
library_rows = _on_current_database(store.library_rows)
national_targets = _on_current_database(store.national_targets)
region_choices = _on_current_database(store.region_choices)
region_reports = _on_current_database(store.region_reports)
region_targets = _on_current_database(store.region_targets)
regions_with_data = _on_current_database(store.regions_with_data)
report_years = _on_current_database(store.report_years)
stored_corrections = _on_current_database(store.stored_corrections)
submission_changes = _on_current_database(store.submission_changes)
submissions_overview = _on_current_database(store.submissions_overview)
target_detail = _on_current_database(store.target_detail)
targets_table = _on_current_database(store.targets_table)
template_targets = _on_current_database(store.template_targets)
user_record = _on_current_database(store.user_record)
users_overview = _on_current_database(store.users_overview)
year_reports = _on_current_database(store.year_reports)
yearly_reports = _on_current_database(store.yearly_reports)
coverage_counts = _on_current_database(store.coverage_matrix)


def current_year() -> int:
    return dt.date.today().year


@st.cache_data(show_spinner=False, max_entries=16)
def _status_shares(path: str, version: tuple, include: bool, year: int) -> pd.Series:
    return views.status_shares(store.targets_with_latest_reports(Path(path), include), year)


def status_shares(include: bool) -> pd.Series:
    """Cached per data version: deciding every target's status takes a second at county scale."""
    path = database()
    return _status_shares(str(path), data_version(path), include, current_year())


@st.cache_data(show_spinner=False, max_entries=4)
def _english_region_names(path: str, version: tuple) -> dict[str, str]:
    return english_labels(NamedRegion(*row) for row in store.region_names(Path(path)))


def region_names(language_code: str) -> dict[str, str]:
    """Code → the region's name in `language_code` where it is not the Chinese name the store reads: the English
    names (Suzhou, Jiangsu) in English, none in Chinese. For i18n.localized_regions and the maps."""
    path = database()
    if language_code == "zh" or path is None:
        return {}
    return _english_region_names(str(path), data_version(path))


def coverage_matrix(language_code: str) -> pd.DataFrame:
    counts = localized_regions(coverage_counts(), region_names(language_code))
    return views.coverage_pivot(counts, lambda family: label(family, language_code))
