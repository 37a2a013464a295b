"""The canonical reported value: one constructor for every way a value arrives (a document, the samples, an upload).

Targets have theirs in `etl.model.Statement` (what extraction finds) and the `targets` table; a reported value is
built only by `reported_value` below, so its id, period year and columns mean the same from every source.
"""
from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, fields
from operator import attrgetter

import pandas as pd

from indicators.vocabulary import ORIGINS, UNITS


@dataclass(frozen=True)
class ReportedValue:
    """One row of `reported_values`: a value of one indicator for one region, scope and period."""

    reported_id: str
    origin: str  # document, sample or submission
    submission_id: str | None
    target_id: str | None  # the statement of status it was read from (origin document)
    region_code: str
    indicator: str
    scope: str | None
    period: str  # "2021" or "2021Q3"
    period_year: int
    value: float  # in `unit`, the indicator's canonical unit
    unit: str
    as_of: dt.date | None
    source: str
    note: str | None


REPORT_COLUMNS = tuple(field.name for field in fields(ReportedValue))

# Which of several reports counts as the latest, everywhere (the store's SQL and the views' pandas both read this):
# the latest period; within it, an upload before a statement in a document before sample data; then the latest
# as-of date; then the id, so the choice never varies from run to run. Where a scope is wanted, a report of that
# scope comes first, then one without a scope, then other scopes by name.
ORIGIN_PRECEDENCE = ("submission", "document", "sample")


def reported_id(*parts) -> str:
    """A stable id from what identifies a value within its origin (the same input gives the same id)."""
    return hashlib.sha256("|".join("" if part is None else str(part) for part in parts).encode()).hexdigest()[:16]


def period_year(period: str) -> int:
    """2021 → 2021; 2021Q3 → 2021."""
    return int(str(period)[:4])


def reported_value(origin: str, identity: tuple, *, region_code: str, indicator: str, scope: str | None, period: str,
                   value: float, unit: str, source: str, as_of: dt.date | None = None, note: str | None = None,
                   submission_id: str | None = None, target_id: str | None = None) -> ReportedValue:
    """The one way to make a reported value; `identity` says what makes it unique within its origin."""
    if origin not in ORIGINS:
        raise ValueError(f"unknown origin {origin!r}; expected one of {ORIGINS}")
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}; expected one of {UNITS}")
    if isinstance(as_of, dt.datetime):
        as_of = as_of.date()
    return ReportedValue(
        reported_id=reported_id(origin, *identity), origin=origin, submission_id=submission_id, target_id=target_id,
        region_code=region_code, indicator=indicator, scope=scope or None, period=str(period),
        period_year=period_year(period), value=float(value), unit=unit, as_of=as_of, source=source, note=note,
    )


def reported_values_frame(values: Iterable[ReportedValue]) -> pd.DataFrame:
    """Reported values as rows of the `reported_values` table, in its column order."""
    # attrgetter, not dataclasses.astuple: astuple deep-copies every field, which dominates a 100,000-row upload.
    row_of = attrgetter(*REPORT_COLUMNS)
    return pd.DataFrame([row_of(value) for value in values], columns=list(REPORT_COLUMNS))
