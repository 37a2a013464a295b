"""Uploaded progress workbooks: each broken file reports every problem at its cell, and good files import exactly."""
from __future__ import annotations

import codecs
import csv
import dataclasses
import datetime as dt
import hashlib
import html
import io
import re
import time
import zipfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook, load_workbook
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import CALENDAR_MAC_1904

from indicators.catalog import default_catalog
from indicators.progress import layout as progress_layout
from indicators.progress.annotation import annotated_workbook, can_annotate
from indicators.progress.cells import UNIT_WORDS, parse_number_text
from indicators.progress.context import ProgressRow, ValidationContext
from indicators.progress.layout import COLUMNS, DATA_SHEET, LISTS_SHEET
from indicators.progress.problems import Problem
from indicators.progress.validation import validate_upload
from indicators.regions import default_region_table

CURRENT_YEAR = 2025
FIELDS = [column.field for column in COLUMNS]
HEADERS_ZH = [column.header_zh for column in COLUMNS]
DECEMBER_31 = dt.date(2021, 12, 31)


def context(last_reports: dict | None = None) -> ValidationContext:
    return ValidationContext(default_region_table(), default_catalog(), CURRENT_YEAR, last_reports or {})


def good_row(**changes) -> dict:
    """One row as the template writes it and an evaluator fills it in: 青海省, business start-up time, 2021."""
    row = {
        "region_code": "630000", "region": "青海省", "indicator": "enterprise_startup_time",
        "indicator_name": "企业开办时间", "scope": None, "unit": "工作日", "period": "2021", "target": 3,
        "target_source": "青政办函〔2020〕60号", "value": 2.5, "as_of": DECEMBER_31, "source": "统计数据", "note": None,
    }
    row.update(changes)
    return row


def write_xlsx(path: Path, rows: list, headers: list | None = None, sheet: str = DATA_SHEET, prepare=None) -> Path:
    """A workbook with a header row and `rows` (dicts by field, or plain lists); `prepare(workbook, sheet)` edits it."""
    workbook = Workbook()
    worksheet = workbook.active
    worksheet.title = sheet
    worksheet.append(HEADERS_ZH if headers is None else headers)
    for row in rows:
        worksheet.append([row.get(field) for field in FIELDS] if isinstance(row, dict) else row)
    if prepare is not None:
        prepare(workbook, worksheet)
    workbook.save(path)
    return path


def rewrite_member(path: Path, member: str, change) -> Path:
    """Edit one part of a saved workbook in place, as another spreadsheet program would have written it."""
    with zipfile.ZipFile(path) as archive:
        parts = [(info, archive.read(info.filename)) for info in archive.infolist()]
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for info, data in parts:
            archive.writestr(info, change(data) if info.filename == member else data)
    return path


def sheet_xml(path: Path, change) -> Path:
    return rewrite_member(path, "xl/worksheets/sheet1.xml", change)


def to_shared_strings(path: Path) -> Path:
    """openpyxl writes inline strings; Excel, WPS and LibreOffice write a shared string table. Convert to that."""
    strings: dict[str, int] = {}

    def share(match: re.Match) -> bytes:
        index = strings.setdefault(html.unescape(match.group(2).decode()), len(strings))
        return match.group(1) + b' t="s"><v>' + str(index).encode() + b"</v></c>"

    sheet_xml(path, lambda data: re.sub(rb'(<c r="[A-Z]+\d+"(?: s="\d+")?) t="inlineStr"><is><t>(.*?)</t></is></c>', share, data))
    return add_shared_strings(path, list(strings))


def add_shared_strings(path: Path, strings: list[str]) -> Path:
    """Add xl/sharedStrings.xml holding `strings`, declared as Excel declares it."""
    table = "".join(f"<si><t>{html.escape(text, quote=False)}</t></si>" for text in strings)
    sst = (
        '<?xml version="1.0" encoding="UTF-8"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        f"{table}</sst>"
    ).encode()
    rewrite_member(path, "[Content_Types].xml", lambda data: data.replace(
        b"</Types>",
        b'<Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.'
        b'spreadsheetml.sharedStrings+xml"/></Types>',
    ))
    rewrite_member(path, "xl/_rels/workbook.xml.rels", lambda data: data.replace(
        b"</Relationships>",
        b'<Relationship Id="rIdStrings" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/'
        b'sharedStrings" Target="sharedStrings.xml"/></Relationships>',
    ))
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/sharedStrings.xml", sst)
    return path


def csv_bytes(rows: list[list], encoding: str = "utf-8") -> bytes:
    buffer = io.StringIO()
    csv.writer(buffer).writerows([["" if value is None else value for value in row] for row in rows])
    return buffer.getvalue().encode(encoding)


def csv_rows(*rows: dict) -> list[list]:
    return [HEADERS_ZH, *[[row.get(field) for field in FIELDS] for row in rows]]


def validate(path: Path, last_reports: dict | None = None):
    return validate_upload(path.read_bytes(), path.name, context(last_reports))


def compression_ratio(path: Path) -> str:
    with zipfile.ZipFile(path) as archive:
        members = archive.infolist()
    return f"{sum(m.file_size for m in members) / max(sum(m.compress_size for m in members), 1):.0f}"


# --- broken workbooks, one per problem ----------------------------------------------------------------------------


def text_in_value_cell(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value="约五天")])


def number_with_unit_in_value_cell(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value="3个工作日")])


def boolean_in_value_cell(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value=True)])


def date_in_value_cell(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value=dt.date(2021, 3, 4))])


def negative_time(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value=-1)])


def percent_over_100(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator="online_service_rate", unit="%", value=120)])


def percent_formatted_time(tmp_path, monkeypatch):
    def percent_format(workbook, sheet):
        sheet["J2"].number_format = "0%"

    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value=0.5)], prepare=percent_format)


def percent_sign_on_time(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value="50%")])


def working_days_as_calendar_days(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(unit="天", value=4)])


def calendar_days_as_working_days(tmp_path, monkeypatch):
    row = good_row(indicator="contract_enforcement_time", unit="working_day", value=90)
    return write_xlsx(tmp_path / "progress.xlsx", [row])


