"""The project's fixed words, defined once: units, comparators, kinds of statement, families, directions, origins.

Everything else (the catalog's checks, attainment's conversions, the progress sheet's drop-downs and the words
evaluators may type, the labels in tables and charts, the table contracts) reads them from here, so adding a
unit is one entry below.
"""
from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Unit:
    code: str
    label_zh: str  # in tables and charts
    label_en: str
    sheet_zh: str  # in progress sheets, where 天 must say which kind of day it is
    sheet_en: str
    words: tuple[str, ...] = ()  # what evaluators write in a sheet (compared after NFKC, no spaces, lower case)
    time: bool = False  # a length of time: these units are only compared with one another
    minutes: int | None = None  # exact length, for the calendar spans that have one
    span_zh: str | None = None  # how a span is named when refusing to convert it ("工作日" vs "自然日")
    signed: bool = False  # may fall below zero (a rate of growth); counts, amounts and durations cannot


UNIT_LIST = (
    Unit("working_day", "工作日", "working days", "工作日", "working days", ("工作日", "个工作日"), time=True,
         span_zh="工作日"),
    Unit("day", "天", "days", "天（自然日）", "calendar days", ("天", "日", "自然日", "日历日"), time=True,
         minutes=24 * 60, span_zh="自然日"),
    Unit("hour", "小时", "hours", "小时", "hours", ("小时", "个小时"), time=True, minutes=60, span_zh="小时"),
    # A month's length depends on the calendar: a time unit with no exact conversion.
    Unit("month", "个月", "months", "月", "months", ("个月", "月"), time=True),
    Unit("minute", "分钟", "minutes", "分钟", "minutes", ("分钟",), time=True, minutes=1, span_zh="分钟"),
    Unit("item", "项", "items", "项", "items", ("项", "件")),
    Unit("step", "个环节", "steps", "个环节", "steps", ("个环节", "环节")),
    Unit("times", "次", "times", "次", "times", ("次",)),
    Unit("percent", "%", "%", "%", "percent", ("%", "百分比"), signed=True),
    Unit("yuan", "元", "yuan", "元", "yuan", ("元",)),
    Unit("enterprise", "户", "enterprises", "户", "enterprises", ("户", "家")),
    Unit("other", "其他", "other", "其他", "other", signed=True),
)
UNITS_BY_CODE = {unit.code: unit for unit in UNIT_LIST}
UNITS = tuple(UNITS_BY_CODE)
TIME_UNITS = tuple(unit.code for unit in UNIT_LIST if unit.time)
# Only calendar spans have a fixed length; a working day depends on holidays and a month on the calendar.
MINUTES_PER_UNIT = {unit.code: unit.minutes for unit in UNIT_LIST if unit.minutes is not None}

COMPARATORS = ("<=", ">=", "=", "reduce_by", "increase_by")
CHANGE_COMPARATORS = ("reduce_by", "increase_by")

KINDS = ("target", "achieved")  # a commitment, or a statement of how things stand
FAMILIES = ("processing_time", "power_connection", "item_count", "one_stop_coverage", "other")
DIRECTIONS = ("lower", "higher")  # which way an indicator is better
ORIGINS = ("document", "sample", "submission")  # where a reported value came from
DERIVED_ORIGINS = ("document", "sample")  # the origins a build derives, replaced by each rebuild
LEVELS = ("national", "province", "prefecture", "county")
