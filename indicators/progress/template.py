"""The blank progress sheet evaluators download: one row per region, indicator and scope with a target, ready to fill."""
from __future__ import annotations

import io
import re
from copy import copy

import pandas as pd
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation

from indicators.i18n import COMPARATOR_LABELS, UNIT_LABELS
from indicators.progress import layout
from indicators.views import applicable_target

PERIOD_PATTERN = re.compile(r"^\d{4}(Q[1-4])?$")
LANGUAGES = ("zh", "en")
HEADER_ROW = 1  # the reader finds the headers here; data starts on the next row
UNCLASSIFIED_SUFFIX = "_unclassified"

HEADER_FONT = Font(bold=True)
HEADER_FILL = PatternFill("solid", fgColor="FFF2CC")
LOCKED_FILL = PatternFill("solid", fgColor="F2F2F2")  # grey marks what evaluators should leave alone
INPUT_FORMATS = {"value": "0.00", "as_of": "yyyy-mm-dd"}
# Wide enough for any real date, narrow enough to catch a year typed as 20210 or a value pasted into the column.
FIRST_DATE, LAST_DATE = "DATE(2000,1,1)", "DATE(2099,12,31)"
# Excel needs bounds for a decimal rule; these admit every number a sheet can hold, since the reader does the checks.
LOWEST_NUMBER, HIGHEST_NUMBER = "-1E+300", "1E+300"


class TemplateError(ValueError):
    """The template cannot be made as asked (a malformed period or an unknown language)."""


def check_period(period: str) -> int:
    """The year of a period written 2021 or 2021Q3; anything else is refused."""
    if not isinstance(period, str) or not PERIOD_PATTERN.match(period):
        raise TemplateError(f"期间格式不正确：{period!r}（应为 2021 或 2021Q3）")
    return int(period[:4])


def number_text(value: float) -> str:
    """2.0 → 2, 0.5 → 0.5, 1.647e11 → 164700000000: how people write numbers, never scientific notation."""
    return f"{float(value):.6f}".rstrip("0").rstrip(".")


def target_text(target: pd.Series) -> str:
    """A target as a reader would say it: ≤ 2 工作日（2021年）, 1–2 项, 压减 30%, 提高 5 个百分点（2025年）."""
    unit = target["unit"]
    amount = number_text(target["value"])
    if pd.notna(target.get("value_max")):
        amount += "–" + number_text(target["value_max"])
    comparator = target["comparator"]
    if comparator == "increase_by" and unit == "percent":
        # 提升X个百分点 adds points; "提高 5%" would read as a relative rise.
        measured = f"{amount} 个百分点"
    elif unit == "percent":
        measured = f"{amount}%"
    else:
        measured = f"{amount} {UNIT_LABELS.get(unit, {'zh': unit})['zh']}"
    # A range already says what is wanted, and "= 1–2 项" would read oddly.
    sign = "" if comparator == "=" and pd.notna(target.get("value_max")) else COMPARATOR_LABELS.get(comparator, {"zh": comparator})["zh"]
    text = f"{sign} {measured}".strip()
    if pd.notna(target.get("year")):
        text += f"（{int(target['year'])}年）"
    return text


def source_text(target: pd.Series) -> str:
    title = str(target["title"])
    number = target.get("document_number")
    return f"{title}（{number}）" if isinstance(number, str) and number.strip() else title


def template_rows(targets: pd.DataFrame, regions: list[str], period: str) -> pd.DataFrame:
    """One row per region, indicator and scope with a target, keys and the target in force filled, inputs empty.

    `targets` is what `store.template_targets` returns; `regions` are region codes.
    """
    year = check_period(period)
    fields = [column.field for column in layout.COLUMNS]
    wanted = targets[
        targets["region_code"].astype(str).isin([str(code) for code in regions])
        & ~targets["indicator"].astype(str).str.endswith(UNCLASSIFIED_SUFFIX)
    ]
    if "kind" in wanted:
        wanted = wanted[wanted["kind"] == "target"]
    if wanted.empty:
        return pd.DataFrame(columns=fields, dtype=object)
    # groupby drops missing keys, and a missing scope (the indicator as a whole) is the commonest one.
    wanted = wanted.assign(scope_key=wanted["scope"].fillna(""))
    rows = []
    for (region_code, indicator, scope_key), group in wanted.groupby(["region_code", "indicator", "scope_key"], sort=False):
        current = applicable_target(group, year)
        rows.append({
            "region_code": str(region_code),
            "region": current["region"],
            "indicator": indicator,
            "indicator_name": current["indicator_zh"],
            "scope": scope_key or None,
            "unit": current["indicator_unit"],
            "period": period,
            "target": target_text(current),
            "target_source": source_text(current),
            "value": None,
            "as_of": None,
            "source": None,
            "note": None,
        })
    frame = pd.DataFrame(rows, columns=fields, dtype=object)
    order = frame.assign(scope_key=frame["scope"].fillna("")).sort_values(["region_code", "indicator", "scope_key"]).index
    return frame.loc[order].reset_index(drop=True)


