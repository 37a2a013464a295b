"""The whole database as downloads: the targets export, every table, reported values as CSV, formula cells neutralized."""
from __future__ import annotations

import os
import tempfile
from collections.abc import Mapping
from pathlib import Path

import pandas as pd

from indicators.store.connection import read_connection, sql_string
from indicators.store.targets import TARGET_COLUMNS_FOR_PAGES

EXPORT_COLUMNS = (
    "doc", "line", "section_title", "region_code", "region", "level", "category", "indicator", "scope",
    "value", "value_max", "unit", "comparator", "baseline", "year", "year_explicit", "kind", "quote",
)


def export_rows(database: Path) -> pd.DataFrame:
    """Every target with exactly the export columns, in source order."""
    columns = ", ".join(EXPORT_COLUMNS)
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {columns} FROM targets ORDER BY doc, line, column_offset, value"
        ).df()


def full_export(database: Path) -> dict[str, pd.DataFrame]:
    """Targets, indicators and documents, for the whole-database workbook."""
    with read_connection(database) as connection:
        return {
            "targets": connection.execute(
                f"SELECT {TARGET_COLUMNS_FOR_PAGES} FROM targets t JOIN regions r USING (region_code) "
                "JOIN documents d USING (document_id) ORDER BY t.doc, t.line").df(),
            "indicators": connection.execute("SELECT * FROM indicators ORDER BY indicator_code").df(),
            "documents": connection.execute("SELECT * FROM documents ORDER BY doc, first_line").df(),
        }


def neutralized_sql(expression: str, name: str) -> str:
    """A text column whose formula-like values get a leading apostrophe: downloads.neutralize_formula's rule, in SQL."""
    from indicators.downloads import formula_start_pattern  # only for exports: keeps openpyxl out of every start-up

    return (f"CASE WHEN regexp_matches({expression}, {sql_string(formula_start_pattern())}) "
            f"THEN chr(39) || {expression} ELSE {expression} END AS {name}")


def reported_values_csv(database: Path, region_names: Mapping[str, str] | None = None) -> bytes:
    """Every current reported value as CSV in UTF-8 with BOM, written by DuckDB itself (millions of rows).

    `region_names` (code → name) names the regions it holds, in place of their Chinese names: the English labels.
    """
    names = dict(region_names or {})
    columns = ", ".join([
        "v.region_code", "coalesce(n.name, r.name) AS region", "v.indicator", neutralized_sql("v.scope", "scope"), "v.period", "v.value",
        "v.unit", "v.origin", "v.submission_id", "v.as_of", neutralized_sql("v.source", "source"),
        neutralized_sql("v.note", "note"),
    ])
    handle, name = tempfile.mkstemp(suffix=".csv")
    os.close(handle)
    try:
        with read_connection(database) as connection:
            connection.execute(
                f"COPY (SELECT {columns} FROM current_reports v JOIN regions r USING (region_code) "
                "LEFT JOIN (SELECT unnest($codes) AS region_code, unnest($names) AS name) n USING (region_code) "
                f"ORDER BY v.region_code, v.indicator, v.period) TO {sql_string(name)} (HEADER, DELIMITER ',')",
                {"codes": list(names), "names": list(names.values())},
            )
        return "\ufeff".encode("utf-8") + Path(name).read_bytes()
    finally:
        os.unlink(name)
