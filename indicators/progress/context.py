"""What the checks are given (regions, catalog, the last reports, the uploader's regions) and what they return."""
from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from indicators.catalog import Catalog
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