def unit_not_allowed(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator="tax_payment_time", unit="月", value=2)])


def unknown_unit(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(unit="周")])


def empty_unit(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(unit=None)])


def unknown_region(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(region_code="999999", region=None)])


def ambiguous_region(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(region_code="朝阳区", region=None)])


def unknown_indicator(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator="enterprise_start_time")])


def catch_all_indicator(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator="processing_time_unclassified")])


def missing_value_column(tmp_path, monkeypatch):
    headers = [header for header in HEADERS_ZH if header != "报告值"]
    row = good_row()
    return write_xlsx(tmp_path / "progress.xlsx", [[row[field] for field in FIELDS if field != "value"]], headers=headers)


def duplicate_header(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [[*good_row().values(), 3]], headers=[*HEADERS_ZH, "Reported value"])


def implausible_period(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(period="1999")])


def future_period(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(period="2030Q1")])


def unparseable_period(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(period="去年")])


def duplicate_rows(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(), good_row(period="2022"), good_row(value=2)])


def formula_without_cached_value(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value="=1+2")])


def formula_with_error_result(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(value="=1/0")])
    return sheet_xml(path, lambda data: data.replace(b'<c r="J2"><f>1/0</f><v></v></c>',
                                                      b'<c r="J2" t="e"><f>1/0</f><v>#DIV/0!</v></c>'))


def merged_cells_in_data(tmp_path, monkeypatch):
    def merge(workbook, sheet):
        sheet.merge_cells("J2:J3")

    return write_xlsx(tmp_path / "progress.xlsx", [good_row(), good_row(period="2022")], prepare=merge)


def data_in_hidden_row(tmp_path, monkeypatch):
    def hide(workbook, sheet):
        sheet.row_dimensions[3].hidden = True

    return write_xlsx(tmp_path / "progress.xlsx", [good_row(), good_row(period="2022")], prepare=hide)


def hidden_value_column(tmp_path, monkeypatch):
    def hide(workbook, sheet):
        sheet.column_dimensions["J"].hidden = True

    return write_xlsx(tmp_path / "progress.xlsx", [good_row()], prepare=hide)


def hidden_data_sheet(tmp_path, monkeypatch):
    def hide(workbook, sheet):
        workbook.create_sheet("说明")
        sheet.sheet_state = "hidden"

    return write_xlsx(tmp_path / "progress.xlsx", [good_row()], prepare=hide)


def date_as_unparseable_text(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(as_of="去年底")])


def impossible_date(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(as_of="2021-02-30")])


def empty_value(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(value=None)])


def empty_keys(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row(region_code=None, region=None, indicator=None, period=None)])


def no_header_row(tmp_path, monkeypatch):
    workbook = Workbook()
    workbook.active.title = DATA_SHEET
    for _ in range(12):
        workbook.active.append(list(good_row().values()))
    workbook.save(tmp_path / "progress.xlsx")
    return tmp_path / "progress.xlsx"


def no_sheet_with_header(tmp_path, monkeypatch):
    return write_xlsx(tmp_path / "progress.xlsx", [good_row()], headers=["甲", "乙"], sheet="Sheet1")


def too_many_rows(tmp_path, monkeypatch):
    monkeypatch.setattr(progress_layout, "ROW_LIMIT", 3)
    rows = [good_row(period=str(year)) for year in (2018, 2019, 2020, 2021, 2022)]
    return write_xlsx(tmp_path / "progress.xlsx", rows)


def oversized_file(tmp_path, monkeypatch):
    monkeypatch.setattr(progress_layout, "UPLOAD_SIZE_LIMIT", 1024 * 1024)
    path = tmp_path / "progress.xlsx"
    path.write_bytes(b"PK\x03\x04" + bytes(2 * 1024 * 1024 - 4))
    return path


def zip_bomb(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row()])
    with zipfile.ZipFile(path, "a", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("xl/media/padding.bin", bytes(8 * 1024 * 1024))
    return path


def inflates_over_limit(tmp_path, monkeypatch):
    monkeypatch.setattr(progress_layout, "UNCOMPRESSED_SIZE_LIMIT", 1024 * 1024)
    path = tmp_path / "progress.xlsx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_STORED) as archive:
        archive.writestr("xl/worksheets/sheet1.xml", bytes(2 * 1024 * 1024))
    return path


def not_really_xlsx(tmp_path, monkeypatch):
    path = tmp_path / "progress.xlsx"
    path.write_text("地区代码,指标代码\n630000,enterprise_startup_time\n", encoding="utf-8")
    return path


def word_document_renamed(tmp_path, monkeypatch):
    path = tmp_path / "progress.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("[Content_Types].xml", "<Types/>")
        archive.writestr("_rels/.rels", (
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" '
            'Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" '
            'Target="word/document.xml"/></Relationships>'
        ))
        archive.writestr("word/document.xml", '<w:document xmlns:w="urn:w"><w:body/></w:document>')
    return path


def truncated_xlsx(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row()])
    path.write_bytes(path.read_bytes()[:1500])
    return path


def unclosed_cell_element(tmp_path, monkeypatch):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row()])
    return sheet_xml(path, lambda data: re.sub(rb'(<c r="J2"[^>]*><v>[^<]*</v>)</c>', rb"\1", data))


def encrypted_or_legacy_as_xlsx(tmp_path, monkeypatch):
    path = tmp_path / "progress.xlsx"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    return path


def xls_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.xls"
    path.write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(4096))
    return path


def ods_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.ods"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("mimetype", "application/vnd.oasis.opendocument.spreadsheet")
    return path


def pdf_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    return path


def empty_file(tmp_path, monkeypatch):
    path = tmp_path / "progress.xlsx"
    path.write_bytes(b"")
    return path


def bad_csv_encoding(tmp_path, monkeypatch):
    path = tmp_path / "progress.csv"
    path.write_bytes(codecs.BOM_UTF16_LE + csv_bytes(csv_rows(good_row()), "utf-16-le"))
    return path


