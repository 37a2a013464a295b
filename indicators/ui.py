"""The one module outside pages/ that imports Streamlit: language switch and cached data access."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
import streamlit as st

from etl.paths import database_path
from indicators import store
from indicators.i18n import LANGUAGES


def language() -> str:
    """The UI language, chosen in the sidebar and kept in the URL so a shared link keeps it."""
    current = st.query_params.get("lang", "zh")
    if current not in LANGUAGES:
        current = "zh"
    chosen = st.sidebar.radio(
        "语言 / Language", list(LANGUAGES), index=list(LANGUAGES).index(current),
        format_func=LANGUAGES.get, key="language", horizontal=True,
    )
    st.query_params["lang"] = chosen
    return chosen


def database() -> Path | None:
    path = database_path()
    return path if path.exists() else None


def _version(path: Path) -> float:
    # The build replaces the file, so its modification time identifies the data version.
    return path.stat().st_mtime


@st.cache_data(show_spinner=False)
def _summary(path: str, version: float) -> dict:
    return store.database_summary(Path(path))


@st.cache_data(show_spinner=False)
def _documents(path: str, version: float) -> pd.DataFrame:
    return store.documents_overview(Path(path))


@st.cache_data(show_spinner=False)
def _failures(path: str, version: float) -> pd.DataFrame:
    return store.latest_build_failures(Path(path))


@st.cache_data(show_spinner=False)
def _targets(path: str, version: float, family: str | None) -> pd.DataFrame:
    return store.targets_table(Path(path), family=family)


def summary(path: Path) -> dict:
    return _summary(str(path), _version(path))


def documents(path: Path) -> pd.DataFrame:
    return _documents(str(path), _version(path))


def failures(path: Path) -> pd.DataFrame:
    return _failures(str(path), _version(path))


def targets(path: Path, family: str | None) -> pd.DataFrame:
    return _targets(str(path), _version(path), family)
