"""Checks an uploaded progress workbook (.xlsx/.xlsm/.csv) in full and returns its rows and every problem found."""
from __future__ import annotations

import codecs
import csv
import datetime as dt
import difflib
import functools
import hashlib
import html
import io
import math
import posixpath
import re
import unicodedata
import warnings
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal
from operator import itemgetter
from typing import NamedTuple

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel
from openpyxl.workbook import Workbook

from indicators.attainment import convert
from indicators.catalog import Catalog, Indicator
from indicators.progress import layout
from indicators.regions import RegionTable, UnknownRegion

ERROR = "error"
WARNING = "warning"
CSV_SHEET = "CSV"
HEADER_SEARCH_ROWS = 10
MIN_YEAR = 2000
MAX_COMPRESSION_RATIO = 100
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and also password-protected .xlsx
FIRST_BLOCK = 64 * 1024  # enough for the header rows, so probing a sheet does not inflate all of it
BLOCK = 4 * 1024 * 1024  # bounds memory whatever the sheet's size
SHOWN_VALUE_LENGTH = 40
NOT_A_WORKBOOK_ZH = "文件不是有效的 Excel 工作簿（.xlsx）"
NOT_A_WORKBOOK_EN = "The file is not a valid Excel workbook (.xlsx)"
ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")

REQUIRED_FIELDS = tuple(column.field for column in layout.COLUMNS if column.required)
# Locked template columns (names, targets) are for the evaluator's eyes; only these are imported.
IMPORTED_FIELDS = ("region_code", "region", "indicator", "scope", "unit", "period", "value", "as_of", "source", "note")

UNIT_NAMES_ZH = {
    "working_day": "工作日", "day": "天（自然日）", "hour": "小时", "minute": "分钟", "month": "月", "item": "项",
    "step": "个环节", "times": "次", "percent": "%", "yuan": "元", "enterprise": "户", "other": "其他",
}
UNIT_NAMES_EN = {
    "working_day": "working days", "day": "calendar days", "hour": "hours", "minute": "minutes", "month": "months",
    "item": "items", "step": "steps", "times": "times", "percent": "percent", "yuan": "yuan",
    "enterprise": "enterprises", "other": "other",
}
# How evaluators write units, compared after NFKC, without spaces, in lower case.
UNIT_WORDS = {
    **{code: code for code in UNIT_NAMES_ZH},
    "工作日": "working_day", "个工作日": "working_day",
    "天": "day", "日": "day", "自然日": "day", "日历日": "day",
    "小时": "hour", "个小时": "hour",
    "分钟": "minute",
    "个月": "month", "月": "month",
    "项": "item", "件": "item",
    "个环节": "step", "环节": "step",
    "次": "times",
    "%": "percent", "百分比": "percent",
    "元": "yuan",
    "户": "enterprise", "家": "enterprise",
}
CALENDAR_SPANS = frozenset({"working_day", "day", "hour", "minute"})
SPAN_NAMES_ZH = {"working_day": "工作日", "day": "自然日", "hour": "小时", "minute": "分钟"}
# Counts, amounts and durations cannot fall below zero; rates can (the growth of market entities).
NON_NEGATIVE_UNITS = frozenset(UNIT_NAMES_ZH) - {"percent", "other"}

NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
GROUPED_NUMBER_TEXT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# "3个工作日", "5 days": a number followed by words, most likely a unit typed into the value cell.
NUMBER_WITH_WORDS = re.compile(r"[+-]?[\d.,]+\s*[^\d\s.,%+-].*", re.S)
CODE_TEXT = re.compile(r"\d{6}")
CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}
YEAR_TEXT = re.compile(r"(\d{4})(?:年度?)?")
QUARTER_TEXT = re.compile(r"(\d{4})(?:年度?)?[-_/]?(?:[Qq]([1-4])|第?([1-4一二三四])季度?)")
DATE_TEXT = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)")
RANGE_REFERENCE = re.compile(r"\$?([A-Z]{1,3})\$?(\d+)(?::\$?([A-Z]{1,3})\$?(\d+))?")

ATTRIBUTE = re.compile(rb"([\w:.-]+)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
FORMULA = re.compile(rb"<(?:[\w.-]+:)?f(?=[\s/>])[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?f>)", re.S)
VALUE = re.compile(rb"<(?:[\w.-]+:)?v(?=[\s/>])[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?v>)", re.S)
PHONETIC = re.compile(rb"<(?:[\w.-]+:)?rPh\b.*?</(?:[\w.-]+:)?rPh>", re.S)
TEXT_RUN = re.compile(rb"<(?:[\w.-]+:)?t(?=[\s/>])[^>]*?(?:/>|>(.*?)</(?:[\w.-]+:)?t>)", re.S)
CELL_REF_ATTRIBUTE = re.compile(rb"\sr\s*=\s*[\"']([A-Z]{1,3})\d+[\"']")
ROW_NUMBER_ATTRIBUTE = re.compile(rb"\br\s*=\s*[\"'](\d+)[\"']")
HIDDEN_ATTRIBUTE = re.compile(rb"\bhidden\s*=\s*[\"'](?:1|true)[\"']|\bht\s*=\s*[\"']0(?:\.0*)?[\"']")
ROOT_PREFIX = re.compile(rb"<([\w.-]+:)?worksheet[\s>]")
MERGE_REFERENCE = re.compile(rb"<(?:[\w.-]+:)?mergeCell\s[^<>]*?\bref\s*=\s*[\"']([^\"'<>]+)[\"']")
COLUMN_ELEMENT = re.compile(rb"<(?:[\w.-]+:)?col\s([^<>]*)>")
SHEET_DATA = re.compile(rb"<(?:[\w.-]+:)?sheetData[\s/>]")
# Quoted text, [colour]/[locale] blocks and escaped characters never make a format a percentage or a date.
FORMAT_LITERALS = re.compile(r'"[^"]*"|\[[^\]]*\]|\\.|_.|\*.')


# --- results ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Problem:
    severity: str  # "error" blocks the upload, "warning" only asks for a second look
    sheet: str | None
    cell: str | None  # e.g. "J7"; None for problems of the file or the sheet as a whole
    value: str | None  # the offending value as text
    message_zh: str
    message_en: str

    def message(self, language: str = "zh") -> str:
        """The problem with its place: 工作表“进度填报” J7（约五天）：报告值应为数字，收到文本“约五天”."""
        if language not in ("zh", "en"):
            raise ValueError(f"unknown language {language!r}; expected 'zh' or 'en'")
        shown = None if self.value in (None, "") else shorten(self.value)
        if language == "zh":
            where = f"工作表“{self.sheet}”" if self.sheet is not None else ""
            if self.cell:
                where += f" {self.cell}"
            if shown is not None and where:
                where += f"（{shown}）"
            return f"{where}：{self.message_zh}" if where else self.message_zh
        where = f'Sheet "{self.sheet}"' if self.sheet is not None else ""
        if self.cell:
            where += f" {self.cell}"
        if shown is not None and where:
            where += f" ({shown})"
        return f"{where}: {self.message_en}" if where else self.message_en


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


def shorten(text: str) -> str:
    return text if len(text) <= SHOWN_VALUE_LENGTH else text[: SHOWN_VALUE_LENGTH - 1] + "…"


def number_text(number: float) -> str:
    """2021.0 → "2021", 0.95 → "0.95": numbers as a person would write them."""
    if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}"


def percent_of_fraction(number: float) -> float:
    """0.95 → 95.0 exactly: shifting the decimal text avoids 0.95 * 100 = 95.00000000000001."""
    return float(Decimal(repr(number)).scaleb(2))


def file_size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


# --- cells -----------------------------------------------------------------------------------------------------


class CellValue(NamedTuple):
    kind: str  # one of the kinds below
    value: object  # float, str, bool, datetime, the error text, or the formula text for NO_CACHE
    percent_format: bool = False  # the cell displays its number as a percentage
    formula: bool = False


NUMBER, TEXT, BOOLEAN, DATE, ERROR_VALUE, NO_CACHE, BLANK_KIND = (
    "number", "text", "boolean", "date", "error_value", "no_cache", "blank",
)
BLANK = CellValue(BLANK_KIND, None)


def shown_value(cell: CellValue) -> str | None:
    if cell.kind == NUMBER:
        # As Excel displays it: a percent-formatted 1.2 is seen as 120%.
        return f"{number_text(percent_of_fraction(cell.value))}%" if cell.percent_format else number_text(cell.value)
    if cell.kind == BOOLEAN:
        return "TRUE" if cell.value else "FALSE"
    if cell.kind == DATE:
        value = cell.value
        if isinstance(value, dt.datetime) and value.time() == dt.time(0):
            return value.date().isoformat()
        return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else str(value)
    if cell.kind == NO_CACHE:
        return f"={cell.value}" if cell.value else None
    return None if cell.value is None else str(cell.value)


class Unreadable(Exception):
    """The file cannot be read at all; carries the file-level problem to report."""

    def __init__(self, problem: Problem):
        super().__init__(problem.message_en)
        self.problem = problem