def csv_with_text_value(tmp_path, monkeypatch):
    path = tmp_path / "progress.csv"
    path.write_bytes(csv_bytes(csv_rows(good_row(), good_row(period="2022", value="待统计")), "gb18030"))
    return path


def many_problems_in_one_sheet(tmp_path, monkeypatch):
    rows = [
        good_row(value="约五天"),
        good_row(period="2022", region_code="999999", region=None, unit="天"),
        good_row(period="2023", indicator="online_service_rate", unit="%", value=150, as_of="昨天"),
    ]
    return write_xlsx(tmp_path / "progress.xlsx", rows)


STARTUP = "enterprise_startup_time"
NO_HEADER = "前 10 行中找不到表头行：表头应包含 地区代码、指标代码、单位、期间、报告值（中文或英文均可）"
BROKEN = [
    (text_in_value_cell, [("J2", "报告值应为数字，收到文本“约五天”")]),
    (number_with_unit_in_value_cell, [("J2", "报告值只填数字，收到文本“3个工作日”；单位请填在“单位”列")]),
    (boolean_in_value_cell, [("J2", "报告值应为数字，收到逻辑值 TRUE")]),
    (date_in_value_cell, [("J2", "报告值应为数字，收到日期 2021-03-04（单元格为日期格式）")]),
    (negative_time, [("J2", "报告值不能为负数，收到 -1")]),
    (percent_over_100, [("J2", "百分比不能超过 100，收到 120%")]),
    (percent_formatted_time, [("J2", "单元格为百分比格式（显示为 50%），但该指标以工作日计：请改为常规格式后填写数值")]),
    (percent_sign_on_time, [("J2", "报告值带有百分号，但该指标以工作日计：请只填数字")]),
    (working_days_as_calendar_days, [("F2", "工作日与自然日之间不能换算：该指标以工作日计，收到“天”（自然日）；请按工作日填写")]),
    (calendar_days_as_working_days,
     [("F2", "工作日与自然日之间不能换算：该指标以自然日计，收到“working_day”（工作日）；请按自然日填写")]),
    (unit_not_allowed, [("F2", "单位“月”不适用于该指标（以小时计）：可填写 小时、天（自然日）、分钟")]),
    (unknown_unit, [("F2", "无法识别的单位“周”：该指标可填写 工作日")]),
    (empty_unit, [("F2", "单位为空：该指标可填写 工作日")]),
    (unknown_region, [("A2", "未知地区代码：999999")]),
    (ambiguous_region,
     [("A2", "地区名称“朝阳区”不唯一：北京市朝阳区(110105)、吉林省长春市朝阳区(220104)，请写出上级地区")]),
    (unknown_indicator,
     [("C2", f"未知指标“enterprise_start_time”：请填写指标代码或指标名称；是否应为“{STARTUP}”（企业开办时间）？")]),
    (catch_all_indicator,
     [("C2", "“processing_time_unclassified”是兜底分类，不是可填报进度的指标：请填写具体指标")]),
    (missing_value_column, [(None, "表头（第 1 行）缺少必填列：报告值")]),
    (duplicate_header, [("N1", "“报告值”列重复：已在 J1 出现，请删除其中一列")]),
    (implausible_period, [("G2", "期间 1999 不合理：年份应在 2000 至 2026 之间")]),
    (future_period, [("G2", "期间 2030Q1 不合理：年份应在 2000 至 2026 之间")]),
    (unparseable_period, [("G2", "无法识别的期间“去年”：请填写年份（如 2021）或季度（如 2021Q3）")]),
    (duplicate_rows, [("A4", "与第 2 行重复（地区、指标、范围和期间都相同），首次出现在 A2")]),
    (formula_without_cached_value, [("J2", "公式没有计算结果，请在 Excel 中重新计算并保存，或填写数值")]),
    (formula_with_error_result, [("J2", "单元格是错误值 #DIV/0!：请改正公式或直接填写数值")]),
    (merged_cells_in_data, [
        ("J2", "合并单元格 J2:J3 与数据区域重叠：请取消合并，并在每个单元格中填写完整内容"),
        ("J3", "报告值为空：请填写报告值，或删除这一行"),
    ]),
    (data_in_hidden_row, [("A3", "第 3 行已隐藏但含有数据：请取消隐藏并确认内容后再上传，或删除该行")]),
    (hidden_value_column, [("J1", "“报告值”列已隐藏：请取消隐藏并确认内容后再上传")]),
    (hidden_data_sheet, [(None, "工作表已隐藏：请取消隐藏并确认内容后再上传")]),
    (date_as_unparseable_text, [("K2", "无法识别的截至日期“去年底”：请填写日期，如 2021-12-31")]),
    (impossible_date, [("K2", "截至日期“2021-02-30”不是有效的日期：请填写日期，如 2021-12-31")]),
    (empty_value, [("J2", "报告值为空：请填写报告值，或删除这一行")]),
    (empty_keys, [
        ("A2", "地区代码为空：请填写地区代码或地区名称"),
        ("C2", "指标代码为空：请填写指标代码或指标名称"),
        ("G2", "期间为空：请填写年份（如 2021）或季度（如 2021Q3）"),
    ]),
    (no_header_row, [(None, NO_HEADER)]),
    (no_sheet_with_header, [(None, NO_HEADER.replace("前 10 行中找不到表头行", "没有工作表在前 10 行中有表头行"))]),
    (too_many_rows, [(None, "数据超过 3 行的上限：请拆分后分批上传")]),
    (oversized_file, [(None, "文件大小为 2.0 MB，超过上限 1.0 MB：请拆分后分批上传")]),
    (zip_bomb, [(None, "工作簿的压缩比为 {ratio}:1，超过 100:1 的上限，可能是恶意构造的压缩包，不予解析；"
                       "如确为正常文件，请删除多余的空行和格式后重新保存")]),
    (inflates_over_limit,
     [(None, "工作簿解压后共 2.0 MB，超过上限 1.0 MB，不予解析：请删除多余的工作表、空行和格式后重新保存")]),
    (not_really_xlsx, [(None, "文件不是有效的 Excel 工作簿（.xlsx）")]),
    (word_document_renamed, [(None, "文件不是有效的 Excel 工作簿（.xlsx）")]),
    (truncated_xlsx, [(None, "文件不是有效的 Excel 工作簿（.xlsx）")]),
    (unclosed_cell_element, [(None, "文件已损坏，读取中途出错：请在 Excel 中重新打开并保存后上传")]),
    (encrypted_or_legacy_as_xlsx,
     [(None, "文件不是有效的 Excel 工作簿（.xlsx）：它实为旧版 .xls 或设有打开密码的文件，请另存为不加密码的 .xlsx 后上传")]),
    (xls_file, [(None, "不接受旧版 Excel 97-2003 工作簿（.xls）：请在 Excel 中“另存为” Excel 工作簿（.xlsx）后上传")]),
    (ods_file, [(None, "不接受 OpenDocument 表格（.ods）：请“另存为” Excel 工作簿（.xlsx）后上传")]),
    (pdf_file, [(None, "不支持的文件类型“.pdf”：请上传 Excel 工作簿（.xlsx 或 .xlsm）或 CSV 文件")]),
    (empty_file, [(None, "文件是空的（0 字节）")]),
    (bad_csv_encoding, [(None, "CSV 文件的编码无法识别：请以 UTF-8 或 GB18030（GBK）编码保存，例如在 Excel 中另存为“CSV UTF-8（逗号分隔）”")]),
    (csv_with_text_value, [("J3", "报告值应为数字，收到文本“待统计”")]),
    (many_problems_in_one_sheet, [
        ("J2", "报告值应为数字，收到文本“约五天”"),
        ("A3", "未知地区代码：999999"),
        ("F3", "工作日与自然日之间不能换算：该指标以工作日计，收到“天”（自然日）；请按工作日填写"),
        ("J4", "百分比不能超过 100，收到 150%"),
        ("K4", "无法识别的截至日期“昨天”：请填写日期，如 2021-12-31"),
    ]),
]


