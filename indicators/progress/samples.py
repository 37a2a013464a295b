"""The shipped sample workbooks (示例数据), read by the same checks as an upload, as reported values marked sample."""
from __future__ import annotations

import datetime as dt
from pathlib import Path

import pandas as pd

from indicators.catalog import Catalog
from indicators.models import reported_values_frame
from indicators.progress.context import ValidationContext, reported_value_of
from indicators.progress.validation import validate_upload
from indicators.regions import RegionTable

SHOWN_PROBLEMS = 5


class SampleWorkbookError(ValueError):
    """A sample workbook fails the checks every upload passes."""


def read_sample_workbook(path: Path, regions: RegionTable, catalog: Catalog) -> pd.DataFrame:
    """Every row of the workbook as a reported value of origin "sample", or an error naming the first problems."""
    context = ValidationContext(regions=regions, catalog=catalog, current_year=dt.date.today().year, last_reports={})
    result = validate_upload(Path(path).read_bytes(), path.name, context)
    if result.errors:
        problems = "；".join(problem.message("zh") for problem in result.errors[:SHOWN_PROBLEMS])
        raise SampleWorkbookError(f"{path.name}：{problems}")
    return reported_values_frame(
        reported_value_of(row, "sample", (path.name, row.row_number), source=f"示例数据（{path.name}）：{row.source or ''}")
        for row in result.rows
    )
