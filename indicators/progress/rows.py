"""The checks of one data row: region, indicator, unit, period, date and value, each problem at its cell."""
from __future__ import annotations

import datetime as dt
import difflib
import math
from collections.abc import Callable

from indicators.attainment import convert
from indicators.catalog import Indicator
from indicators.progress.cells import (
    BOOLEAN,
    CODE_TEXT,
    DATE,
    NON_NEGATIVE_UNITS,
    NUMBER,
    TEXT,
    UNIT_NAMES_EN,
    UNIT_NAMES_ZH,
    CellValue,
    cell_problem_issue,
    normalized_text,
    number_text,
    optional_text,
    parse_as_of,
    parse_number_text,
    parse_period,
    parse_unit,
    percent_of_fraction,
    period_order,
    shown_value,
)
from indicators.progress.context import ProgressRow, ValidationContext
from indicators.progress.headers import IMPORTED_FIELDS, Header
from indicators.progress.problems import ERROR, WARNING, Issue, Problem
from indicators.regions import UnknownRegion

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
            # The region table words both languages, naming what now covers a retired code.
            raise Issue(error.message, error.message_en) from None
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