@pytest.mark.parametrize("build, expected", BROKEN, ids=[build.__name__ for build, _ in BROKEN])
def test_broken_workbook_reports_every_problem_at_its_cell(tmp_path, monkeypatch, build, expected):
    path = build(tmp_path, monkeypatch)
    result = validate(path)
    if build is zip_bomb:
        expected = [(cell, message.format(ratio=compression_ratio(path))) for cell, message in expected]
    assert [(problem.cell, problem.message_zh) for problem in result.errors] == expected
    assert not result.ok
    for problem in result.errors:
        assert problem.severity == "error"
        assert problem.message_en and problem.message_en != problem.message_zh
        assert problem.message("zh").endswith(problem.message_zh)
        assert problem.message("en").endswith(problem.message_en)


def test_cell_problems_name_the_sheet_cell_and_value(tmp_path):
    result = validate(text_in_value_cell(tmp_path, None))
    [problem] = result.errors
    assert problem == Problem("error", DATA_SHEET, "J2", "约五天", "报告值应为数字，收到文本“约五天”",
                              "The reported value must be a number, got the text “约五天”")
    assert problem.message() == "工作表“进度填报” J2（约五天）：报告值应为数字，收到文本“约五天”"
    assert problem.message("en") == 'Sheet "进度填报" J2 (约五天): The reported value must be a number, got the text “约五天”'
    with pytest.raises(ValueError):
        problem.message("fr")


def test_file_problems_have_no_place(tmp_path):
    [problem] = validate(not_really_xlsx(tmp_path, None)).errors
    assert (problem.sheet, problem.cell, problem.value) == (None, None, None)
    assert problem.message() == "文件不是有效的 Excel 工作簿（.xlsx）"


def test_valid_rows_are_kept_beside_the_broken_ones(tmp_path):
    result = validate(many_problems_in_one_sheet(tmp_path, None))
    assert result.rows == []
    path = write_xlsx(tmp_path / "mixed.xlsx", [good_row(), good_row(period="2022", value="约五天")])
    result = validate(path)
    assert [row.row_number for row in result.rows] == [2]
    assert [problem.cell for problem in result.errors] == ["J3"]


# --- good workbooks -----------------------------------------------------------------------------------------------


def only_row(path: Path, last_reports: dict | None = None) -> ProgressRow:
    result = validate(path, last_reports)
    assert result.errors == []
    [row] = result.rows
    return row


def test_a_filled_in_template_row_imports_exactly(tmp_path):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(scope=" 全程网办 ", note="按季度统计")])
    result = validate(path)
    assert result.ok and result.warnings == []
    assert result.file_name == "progress.xlsx"
    assert result.sha256 == hashlib.sha256(path.read_bytes()).hexdigest()
    assert result.rows == [ProgressRow(
        sheet=DATA_SHEET, row_number=2, region_code="630000", indicator=STARTUP, scope="全程网办", period="2021",
        period_year=2021, value=2.5, unit="working_day", reported_value=2.5, reported_unit="working_day",
        as_of=DECEMBER_31, source="统计数据", note="按季度统计",
    )]


def test_english_headers_in_any_order_with_an_extra_column(tmp_path):
    order = ["value", "period", "unit", "indicator", "region_code", "as_of"]
    headers = [progress_layout.COLUMNS_BY_FIELD[field].header_en for field in order] + ["Checked by"]
    row = good_row()
    path = write_xlsx(tmp_path / "progress.xlsx", [[row[field] for field in order] + ["王"]], headers=headers)
    result = validate(path)
    assert result.ok
    assert [(row.region_code, row.indicator, row.period, row.value, row.as_of) for row in result.rows] == [
        ("630000", STARTUP, "2021", 2.5, DECEMBER_31)
    ]
    assert [(problem.sheet, problem.cell, problem.message_zh) for problem in result.warnings] == [
        (DATA_SHEET, None, "以下列不属于填报表，已忽略：Checked by（G1）")
    ]


