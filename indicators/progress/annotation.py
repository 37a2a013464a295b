"""The uploaded workbook given back with every problem cell filled and commented."""
from __future__ import annotations

import csv
import io
import posixpath
import warnings
import zipfile
import zlib

from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.workbook import Workbook

from indicators.progress.context import ValidationResult
from indicators.progress.csv_sheet import CSV_SHEET, decode_csv
from indicators.progress.problems import ERROR, Problem

ERROR_FILL = PatternFill("solid", fgColor="FFC7CE")
WARNING_FILL = PatternFill("solid", fgColor="FFEB9C")


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
