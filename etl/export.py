"""Targets in DuckDB → a CSV, XLSX or Parquet file with the documented export columns, written atomically."""
from __future__ import annotations

from pathlib import Path

import pandas as pd
from openpyxl import Workbook
from openpyxl.styles import Font

from indicators.files import replaced_atomically
from indicators.store import EXPORT_COLUMNS, export_rows

FORMATS = (".csv", ".xlsx", ".parquet")


class ExportError(ValueError):
    """The export cannot be written as asked."""


def write_xlsx(frame: pd.DataFrame, path: Path) -> None:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "targets"
    sheet.append(list(frame.columns))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for record in frame.itertuples(index=False):
        sheet.append([None if pd.isna(value) else value for value in record])
    # Text is stored as text: a quote that starts with "=" must never become a formula.
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str):
                cell.data_type = "s"
    sheet.freeze_panes = "A2"
    workbook.save(path)


def export_targets(database: Path, out: Path) -> int:
    """Write every target to `out` (format from its suffix); returns the row count."""
    suffix = out.suffix.lower()
    if suffix not in FORMATS:
        raise ExportError(f"不支持的导出格式 {suffix or '(无扩展名)'}；支持 {', '.join(FORMATS)}")
    if not Path(database).exists():
        raise ExportError(f"数据库不存在：{database}；请先运行 python -m etl build")
    frame = export_rows(database)[list(EXPORT_COLUMNS)]
    frame["year"] = frame["year"].astype("Int64")
    with replaced_atomically(out) as temporary:
        if suffix == ".csv":
            frame.to_csv(temporary, index=False, encoding="utf-8")
        elif suffix == ".parquet":
            frame.to_parquet(temporary, index=False)
        else:
            write_xlsx(frame, temporary)
    return len(frame)