def test_header_below_a_title_row_and_empty_rows_between_the_data(tmp_path):
    def title(workbook, sheet):
        sheet.insert_rows(1, 2)
        sheet["A1"] = "2021年营商环境指标进度填报"
        sheet.merge_cells("A1:M1")

    rows = [good_row(), {}, {}, good_row(period="2022"), {}, {}]
    path = write_xlsx(tmp_path / "progress.xlsx", rows, prepare=title)
    result = validate(path)
    assert result.errors == []
    assert [row.row_number for row in result.rows] == [4, 7]


@pytest.mark.parametrize(
    "written, expected",
    [
        pytest.param("1,234", 1234.0, id="thousands-separators"),
        pytest.param("１，２３４．５", 1234.5, id="full-width-digits-and-separators"),
        pytest.param(" 12.5 ", 12.5, id="surrounding-spaces"),
        pytest.param(1234, 1234.0, id="number"),
    ],
)
def test_numbers_written_as_text(tmp_path, written, expected):
    row = good_row(indicator="cross_province_service_items", unit="项", value=written)
    assert only_row(write_xlsx(tmp_path / "progress.xlsx", [row])).value == expected


def test_repeated_cells_take_the_quick_path_to_the_same_rows(tmp_path):
    """After its first sight a cell's reading is cached; rows read that way must equal rows read afresh."""
    kinds = [
        {"scope": "一般登记", "note": "按季度统计"},
        {"indicator": "online_service_rate", "unit": "%", "value": 95},
        {"indicator": "online_service_rate", "unit": "%", "value": 0.95, "scope": "行政许可事项"},
        {"indicator": "tax_payment_time", "unit": "天", "value": 2, "as_of": "2021年12月31日"},
        {"region_code": 630000, "region": "青海", "value": "1,234"},
    ]
    rows = [good_row(period=period, **kind) for period in ("2020", "2021", "2022") for kind in kinds]
    together = validate(write_xlsx(tmp_path / "together.xlsx", rows))
    assert together.errors == [] and len(together.rows) == len(rows)
    for row, read in zip(rows, together.rows):
        alone = only_row(write_xlsx(tmp_path / "alone.xlsx", [row]))
        assert dataclasses.replace(read, row_number=2) == alone


def test_full_width_digits_in_hours(tmp_path):
    row = only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator="tax_payment_time", unit="小时",
                                                                     value="１２３．５")]))
    assert (row.value, row.unit) == (123.5, "hour")


def percent_row(value, number_format: str | None = None):
    def format_cell(workbook, sheet):
        if number_format:
            sheet["J2"].number_format = number_format

    return [good_row(indicator="online_service_rate", unit="%", value=value)], format_cell


@pytest.mark.parametrize(
    "value, number_format, expected",
    [
        pytest.param(95, None, 95.0, id="plain-95"),
        pytest.param("95%", None, 95.0, id="text-95%"),
        pytest.param("９５％", None, 95.0, id="full-width-95%"),
        pytest.param(0.95, "0%", 95.0, id="0.95-in-a-percent-cell"),
        pytest.param(0.955, "0.0%", 95.5, id="0.955-in-a-percent-cell"),
        pytest.param(1, "0%", 100.0, id="100%-in-a-percent-cell"),
    ],
)
def test_percentages_without_warnings(tmp_path, value, number_format, expected):
    rows, prepare = percent_row(value, number_format)
    result = validate(write_xlsx(tmp_path / "progress.xlsx", rows, prepare=prepare))
    assert result.errors == [] and result.warnings == []
    assert [(row.value, row.unit, row.reported_value) for row in result.rows] == [(expected, "percent", expected)]


def test_a_fraction_for_a_percentage_is_read_with_a_warning(tmp_path):
    rows, prepare = percent_row(0.95)
    result = validate(write_xlsx(tmp_path / "progress.xlsx", rows, prepare=prepare))
    assert result.ok
    assert result.rows[0].value == 95.0
    assert [(problem.cell, problem.message_zh) for problem in result.warnings] == [
        ("J2", "按比例读取：0.95 视为 95%；如实际为 0.95%，请写成“0.95%”")
    ]


def test_a_percent_cell_over_100_percent_is_refused(tmp_path):
    rows, prepare = percent_row(1.2, "0%")
    [problem] = validate(write_xlsx(tmp_path / "progress.xlsx", rows, prepare=prepare)).errors
    assert (problem.cell, problem.value, problem.message_zh) == ("J2", "120%", "百分比不能超过 100，收到 120%")


@pytest.mark.parametrize(
    "written",
    ["2021年12月31日", "2021-12-31", "2021/12/31", "2021年12月31", "２０２１－１２－３１", "2021-12-31 00:00:00",
     DECEMBER_31, dt.datetime(2021, 12, 31, 18, 0), 44561],
    ids=str,
)
def test_as_of_dates_in_every_accepted_form(tmp_path, written):
    assert only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(as_of=written)])).as_of == DECEMBER_31


def test_as_of_is_optional(tmp_path):
    assert only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(as_of=None)])).as_of is None


@pytest.mark.parametrize(
    "written, period",
    [("2021", "2021"), (2021, "2021"), ("2021年", "2021"), ("2021年度", "2021"), ("2021Q3", "2021Q3"),
     ("2021-Q3", "2021Q3"), ("2021q3", "2021Q3"), ("2021年第三季度", "2021Q3"), ("2021年第3季度", "2021Q3"),
     ("２０２１Ｑ３", "2021Q3"), ("2026", "2026")],
    ids=str,
)
def test_periods_are_normalized(tmp_path, written, period):
    row = only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(period=written)]))
    assert (row.period, row.period_year) == (period, int(period[:4]))


@pytest.mark.parametrize("written", ["630000", 630000, "青海省", "青海", " 青海省 "], ids=str)
def test_regions_by_code_name_or_short_form(tmp_path, written):
    assert only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(region_code=written)])).region_code == "630000"


def test_region_from_the_name_column_when_the_code_is_empty(tmp_path):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(region_code=None, region="湖南省")])
    assert only_row(path).region_code == "430000"


