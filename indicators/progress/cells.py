"""One cell's value as read from a sheet, and how it becomes a number, a period, a date or a unit."""
from __future__ import annotations

import datetime as dt
import math
import re
import unicodedata
from decimal import Decimal
from typing import NamedTuple

from openpyxl.utils.datetime import from_excel

from indicators.catalog import Indicator
from indicators.progress import layout
from indicators.progress.problems import Issue
from indicators.vocabulary import UNIT_LIST

MIN_YEAR = 2000

UNIT_NAMES_ZH = {unit.code: unit.sheet_zh for unit in UNIT_LIST}
UNIT_NAMES_EN = {unit.code: unit.sheet_en for unit in UNIT_LIST}
# How evaluators write units, compared after NFKC, without spaces, in lower case.
UNIT_WORDS = {
    **{unit.code: unit.code for unit in UNIT_LIST},
    **{word: unit.code for unit in UNIT_LIST for word in unit.words},
}
SPAN_NAMES_ZH = {unit.code: unit.span_zh for unit in UNIT_LIST if unit.span_zh}
CALENDAR_SPANS = frozenset(SPAN_NAMES_ZH)
# Counts, amounts and durations cannot fall below zero; rates can (the growth of market entities).
NON_NEGATIVE_UNITS = frozenset(unit.code for unit in UNIT_LIST if not unit.signed)

NUMBER_TEXT = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
GROUPED_NUMBER_TEXT = re.compile(r"[+-]?\d{1,3}(?:,\d{3})+(?:\.\d+)?")
# "3个工作日", "5 days": a number followed by words, most likely a unit typed into the value cell.
NUMBER_WITH_WORDS = re.compile(r"[+-]?[\d.,]+\s*[^\d\s.,%+-].*", re.S)
CODE_TEXT = re.compile(r"\d{6}")
CHINESE_QUARTERS = {"一": 1, "二": 2, "三": 3, "四": 4}
YEAR_TEXT = re.compile(r"(\d{4})(?:年度?)?")
QUARTER_TEXT = re.compile(r"(\d{4})(?:年度?)?[-_/]?(?:[Qq]([1-4])|第?([1-4一二三四])季度?)")
DATE_TEXT = re.compile(r"(\d{4})\s*(?:[-/.]\s*(\d{1,2})\s*[-/.]\s*(\d{1,2})|年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日?)(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?")


def number_text(number: float) -> str:
    """2021.0 → "2021", 0.95 → "0.95": numbers as a person would write them."""
    if math.isfinite(number) and number == int(number) and abs(number) < 1e15:
        return str(int(number))
    return f"{number:.15g}"


def percent_of_fraction(number: float) -> float:
    """0.95 → 95.0 exactly: shifting the decimal text avoids 0.95 * 100 = 95.00000000000001."""
    return float(Decimal(repr(number)).scaleb(2))


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


def text_cell(text: str, formula: bool) -> CellValue:
    # A cell of spaces looks empty on screen, so it is treated as empty.
    if not text.strip():
        return BLANK
    return CellValue(TEXT, text, formula=formula)


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