def file_error(message_zh: str, message_en: str, sheet: str | None = None) -> Problem:
    return Problem(ERROR, sheet, None, None, message_zh, message_en)


def not_a_workbook(detail: str) -> Unreadable:
    return Unreadable(file_error(NOT_A_WORKBOOK_ZH, f"{NOT_A_WORKBOOK_EN}: {detail}"))


def corrupt_file(error: Exception) -> Unreadable:
    return Unreadable(file_error(
        "文件已损坏，读取中途出错：请在 Excel 中重新打开并保存后上传",
        f"The file is damaged and could not be read to the end ({error}): open and save it again in Excel",
    ))


# --- the workbook package --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SheetInfo:
    name: str
    state: str  # visible, hidden or veryHidden
    path: str | None  # the worksheet part inside the zip; None for CSV


def local_name(tag: str) -> str:
    return tag.rsplit("}", 1)[-1]


def relationship_id(element: ElementTree.Element) -> str | None:
    for name, value in element.attrib.items():
        # Transitional and Strict OOXML put r:id in different namespaces; the local name is the same.
        if name.endswith("}id"):
            return value
    return None


def part_path(base: str, target: str) -> str:
    if target.startswith("/"):
        return target.lstrip("/")
    return posixpath.normpath(posixpath.join(posixpath.dirname(base), target))


def relationships(archive: zipfile.ZipFile, part: str) -> dict[str, tuple[str, str]]:
    """Relationship id → (type, target part) of one part; empty when the part has none."""
    rels_path = posixpath.join(posixpath.dirname(part), "_rels", posixpath.basename(part) + ".rels")
    try:
        root = ElementTree.fromstring(archive.read(rels_path))
    except KeyError:
        return {}
    found = {}
    for element in root:
        if local_name(element.tag) == "Relationship" and element.get("TargetMode") != "External":
            found[element.get("Id")] = (element.get("Type", ""), part_path(part, element.get("Target", "")))
    return found


def format_is_percent(code: str) -> bool:
    return "%" in FORMAT_LITERALS.sub("", code.split(";")[0])


class XlsxSource:
    """A workbook read straight from its zip: sheets, shared strings and number formats, then one sheet at a time.

    openpyxl's read-only mode took 6 to 13 s for 100,000 rows on the development VM (its load_workbook alone 2 to
    3 s when a sheet lacks <dimension>), cannot give a formula together with its cached value in one pass, and
    has no hidden rows or merged ranges. This reader streams the worksheet XML once and gets all of them in about
    1.1 s. VBA projects are never read, let alone run.
    """

    def __init__(self, data: bytes):
        try:
            self.archive = zipfile.ZipFile(io.BytesIO(data))
        except (zipfile.BadZipFile, zlib.error, ValueError, OSError, EOFError) as error:
            raise not_a_workbook(f"not a zip archive ({error})") from None
        check_zip_sizes(self.archive)
        try:
            self._read_package()
        except KeyError as error:
            raise not_a_workbook(f"a part is missing ({error})") from None
        except ElementTree.ParseError as error:
            raise not_a_workbook(f"a part is not well-formed XML ({error})") from None
        except (zipfile.BadZipFile, zlib.error, EOFError, ValueError) as error:
            raise corrupt_file(error) from None

    def _read_package(self) -> None:
        package = relationships(self.archive, "")
        workbook_part = next(
            (target for kind, target in package.values() if kind.endswith("/officeDocument")), None
        )
        if workbook_part is None:
            raise not_a_workbook("no office document in _rels/.rels")
        root = ElementTree.fromstring(self.archive.read(workbook_part))
        if local_name(root.tag) != "workbook":
            raise not_a_workbook(f"{workbook_part} is a {local_name(root.tag)}, not a workbook")
        parts = relationships(self.archive, workbook_part)
        self.epoch = CALENDAR_WINDOWS_1900
        self.sheets: list[SheetInfo] = []
        for element in root.iter():
            name = local_name(element.tag)
            if name == "workbookPr" and element.get("date1904") in ("1", "true"):
                self.epoch = CALENDAR_MAC_1904
            elif name == "sheet":
                kind, target = parts.get(relationship_id(element), ("", None))
                # Chart sheets and dangling references hold no cells to import.
                if kind.endswith("/worksheet") and target in self.archive.NameToInfo:
                    self.sheets.append(SheetInfo(element.get("name", ""), element.get("state", "visible"), target))
        self.shared_strings: list[str] = []
        self.date_styles: set[int] = set()
        self.percent_styles: set[int] = set()
        for kind, target in parts.values():
            if kind.endswith("/sharedStrings") and target in self.archive.NameToInfo:
                self.shared_strings = self._read_shared_strings(target)
            elif kind.endswith("/styles") and target in self.archive.NameToInfo:
                self._read_styles(target)

    def _read_shared_strings(self, part: str) -> list[str]:
        strings = []
        with self.archive.open(part) as stream:
            for _, element in ElementTree.iterparse(stream):
                if local_name(element.tag) != "si":
                    continue
                texts = []
                for child in element.iter():
                    if local_name(child.tag) == "rPh":
                        # Phonetic guides (furigana) are not part of the text; drop their runs.
                        for run in child.iter():
                            run.text = None
                    elif local_name(child.tag) == "t" and child.text:
                        texts.append(child.text)
                strings.append("".join(texts))
                element.clear()
        return strings

    def _read_styles(self, part: str) -> None:
        root = ElementTree.fromstring(self.archive.read(part))
        custom = {}
        cell_formats: list[int] = []
        for element in root:
            if local_name(element.tag) == "numFmts":
                for number_format in element:
                    custom[int(number_format.get("numFmtId", "0"))] = number_format.get("formatCode", "")
            elif local_name(element.tag) == "cellXfs":
                cell_formats = [int(xf.get("numFmtId", "0")) for xf in element if local_name(xf.tag) == "xf"]
        for style, format_id in enumerate(cell_formats):
            code = custom[format_id] if format_id in custom else BUILTIN_FORMATS.get(format_id, "General")
            if is_date_format(code) and not is_timedelta_format(code):
                self.date_styles.add(style)
            elif format_is_percent(code):
                self.percent_styles.add(style)

    def scan(self, sheet: SheetInfo) -> SheetScan:
        return SheetScan(self.archive, sheet.path, self.decode_cell)

    def decode_cell(self, rest: bytes) -> CellValue:
        """One <c> element's attributes and content (without r=) → its value; called once per distinct content."""
        head, _, body = rest.partition(b">")
        if head.endswith(b"/"):
            head, body = head[:-1], b""
        attributes = {}
        for name, double, single in ATTRIBUTE.findall(head):
            attributes[name.rsplit(b":", 1)[-1]] = double or single
        kind = attributes.get(b"t", b"n")
        try:
            style = int(attributes.get(b"s") or 0)
        except ValueError:
            raise corrupt_file(ValueError(f"style {attributes.get(b's')!r} is not a number")) from None
        formula_match = FORMULA.search(body)
        value_match = VALUE.search(body)
        raw = value_match.group(1) if value_match else None
        if kind == b"inlineStr":
            return text_cell(inline_text(body), formula_match is not None)
        if formula_match is not None and (raw is None or (raw == b"" and kind != b"str")):
            formula_text = html.unescape((formula_match.group(1) or b"").decode("utf-8"))
            return CellValue(NO_CACHE, formula_text, formula=True)
        if raw is None or (kind != b"str" and not raw.strip()):
            return BLANK
        formula = formula_match is not None
        if kind == b"s":
            try:
                return text_cell(self.shared_strings[int(raw)], formula)
            except (ValueError, IndexError):
                raise corrupt_file(ValueError(f"shared string {raw!r} does not exist")) from None
        if kind == b"str":
            return text_cell(html.unescape(raw.decode("utf-8")), formula)
        if kind == b"b":
            return CellValue(BOOLEAN, raw.strip() in (b"1", b"true"), formula=formula)
        if kind == b"e":
            return CellValue(ERROR_VALUE, html.unescape(raw.decode("utf-8")), formula=formula)
        if kind == b"d":
            try:
                return CellValue(DATE, dt.datetime.fromisoformat(raw.decode("ascii").strip()), formula=formula)
            except ValueError:
                raise corrupt_file(ValueError(f"date cell {raw!r} is not ISO 8601")) from None
        try:
            number = float(raw)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            # Excel never stores NaN or infinity; such a cell means the file was damaged or hand-made.
            raise corrupt_file(ValueError(f"number cell {raw!r} is not a finite number"))
        if style in self.date_styles and math.isfinite(number):
            try:
                moment = from_excel(number, self.epoch)
            except OverflowError:
                moment = None
            if isinstance(moment, dt.datetime):
                return CellValue(DATE, moment, formula=formula)
        return CellValue(NUMBER, number, style in self.percent_styles, formula)

    def close(self) -> None:
        self.archive.close()


def text_cell(text: str, formula: bool) -> CellValue:
    # A cell of spaces looks empty on screen, so it is treated as empty.
    if not text.strip():
        return BLANK
    return CellValue(TEXT, text, formula=formula)