def test_a_region_name_contradicting_the_code_is_a_warning(tmp_path):
    result = validate(write_xlsx(tmp_path / "progress.xlsx", [good_row(region="湖南省")]))
    assert result.ok and result.rows[0].region_code == "630000"
    assert [(problem.cell, problem.message_zh) for problem in result.warnings] == [
        ("B2", "地区名称与地区代码 630000（青海省）不一致，已按地区代码导入")
    ]


@pytest.mark.parametrize("written", [STARTUP, "企业开办时间", "Time to start a business", "time to start a business"])
def test_indicators_by_code_or_label(tmp_path, written):
    assert only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator=written)])).indicator == STARTUP


@pytest.mark.parametrize(
    "indicator, unit, written, value",
    [
        ("contract_enforcement_time", "小时", 36, 1.5),
        ("contract_enforcement_time", "hour", 12, 0.5),
        ("contract_enforcement_time", "自然日", 30, 30),
        ("tax_payment_time", "天", 2, 48),
        ("tax_payment_time", "分钟", 90, 1.5),
        ("enterprise_startup_time", "working_day", 2, 2),
        ("enterprise_startup_time", "个工作日", 2, 2),
        ("trademark_processing_time", "个月", 4, 4),
        ("power_connection_steps", "个环节", 3, 3),
        ("tax_payment_count", "次", 7, 7),
        ("enterprise_startup_cost", "元", 0, 0),
        ("market_entities_count", "户", 120000, 120000),
    ],
)
def test_units_are_converted_to_the_canonical_unit(tmp_path, indicator, unit, written, value):
    row = only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator=indicator, unit=unit, value=written)]))
    catalog_unit = default_catalog()[indicator].unit
    assert (row.value, row.unit, row.reported_value) == (value, catalog_unit, written)
    assert row.reported_unit == UNIT_WORDS[unit.lower()]


def test_hours_converted_to_days_keep_what_was_written(tmp_path):
    row = only_row(write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator="contract_enforcement_time",
                                                                     unit="小时", value=36)]))
    assert (row.value, row.unit, row.reported_value, row.reported_unit) == (1.5, "day", 36, "hour")


def test_formula_with_a_cached_value_is_read_as_its_value(tmp_path):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(value="=2+3")])
    sheet_xml(path, lambda data: data.replace(b"<f>2+3</f><v></v>", b"<f>2+3</f><v>5</v>"))
    assert only_row(path).value == 5


def test_shared_strings_as_excel_writes_them(tmp_path):
    path = to_shared_strings(write_xlsx(tmp_path / "progress.xlsx", [good_row(), good_row(period="2022", value="3")]))
    assert b'<c r="A2" t="s">' in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    assert load_workbook(path)[DATA_SHEET]["C3"].value == STARTUP  # the fixture is a valid package
    result = validate(path)
    assert result.errors == []
    assert [(row.region_code, row.indicator, row.period, row.value) for row in result.rows] == [
        ("630000", STARTUP, "2021", 2.5), ("630000", STARTUP, "2022", 3.0)
    ]


def test_prefixed_namespace_and_cells_without_references(tmp_path):
    """Some .NET writers prefix every element (x:row, x:c) and leave out r=; the reader must not depend on either."""
    # Writers that leave out r= write every cell, empty ones included, so every column is filled here.
    full = {"scope": "一般登记", "note": "无"}
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(**full), good_row(period="2022", value="约五天", **full)])

    def rewrite(data: bytes) -> bytes:
        data = re.sub(rb'<c r="[A-Z]+\d+"', b"<c", data)  # cells in order, without references
        data = re.sub(rb"<(/?)(worksheet|sheetData|row|c|v|f|is|t)\b", rb"<\1x:\2", data)
        return data.replace(b'<x:worksheet xmlns="', b'<x:worksheet xmlns:x="')

    sheet_xml(path, rewrite)
    assert b"<x:c t=" in zipfile.ZipFile(path).read("xl/worksheets/sheet1.xml")
    result = validate(path)
    assert [(row.period, row.value) for row in result.rows] == [("2021", 2.5)]
    assert [(problem.cell, problem.message_zh) for problem in result.errors] == [
        ("J3", "报告值应为数字，收到文本“约五天”")
    ]


def test_thousands_of_unclosed_cells_are_refused_at_once(tmp_path):
    """A crafted sheet must not make the reader scan to the end of the block for every broken cell."""
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row()])
    sheet_xml(path, lambda data: re.sub(rb"<sheetData>.*</sheetData>",
                                        b'<sheetData><row r="2">' + b'<c r="A2">x' * 30_000 + b"</row></sheetData>",
                                        data, flags=re.S))
    started = time.perf_counter()
    [problem] = validate(path).errors
    assert problem.message_zh == "文件已损坏，读取中途出错：请在 Excel 中重新打开并保存后上传"
    assert time.perf_counter() - started < 2


def test_dates_of_a_1904_workbook(tmp_path):
    def mac_epoch(workbook, sheet):
        workbook.epoch = CALENDAR_MAC_1904

    path = write_xlsx(tmp_path / "progress.xlsx", [good_row()], prepare=mac_epoch)
    assert b'date1904="1"' in zipfile.ZipFile(path).read("xl/workbook.xml")
    assert only_row(path).as_of == DECEMBER_31


def test_xlsm_is_read_and_its_macros_ignored(tmp_path):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row()])
    with zipfile.ZipFile(path, "a") as archive:
        archive.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 not a real VBA project")
    macro = path.rename(tmp_path / "progress.xlsm")
    assert only_row(macro).value == 2.5


def test_without_the_data_sheet_the_first_sheet_with_a_header_is_read(tmp_path):
    def sheets(workbook, sheet):
        notes = workbook.create_sheet("封面", 0)
        notes["A1"] = "说明文字"
        workbook.create_sheet(LISTS_SHEET).sheet_state = "hidden"
        old = workbook.create_sheet("旧数据")
        old.append(HEADERS_ZH)
        old.sheet_state = "hidden"

    result = validate(write_xlsx(tmp_path / "progress.xlsx", [good_row()], sheet="Sheet1", prepare=sheets))
    assert result.ok
    assert [(row.sheet, row.row_number) for row in result.rows] == [("Sheet1", 2)]
    assert [(problem.sheet, problem.message_zh) for problem in result.warnings] == [
        ("旧数据", "工作表已隐藏，其中的内容不会导入；如需导入，请取消隐藏并把数据移到要填报的工作表")
    ]