# --- The workbook ------------------------------------------------------------------------------

INSTRUCTIONS = {
    "zh": {
        "title": "营商环境改革目标进度填报说明",
        "intro": "本工作簿由 bizenv 生成。请在“{data}”工作表中逐行填写各地区、各指标的实际进展，保存为 .xlsx 后上传。",
        "rows_intro": "本表共 {rows} 行，涉及 {regions} 个地区，期间 {periods}。",
        "sections": (
            ("填写哪些列", "只填白色底的列：单位、报告值、截至日期、数据来源、备注。灰色底的列（地区代码、地区名称、指标代码、"
                         "指标名称、范围、期间、当前目标、目标来源）由系统生成并已锁定，请勿修改；上传时按这些列识别每一行。"),
            ("报告值", "填写该期间的实际数值，只填数字，不要带单位或文字（如“约5天”“5个工作日”）。没有数据的行留空即可，空行不会入库。"),
            ("单位", "已预填指标的标准单位，可从下拉列表中改为可精确换算的单位（如天与小时）。工作日不能与自然日互换。"
                   "单位代码含义见下表。"),
            ("百分比", "比例类指标（单位 percent）可写 95、95% 或 0.95，三种写法都表示 95%。"),
            ("截至日期", "数值的统计截止日期，格式 YYYY-MM-DD，如 2021-12-31。"),
            ("数据来源", "可从下拉列表选择（统计数据、业务系统、抽样调查、第三方评估、自评估），也可填写具体来源。"),
            ("行的规则", "每一行对应一个地区、指标、范围和期间，不要重复。请勿合并单元格、隐藏或删除行列、改动表头、"
                       "插入新工作表；季度数据请另行下载对应季度（如 2021Q3）的模板。"),
            ("上传与错误", "上传时系统检查整个文件：发现错误会列出工作表名称、行号（与 Excel 左侧行号一致）、列名和原因，"
                        "整份文件不入库，请改正后重新上传；只有提示（如数值与上次相差较大）时仍可确认入库。"
                        "同一地区、指标、范围和期间再次上传时，新值替代旧值，旧值保留在历史中。"),
            ("限制", "每个文件不超过 {size} MB、{limit} 行数据。"),
            ("表格保护", "数据表已开启保护以防误改锁定列，未设密码；如所用软件需要，可在“审阅 → 撤消工作表保护”中解除，"
                       "但请不要修改灰色列。"),
        ),
        "columns_title": "各列说明",
        "columns_header": ("列名", "是否填写", "说明"),
        "fill": "填写", "locked": "锁定（勿改）",
        "units_title": "单位代码",
        "units_header": ("代码", "含义"),
    },
    "en": {
        "title": "How to fill in the business-environment progress sheet",
        "intro": "This workbook was generated by bizenv. Fill in each region's actual progress on every indicator in the "
                 "sheet “{data}”, save it as .xlsx and upload it.",
        "rows_intro": "The sheet has {rows} rows for {regions} region(s), period {periods}.",
        "sections": (
            ("What to fill in", "Only the white columns: unit, reported value, as of, data source and note. The grey "
                                "columns (region code and name, indicator code and name, scope, period, current target, "
                                "target source) are generated and locked: do not change them, since the upload identifies "
                                "each row by them."),
            ("Reported value", "The actual value for the period, as a number only, without units or words "
                               "(not “about 5 days”). Leave the cell empty where there is no data; empty rows are not stored."),
            ("Unit", "Pre-filled with the indicator's standard unit; the drop-down offers units that convert exactly "
                     "(days and hours). Working days never convert to calendar days. The unit codes are listed below."),
            ("Percentages", "Rates (unit percent) may be written 95, 95% or 0.95: all three mean 95%."),
            ("As of", "The date the value refers to, as YYYY-MM-DD, e.g. 2021-12-31."),
            ("Data source", "Pick from the drop-down (统计数据 statistics, 业务系统 business system, 抽样调查 sample "
                            "survey, 第三方评估 third-party assessment, 自评估 self-assessment) or write the actual source."),
            ("Rows", "One row per region, indicator, scope and period, no duplicates. Do not merge cells, hide or delete "
                     "rows or columns, change the headers or add sheets; for quarterly values download the template for "
                     "that quarter (e.g. 2021Q3)."),
            ("Upload and errors", "The upload checks the whole file: each error is listed with the sheet name, the row "
                                  "number (as shown at the left of Excel), the column and the reason, and nothing from "
                                  "the file is stored until it is fixed and uploaded again; warnings alone (e.g. a value "
                                  "far from the previous one) can be confirmed. Uploading the same region, indicator, "
                                  "scope and period again replaces the earlier value, which stays in the history."),
            ("Limits", "At most {size} MB and {limit} data rows per file."),
            ("Protection", "The data sheet is protected, without a password, so the locked columns are not changed by "
                           "accident; if your software needs it, unprotect it (Review → Unprotect Sheet), but leave the "
                           "grey columns as they are."),
        ),
        "columns_title": "Columns",
        "columns_header": ("Column", "Fill in?", "Meaning"),
        "fill": "fill in", "locked": "locked (do not change)",
        "units_title": "Unit codes",
        "units_header": ("Code", "Meaning"),
    },
}