def inline_text(body: bytes) -> str:
    body = PHONETIC.sub(b"", body)
    return html.unescape(b"".join(run or b"" for run in TEXT_RUN.findall(body)).decode("utf-8"))


def check_zip_sizes(archive: zipfile.ZipFile) -> None:
    """Refuse zip bombs from the declared sizes, before anything is inflated.

    A member cannot inflate beyond its declared size: zipfile stops there and fails the CRC check.
    """
    members = archive.infolist()
    uncompressed = sum(member.file_size for member in members)
    compressed = sum(member.compress_size for member in members)
    if uncompressed > layout.UNCOMPRESSED_SIZE_LIMIT:
        raise Unreadable(file_error(
            f"工作簿解压后共 {file_size_text(uncompressed)}，超过上限 {file_size_text(layout.UNCOMPRESSED_SIZE_LIMIT)}，"
            "不予解析：请删除多余的工作表、空行和格式后重新保存",
            f"The workbook inflates to {file_size_text(uncompressed)}, over the "
            f"{file_size_text(layout.UNCOMPRESSED_SIZE_LIMIT)} limit, and was not read: remove unused sheets, "
            "empty rows and formatting, then save it again",
        ))
    ratio = uncompressed / max(compressed, 1)
    if ratio > MAX_COMPRESSION_RATIO:
        raise Unreadable(file_error(
            f"工作簿的压缩比为 {ratio:.0f}:1，超过 {MAX_COMPRESSION_RATIO}:1 的上限，可能是恶意构造的压缩包，不予解析；"
            "如确为正常文件，请删除多余的空行和格式后重新保存",
            f"The workbook's compression ratio is {ratio:.0f}:1, over the {MAX_COMPRESSION_RATIO}:1 limit; it may be "
            "a zip bomb and was not read. If it is a genuine file, remove empty rows and formatting and save it again",
        ))


@functools.lru_cache(maxsize=8)
def token_pattern(prefix: bytes) -> re.Pattern:
    """Rows and cells of a worksheet whose elements carry `prefix` (usually none).

    Group 1 is b"row" for a row, group 2 its r, group 3 its other attributes; group 4 is a cell's column when
    r= comes first (as every common writer puts it) and group 5 the rest of the cell, which repeats across cells
    and so is decoded once per distinct content.
    """
    p = re.escape(prefix)
    # No lazy ".*?" and no class that can run past the next tag: a malformed cell must fail at once, not scan to
    # the end of the block (a few hundred kilobytes of unclosed <c> would otherwise take minutes). The common
    # body, a lone <v>, has its own alternative because it is the fastest to match.
    return re.compile(
        rb"<" + p + rb"(row)(?=[\s/>])(?:\s+r=[\"'](\d+)[\"'])?([^<>]*)>"
        rb"|<" + p + rb"c(?=[\s/>])(?:\s+r=[\"']([A-Z]{1,3})\d+[\"'])?"
        rb"([^<>/]*(?:/>|><" + p + rb"v>[^<]*</" + p + rb"v></" + p + rb"c>"
        rb"|>[^<]*(?:<(?!/?" + p + rb"c[\s/>])[^<]*)*</" + p + rb"c>))",
    )


class SheetScan:
    """One pass over a worksheet's XML: rows of non-blank cells, then its merged ranges and hidden columns."""

    def __init__(self, archive: zipfile.ZipFile, path: str, decode: Callable[[bytes], CellValue]):
        self.archive = archive
        self.path = path
        self.decode = decode
        self.merged: list[str] = []
        self.hidden_columns: set[int] = set()

    def rows(self) -> Iterator[tuple[int, bool, dict[bytes, CellValue]]]:
        """(row number, hidden, {column letters: value}) for every row element, in order."""
        try:
            yield from self._rows()
        except (zipfile.BadZipFile, zlib.error, EOFError, UnicodeDecodeError) as error:
            raise corrupt_file(error) from None

    def _rows(self) -> Iterator[tuple[int, bool, dict[bytes, CellValue]]]:
        decoded: dict[bytes, CellValue] = {}
        decode = self.decode
        with self.archive.open(self.path) as stream:
            buffer = stream.read(FIRST_BLOCK)
            found = ROOT_PREFIX.search(buffer)
            prefix = (found.group(1) or b"") if found else b""
            tokens = token_pattern(prefix)
            row_end = b"</" + prefix + b"row>"
            row_tags = [b"<" + prefix + b"row" + end for end in (b" ", b">", b"/")]
            cell_tags = [b"<" + prefix + b"c" + end for end in (b" ", b">", b"/")]
            seen_data = False
            number = 0
            cells: dict[bytes, CellValue] | None = None
            hidden = False
            at_end = False
            while True:
                if at_end:
                    cut = len(buffer)
                else:
                    cut = buffer.rfind(row_end)
                    if cut < 0:
                        block = stream.read(BLOCK)
                        at_end = not block
                        buffer += block
                        continue
                    cut += len(row_end)
                if not seen_data:
                    data_start = SHEET_DATA.search(buffer, 0, cut)
                    if data_start is not None or at_end:
                        seen_data = True
                        self._read_columns(buffer[: data_start.start() if data_start else cut])
                found_tokens = tokens.findall(buffer, 0, cut)
                rows_found = list(map(itemgetter(0), found_tokens)).count(b"row")
                # Every opening tag must have been matched whole; fewer matches than tags means broken XML,
                # whose cells would otherwise vanish without a word.
                if rows_found < sum(buffer.count(tag, 0, cut) for tag in row_tags) or (
                    len(found_tokens) - rows_found < sum(buffer.count(tag, 0, cut) for tag in cell_tags)
                ):
                    raise corrupt_file(ValueError(f"{self.path} has malformed row or cell elements"))
                for row_tag, row_number, row_attributes, column, rest in found_tokens:
                    if column:
                        cell = decoded.get(rest)
                        if cell is None:
                            cell = decoded[rest] = decode(rest)
                        if cell is not BLANK and cells is not None:
                            cells[column] = cell
                    elif row_tag:
                        if cells:
                            yield number, hidden, cells
                        if row_number:
                            number = int(row_number)
                        else:
                            found = ROW_NUMBER_ATTRIBUTE.search(row_attributes)
                            number = int(found.group(1)) if found else number + 1
                        hidden = (b"hidden" in row_attributes or b"ht" in row_attributes) and bool(
                            HIDDEN_ATTRIBUTE.search(row_attributes)
                        )
                        cells = {}
                    elif cells is not None:
                        # A cell whose r= is not first, or missing: read it the slow way.
                        found = CELL_REF_ATTRIBUTE.search(rest)
                        if found:
                            column = found.group(1)
                            rest = rest[: found.start()] + rest[found.end():]
                        else:
                            previous = column_index_from_string(next(reversed(cells)).decode()) if cells else 0
                            column = get_column_letter(previous + 1).encode()
                        cell = decoded.get(rest)
                        if cell is None:
                            cell = decoded[rest] = decode(rest)
                        if cell is not BLANK:
                            cells[column] = cell
                if buffer.find(b"mergeCell", 0, cut) >= 0:
                    self.merged.extend(ref.decode("ascii", "replace") for ref in MERGE_REFERENCE.findall(buffer, 0, cut))
                buffer = buffer[cut:]
                if at_end:
                    break
                block = stream.read(BLOCK)
                at_end = not block
                buffer += block
            if cells:
                yield number, hidden, cells

    def _read_columns(self, head: bytes) -> None:
        for attributes in COLUMN_ELEMENT.findall(head):
            values = {name: double or single for name, double, single in ATTRIBUTE.findall(attributes)}
            hidden = values.get(b"hidden") in (b"1", b"true")
            try:
                zero_width = float(values.get(b"width", b"1")) == 0
                first, last = int(values.get(b"min", b"0")), int(values.get(b"max", b"0"))
            except ValueError:
                continue
            if hidden or zero_width:
                self.hidden_columns.update(range(first, last + 1))


# --- CSV -------------------------------------------------------------------------------------------------------


class CsvSource:
    """A CSV file as a single sheet named "CSV", every cell text, under the same header and value rules."""

    epoch = CALENDAR_WINDOWS_1900  # a bare number in the as-of column is read as a Windows Excel serial date

    def __init__(self, data: bytes):
        self.text = decode_csv(data)
        self.sheets = [SheetInfo(CSV_SHEET, "visible", None)]

    def scan(self, sheet: SheetInfo) -> CsvScan:
        return CsvScan(self.text)

    def close(self) -> None:
        pass


def decode_csv(data: bytes) -> str:
    failure = Unreadable(file_error(
        "CSV 文件的编码无法识别：请以 UTF-8 或 GB18030（GBK）编码保存，例如在 Excel 中另存为“CSV UTF-8（逗号分隔）”",
        "The CSV file's encoding is not recognised: save it as UTF-8 or GB18030 (GBK), for example with Excel's "
        "“CSV UTF-8 (Comma delimited)”",
    ))
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise failure
    if data.startswith(codecs.BOM_UTF8):
        candidates = ("utf-8-sig",)
    else:
        candidates = ("utf-8", "gb18030")
    for encoding in candidates:
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:
            continue
        # UTF-16 without a BOM decodes as GB18030 full of NULs; no real CSV holds them.
        if "\x00" in text:
            raise failure
        return text
    raise failure


