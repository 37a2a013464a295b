"""What an upload check reports: a problem at a sheet and cell, in Chinese and English, and files refused whole."""
from __future__ import annotations

import re
from dataclasses import dataclass

from openpyxl.utils.cell import column_index_from_string

ERROR = "error"
WARNING = "warning"
SHOWN_VALUE_LENGTH = 40
NOT_A_WORKBOOK_ZH = "文件不是有效的 Excel 工作簿（.xlsx）"
NOT_A_WORKBOOK_EN = "The file is not a valid Excel workbook (.xlsx)"
CELL_REFERENCE = re.compile(r"([A-Z]{1,3})(\d+)")


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


def shorten(text: str) -> str:
    return text if len(text) <= SHOWN_VALUE_LENGTH else text[: SHOWN_VALUE_LENGTH - 1] + "…"


def file_size_text(size: int) -> str:
    if size < 1024 * 1024:
        return f"{size / 1024:.1f} KB"
    return f"{size / 1024 / 1024:.1f} MB"


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


# --- values ----------------------------------------------------------------------------------------------------


class Issue(Exception):
    """A cell's value breaks a rule; the row checker adds the sheet, cell and value."""

    def __init__(self, message_zh: str, message_en: str):
        super().__init__(message_en)
        self.message_zh = message_zh
        self.message_en = message_en


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
