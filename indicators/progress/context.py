"""What the checks are given (regions, catalog, the last reports, the uploader's regions) and what they return."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from indicators.catalog import Catalog
from indicators.models import ReportedValue, reported_value
from indicators.progress.problems import Problem
from indicators.regions import RegionTable


@dataclass(frozen=True)
class ProgressRow:
    sheet: str
    row_number: int
    region_code: str
    indicator: str
    scope: str | None
    period: str  # "2021" or "2021Q3"
    period_year: int
    value: float  # in the indicator's canonical unit
    unit: str  # the indicator's canonical unit
    reported_value: float  # as written, after parsing (95 for "95%", 0.95 read as a fraction, or 95%-formatted)
    reported_unit: str
    as_of: dt.date | None
    source: str | None
    note: str | None


def reported_value_of(row: ProgressRow, origin: str, identity: tuple, source: str,
                      submission_id: str | None = None) -> ReportedValue:
    """A checked row as a reported value; a value converted to the indicator's unit notes what was written."""
    note = row.note
    if row.reported_unit != row.unit:
        original = f"原填报 {row.reported_value:g} {row.reported_unit}"
        note = f"{note}；{original}" if note else original
    return reported_value(
        origin, identity, submission_id=submission_id, region_code=row.region_code, indicator=row.indicator,
        scope=row.scope, period=row.period, value=row.value, unit=row.unit, as_of=row.as_of, source=source, note=note,
    )


@dataclass(frozen=True)
class ValidationContext:
    regions: RegionTable
    catalog: Catalog
    current_year: int
    # (region_code, indicator, scope or None) -> (value in the indicator's canonical unit, period) of the
    # latest stored report; only used for warnings. A dict, or any Mapping that loads on demand (only .get is used).
    last_reports: Mapping
    # Which regions the uploader may write (None: all), and how to name them in the refusal: (zh, en).
    region_allowed: Callable[[str], bool] | None = None
    allowed_regions_text: tuple[str, str] = ("", "")


@dataclass
class ValidationResult:
    file_name: str
    sha256: str
    rows: list[ProgressRow]  # every row that passed its checks, also when other rows failed
    errors: list[Problem]
    warnings: list[Problem]

    @property
    def ok(self) -> bool:
        return not self.errors