COLUMN_MEANINGS = {
    "region_code": ("GB/T 2260 六位行政区划代码", "six-digit GB/T 2260 region code"),
    "region": ("地区名称", "region name"),
    "indicator": ("指标代码（系统识别用）", "indicator code (what the system reads)"),
    "indicator_name": ("指标名称", "indicator name"),
    "scope": ("指标适用范围，空白表示整体", "what the indicator covers; empty means as a whole"),
    "unit": ("报告值的单位（下拉选择）", "unit of the reported value (drop-down)"),
    "period": ("填报期间：年度（2021）或季度（2021Q3）", "period: a year (2021) or a quarter (2021Q3)"),
    "target": ("该地区在该年度适用的目标，供参考", "the region's target in force for the year, for reference"),
    "target_source": ("目标所在文件及文号", "document setting the target, with its number"),
    "value": ("实际数值，只填数字", "actual value, a number only"),
    "as_of": ("统计截止日期 YYYY-MM-DD", "date the value refers to, YYYY-MM-DD"),
    "source": ("数据来源（下拉选择或自填）", "data source (drop-down or free text)"),
    "note": ("补充说明（可选）", "remarks (optional)"),
}


def _text(cell, value) -> None:
    """Store a value; text always as text, so a scope or title starting with = can never become a formula."""
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        cell.value = None
        return
    if isinstance(value, str):
        # openpyxl refuses the whole workbook over one control character; a visible mark is better.
        cell.value = ILLEGAL_CHARACTERS_RE.sub("\ufffd", value)
        cell.data_type = "s"
    else:
        cell.value = value


def exported_value(record: dict, field: str):
    """A value as the sheet should hold it so that reading it back gives it exactly.

    The reader takes a bare number of at most 1 in a percent row as a fraction (0.95 → 95%), as people write
    them; a filled-in percentage that small is therefore written with its sign, "0.5%", which reads back as is.
    """
    value = record.get(field)
    if field == "value" and record.get("unit") == "percent" and isinstance(value, (int, float)) and -1 <= value <= 1:
        return f"{value:g}%"
    return value


def _header(column: layout.Column, language: str) -> str:
    return column.header_zh if language == "zh" else column.header_en


