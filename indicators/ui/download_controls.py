"""Download buttons under every chart and for the whole database; files are built only when clicked."""
from __future__ import annotations

import datetime as dt

import pandas as pd
import streamlit as st

from indicators import downloads, store
from indicators.i18n import label, localized_regions
from indicators.paths import database_path
from indicators.ui import cached
from indicators.ui.session import current_language

# --- Downloads ---------------------------------------------------------------------------------

def download_buttons(frame, kind: str, filters: dict, title: str, indicator_codes: list[str],
                     sources: pd.DataFrame | None = None) -> None:
    """CSV (UTF-8 with BOM) and XLSX (with a metadata sheet) of exactly the rows behind a chart.

    `frame` is a DataFrame, or a function returning one when the rows are only worth fetching on a click.
    """
    rows = frame if callable(frame) else (lambda: frame)
    language_code = current_language()
    indicators_frame = cached.indicator_definitions(tuple(sorted(set(indicator_codes))))
    meta = downloads.DownloadMeta(
        title=title, filters={key: str(value) for key, value in filters.items() if value not in (None, "")},
        indicators=indicators_frame, sources=sources if sources is not None else pd.DataFrame(),
        generated_at=dt.datetime.now(dt.UTC), language=language_code,
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
    region_names = cached.region_names(language_code)

    def targets_workbook() -> bytes:
        tables = store.full_export(path)
        meta = downloads.DownloadMeta(
            title=label("download_all", language_code), filters={}, indicators=tables["indicators"],
            sources=tables["documents"], generated_at=dt.datetime.now(dt.UTC), language=language_code,
        )
        return downloads.xlsx_bytes(localized_regions(tables["targets"], region_names), meta)

    left, right = st.columns(2)
    # Built on click only, and the reported values straight from DuckDB: millions of rows never pass pandas.
    left.download_button(
        label("download_all", language_code), targets_workbook,
        file_name=downloads.file_name("all_targets", {}, ".xlsx"), key="all-xlsx",
        mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )
    right.download_button(
        f"{label('reported_values', language_code)} (CSV)", lambda: store.reported_values_csv(path, region_names),
        file_name=downloads.file_name("all_reported_values", {}, ".csv"), mime="text/csv", key="all-reports-csv",
    )


def download_name(kind: str, filters: dict, suffix: str) -> str:
    """A file name built from user text that can never be a path."""
    return downloads.file_name(kind, filters, suffix)
