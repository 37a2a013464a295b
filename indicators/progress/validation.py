"""An uploaded progress workbook (.xlsx/.xlsm/.csv) checked in full: its rows, and every problem found."""
from __future__ import annotations

import hashlib
from collections.abc import Callable

from openpyxl.utils.cell import column_index_from_string

from indicators.progress import layout
from indicators.progress.context import ValidationContext, ValidationResult
from indicators.progress.headers import HEADER_SEARCH_ROWS, REQUIRED_FIELDS, Header, field_names, find_header
from indicators.progress.problems import ERROR, WARNING, Problem, Unreadable, cell_order, file_error
from indicators.progress.rows import RowChecker
from indicators.progress.sources import open_source
from indicators.progress.xlsx import RANGE_REFERENCE


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