def _write_instructions(sheet, rows: pd.DataFrame, language: str) -> None:
    words = INSTRUCTIONS[language]
    periods = "、".join(sorted(rows["period"].dropna().astype(str).unique())) or "—"
    # (cells, style): the title, bold headings, or plain text.
    lines: list[tuple[tuple, str]] = [
        ((words["title"],), "title"),
        ((words["intro"].format(data=layout.DATA_SHEET),), "plain"),
        ((words["rows_intro"].format(rows=len(rows), regions=rows["region_code"].nunique(), periods=periods),), "plain"),
        ((), "plain"),
    ]
    size = layout.UPLOAD_SIZE_LIMIT // (1024 * 1024)
    for heading, text in words["sections"]:
        lines.append(((heading, text.format(size=size, limit=f"{layout.ROW_LIMIT:,}")), "heading"))
    lines += [((), "plain"), ((words["columns_title"],), "heading"), (words["columns_header"], "heading")]
    for column in layout.COLUMNS:
        meaning = COLUMN_MEANINGS[column.field][0 if language == "zh" else 1]
        lines.append(((_header(column, language), words["locked"] if column.locked else words["fill"], meaning), "plain"))
    lines += [((), "plain"), ((words["units_title"],), "heading"), (words["units_header"], "heading")]
    lines += [((code, names[language]), "plain") for code, names in UNIT_LABELS.items()]
    for row_number, (cells, style) in enumerate(lines, start=1):
        for column_number, value in enumerate(cells, start=1):
            cell = sheet.cell(row=row_number, column=column_number)
            _text(cell, value)
            # A lone line (title, introduction) runs across the empty columns instead of wrapping in column A.
            cell.alignment = Alignment(wrap_text=len(cells) > 1, vertical="top")
            if style == "title":
                cell.font = Font(bold=True, size=14)
            elif style == "heading" and (column_number == 1 or len(cells) == 3):
                cell.font = HEADER_FONT
    sheet.column_dimensions["A"].width = 18
    sheet.column_dimensions["B"].width = 90
    sheet.column_dimensions["C"].width = 40


def _write_lists(sheet, rows: pd.DataFrame) -> dict[str, str]:
    """The drop-down choices in columns of the hidden sheet; returns list name → absolute range for validations.

    Kept on a sheet rather than inline ("a,b,c") because inline lists are capped at 255 characters and cannot
    be inspected; a hidden sheet keeps them out of the way without a password.
    """
    lists = {"source": layout.SOURCE_CHOICES}
    for unit in sorted(rows["unit"].dropna().astype(str).unique()):
        lists[f"unit:{unit}"] = layout.UNIT_CHOICES.get(unit, (unit,))
    ranges = {}
    for column_number, (name, choices) in enumerate(lists.items(), start=1):
        letter = get_column_letter(column_number)
        _text(sheet.cell(row=1, column=column_number), name)
        for row_number, choice in enumerate(choices, start=2):
            _text(sheet.cell(row=row_number, column=column_number), choice)
        ranges[name] = f"{quote_sheetname(layout.LISTS_SHEET)}!${letter}$2:${letter}${len(choices) + 1}"
    sheet.sheet_state = "hidden"
    return ranges


def _validation(language: str, **options) -> DataValidation:
    validation = DataValidation(allow_blank=True, showErrorMessage=True, showInputMessage=False, **options)
    validation.errorTitle = "填写有误" if language == "zh" else "Invalid entry"
    return validation


def _runs(numbers: list[int]) -> list[tuple[int, int]]:
    """Ascending row numbers as (first, last) runs, so a county-scale sheet's validation ranges stay short."""
    runs: list[tuple[int, int]] = []
    for number in numbers:
        if runs and runs[-1][1] == number - 1:
            runs[-1] = (runs[-1][0], number)
        else:
            runs.append((number, number))
    return runs


