"""Reported values as the pages read them: the latest report per region, indicator, scope and period, and their history."""
from __future__ import annotations

from pathlib import Path

import pandas as pd

from indicators.models import ORIGIN_PRECEDENCE
from indicators.store.connection import read_connection

# --- Queries behind the pages -------------------------------------------------------------------

# The rule of indicators.models (ORIGIN_PRECEDENCE) as an ORDER BY; every "latest report" query orders by this.
# The origins are fixed words of the vocabulary, never user input, so they are written into the statement.
LATEST_FIRST = (
    "v.period DESC, CASE v.origin "
    + " ".join(f"WHEN '{origin}' THEN {rank}" for rank, origin in enumerate(ORIGIN_PRECEDENCE))
    + f" ELSE {len(ORIGIN_PRECEDENCE)} END, v.as_of DESC NULLS LAST, v.reported_id"
)
REPORT_COLUMNS_FOR_PAGES = (
    "v.reported_id, v.origin, v.region_code, r.name AS region, r.level, r.parent_code, v.indicator, v.scope, "
    "v.period, v.period_year, v.value, v.unit, v.as_of, v.source, v.note"
)


def origins(include_samples: bool) -> list[str]:
    return ["document", "submission", "sample"] if include_samples else ["document", "submission"]


def indicator_years(database: Path, indicator: str, include_samples: bool) -> list[int]:
    with read_connection(database) as connection:
        rows = connection.execute(
            "SELECT year FROM targets WHERE indicator = $indicator AND year IS NOT NULL "
            "UNION SELECT period_year FROM current_reports WHERE indicator = $indicator "
            "AND origin IN (SELECT unnest($origins)) ORDER BY 1",
            {"indicator": indicator, "origins": origins(include_samples)},
        ).fetchall()
    return [int(year) for (year,) in rows]


