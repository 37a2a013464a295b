"""The bytes behind every download button: formula-safe CSV and XLSX, a stable data version and a safe file name."""
from __future__ import annotations

import hashlib
import io
import math
import re
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime

import numpy as np
import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

LANGUAGES = ("zh", "en")
SUFFIXES = (".csv", ".xlsx")
# Spreadsheet programs start a formula (or a DDE call) at these characters; tab and CR starts are abused the same way.
FORMULA_STARTS = ("=", "+", "-", "@")
CONTROL_STARTS = ("\t", "\r")
# Every character str.lstrip() removes (all of them below U+3001), spelled out so that the SQL export
# (formula_start_pattern, used by store.neutralized_sql) skips exactly the same blanks before a formula start.
BLANKS = "".join(chr(code) for code in range(0x3001) if chr(code).isspace())
# ASCII letters, digits, "_" and "-" plus the CJK ideograph blocks; everything else (".", "/", "\\", spaces) is unsafe in a name.
UNSAFE_NAME_CHARACTERS = re.compile(r"[^A-Za-z0-9_\-\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]+")
MAX_NAME_CHARACTERS = 120
# 120 CJK characters are 360 bytes of UTF-8, more than most file systems allow in one name (255).
MAX_NAME_BYTES = 240
MAX_COLUMN_WIDTH = 60

METADATA_LABELS = {
    "title": {"zh": "标题", "en": "Title"},
    "filter": {"zh": "筛选条件：", "en": "Filter: "},
    "generated_at": {"zh": "生成时间（UTC）", "en": "Generated at (UTC)"},
    "data_version": {"zh": "数据版本（SHA-256）", "en": "Data version (SHA-256)"},
    "row_count": {"zh": "行数", "en": "Rows"},
}


@dataclass(frozen=True)
class DownloadMeta:
    title: str
    filters: dict[str, str]
    indicators: pd.DataFrame
    sources: pd.DataFrame
    generated_at: datetime
    language: str = "zh"

    def __post_init__(self):
        if self.language not in LANGUAGES:
            raise ValueError(f"language must be one of {LANGUAGES}, not {self.language!r}")
        # A naive time could be local or UTC; guessing would put a wrong time in every file, so it is refused.
        if self.generated_at.tzinfo is None or self.generated_at.utcoffset() is None:
            raise ValueError("generated_at must be timezone-aware, e.g. datetime.now(timezone.utc)")


def neutralize_formula(value):
    """`value` with a leading apostrophe when it is text a spreadsheet would run as a formula; anything else unchanged."""
    if not isinstance(value, str) or not value:
        return value
    # Excel skips leading spaces before deciding that a cell is a formula, so "  =x" is as dangerous as "=x".
    if value.startswith(CONTROL_STARTS) or value.lstrip(BLANKS).startswith(FORMULA_STARTS):
        return "'" + value
    return value


def formula_start_pattern() -> str:
    """The rule of neutralize_formula as an RE2 pattern (DuckDB's regexp_matches), in plain ASCII."""
    def character_class(characters: str) -> str:
        return "[" + "".join(f"\\x{{{ord(character):x}}}" for character in characters) + "]"
    return f"^(?:{character_class(''.join(CONTROL_STARTS))}|{character_class(BLANKS)}*{character_class(''.join(FORMULA_STARTS))})"