@pytest.mark.parametrize(
    "encoding, prefix",
    [("gb18030", b""), ("utf-8", b""), ("utf-8", codecs.BOM_UTF8)],
    ids=["gb18030", "utf-8", "utf-8-bom"],
)
def test_csv_in_every_accepted_encoding(tmp_path, encoding, prefix):
    path = tmp_path / "progress.csv"
    rows = csv_rows(good_row(as_of="2021-12-31"), good_row(period="2021Q3", value="1,234", as_of="2021年9月30日"))
    path.write_bytes(prefix + csv_bytes(rows, encoding))
    result = validate(path)
    assert result.errors == []
    assert [(row.sheet, row.row_number, row.period, row.value, row.as_of) for row in result.rows] == [
        ("CSV", 2, "2021", 2.5, DECEMBER_31), ("CSV", 3, "2021Q3", 1234.0, dt.date(2021, 9, 30))
    ]


# --- warnings against the last stored report ----------------------------------------------------------------------


def test_a_tenfold_jump_is_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(value=30)])
    result = validate(path, {("630000", STARTUP, None): (3.0, "2020")})
    assert result.ok and [row.value for row in result.rows] == [30]
    assert [(problem.cell, problem.message_zh) for problem in result.warnings] == [
        ("J2", "报告值 30 工作日是上次报告（2020：3 工作日）的 10 倍：请核对数值和单位"),
        ("J2", "报告值 30 工作日比上次报告（2020：3 工作日）差：该指标越低越好，请确认"),
    ]


def test_a_tenth_of_the_last_report_is_a_warning(tmp_path):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(indicator="online_service_rate", unit="%", value=9)])
    result = validate(path, {("630000", "online_service_rate", None): (95.0, "2021")})
    assert [(problem.cell, problem.message_zh) for problem in result.warnings] == [
        ("J2", "报告值 9 %不到上次报告（2021：95 %）的十分之一：请核对数值和单位"),
    ]


def test_worse_than_the_last_report_is_a_warning_in_the_indicators_direction(tmp_path):
    rows = [
        good_row(value=3.5),
        good_row(indicator="online_service_rate", unit="%", value=80),
        good_row(indicator="tax_payment_time", unit="小时", value=100, scope="增值税"),
    ]
    last = {
        ("630000", STARTUP, None): (3.0, "2020"),
        ("630000", "online_service_rate", None): (90.0, "2020Q4"),
        ("630000", "tax_payment_time", "增值税"): (120.0, "2020"),  # better: no warning
    }
    result = validate(write_xlsx(tmp_path / "progress.xlsx", rows), last)
    assert result.ok and len(result.rows) == 3
    assert [(problem.cell, problem.message_zh) for problem in result.warnings] == [
        ("J2", "报告值 3.5 工作日比上次报告（2020：3 工作日）差：该指标越低越好，请确认"),
        ("J3", "报告值 80 %比上次报告（2020Q4：90 %）差：该指标越高越好，请确认"),
    ]


def test_a_correction_of_the_same_period_is_not_called_worse(tmp_path):
    path = write_xlsx(tmp_path / "progress.xlsx", [good_row(value=3.5)])
    assert validate(path, {("630000", STARTUP, None): (3.0, "2021")}).warnings == []


# --- annotation ---------------------------------------------------------------------------------------------------