class CsvScan:
    def __init__(self, text: str):
        self.text = text
        self.merged: list[str] = []
        self.hidden_columns: set[int] = set()

    def rows(self) -> Iterator[tuple[int, bool, dict[bytes, CellValue]]]:
        first_line = self.text.split("\n", 1)[0]
        delimiter = max((",", "\t", ";"), key=first_line.count)  # ties keep the comma
        letters: list[bytes] = []
        cells_by_text: dict[str, CellValue] = {}
        reader = csv.reader(io.StringIO(self.text, newline=""), delimiter=delimiter)
        try:
            # Excel shows each record as one row, whatever line breaks its quoted fields hold.
            for number, record in enumerate(reader, start=1):
                while len(letters) < len(record):
                    letters.append(get_column_letter(len(letters) + 1).encode())
                cells = {}
                for letter, text in zip(letters, record):
                    cell = cells_by_text.get(text)
                    if cell is None:
                        cell = cells_by_text[text] = text_cell(text, False)
                    if cell is not BLANK:
                        cells[letter] = cell
                if cells:
                    yield number, False, cells
        except csv.Error as error:
            raise Unreadable(file_error(
                f"CSV 文件格式有误（第 {reader.line_num} 行）：{error}",
                f"The CSV file is malformed (line {reader.line_num}): {error}",
            )) from None


# --- opening ---------------------------------------------------------------------------------------------------


def open_source(data: bytes, file_name: str) -> XlsxSource | CsvSource:
    """The readable source of an upload, or Unreadable with the file-level reason."""
    if len(data) > layout.UPLOAD_SIZE_LIMIT:
        raise Unreadable(file_error(
            f"文件大小为 {file_size_text(len(data))}，超过上限 {file_size_text(layout.UPLOAD_SIZE_LIMIT)}：请拆分后分批上传",
            f"The file is {file_size_text(len(data))}, over the {file_size_text(layout.UPLOAD_SIZE_LIMIT)} limit: "
            "split it and upload the parts separately",
        ))
    extension = posixpath.splitext(file_name.replace("\\", "/"))[1].lower()
    if extension == ".xls":
        raise Unreadable(file_error(
            "不接受旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 中“另存为” Excel 工作簿（.xlsx）后上传",
            "Excel 97-2003 workbooks (.xls) are not accepted: save it as an Excel Workbook (.xlsx) and upload that",
        ))
    if extension == ".ods":
        raise Unreadable(file_error(
            "不接受 OpenDocument 表格（.ods）：请“另存为” Excel 工作簿（.xlsx）后上传",
            "OpenDocument spreadsheets (.ods) are not accepted: save it as an Excel Workbook (.xlsx) and upload that",
        ))
    if extension not in (".xlsx", ".xlsm", ".csv"):
        shown = extension or "（无扩展名）"
        raise Unreadable(file_error(
            f"不支持的文件类型“{shown}”：请上传 Excel 工作簿（.xlsx 或 .xlsm）或 CSV 文件",
            f"Unsupported file type “{extension or '(no extension)'}”: upload an Excel workbook (.xlsx or .xlsm) "
            "or a CSV file",
        ))
    if not data:
        raise Unreadable(file_error("文件是空的（0 字节）", "The file is empty (0 bytes)"))
    if extension == ".csv":
        return CsvSource(data)
    if data.startswith(OLE2_MAGIC):
        raise Unreadable(file_error(
            f"{NOT_A_WORKBOOK_ZH}：它实为旧版 .xls 或设有打开密码的文件，请另存为不加密码的 .xlsx 后上传",
            f"{NOT_A_WORKBOOK_EN}: it is really a legacy .xls or a password-protected file; save it as an "
            ".xlsx without a password",
        ))
    if not data.startswith(ZIP_MAGIC):
        raise not_a_workbook("it does not start like a zip archive")
    return XlsxSource(data)


# --- headers ---------------------------------------------------------------------------------------------------


@dataclass
class Header:
    row: int
    columns: dict[bytes, str]  # column letters → field
    cells: dict[str, str]  # field → header cell, e.g. "J1"
    extras: list[tuple[str, str]]  # (header text, cell) of columns that are not fields
    duplicates: list[tuple[str, str, str]]  # (field, cell, first cell)

    @property
    def missing(self) -> list[str]:
        return [field for field in REQUIRED_FIELDS if field not in self.cells]


def read_header(number: int, cells: dict[bytes, CellValue]) -> Header:
    header = Header(number, {}, {}, [], [])
    for column, cell in cells.items():
        reference = f"{column.decode()}{number}"
        text = shown_value(cell) or ""
        field = layout.field_for_header(text)
        if field is None:
            header.extras.append((text, reference))
        elif field in header.cells:
            header.duplicates.append((field, reference, header.cells[field]))
        else:
            header.cells[field] = reference
            header.columns[column] = field
    return header


def field_names(fields: list[str], language: str) -> str:
    if language == "zh":
        return "、".join(layout.COLUMNS_BY_FIELD[field].header_zh for field in fields)
    return ", ".join(layout.COLUMNS_BY_FIELD[field].header_en for field in fields)


def find_header(rows: Iterator[tuple[int, bool, dict[bytes, CellValue]]]) -> Header | None:
    """The first of the first ten rows naming every required column; else the row naming the most fields."""
    best = None
    for number, _, cells in rows:
        if number > HEADER_SEARCH_ROWS:
            break
        header = read_header(number, cells)
        if not header.missing:
            return header
        if len(header.cells) >= 2 and (best is None or len(header.cells) > len(best.cells)):
            best = header
    return best


# --- values ----------------------------------------------------------------------------------------------------


class Issue(Exception):
    """A cell's value breaks a rule; the row checker adds the sheet, cell and value."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


def normalized_text(text: str) -> str:
    # NFKC turns full-width digits, letters and punctuation (１２３．５, ％, Ｑ) into their ASCII forms.
    return unicodedata.normalize("NFKC", text).strip()


def cell_problem_issue(cell: CellValue) -> Issue | None:
    """Formula and error cells are wrong in any column."""
    if cell.kind == NO_CACHE:
        return Issue(
            "公式没有计算结果，请在 Excel 中重新计算并保存，或填写数值",
            "The formula has no calculated result: recalculate and save the workbook in Excel, or type the value",
        )
    if cell.kind == ERROR_VALUE:
        return Issue(
            f"单元格是错误值 {cell.value}：请改正公式或直接填写数值",
            f"The cell holds the error {cell.value}: fix the formula or type the value",
        )
    return None


def parse_number_text(text: str) -> tuple[float, bool]:
    """"1,234" → 1234, "１２３．５" → 123.5, " 95% " → (95, True); Issue when the text is not a number."""
    normalized = normalized_text(text).replace(" ", "")
    percent = normalized.endswith("%")
    body = normalized[:-1] if percent else normalized
    if GROUPED_NUMBER_TEXT.fullmatch(body):
        body = body.replace(",", "")
    if NUMBER_TEXT.fullmatch(body):
        number = float(body)
        if math.isfinite(number):
            return number, percent
    if NUMBER_WITH_WORDS.fullmatch(normalized):
        raise Issue(
            f"报告值只填数字，收到文本“{text}”；单位请填在“单位”列",
            f"The reported value must be a number alone, got the text “{text}”; put the unit in the Unit column",
        )
    raise Issue(f"报告值应为数字，收到文本“{text}”", f"The reported value must be a number, got the text “{text}”")


def parse_period(cell: CellValue, current_year: int) -> tuple[str, int]:
    """2021, "2021年", "2021Q3", "2021-Q3", "2021年第三季度" → ("2021", 2021) or ("2021Q3", 2021)."""
    expected_zh = "请填写年份（如 2021）或季度（如 2021Q3）"
    expected_en = "write a year (2021) or a quarter (2021Q3)"
    if cell.kind == NUMBER:
        if cell.value != int(cell.value):
            raise Issue(f"无法识别的期间“{number_text(cell.value)}”：{expected_zh}",
                        f"Unrecognised period “{number_text(cell.value)}”: {expected_en}")
        text = str(int(cell.value))
    elif cell.kind == TEXT:
        text = cell.value
    elif cell.kind == DATE:
        raise Issue(f"期间应为年份或季度，收到日期：{expected_zh}", f"The period must be a year or a quarter, got a date: {expected_en}")
    else:
        raise Issue(f"无法识别的期间：{expected_zh}", f"Unrecognised period: {expected_en}")
    normalized = normalized_text(text).replace(" ", "")
    year_match = YEAR_TEXT.fullmatch(normalized)
    quarter_match = None if year_match else QUARTER_TEXT.fullmatch(normalized)
    if year_match:
        year, period = int(year_match.group(1)), year_match.group(1)
    elif quarter_match:
        year = int(quarter_match.group(1))
        quarter = quarter_match.group(2) or quarter_match.group(3)
        period = f"{year}Q{CHINESE_QUARTERS.get(quarter, quarter)}"
    else:
        raise Issue(f"无法识别的期间“{text}”：{expected_zh}", f"Unrecognised period “{text}”: {expected_en}")
    if not MIN_YEAR <= year <= current_year + 1:
        raise Issue(
            f"期间 {period} 不合理：年份应在 {MIN_YEAR} 至 {current_year + 1} 之间",
            f"The period {period} is implausible: the year must lie between {MIN_YEAR} and {current_year + 1}",
        )
    return period, year


def period_order(period: str) -> tuple[int, int] | None:
    """A sortable key: a year counts as its last quarter, since its report describes the year's end."""
    match = re.fullmatch(r"(\d{4})(?:Q([1-4]))?", str(period))
    if match is None:
        return None
    return int(match.group(1)), int(match.group(2) or 4)


