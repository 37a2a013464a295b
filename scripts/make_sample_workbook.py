"""Writes data/samples/progress_sample.xlsx: plausible reported values, clearly marked as sample data (示例数据).

The values are invented around the targets that policy documents set, so a fresh install shows
real comparisons; the app marks every sample value and can hide them. Deterministic: the same
seed gives the same workbook. Run: .venv/bin/python scripts/make_sample_workbook.py
"""
from __future__ import annotations

import datetime as dt
import random
import sys
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))

from indicators.catalog import default_catalog  # noqa: E402
from indicators.progress.layout import COLUMNS  # noqa: E402
from indicators.regions import default_region_table  # noqa: E402

OUT = REPO_DIR / "data" / "samples" / "progress_sample.xlsx"
SAMPLE_SHEET = "进度数据"
# The progress sheet's columns an evaluator fills in; the build reads the workbook with the upload checks.
SAMPLE_HEADERS = [column.header_zh for column in COLUMNS if column.field not in ("target", "target_source")]
YEARS = (2019, 2020, 2021, 2022)
REGIONS = (
    "140000", "230000", "330000", "340000", "370000", "420000", "430000", "440000", "500000", "520000", "630000",
    "440100", "440700", "371300", "500101", "330784",
)
# indicator, unit, scope, range of the 2019 value, yearly change (factor for times, points for rates), bounds
SERIES = (
    ("enterprise_startup_time", "working_day", None, (3.0, 6.0), 0.7, (0.5, 10)),
    ("power_connection_time", "working_day", "低压非居民用户", (10.0, 25.0), 0.75, (2, 40)),
    ("property_registration_time", "working_day", "一般登记", (8.0, 15.0), 0.7, (1, 30)),
    ("construction_permit_time", "working_day", "工程建设项目审批全流程", (90.0, 150.0), 0.8, (30, 200)),
    ("export_tax_refund_time", "working_day", "正常出口退税业务", (8.0, 15.0), 0.8, (2, 20)),
    ("online_service_rate", "percent", "行政审批事项", (55.0, 80.0), 8.0, (0, 100)),
    ("tax_payment_time", "hour", None, (120.0, 160.0), 0.9, (40, 200)),
)


def sample_rows(seed: int = 2021) -> list[list]:
    generator = random.Random(seed)
    regions = default_region_table()
    catalog = default_catalog()
    rows = []
    for code in REGIONS:
        region = regions.by_code(code)
        for indicator, unit, scope, (low, high), change, (floor, ceiling) in SERIES:
            value = generator.uniform(low, high)
            for year in YEARS:
                noise = generator.uniform(0.9, 1.1)
                shown = round(min(max(value * noise if unit != "percent" else value, floor), ceiling), 1)
                rows.append([
                    region.code, region.name, indicator, catalog[indicator].label_zh, scope, unit, str(year), shown,
                    dt.date(year, 12, 31), "示例数据，非官方统计", "仅供演示",
                ])
                value = value + change if unit == "percent" else value * change
    return rows


def write_workbook(path: Path = OUT) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = SAMPLE_SHEET
    sheet.append(SAMPLE_HEADERS)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
        cell.fill = PatternFill("solid", fgColor="FFF2CC")
    for row in sample_rows():
        sheet.append(row)
    for column in sheet.columns:
        sheet.column_dimensions[column[0].column_letter].width = 16
    sheet.freeze_panes = "A2"
    notice = workbook.create_sheet("说明")
    notice.append(["本工作簿为示例数据（示例数据），数值为围绕政策目标生成的演示值，不代表任何地区的真实进展。"])
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)


if __name__ == "__main__":
    write_workbook()
    print(f"wrote {OUT}")
