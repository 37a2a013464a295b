"""An uploaded file opened as the right source (workbook or CSV), or refused whole with a reason."""
from __future__ import annotations

import posixpath

from indicators.progress import layout
from indicators.progress.csv_sheet import CsvSource
from indicators.progress.problems import (
    NOT_A_WORKBOOK_EN,
    NOT_A_WORKBOOK_ZH,
    Unreadable,
    file_error,
    file_size_text,
    not_a_workbook,
)
from indicators.progress.xlsx import OLE2_MAGIC, ZIP_MAGIC, XlsxSource

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