def parse_as_of(cell: CellValue, epoch: dt.datetime, current_year: int) -> dt.date:
    expected_zh = "请填写日期，如 2021-12-31"
    expected_en = "write a date such as 2021-12-31"
    if cell.kind == DATE:
        value = cell.value
        day = value.date() if isinstance(value, dt.datetime) else value
    elif cell.kind == NUMBER:
        # A plain number is an Excel serial date (the cell lost its date format); 44561 is 2021-12-31.
        try:
            moment = from_excel(cell.value, epoch)
        except (OverflowError, ValueError):
            moment = None
        if not isinstance(moment, dt.datetime) or not MIN_YEAR <= moment.year <= current_year + 1:
            raise Issue(f"无法识别的截至日期“{number_text(cell.value)}”：{expected_zh}",
                        f"Unrecognised as-of date “{number_text(cell.value)}”: {expected_en}")
        day = moment.date()
    elif cell.kind == TEXT:
        text = cell.value
        match = DATE_TEXT.fullmatch(normalized_text(text))
        if match is None:
            raise Issue(f"无法识别的截至日期“{text}”：{expected_zh}", f"Unrecognised as-of date “{text}”: {expected_en}")
        year = int(match.group(1))
        month = int(match.group(2) or match.group(4))
        day_of_month = int(match.group(3) or match.group(5))
        try:
            day = dt.date(year, month, day_of_month)
        except ValueError:
            raise Issue(f"截至日期“{text}”不是有效的日期：{expected_zh}",
                        f"The as-of date “{text}” is not a valid date: {expected_en}") from None
    else:
        raise Issue(f"无法识别的截至日期：{expected_zh}", f"Unrecognised as-of date: {expected_en}")
    if not MIN_YEAR <= day.year <= current_year + 1:
        raise Issue(
            f"截至日期 {day.isoformat()} 不合理：应在 {MIN_YEAR} 年至 {current_year + 1} 年之间",
            f"The as-of date {day.isoformat()} is implausible: it must lie between {MIN_YEAR} and {current_year + 1}",
        )
    return day


def optional_text(cell: CellValue | None) -> str | None:
    if cell is None:
        return None
    if cell.kind == TEXT:
        return cell.value.strip() or None
    return shown_value(cell)


def unit_list(units, language: str) -> str:
    names = UNIT_NAMES_ZH if language == "zh" else UNIT_NAMES_EN
    return ("、" if language == "zh" else ", ").join(names[unit] for unit in units)


def acceptable_units(indicator: Indicator) -> tuple[str, ...]:
    choices = layout.UNIT_CHOICES.get(indicator.unit, ())
    return choices if indicator.unit in choices else (indicator.unit, *choices)


def parse_unit(cell: CellValue | None, indicator: Indicator) -> str:
    allowed = acceptable_units(indicator)
    choices_zh, choices_en = unit_list(allowed, "zh"), unit_list(allowed, "en")
    text = optional_text(cell)
    if text is None:
        raise Issue(f"单位为空：该指标可填写 {choices_zh}", f"The unit is empty: this indicator takes {choices_en}")
    unit = UNIT_WORDS.get(normalized_text(text).replace(" ", "").lower())
    if unit is None:
        raise Issue(f"无法识别的单位“{text}”：该指标可填写 {choices_zh}",
                    f"Unrecognised unit “{text}”: this indicator takes {choices_en}")
    if unit in allowed:
        return unit
    canonical = indicator.unit
    if "working_day" in (unit, canonical) and {unit, canonical} <= CALENDAR_SPANS:
        # A working day depends on weekends and holidays, so no factor turns it into calendar time.
        other = canonical if unit == "working_day" else unit
        raise Issue(
            f"工作日与{SPAN_NAMES_ZH[other]}之间不能换算：该指标以{SPAN_NAMES_ZH[canonical]}计，收到“{text}”"
            f"（{SPAN_NAMES_ZH[unit]}）；请按{SPAN_NAMES_ZH[canonical]}填写",
            f"Working days and {UNIT_NAMES_EN[other]} cannot be converted: this indicator is measured in "
            f"{UNIT_NAMES_EN[canonical]}, got “{text}” ({UNIT_NAMES_EN[unit]}); report it in {UNIT_NAMES_EN[canonical]}",
        )
    raise Issue(
        f"单位“{text}”不适用于该指标（以{UNIT_NAMES_ZH[canonical]}计）：可填写 {choices_zh}",
        f"The unit “{text}” does not fit this indicator (measured in {UNIT_NAMES_EN[canonical]}): use {choices_en}",
    )


# --- rows ------------------------------------------------------------------------------------------------------