def latest_reports(database: Path, indicator: str, year: int | None, include_samples: bool) -> pd.DataFrame:
    """For each region and scope, the latest report of one indicator (within `year` when given)."""
    condition = "AND v.period_year = $year" if year is not None else ""
    parameters = {"indicator": indicator, "origins": origins(include_samples)}
    if year is not None:
        parameters["year"] = year
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT * FROM (SELECT {REPORT_COLUMNS_FOR_PAGES}, ROW_NUMBER() OVER ("
            f"PARTITION BY v.region_code, v.scope ORDER BY {LATEST_FIRST}) AS recency "
            "FROM current_reports v JOIN regions r USING (region_code) "
            f"WHERE v.indicator = $indicator AND v.origin IN (SELECT unnest($origins)) {condition}) AS ranked "
            "WHERE recency = 1 ORDER BY region_code",
            parameters,
        ).df().drop(columns="recency")


def yearly_reports(database: Path, indicator: str, include_samples: bool, region_codes: list[str] | None = None) -> pd.DataFrame:
    """One value per region, scope and year (the year's latest), for time series."""
    region_condition = "AND v.region_code IN (SELECT unnest($regions))" if region_codes else ""
    parameters = {"indicator": indicator, "origins": origins(include_samples)}
    if region_codes:
        parameters["regions"] = region_codes
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT * FROM (SELECT {REPORT_COLUMNS_FOR_PAGES}, ROW_NUMBER() OVER ("
            f"PARTITION BY v.region_code, v.scope, v.period_year ORDER BY {LATEST_FIRST}) AS recency "
            "FROM current_reports v JOIN regions r USING (region_code) "
            f"WHERE v.indicator = $indicator AND v.origin IN (SELECT unnest($origins)) {region_condition}) AS ranked "
            "WHERE recency = 1 ORDER BY region_code, period_year",
            parameters,
        ).df().drop(columns="recency")


def region_reports(database: Path, region_code: str, include_samples: bool) -> pd.DataFrame:
    with read_connection(database) as connection:
        return connection.execute(
            f"SELECT {REPORT_COLUMNS_FOR_PAGES} FROM current_reports v JOIN regions r USING (region_code) "
            "WHERE v.region_code = $code AND v.origin IN (SELECT unnest($origins)) ORDER BY v.indicator, v.period",
            {"code": region_code, "origins": origins(include_samples)},
        ).df()


def targets_with_latest_reports(database: Path, include_samples: bool) -> pd.DataFrame:
    """Every target with its region's latest report of the same indicator (scope compatible), for status shares."""
    with read_connection(database) as connection:
        return connection.execute(
            # The latest report per region, indicator and scope first (small), then one per target: the same
            # scope before a report or target without one. LATEST_FIRST orders by period first, so only rows of
            # each group's newest period can come first: an aggregate finds that period, and the window ranks
            # just those rows instead of sorting every report. Samples are left out by a plain condition, not
            # a semi-join on a list, which would have DuckDB keep the whole scan in memory for its two uses
            # (bench/queries.py at county scale: 1.9 s and 1.2 GB before, 0.5 s and 0.5 GB after).
            "WITH newest AS (SELECT region_code, indicator, scope, max(period) AS period FROM current_reports "
            "WHERE $samples OR origin <> 'sample' GROUP BY region_code, indicator, scope), "
            "latest AS (SELECT * FROM (SELECT v.region_code, v.indicator, v.scope, v.value, v.unit, v.period, "
            f"v.period_year, ROW_NUMBER() OVER (PARTITION BY v.region_code, v.indicator, v.scope ORDER BY {LATEST_FIRST}) "
            "AS recency FROM current_reports v JOIN newest n ON n.region_code = v.region_code AND n.indicator = v.indicator "
            "AND n.scope IS NOT DISTINCT FROM v.scope AND n.period = v.period "
            "WHERE $samples OR v.origin <> 'sample') AS ranked WHERE recency = 1) "
            "SELECT target_id, region_code, indicator, scope, category, value, value_max, unit, comparator, baseline, "
            "year, reported_value, reported_unit, reported_year, reported_scope FROM (SELECT t.target_id, t.region_code, "
            "t.indicator, t.scope, t.category, t.value, t.value_max, t.unit, t.comparator, t.baseline, t.year, "
            "l.value AS reported_value, l.unit AS reported_unit, l.period_year AS reported_year, l.scope AS reported_scope, "
            # As views.latest_report: the target's scope, then none, then any other; the newest period; and,
            # between two other scopes of one period, the first by name, so the choice never varies by run.
            "ROW_NUMBER() OVER (PARTITION BY t.target_id ORDER BY CASE WHEN l.scope = t.scope THEN 0 "
            "WHEN l.scope IS NULL THEN 1 ELSE 2 END, l.period DESC, l.scope) AS choice "
            "FROM targets t LEFT JOIN latest l ON l.region_code = t.region_code AND l.indicator = t.indicator "
            "AND (l.scope = t.scope OR l.scope IS NULL OR t.scope IS NULL) "
            "WHERE t.kind = 'target' AND t.indicator NOT LIKE '%\\_unclassified' ESCAPE '\\') AS chosen WHERE choice = 1",
            {"samples": include_samples},
        ).df()


def report_years(database: Path, indicator: str, include_samples: bool) -> list[int]:
    with read_connection(database) as connection:
        rows = connection.execute(
            "SELECT DISTINCT period_year FROM current_reports WHERE indicator = $indicator "
            "AND origin IN (SELECT unnest($origins)) ORDER BY 1",
            {"indicator": indicator, "origins": origins(include_samples)},
        ).fetchall()
    return [int(year) for (year,) in rows]


def year_reports(database: Path, year: int, include_samples: bool) -> pd.DataFrame:
    """Each region's latest report of every named indicator within one year, for composite scores."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT region_code, region, indicator, scope, period, value, unit FROM (SELECT v.region_code, "
            "r.name AS region, v.indicator, v.scope, v.period, v.value, v.unit, ROW_NUMBER() OVER ("
            f"PARTITION BY v.region_code, v.indicator, v.scope ORDER BY {LATEST_FIRST}) AS recency "
            "FROM current_reports v JOIN regions r USING (region_code) "
            "WHERE v.period_year = $year AND v.origin IN (SELECT unnest($origins)) "
            "AND v.indicator NOT LIKE '%\\_unclassified' ESCAPE '\\') AS ranked WHERE recency = 1",
            {"year": year, "origins": origins(include_samples)},
        ).df()


def latest_values_by_key(database: Path) -> pd.DataFrame:
    """The latest current value of every region, indicator and scope, for upload warnings."""
    with read_connection(database) as connection:
        return connection.execute(
            "SELECT region_code, indicator, scope, period, value FROM (SELECT v.region_code, v.indicator, v.scope, "
            f"v.period, v.value, ROW_NUMBER() OVER (PARTITION BY v.region_code, v.indicator, v.scope ORDER BY {LATEST_FIRST}) "
            "AS recency FROM current_reports v WHERE v.origin <> 'sample') AS ranked WHERE recency = 1"
        ).df()