def neutralized(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of `frame` with every text cell, and every text column name, neutralized."""
    result = frame.copy()
    for column in result.columns:
        series = result[column]
        if isinstance(series.dtype, pd.CategoricalDtype):
            # Renaming categories could collide ("=x" → "'=x" next to an existing "'=x"); plain objects cannot.
            series = series.astype(object)
        if pd.api.types.is_object_dtype(series.dtype) or pd.api.types.is_string_dtype(series.dtype):
            mapped = series.map(neutralize_formula, na_action="ignore")
            result[column] = mapped if series.dtype == object else mapped.astype(series.dtype)
    # The header row is a row of cells too.
    return result.rename(columns=lambda name: neutralize_formula(name) if isinstance(name, str) else name)


def _python_scalar(value):
    """numpy and pandas scalars as plain Python values (datetime64 would otherwise become an integer)."""
    if isinstance(value, np.datetime64):
        return pd.Timestamp(value)
    if isinstance(value, np.timedelta64):
        return pd.Timedelta(value)
    if isinstance(value, np.generic):
        return value.item()
    return value


def _is_missing(value) -> bool:
    return pd.api.types.is_scalar(value) and bool(pd.isna(value))


def _canonical(value) -> str | None:
    """One text per value whatever its dtype: 1, 1.0 and Int64 1 agree; NaN, None, NA and NaT are all missing."""
    value = _python_scalar(value)
    if _is_missing(value):
        return None
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def data_version(frame: pd.DataFrame) -> str:
    """SHA-256 of the column names and the rows as canonical CSV, sorted, so row order and dtypes do not matter."""
    # QUOTE_ALL for text and a bare empty field for missing keep "" and NaN apart (csv.QUOTE_NOTNULL needs Python 3.12).
    def line(values) -> str:
        return ",".join("" if text is None else '"' + text.replace('"', '""') + '"' for text in values) + "\n"

    header = line(_canonical(name) or "" for name in frame.columns)
    rows = sorted(line(_canonical(value) for value in record) for record in frame.itertuples(index=False, name=None))
    digest = hashlib.sha256(header.encode("utf-8"))
    for row in rows:
        digest.update(row.encode("utf-8"))
    return digest.hexdigest()


def _safe_part(text: str) -> str:
    return UNSAFE_NAME_CHARACTERS.sub("_", unicodedata.normalize("NFC", str(text))).strip("_")


def file_name(kind: str, filters: dict[str, str], suffix: str) -> str:
    """`bizenv_<kind>_<filter values…><suffix>`, made only of safe characters so it can never leave the download folder."""
    if suffix not in SUFFIXES:
        raise ValueError(f"suffix must be one of {SUFFIXES}, not {suffix!r}")
    parts = [part for part in (_safe_part(text) for text in ("bizenv", kind, *filters.values())) if part]
    stem = "_".join(parts)[:MAX_NAME_CHARACTERS]
    while len(stem.encode("utf-8")) > MAX_NAME_BYTES:
        stem = stem[:-1]
    return stem.rstrip("_") + suffix


def csv_bytes(frame: pd.DataFrame) -> bytes:
    """The frame as CSV: UTF-8 with a BOM so Excel reads the Chinese, formula text neutralized, missing values empty."""
    # "\r\n" (RFC 4180), not "\n": Python 3.11's csv module quotes only fields holding a character of the line
    # terminator, so with "\n" a text with a bare "\r" is written unquoted and splits its row in every reader.
    text = neutralized(frame).to_csv(index=False, lineterminator="\r\n", na_rep="")
    return text.encode("utf-8-sig")


def _cell_value(value):
    """A value openpyxl can store: missing → None, numpy scalars → Python, zones → UTC, illegal characters replaced."""
    value = _python_scalar(value)
    if _is_missing(value):
        return None
    if isinstance(value, datetime) and value.tzinfo is not None:
        # Excel has no time zones; UTC is what the metadata sheet promises.
        return value.astimezone(UTC).replace(tzinfo=None)
    if isinstance(value, str):
        # Control characters make openpyxl refuse the whole workbook; a visible mark is better than no download.
        return ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # Excel cannot read an infinite number and would call the file corrupt
    if isinstance(value, (int, float, date)):
        return value
    return str(value)


class _SheetWriter:
    """Writes rows one after another and remembers where it is, blank rows included."""

    def __init__(self, sheet):
        self.sheet = sheet
        self.row = 0

    def write(self, values, bold: bool = False) -> None:
        self.row += 1
        for column, value in enumerate(values, start=1):
            cell = self.sheet.cell(row=self.row, column=column, value=_cell_value(value))
            # Text is stored as text, so even a string neutralization missed can never become a formula.
            if isinstance(cell.value, str):
                cell.data_type = "s"
            if bold:
                cell.font = Font(bold=True)

    def skip(self) -> None:
        self.row += 1

    def table(self, frame: pd.DataFrame) -> None:
        safe = neutralized(frame)
        self.write(safe.columns, bold=True)
        for record in safe.itertuples(index=False, name=None):
            self.write(record)


def _display_width(value) -> int:
    if value is None:
        return 0
    longest = max(str(value).split("\n"), key=len)
    # CJK characters take two columns of a fixed-width grid.
    return sum(2 if unicodedata.east_asian_width(character) in "WF" else 1 for character in longest)


def xlsx_bytes(frame: pd.DataFrame, meta: DownloadMeta) -> bytes:
    """A workbook with the rows in sheet "data" and what they are (filters, version, definitions, sources) in "metadata"."""
    workbook = Workbook()
    data = workbook.active
    data.title = "data"
    _SheetWriter(data).table(frame)
    data.freeze_panes = "A2"
    for position, column in enumerate(data.iter_cols(), start=1):
        width = max((_display_width(cell.value) for cell in column), default=0)
        data.column_dimensions[get_column_letter(position)].width = min(MAX_COLUMN_WIDTH, max(8, width + 2))

    metadata = _SheetWriter(workbook.create_sheet("metadata"))
    labels = {key: names[meta.language] for key, names in METADATA_LABELS.items()}
    metadata.write([labels["title"], neutralize_formula(meta.title)])
    for key, value in meta.filters.items():
        metadata.write([labels["filter"] + str(key), neutralize_formula(value)])
    metadata.write([labels["generated_at"], meta.generated_at.astimezone(UTC).isoformat(timespec="seconds")])
    metadata.write([labels["data_version"], data_version(frame)])
    metadata.write([labels["row_count"], len(frame)])
    for table in (meta.indicators, meta.sources):
        metadata.skip()
        metadata.table(table)
    metadata.sheet.column_dimensions["A"].width = 24
    metadata.sheet.column_dimensions["B"].width = MAX_COLUMN_WIDTH

    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