class RowChecker:
    """Checks data rows one by one, with lookups cached per distinct cell so that 100,000 rows stay fast."""

    def __init__(self, context: ValidationContext, sheet: str, header: Header, epoch: dt.datetime,
                 report: Callable[[Problem], None]):
        self.context = context
        self.sheet = sheet
        self.header = header
        self.epoch = epoch
        self.report = report
        self.rows: list[ProgressRow] = []
        self.columns = {field: column for column, field in header.columns.items()}
        self.imported = [(field, self.columns[field]) for field in IMPORTED_FIELDS if field in self.columns]
        self.region_column = self.columns["region_code"]
        self.indicator_column = self.columns["indicator"]
        self.period_column = self.columns["period"]
        self.unit_column = self.columns["unit"]
        self.value_column = self.columns["value"]
        self.as_of_column = self.columns.get("as_of")
        self.region_name_column = self.columns.get("region")
        self.text_columns = (self.columns.get("scope"), self.columns.get("source"), self.columns.get("note"))
        self.first_seen: dict[tuple, int] = {}  # (region, indicator, scope, period) → its first row
        self.broken: set[str] = set()  # fields of the current row whose cell is a formula without result or an error
        self.region_cache: dict[CellValue, object] = {}
        self.region_name_cache: dict[tuple[CellValue, str], str | None] = {}
        self.indicator_cache: dict[CellValue, object] = {}
        self.unit_cache: dict[tuple[CellValue | None, str], object] = {}
        self.period_cache: dict[CellValue, object] = {}
        self.as_of_cache: dict[CellValue, object] = {}
        catalog = context.catalog
        self.indicators_by_name: dict[str, Indicator] = {}
        for indicator in catalog.indicators:
            for name in (indicator.code, indicator.code.lower(), normalized_text(indicator.label_zh).replace(" ", ""),
                         " ".join(indicator.label_en.casefold().split())):
                self.indicators_by_name.setdefault(name, indicator)

    def problem(self, severity: str, field: str, number: int, cell: CellValue | None, zh: str, en: str) -> None:
        reference = f"{self.columns[field].decode()}{number}" if field in self.columns else None
        self.report(Problem(severity, self.sheet, reference, None if cell is None else shown_value(cell), zh, en))

    def cached(self, cache: dict, key, parse: Callable[[], object]):
        """parse() once per distinct key; an Issue is cached too, so a repeated mistake costs one lookup."""
        try:
            return cache[key]
        except KeyError:
            pass
        try:
            result = parse()
        except Issue as issue:
            result = issue
        cache[key] = result
        return result

    def check(self, number: int, hidden: bool, cells: dict[bytes, CellValue]) -> None:
        if hidden or not self.check_quickly(number, cells):
            self.check_fully(number, hidden, cells)

    def check_quickly(self, number: int, cells: dict[bytes, CellValue]) -> bool:
        """The common row, all of whose cells were seen and found good before: False sends it to check_fully.

        Nothing is reported here unless the row is fully good, so check_fully sees the row afresh.
        """
        get = cells.get
        region = self.region_cache.get(get(self.region_column))
        indicator = self.indicator_cache.get(get(self.indicator_column))
        period = self.period_cache.get(get(self.period_column))
        value_cell = get(self.value_column)
        if (
            type(region) is not str or type(indicator) is not Indicator or type(period) is not tuple
            or value_cell is None or value_cell.kind is not NUMBER or value_cell.percent_format
            or value_cell.value < 0
            # Percentages of 1 or less are read as fractions and over 100 refused, both in check_fully.
            or indicator.unit == "percent" and not (1 < value_cell.value <= 100 or value_cell.value == 0)
        ):
            return False
        unit = self.unit_cache.get((get(self.unit_column), indicator.code))
        if unit != indicator.unit:
            return False
        as_of = None
        if self.as_of_column is not None and (as_of_cell := get(self.as_of_column)) is not None:
            as_of = self.as_of_cache.get(as_of_cell)
            if type(as_of) is not dt.date:
                return False
        texts = []
        for column in self.text_columns:
            cell = get(column) if column is not None else None
            if cell is None:
                texts.append(None)
            elif cell.kind is TEXT:
                texts.append(cell.value.strip() or None)
            else:
                return False
        if self.region_name_column is not None:
            name_cell = get(self.region_name_column)
            if name_cell is not None and self.region_name_cache.get((name_cell, region), False) is not None:
                return False
        scope, source, note = texts
        key = (region, indicator.code, scope, period[0])
        if key in self.first_seen:
            return False
        self.first_seen[key] = number
        value = value_cell.value
        row = ProgressRow(
            sheet=self.sheet, row_number=number, region_code=region, indicator=indicator.code, scope=scope,
            period=period[0], period_year=period[1], value=value, unit=unit, reported_value=value,
            reported_unit=unit, as_of=as_of, source=source, note=note,
        )
        self.rows.append(row)
        self.compare_with_last(row, value_cell)
        return True

    def check_fully(self, number: int, hidden: bool, cells: dict[bytes, CellValue]) -> None:
        values = {field: cells.get(column) for field, column in self.imported}
        # Such cells are reported once here, not again as empty by the field checks.
        self.broken = set()
        for field, cell in values.items():
            if cell is not None and (issue := cell_problem_issue(cell)) is not None:
                self.problem(ERROR, field, number, cell, issue.message_zh, issue.message_en)
                values[field] = None
                self.broken.add(field)
        failed = bool(self.broken)
        if hidden:
            shown = [column for column in cells if column in self.header.columns] or list(cells)
            first = min(shown, key=lambda column: (len(column), column))
            self.report(Problem(
                ERROR, self.sheet, f"{first.decode()}{number}", None,
                f"第 {number} 行已隐藏但含有数据：请取消隐藏并确认内容后再上传，或删除该行",
                f"Row {number} is hidden but holds data: unhide it and check it before uploading, or delete the row",
            ))
            failed = True

        region = self.check_region(number, values)
        indicator = self.check_indicator(number, values)
        period = self.check_period(number, values)
        unit = None
        if indicator is not None:
            unit = self.check_unit(number, values, indicator)
        reading = self.check_value(number, values, indicator, unit)
        as_of = self.check_as_of(number, values)
        if None in (region, indicator, period, unit, reading) or as_of is False or failed:
            return
        scope = optional_text(values.get("scope"))
        key = (region, indicator.code, scope, period[0])
        first = self.first_seen.get(key)
        if first is not None:
            column = self.region_column.decode()
            self.report(Problem(
                ERROR, self.sheet, f"{column}{number}", " / ".join(part for part in key if part),
                f"与第 {first} 行重复（地区、指标、范围和期间都相同），首次出现在 {column}{first}",
                f"Duplicates row {first} (same region, indicator, scope and period), first at {column}{first}",
            ))
            return
        self.first_seen[key] = number
        reported, value = reading
        row = ProgressRow(
            sheet=self.sheet, row_number=number, region_code=region, indicator=indicator.code, scope=scope,
            period=period[0], period_year=period[1], value=value, unit=indicator.unit, reported_value=reported,
            reported_unit=unit, as_of=as_of, source=optional_text(values.get("source")),
            note=optional_text(values.get("note")),
        )
        self.rows.append(row)
        self.compare_with_last(row, values["value"])

    def check_region(self, number: int, values: dict) -> str | None:
        cell = values.get("region_code")
        name_cell = values.get("region")
        if cell is None and name_cell is not None and name_cell.kind == TEXT:
            # The template fills both; an evaluator who typed only the name is still understood.
            cell = name_cell
        if cell is None:
            if "region_code" in self.broken:
                return None
            self.problem(ERROR, "region_code", number, None, "地区代码为空：请填写地区代码或地区名称",
                         "The region code is empty: write the region's code or name")
            return None
        result = self.cached(self.region_cache, cell, lambda: self.resolve_region(cell))
        if isinstance(result, Issue):
            self.problem(ERROR, "region_code", number, cell, result.message_zh, result.message_en)
            return None
        if name_cell is not None and name_cell is not cell:
            self.check_region_name(number, name_cell, result)
        return result

    def resolve_region(self, cell: CellValue) -> str:
        regions = self.context.regions
        if cell.kind == NUMBER:
            text = number_text(cell.value)
        elif cell.kind == TEXT:
            text = normalized_text(cell.value)
        else:
            raise Issue("地区代码应为六位数字代码或地区名称", "The region must be a six-digit code or a region name")
        try:
            code = regions.by_code(text).code if CODE_TEXT.fullmatch(text) else regions.resolve(text).code
        except UnknownRegion as error:
            if error.candidates:
                listed = ", ".join(f"{regions.display_name(region.code)} ({region.code})" for region in error.candidates[:10])
                more = f" and {len(error.candidates) - 10} more" if len(error.candidates) > 10 else ""
                english = f"The region name “{error.name}” is ambiguous: {listed}{more}; write its parent region too"
            elif CODE_TEXT.fullmatch(text):
                english = f"Unknown region code {text}"
            else:
                english = f"Unknown region “{error.name}”"
            raise Issue(error.message, english) from None
        allowed = self.context.region_allowed
        if allowed is not None and not allowed(code):
            name = regions.display_name(code)
            zh, en = self.context.allowed_regions_text
            raise Issue(f"{name}（{code}）不在您负责的地区内（{zh}），整张表未保存；请删去这些行或请管理员授权",
                        f"{name} ({code}) is outside the regions assigned to you ({en}); nothing was stored: "
                        "remove these rows or ask an admin for access")
        return code

    def check_region_name(self, number: int, name_cell: CellValue, code: str) -> None:
        key = (name_cell, code)
        if key not in self.region_name_cache:
            regions = self.context.regions
            text = normalized_text(shown_value(name_cell) or "")
            other = None
            if name_cell.kind == TEXT and text not in (regions.by_code(code).name, regions.display_name(code)):
                try:
                    named = regions.resolve(text)
                except UnknownRegion:
                    named = None
                if named is not None and named.code != code:
                    other = named.code
            self.region_name_cache[key] = other
        other = self.region_name_cache[key]
        if other is not None:
            regions = self.context.regions
            self.problem(
                WARNING, "region", number, name_cell,
                f"地区名称与地区代码 {code}（{regions.display_name(code)}）不一致，已按地区代码导入",
                f"The region name does not match the region code {code} ({regions.display_name(code)}); the code was used",
            )

    def check_indicator(self, number: int, values: dict) -> Indicator | None:
        cell = values.get("indicator")
        if cell is None:
            if "indicator" not in self.broken:
                self.problem(ERROR, "indicator", number, None, "指标代码为空：请填写指标代码或指标名称",
                             "The indicator code is empty: write the indicator's code or name")
            return None
        result = self.cached(self.indicator_cache, cell, lambda: self.find_indicator(cell))
        if isinstance(result, Issue):
            self.problem(ERROR, "indicator", number, cell, result.message_zh, result.message_en)
            return None
        return result

    def find_indicator(self, cell: CellValue) -> Indicator:
        text = shown_value(cell) or ""
        normalized = normalized_text(text)
        indicator = (
            self.indicators_by_name.get(normalized)
            or self.indicators_by_name.get(normalized.lower())
            or self.indicators_by_name.get(normalized.replace(" ", ""))
            or self.indicators_by_name.get(" ".join(normalized.casefold().split()))
        )
        if indicator is None:
            names = [indicator.code for indicator in self.context.catalog.indicators]
            close = difflib.get_close_matches(normalized.lower(), names, n=1, cutoff=0.75)
            hint_zh = f"；是否应为“{close[0]}”（{self.context.catalog[close[0]].label_zh}）？" if close else ""
            hint_en = f"; did you mean “{close[0]}” ({self.context.catalog[close[0]].label_en})?" if close else ""
            raise Issue(f"未知指标“{text}”：请填写指标代码或指标名称{hint_zh}",
                        f"Unknown indicator “{text}”: write the indicator's code or name{hint_en}")
        if indicator.code.endswith("_unclassified"):
            raise Issue(
                f"“{indicator.code}”是兜底分类，不是可填报进度的指标：请填写具体指标",
                f"“{indicator.code}” is a catch-all category, not an indicator progress can be reported for",
            )
        return indicator

    def check_unit(self, number: int, values: dict, indicator: Indicator) -> str | None:
        cell = values.get("unit")
        if cell is None and "unit" in self.broken:
            return None
        result = self.cached(self.unit_cache, (cell, indicator.code), lambda: parse_unit(cell, indicator))
        if isinstance(result, Issue):
            self.problem(ERROR, "unit", number, cell, result.message_zh, result.message_en)
            return None
        return result

    def check_period(self, number: int, values: dict) -> tuple[str, int] | None:
        cell = values.get("period")
        if cell is None:
            if "period" in self.broken:
                return None
            self.problem(ERROR, "period", number, None, "期间为空：请填写年份（如 2021）或季度（如 2021Q3）",
                         "The period is empty: write a year (2021) or a quarter (2021Q3)")
            return None
        result = self.cached(self.period_cache, cell, lambda: parse_period(cell, self.context.current_year))
        if isinstance(result, Issue):
            self.problem(ERROR, "period", number, cell, result.message_zh, result.message_en)
            return None
        return result

    def check_as_of(self, number: int, values: dict):
        """The date, None when not given, or False when it is wrong (already reported)."""
        cell = values.get("as_of")
        if cell is None:
            return None
        result = self.cached(self.as_of_cache, cell, lambda: parse_as_of(cell, self.epoch, self.context.current_year))
        if isinstance(result, Issue):
            self.problem(ERROR, "as_of", number, cell, result.message_zh, result.message_en)
            return False
        return result

    def check_value(self, number: int, values: dict, indicator: Indicator | None,
                    unit: str | None) -> tuple[float, float] | None:
        """(reported value, value in the canonical unit), or None once the problem is reported."""
        cell = values.get("value")
        if cell is None:
            if "value" not in self.broken:
                self.problem(ERROR, "value", number, None, "报告值为空：请填写报告值，或删除这一行",
                             "The reported value is empty: fill it in, or delete the row")
            return None
        try:
            return self.read_value(number, cell, indicator, unit)
        except Issue as issue:
            self.problem(ERROR, "value", number, cell, issue.message_zh, issue.message_en)
            return None

    def read_value(self, number: int, cell: CellValue, indicator: Indicator | None,
                   unit: str | None) -> tuple[float, float] | None:
        percent_indicator = indicator is not None and indicator.unit == "percent"
        if cell.kind == NUMBER:
            reported, percent_sign = cell.value, False
        elif cell.kind == TEXT:
            reported, percent_sign = parse_number_text(cell.value)
        elif cell.kind == BOOLEAN:
            raise Issue(f"报告值应为数字，收到逻辑值 {shown_value(cell)}",
                        f"The reported value must be a number, got the logical value {shown_value(cell)}")
        elif cell.kind == DATE:
            raise Issue(f"报告值应为数字，收到日期 {shown_value(cell)}（单元格为日期格式）",
                        f"The reported value must be a number, got the date {shown_value(cell)} (a date-formatted cell)")
        else:
            raise Issue("报告值应为数字", "The reported value must be a number")
        if indicator is None or unit is None:
            return None  # the number is fine; the row already failed on its indicator or unit
        if cell.percent_format:
            shown = percent_of_fraction(reported)
            if not percent_indicator:
                raise Issue(
                    f"单元格为百分比格式（显示为 {number_text(shown)}%），但该指标以{UNIT_NAMES_ZH[indicator.unit]}计："
                    "请改为常规格式后填写数值",
                    f"The cell is formatted as a percentage (shows {number_text(shown)}%) but this indicator is "
                    f"measured in {UNIT_NAMES_EN[indicator.unit]}: use the General format and type the number",
                )
            reported = shown
        elif percent_sign and not percent_indicator:
            raise Issue(
                f"报告值带有百分号，但该指标以{UNIT_NAMES_ZH[indicator.unit]}计：请只填数字",
                f"The reported value has a percent sign but this indicator is measured in "
                f"{UNIT_NAMES_EN[indicator.unit]}: type the number alone",
            )
        elif percent_indicator and not percent_sign and reported != 0 and -1 <= reported <= 1:
            scaled = percent_of_fraction(reported)
            self.problem(
                WARNING, "value", number, cell,
                f"按比例读取：{number_text(reported)} 视为 {number_text(scaled)}%；如实际为 {number_text(reported)}%，"
                f"请写成“{number_text(reported)}%”",
                f"Read as a fraction: {number_text(reported)} taken as {number_text(scaled)}%; if you meant "
                f"{number_text(reported)}%, write “{number_text(reported)}%”",
            )
            reported = scaled
        if reported < 0 and unit in NON_NEGATIVE_UNITS:
            raise Issue(f"报告值不能为负数，收到 {number_text(reported)}",
                        f"The reported value cannot be negative, got {number_text(reported)}")
        if percent_indicator and reported > 100:
            raise Issue(f"百分比不能超过 100，收到 {number_text(reported)}%",
                        f"A percentage cannot exceed 100, got {number_text(reported)}%")
        value = convert(reported, unit, indicator.unit)
        if value is None:
            raise Issue(
                f"{UNIT_NAMES_ZH[unit]}不能换算为{UNIT_NAMES_ZH[indicator.unit]}",
                f"{UNIT_NAMES_EN[unit]} cannot be converted to {UNIT_NAMES_EN[indicator.unit]}",
            )
        return reported, value

    def compare_with_last(self, row: ProgressRow, cell: CellValue) -> None:
        last = self.context.last_reports.get((row.region_code, row.indicator, row.scope))
        if last is None:
            return
        last_value, last_period = last
        if last_value is None or not math.isfinite(last_value):
            return
        indicator = self.context.catalog[row.indicator]
        unit_zh, unit_en = UNIT_NAMES_ZH[indicator.unit], UNIT_NAMES_EN[indicator.unit]
        shown_zh = f"{number_text(row.value)} {unit_zh}"
        shown_en = f"{number_text(row.value)} {unit_en}"
        last_zh = f"{last_period}：{number_text(last_value)} {unit_zh}"
        last_en = f"{last_period}: {number_text(last_value)} {unit_en}"
        if last_value > 0 and row.value >= 0:
            if row.value >= 10 * last_value:
                self.problem(
                    WARNING, "value", row.row_number, cell,
                    f"报告值 {shown_zh}是上次报告（{last_zh}）的 {row.value / last_value:.3g} 倍：请核对数值和单位",
                    f"The reported value {shown_en} is {row.value / last_value:.3g} times the last report "
                    f"({last_en}): check the number and the unit",
                )
            elif row.value * 10 <= last_value:
                self.problem(
                    WARNING, "value", row.row_number, cell,
                    f"报告值 {shown_zh}不到上次报告（{last_zh}）的十分之一：请核对数值和单位",
                    f"The reported value {shown_en} is less than a tenth of the last report ({last_en}): "
                    "check the number and the unit",
                )
        now, before = period_order(row.period), period_order(last_period)
        if now is None or before is None or now <= before:
            return  # a correction or a back-filled period is not a change for the worse
        tolerance = 1e-9 * max(1.0, abs(last_value))
        lower_is_better = indicator.direction == "lower"
        worse = row.value > last_value + tolerance if lower_is_better else row.value < last_value - tolerance
        if worse:
            self.problem(
                WARNING, "value", row.row_number, cell,
                f"报告值 {shown_zh}比上次报告（{last_zh}）差：该指标{'越低越好' if lower_is_better else '越高越好'}，请确认",
                f"The reported value {shown_en} is worse than the last report ({last_en}): for this indicator "
                f"{'lower' if lower_is_better else 'higher'} is better; please confirm",
            )


