"""A .csv upload read as one sheet of rows, in whichever encoding Excel or WPS saved it."""
from __future__ import annotations

import codecs
import csv
import io
from collections.abc import Iterator

from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_WINDOWS_1900

from indicators.progress.cells import BLANK, CellValue, text_cell
from indicators.progress.problems import Unreadable, file_error
from indicators.progress.xlsx import SheetInfo

CSV_SHEET = "CSV"


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