def test_annotated_workbook_marks_problem_cells(tmp_path):
    rows = [good_row(value="约五天"), good_row(period="2022", indicator="online_service_rate", unit="%", value=0.9)]
    path = write_xlsx(tmp_path / "progress.xlsx", rows)
    result = validate(path)
    assert [problem.cell for problem in result.errors] == ["J2"]
    assert [problem.cell for problem in result.warnings] == ["J3"]
    annotated = load_workbook(io.BytesIO(annotated_workbook(path.read_bytes(), result)))
    sheet = annotated[DATA_SHEET]
    assert sheet["J2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert "报告值应为数字，收到文本“约五天”" in sheet["J2"].comment.text
    assert sheet["J3"].fill.fgColor.rgb.endswith("FFEB9C")
    assert "按比例读取" in sheet["J3"].comment.text
    assert sheet["J4"].comment is None and sheet["A2"].comment is None
    assert sheet["J2"].value == "约五天"  # the data itself is untouched
    english = load_workbook(io.BytesIO(annotated_workbook(path.read_bytes(), result, "en")))[DATA_SHEET]
    assert "must be a number" in english["J2"].comment.text


def test_annotated_csv_comes_back_as_a_workbook(tmp_path):
    path = tmp_path / "progress.csv"
    path.write_bytes(csv_bytes(csv_rows(good_row(value="=1+1")), "gb18030"))
    result = validate(path)
    sheet = load_workbook(io.BytesIO(annotated_workbook(path.read_bytes(), result)))["CSV"]
    assert sheet["J2"].value == "=1+1" and sheet["J2"].data_type == "s"
    assert "报告值应为数字" in sheet["J2"].comment.text


def test_annotation_of_a_merged_range_and_a_whole_sheet_problem(tmp_path):
    path = merged_cells_in_data(tmp_path, None)
    result = validate(path)
    sheet = load_workbook(io.BytesIO(annotated_workbook(path.read_bytes(), result)))[DATA_SHEET]
    assert "合并单元格 J2:J3" in sheet["J2"].comment.text
    path = missing_value_column(tmp_path, None)
    sheet = load_workbook(io.BytesIO(annotated_workbook(path.read_bytes(), validate(path))))[DATA_SHEET]
    assert sheet["A1"].comment.text == "错误：表头（第 1 行）缺少必填列：报告值"


def test_english_messages_for_regions(tmp_path):
    [problem] = validate(ambiguous_region(tmp_path, None)).errors
    assert problem.message("en") == (
        'Sheet "进度填报" A2 (朝阳区): The region name “朝阳区” is ambiguous: 北京市朝阳区 (110105), '
        "吉林省长春市朝阳区 (220104); write its parent region too"
    )


@pytest.mark.parametrize("build", [not_really_xlsx, empty_file, bad_csv_encoding, no_sheet_with_header],
                         ids=lambda build: build.__name__)
def test_a_file_refused_as_a_whole_cannot_be_annotated(tmp_path, build):
    path = build(tmp_path, None)
    result = validate(path)
    assert not can_annotate(result)
    with pytest.raises(ValueError, match="cannot be annotated: the file as a whole was refused"):
        annotated_workbook(path.read_bytes(), result)


# --- number text, and scale ---------------------------------------------------------------------------------------


FULL_WIDTH = str.maketrans("0123456789.,%", "０１２３４５６７８９．，％")


@given(st.decimals(min_value=0, max_value=10**9, places=2), st.booleans(), st.booleans())
def test_grouped_and_full_width_numbers_read_back_exactly(number, grouped, full_width):
    text = f"{number:,.2f}" if grouped else f"{number:.2f}"
    if full_width:
        text = text.translate(FULL_WIDTH)
    assert parse_number_text(f" {text} ") == (float(Decimal(f"{number:.2f}")), False)


def fast_workbook(path: Path, rows: int) -> Path:
    """A workbook of `rows` data rows written as Excel does (shared strings), without openpyxl's slow writer."""
    strings = HEADERS_ZH + ["630000", "青海省", STARTUP, "企业开办时间", "工作日", "统计数据"]
    index = {text: position for position, text in enumerate(strings)}
    regions = [region.code for region in default_region_table().all() if region.level == "county"]
    for code in regions:
        index[code] = len(strings)
        strings.append(code)
    years = [str(year) for year in range(2015, 2027)]
    scopes = ["一般登记", "全程网办", "线下办理"]
    for text in years + scopes:
        index[text] = len(strings)
        strings.append(text)
    header = "".join(f'<c r="{get_column_letter(i)}1" t="s"><v>{i - 1}</v></c>' for i in range(1, 14))
    body = [f'<row r="1">{header}</row>']
    for number in range(2, rows + 2):
        # Every row a different (region, scope, period), so that none is a duplicate.
        position = number - 2
        code = regions[position % len(regions)]
        year = years[position // len(regions) % len(years)]
        scope = scopes[position // (len(regions) * len(years))]
        body.append(
            f'<row r="{number}"><c r="A{number}" t="s"><v>{index[code]}</v></c><c r="C{number}" t="s"><v>{index[STARTUP]}</v></c>'
            f'<c r="D{number}" t="s"><v>{index["企业开办时间"]}</v></c><c r="E{number}" t="s"><v>{index[scope]}</v></c>'
            f'<c r="F{number}" t="s"><v>{index["工作日"]}</v></c>'
            f'<c r="G{number}" t="s"><v>{index[year]}</v></c><c r="H{number}"><v>3</v></c>'
            f'<c r="J{number}"><v>{1 + number % 97 / 10}</v></c><c r="K{number}" s="1"><v>44561</v></c>'
            f'<c r="L{number}" t="s"><v>{index["统计数据"]}</v></c></row>'
        )
    path = write_xlsx(path, [])
    sheet_xml(path, lambda data: re.sub(rb"<sheetData>.*</sheetData>|<sheetData\s*/>",
                                        ("<sheetData>" + "".join(body) + "</sheetData>").encode(), data, flags=re.S))
    rewrite_member(path, "xl/styles.xml", lambda data: re.sub(
        rb'<cellXfs count="\d+">(.*?)</cellXfs>',
        rb'<cellXfs count="2">\1<xf numFmtId="14" fontId="0" fillId="0" borderId="0" applyNumberFormat="1"/></cellXfs>',
        data, flags=re.S,
    ))
    return add_shared_strings(path, strings)


def test_a_100000_row_workbook_is_checked_in_well_under_five_seconds(tmp_path):
    path = fast_workbook(tmp_path / "large.xlsx", 100_000)
    data = path.read_bytes()
    # CPU time, so that other processes on a busy machine do not make the test flaky; about 1.7 s on a slow VM.
    started = time.process_time()
    result = validate_upload(data, path.name, context())
    elapsed = time.process_time() - started
    assert result.errors == [] and len(result.rows) == 100_000
    assert result.rows[0].as_of == DECEMBER_31
    assert elapsed < 5, f"validate_upload took {elapsed:.1f} s of CPU for 100,000 rows"


@pytest.fixture(scope="module")
def stored_database(tmp_path_factory):
    from etl.build import build
    from indicators.paths import POLICIES_DIR

    database = tmp_path_factory.mktemp("broken-uploads") / "bizenv.duckdb"
    build(POLICIES_DIR, database, samples_dir=None)
    return database


@pytest.mark.parametrize("build, expected", BROKEN, ids=[build.__name__ for build, _ in BROKEN])
def test_broken_workbook_submitted_changes_nothing_stored(tmp_path, monkeypatch, stored_database, build, expected,
                                                          admin, table_digest):
    """Through the whole upload path: refused, every data table as before, no file kept; the refusal is audited."""
    from indicators import store
    from indicators.progress.submissions import submit

    path = build(tmp_path, monkeypatch)
    before = table_digest(stored_database)
    audited = len(store.audit_entries(stored_database))
    uploads = tmp_path / "uploads"
    outcome = submit(path.read_bytes(), path.name, admin, stored_database, folder=uploads, context=context())
    assert not outcome.stored and outcome.errors
    assert table_digest(stored_database) == before
    assert not uploads.exists()
    entries = store.audit_entries(stored_database)
    assert len(entries) == audited + 1 and entries.iloc[0]["action"] == "upload_refused"
    assert entries.iloc[0]["file_name"] == path.name