# --- the whole upload ------------------------------------------------------------------------------------------


def cell_order(problem: Problem) -> tuple:
    """File-level problems first, then sheet-level ones, then cells by row and column."""
    if problem.sheet is None:
        return (0, "", 0, 0)
    if problem.cell is None:
        return (1, problem.sheet, 0, 0)
    match = CELL_REFERENCE.fullmatch(problem.cell)
    if match is None:
        return (2, problem.sheet, 0, 0)
    return (2, problem.sheet, int(match.group(2)), column_index_from_string(match.group(1)))


def validate_upload(data: bytes, file_name: str, context: ValidationContext) -> ValidationResult:
    """Every problem of an uploaded progress workbook, and the rows that passed; nothing is stored here."""
    result = ValidationResult(file_name, hashlib.sha256(data).hexdigest(), [], [], [])

    def report(problem: Problem) -> None:
        (result.errors if problem.severity == ERROR else result.warnings).append(problem)

    try:
        source = open_source(data, file_name)
        try:
            validate_source(source, context, report, result)
        finally:
            source.close()
    except Unreadable as unreadable:
        report(unreadable.problem)
    result.errors.sort(key=cell_order)
    result.warnings.sort(key=cell_order)
    return result


def choose_sheet(source, report: Callable[[Problem], None]):
    """The sheet to import, its open row stream and its header; problems of the choice are reported."""
    names = {sheet.name for sheet in source.sheets}
    if layout.DATA_SHEET in names:
        candidates = [sheet for sheet in source.sheets if sheet.name == layout.DATA_SHEET]
    else:
        candidates = [
            sheet for sheet in source.sheets
            if sheet.state == "visible" and sheet.name not in (layout.INSTRUCTIONS_SHEET, layout.LISTS_SHEET)
        ]
    partial = None
    for sheet in candidates:
        scan = source.scan(sheet)
        rows = scan.rows()
        header = find_header(rows)
        if header is not None and not header.missing:
            return sheet, scan, rows, header
        rows.close()
        if header is not None and partial is None:
            partial = (sheet, header)
    required_zh, required_en = field_names(list(REQUIRED_FIELDS), "zh"), field_names(list(REQUIRED_FIELDS), "en")
    if partial is not None:
        sheet, header = partial
        report(Problem(
            ERROR, sheet.name, None, None,
            f"表头（第 {header.row} 行）缺少必填列：{field_names(header.missing, 'zh')}",
            f"The header (row {header.row}) lacks the required columns: {field_names(header.missing, 'en')}",
        ))
    elif layout.DATA_SHEET in names:
        report(Problem(
            ERROR, layout.DATA_SHEET, None, None,
            f"前 {HEADER_SEARCH_ROWS} 行中找不到表头行：表头应包含 {required_zh}（中文或英文均可）",
            f"No header row in the first {HEADER_SEARCH_ROWS} rows: the header must name {required_en} "
            "(in Chinese or English)",
        ))
    elif candidates:
        report(file_error(
            f"没有工作表在前 {HEADER_SEARCH_ROWS} 行中有表头行：表头应包含 {required_zh}（中文或英文均可）",
            f"No sheet has a header row in its first {HEADER_SEARCH_ROWS} rows: the header must name {required_en} "
            "(in Chinese or English)",
        ))
    else:
        report(file_error("工作簿中没有可见的工作表", "The workbook has no visible worksheet"))
    return None


