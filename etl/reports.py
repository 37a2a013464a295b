"""Reported values a build derives: statements of status in documents, and the shipped sample progress workbook."""
from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

import pandas as pd
from openpyxl import load_workbook

from indicators.catalog import UNITS, Catalog
from indicators.regions import RegionTable

REPORT_COLUMNS = (
    "reported_id", "origin", "submission_id", "target_id", "region_code", "indicator", "scope", "period",
    "period_year", "value", "unit", "as_of", "source", "note",
)
# The sample workbook's headers, in the layout of the progress sheets evaluators fill in.
SAMPLE_HEADERS = {
    "地区代码": "region_code", "地区名称": "region", "指标代码": "indicator", "指标名称": "indicator_name",
    "范围": "scope", "单位": "unit", "期间": "period", "报告值": "value", "截至日期": "as_of",
    "数据来源": "source", "备注": "note",
}
SAMPLE_SHEET = "进度数据"


class SampleWorkbookError(ValueError):
    """The shipped sample workbook does not have the layout it was generated with."""


def reported_id(*parts) -> str:
    return hashlib.sha256("|".join("" if part is None else str(part) for part in parts).encode()).hexdigest()[:16]


def period_year(period: str) -> int:
    """2021 → 2021; 2021Q3 → 2021."""
    return int(str(period)[:4])


def reports_from_achievements(targets: pd.DataFrame, documents: pd.DataFrame) -> pd.DataFrame:
    """Statements of status ("全程网办率达到91%") become reported values of their region, citing their sentence.

    The period is the year the statement names, or else the year of the document that states it.
    """
    # Catch-all indicators name no comparable measure, so their numbers are not progress reports.
    achieved = targets[(targets["kind"] == "achieved") & ~targets["indicator"].str.endswith("_unclassified")].merge(
        documents[["document_id", "title", "document_number", "issue_year", "issue_date"]], on="document_id", how="left"
    )
    rows = []
    for row in achieved.itertuples(index=False):
        year = row.year if pd.notna(row.year) else row.issue_year
        if pd.isna(year):
            continue
        number = f"（{row.document_number}）" if isinstance(row.document_number, str) else ""
        rows.append({
            "reported_id": reported_id("document", row.target_id),
            "origin": "document",
            "submission_id": None,
            "target_id": row.target_id,
            "region_code": row.region_code,
            "indicator": row.indicator,
            "scope": row.scope,
            "period": str(int(year)),
            "period_year": int(year),
            "value": float(row.value),
            "unit": row.unit,
            "as_of": row.issue_date if isinstance(row.issue_date, dt.date) else None,
            "source": f"{row.title}{number}",
            "note": None if row.comparator == "=" else f"原文表述为 {row.comparator} {row.value:g}",
        })
    return pd.DataFrame(rows, columns=list(REPORT_COLUMNS))


def read_sample_workbook(path: Path, regions: RegionTable, catalog: Catalog) -> pd.DataFrame:
    """The rows of a generated sample workbook as reported values marked origin "sample"."""
    workbook = load_workbook(path, read_only=True, data_only=True)
    try:
        if SAMPLE_SHEET not in workbook.sheetnames:
            raise SampleWorkbookError(f"{path.name}: 缺少工作表“{SAMPLE_SHEET}”")
        rows = workbook[SAMPLE_SHEET].iter_rows(values_only=True)
        header = [str(cell).strip() if cell is not None else "" for cell in next(rows)]
        missing = [name for name in SAMPLE_HEADERS if name not in header]
        if missing:
            raise SampleWorkbookError(f"{path.name}: 缺少列 {'、'.join(missing)}")
        position = {SAMPLE_HEADERS[name]: header.index(name) for name in SAMPLE_HEADERS}
        records = []
        for row_number, cells in enumerate(rows, start=2):
            if all(cell is None for cell in cells):
                continue
            record = {field: cells[index] for field, index in position.items()}
            region = regions.by_code(str(record["region_code"]))
            if record["indicator"] not in catalog or record["unit"] not in UNITS:
                raise SampleWorkbookError(f"{path.name} 第{row_number}行：未知指标或单位 {record['indicator']} {record['unit']}")
            period = str(record["period"])
            as_of = record["as_of"]
            records.append({
                "reported_id": reported_id("sample", path.name, row_number),
                "origin": "sample",
                "submission_id": None,
                "target_id": None,
                "region_code": region.code,
                "indicator": record["indicator"],
                "scope": record["scope"] or None,
                "period": period,
                "period_year": period_year(period),
                "value": float(record["value"]),
                "unit": record["unit"],
                "as_of": as_of.date() if isinstance(as_of, dt.datetime) else as_of,
                "source": f"示例数据（{path.name}）：{record['source']}",
                "note": record["note"],
            })
    finally:
        workbook.close()
    return pd.DataFrame(records, columns=list(REPORT_COLUMNS))
