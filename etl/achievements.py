"""Statements of status in documents ("全程网办率达到91%") → reported values of their region, citing their sentence."""
from __future__ import annotations

import datetime as dt

import pandas as pd

from indicators.models import reported_value, reported_values_frame


def reports_from_achievements(targets: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """The period is the year the statement names, or else the year of the document that states it."""
    # Catch-all indicators name no comparable measure, so their numbers are not progress reports.
    achieved = targets[(targets["kind"] == "achieved") & ~targets["indicator"].str.endswith("_unclassified")].merge(
        documents[["document_id", "title", "document_number", "issue_year", "issue_date"]], on="document_id", how="left"
    )
    values = []
    for row in achieved.itertuples(index=False):
        year = row.year if pd.notna(row.year) else row.issue_year
        if pd.isna(year):
            continue
        number = f"（{row.document_number}）" if isinstance(row.document_number, str) else ""
        values.append(reported_value(
            "document", (row.target_id,), target_id=row.target_id, region_code=row.region_code,
            indicator=row.indicator, scope=row.scope, period=str(int(year)), value=row.value, unit=row.unit,
            as_of=row.issue_date if isinstance(row.issue_date, dt.date) else None, source=f"{row.title}{number}",
            note=None if row.comparator == "=" else f"原文表述为 {row.comparator} {row.value:g}",
        ))
    return reported_values_frame(values)
