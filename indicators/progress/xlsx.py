"""An .xlsx/.xlsm package read as a stream of rows: zip checks, shared strings, styles, and sheet XML scanned in blocks."""
from __future__ import annotations

import datetime as dt
import functools
import html
import io
import math
import posixpath
import re
import xml.etree.ElementTree as ElementTree
import zipfile
import zlib
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from operator import itemgetter

from openpyxl.styles.numbers import BUILTIN_FORMATS, is_date_format, is_timedelta_format
from openpyxl.utils import get_column_letter
from openpyxl.utils.cell import column_index_from_string
from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900, from_excel

from indicators.progress import layout
from indicators.progress.cells import BLANK, BOOLEAN, DATE, ERROR_VALUE, NO_CACHE, NUMBER, CellValue, text_cell
from indicators.progress.problems import Unreadable, corrupt_file, file_error, file_size_text, not_a_workbook

MAX_COMPRESSION_RATIO = 100
ZIP_MAGIC = b"PK\x03\x04"
OLE2_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"  # legacy .xls, and also password-protected .xlsx
FIRST_BLOCK = 64 * 1024  # enough for the header rows, so probing a sheet does not inflate all of it
BLOCK = 4 * 1024 * 1024  # bounds memory whatever the sheet's size
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