def _add_validations(sheet, rows: pd.DataFrame, ranges: dict[str, str], language: str) -> None:
    if rows.empty:
        return
    last = HEADER_ROW + len(rows)
    letters = {column.field: get_column_letter(position) for position, column in enumerate(layout.COLUMNS, start=1)}
    zh = language == "zh"

    def span(field: str) -> str:
        return f"{letters[field]}{HEADER_ROW + 1}:{letters[field]}{last}"

    # Units differ by row, so each canonical unit gets its own list and the rows that use it.
    unit_rows: dict[str, list[int]] = {}
    for offset, unit in enumerate(rows["unit"].astype(str), start=HEADER_ROW + 1):
        unit_rows.setdefault(unit, []).append(offset)
    for unit, row_numbers in unit_rows.items():
        # The ranges go in at once: DataValidation.add checks overlaps one by one, quadratic in the number of ranges.
        cells = " ".join(f"{letters['unit']}{first}:{letters['unit']}{final}" for first, final in _runs(row_numbers))
        validation = _validation(language, type="list", formula1=ranges[f"unit:{unit}"], errorStyle="stop", sqref=cells)
        validation.error = "请从下拉列表中选择单位" if zh else "Choose a unit from the list"
        sheet.add_data_validation(validation)

    # A warning, not a stop: a department may name its own source, which the reader accepts.
    source = _validation(language, type="list", formula1=ranges["source"], errorStyle="warning")
    source.error = "不在列表中的来源也可保留" if zh else "A source not in the list may be kept"
    source.add(span("source"))
    sheet.add_data_validation(source)

    value = _validation(language, type="decimal", operator="between", formula1=LOWEST_NUMBER, formula2=HIGHEST_NUMBER,
                        errorStyle="stop")
    value.error = "报告值只填数字（百分比可写 95、95% 或 0.95）" if zh else "The value must be a number (95, 95% or 0.95 for rates)"
    value.add(span("value"))
    sheet.add_data_validation(value)

    as_of = _validation(language, type="date", operator="between", formula1=FIRST_DATE, formula2=LAST_DATE,
                        errorStyle="stop")
    as_of.error = "请填写日期，格式 YYYY-MM-DD" if zh else "Enter a date as YYYY-MM-DD"
    as_of.add(span("as_of"))
    sheet.add_data_validation(as_of)


def _write_data(sheet, rows: pd.DataFrame, language: str) -> None:
    for position, column in enumerate(layout.COLUMNS, start=1):
        cell = sheet.cell(row=HEADER_ROW, column=position)
        _text(cell, _header(column, language))
        cell.font = HEADER_FONT
        cell.fill = HEADER_FILL
        cell.protection = Protection(locked=True)
        sheet.column_dimensions[get_column_letter(position)].width = column.width
    # Styles are set once per column on the first data row and copied down: setting them cell by cell makes
    # openpyxl hash every style again, which turns a county-scale sheet from seconds into minutes.
    styles = []
    for position, column in enumerate(layout.COLUMNS if len(rows) else (), start=1):
        prototype = sheet.cell(row=HEADER_ROW + 1, column=position)
        if column.locked:
            prototype.fill = LOCKED_FILL
        else:
            prototype.protection = Protection(locked=False)
        if column.field in INPUT_FORMATS:
            prototype.number_format = INPUT_FORMATS[column.field]
        styles.append(prototype._style)
    for row_number, record in enumerate(rows.to_dict("records"), start=HEADER_ROW + 1):
        for position, column in enumerate(layout.COLUMNS, start=1):
            cell = sheet.cell(row=row_number, column=position)
            _text(cell, exported_value(record, column.field))
            cell._style = copy(styles[position - 1])
    sheet.freeze_panes = f"A{HEADER_ROW + 1}"
    if not rows.empty:
        sheet.auto_filter.ref = f"A{HEADER_ROW}:{get_column_letter(len(layout.COLUMNS))}{HEADER_ROW + len(rows)}"
    # Protection stops evaluators from overwriting a key by accident, which would orphan their value on upload.
    # No password on purpose: it is a guard, not security (the reader re-checks every key), and some tools
    # (LibreOffice imports, bulk fills) need the sheet unprotected to work at all.
    protection = sheet.protection
    protection.sheet = True
    # Still allow what does not touch cell contents: resizing, filtering and selecting.
    protection.formatColumns = False
    protection.formatRows = False
    protection.autoFilter = False
    protection.selectLockedCells = False
    protection.selectUnlockedCells = False


def template_workbook(rows: pd.DataFrame, language: str = "zh") -> bytes:
    """The .xlsx bytes: instructions, the data sheet (header on row 1, keys locked, inputs open) and hidden lists.

    A workbook for many regions at once has the same layout (the reader need not tell the two apart); only
    the rows differ.
    """
    if language not in LANGUAGES:
        raise TemplateError(f"不支持的语言：{language!r}（可选 zh、en）")
    workbook = Workbook()
    instructions = workbook.active
    instructions.title = layout.INSTRUCTIONS_SHEET
    _write_instructions(instructions, rows, language)
    data = workbook.create_sheet(layout.DATA_SHEET)
    _write_data(data, rows, language)
    ranges = _write_lists(workbook.create_sheet(layout.LISTS_SHEET), rows)
    _add_validations(data, rows, ranges, language)
    # Opens on the instructions, so they are read before anything is typed.
    workbook.active = 0
    workbook.properties.title = "营商环境进度填报模板" if language == "zh" else "Business-environment progress template"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