def validate_source(source, context: ValidationContext, report: Callable[[Problem], None],
                    result: ValidationResult) -> None:
    chosen = choose_sheet(source, report)
    read_name = chosen[0].name if chosen else layout.DATA_SHEET
    for sheet in source.sheets:
        if sheet.state != "visible" and sheet.name not in (layout.LISTS_SHEET, read_name):
            report(Problem(
                WARNING, sheet.name, None, None,
                "工作表已隐藏，其中的内容不会导入；如需导入，请取消隐藏并把数据移到要填报的工作表",
                "The sheet is hidden and its contents are not imported; to import them, unhide it and move the data "
                "to the sheet being filled in",
            ))
    if chosen is None:
        return
    sheet, scan, rows, header = chosen
    if sheet.state != "visible":
        report(Problem(ERROR, sheet.name, None, None, "工作表已隐藏：请取消隐藏并确认内容后再上传",
                       "The sheet is hidden: unhide it and check its contents before uploading"))
    for field, reference, first in header.duplicates:
        column = layout.COLUMNS_BY_FIELD[field]
        report(Problem(ERROR, sheet.name, reference, column.header_zh,
                       f"“{column.header_zh}”列重复：已在 {first} 出现，请删除其中一列",
                       f"The column “{column.header_en}” appears twice (first at {first}): delete one of them"))
    if header.extras:
        report(Problem(
            WARNING, sheet.name, None, None,
            "以下列不属于填报表，已忽略：" + "、".join(f"{text or '（无表头）'}（{cell}）" for text, cell in header.extras),
            "These columns are not part of the progress sheet and were ignored: "
            + ", ".join(f"{text or '(no header)'} ({cell})" for text, cell in header.extras),
        ))
    for column, field in header.columns.items():
        if column_index_from_string(column.decode()) in scan.hidden_columns:
            names = layout.COLUMNS_BY_FIELD[field]
            report(Problem(ERROR, sheet.name, header.cells[field], None,
                           f"“{names.header_zh}”列已隐藏：请取消隐藏并确认内容后再上传",
                           f"The column “{names.header_en}” is hidden: unhide it and check it before uploading"))
    checker = RowChecker(context, sheet.name, header, source.epoch, report)
    recognized = set(header.columns)
    data_rows = 0
    last_row = header.row
    check = checker.check
    for number, hidden, cells in rows:
        if number <= header.row or recognized.isdisjoint(cells):
            continue  # rows above the header, and empty rows (or rows with only ignored columns)
        data_rows += 1
        if data_rows > layout.ROW_LIMIT:
            rows.close()
            report(Problem(
                ERROR, sheet.name, None, None,
                f"数据超过 {layout.ROW_LIMIT} 行的上限：请拆分后分批上传",
                f"The data has more than {layout.ROW_LIMIT} rows, the limit: split it and upload the parts separately",
            ))
            result.rows = checker.rows
            return
        last_row = number
        check(number, hidden, cells)
    result.rows = checker.rows
    check_merged(scan.merged, header, last_row, sheet.name, report)


def check_merged(merged: list[str], header: Header, last_row: int, sheet: str,
                 report: Callable[[Problem], None]) -> None:
    """Merged ranges that touch the header or data cells of a recognised column, from the header to the last row."""
    columns = sorted(column_index_from_string(column.decode()) for column in header.columns)
    for reference in merged:
        match = RANGE_REFERENCE.fullmatch(reference.strip())
        if match is None:
            continue
        first_column = column_index_from_string(match.group(1))
        first_row = int(match.group(2))
        last_column = column_index_from_string(match.group(3)) if match.group(3) else first_column
        end_row = int(match.group(4)) if match.group(4) else first_row
        rows_overlap = first_row <= last_row and end_row >= header.row
        if rows_overlap and any(first_column <= column <= last_column for column in columns):
            report(Problem(
                ERROR, sheet, f"{match.group(1)}{first_row}", reference,
                f"合并单元格 {reference} 与数据区域重叠：请取消合并，并在每个单元格中填写完整内容",
                f"The merged cells {reference} overlap the data area: unmerge them and fill in every cell",
            ))


# --- annotation ------------------------------------------------------------------------------------------------


def can_annotate(result: ValidationResult) -> bool:
    """Whether the upload has cells to mark: not when the file as a whole was refused (not a workbook, too big)."""
    return not any(problem.sheet is None for problem in result.errors)


def annotated_workbook(data: bytes, result: ValidationResult, language: str = "zh") -> bytes:
    """The uploaded workbook with every problem cell filled (red errors, yellow warnings) and commented.

    Problems of a whole sheet are noted on its A1; a CSV comes back as a workbook with one sheet named "CSV".
    Macros are dropped (keep_vba=False): the annotated copy is a plain .xlsx. Raises ValueError when
    can_annotate(result) is false. openpyxl loads the whole workbook: about 35 s for 100,000 rows.
    """
    if language not in ("zh", "en"):
        raise ValueError(f"unknown language {language!r}; expected 'zh' or 'en'")
    if not can_annotate(result):
        refused = next(problem for problem in result.errors if problem.sheet is None)
        raise ValueError(f"{result.file_name} cannot be annotated: the file as a whole was refused ({refused.message_en})")
    extension = posixpath.splitext(result.file_name.replace("\\", "/"))[1].lower()
    if extension == ".csv":
        workbook = csv_workbook(data)
    else:
        try:
            with warnings.catch_warnings():
                # openpyxl warns about parts it does not keep (data validation extensions, slicers); the cells
                # and their values, which are what gets annotated, are unaffected.
                warnings.simplefilter("ignore", UserWarning)
                workbook = load_workbook(io.BytesIO(data), keep_vba=False, rich_text=True)
        except (zipfile.BadZipFile, KeyError, IndexError, TypeError, ValueError, SyntaxError, OSError, EOFError,
                zlib.error) as error:
            # What openpyxl raises on a damaged package; the validation result already says what is wrong.
            raise ValueError(f"{result.file_name} cannot be annotated: it is not a readable workbook ({error})") from error
    notes: dict[tuple[str, str], list[Problem]] = {}
    for problem in [*result.errors, *result.warnings]:
        if problem.sheet is None or problem.sheet not in workbook.sheetnames:
            continue
        notes.setdefault((problem.sheet, problem.cell or "A1"), []).append(problem)
    for (sheet, reference), problems in notes.items():
        cell = workbook[sheet][reference]
        if isinstance(cell, MergedCell):
            continue  # a merged range's inner cell takes no comment; the range's own problem sits on its top-left
        has_error = any(problem.severity == ERROR for problem in problems)
        cell.fill = ERROR_FILL if has_error else WARNING_FILL
        texts = [
            ("错误：" if language == "zh" else "Error: ") if problem.severity == ERROR else ("提示：" if language == "zh" else "Warning: ")
            for problem in problems
        ]
        body = "\n".join(
            prefix + (problem.message_zh if language == "zh" else problem.message_en)
            for prefix, problem in zip(texts, problems)
        )
        if cell.comment is not None:
            body = f"{cell.comment.text}\n{body}"
        comment = Comment(body, "bizenv")
        comment.width, comment.height = 320, 40 + 40 * len(problems)
        cell.comment = comment
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_workbook(data: bytes) -> Workbook:
    text = decode_csv(data) if data else ""
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = CSV_SHEET
    if text:
        first_line = text.split("\n", 1)[0]
        delimiter = max((",", "\t", ";"), key=first_line.count)
        for number, record in enumerate(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter), start=1):
            for index, value in enumerate(record, start=1):
                cell = sheet.cell(number, index, value)
                # A text cell starting with "=" must stay text, not turn into a formula.
                cell.data_type = "s"
    return workbook
