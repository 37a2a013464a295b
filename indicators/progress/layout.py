"""The progress sheet's layout, shared by the template writer and the upload reader: sheets, columns, headers."""
from __future__ import annotations

from dataclasses import dataclass

DATA_SHEET = "进度填报"
INSTRUCTIONS_SHEET = "填报说明"
LISTS_SHEET = "选项"  # hidden sheet holding the drop-down lists


@dataclass(frozen=True)
class Column:
    field: str  # the name the code uses
    header_zh: str
    header_en: str
    required: bool  # an upload without this column is refused
    locked: bool  # filled in by the template; evaluators do not edit it
    width: int


COLUMNS = (
    Column("region_code", "地区代码", "Region code", True, True, 12),
    Column("region", "地区名称", "Region", False, True, 16),
    Column("indicator", "指标代码", "Indicator code", True, True, 30),
    Column("indicator_name", "指标名称", "Indicator", False, True, 22),
    Column("scope", "范围", "Scope", False, True, 18),
    Column("unit", "单位", "Unit", True, False, 12),
    Column("period", "期间", "Period", True, True, 10),
    Column("target", "当前目标", "Current target", False, True, 14),
    Column("target_source", "目标来源", "Target source", False, True, 40),
    Column("value", "报告值", "Reported value", True, False, 14),
    Column("as_of", "截至日期", "As of", False, False, 14),
    Column("source", "数据来源", "Data source", False, False, 24),
    Column("note", "备注", "Note", False, False, 30),
)
COLUMNS_BY_FIELD = {column.field: column for column in COLUMNS}
INPUT_FIELDS = tuple(column.field for column in COLUMNS if not column.locked)

# Headers an upload may use for each field: Chinese, English, and common variants, compared without spaces.
HEADER_ALIASES = {
    column.field: {column.header_zh, column.header_en, column.field}
    for column in COLUMNS
}
HEADER_ALIASES["region_code"] |= {"区划代码", "行政区划代码", "地区编码", "code"}
HEADER_ALIASES["region"] |= {"地区", "区域", "Region name"}
HEADER_ALIASES["indicator"] |= {"指标编码", "Indicator ID"}
HEADER_ALIASES["indicator_name"] |= {"指标", "Indicator name"}
HEADER_ALIASES["value"] |= {"数值", "填报值", "实际值", "Value"}
HEADER_ALIASES["period"] |= {"年度", "年份", "Year"}
HEADER_ALIASES["as_of"] |= {"截止日期", "统计截至日期", "Date"}

# What the data sheet's drop-down lists offer.
SOURCE_CHOICES = ("统计数据", "业务系统", "抽样调查", "第三方评估", "自评估")

# Units an evaluator may choose for an indicator whose canonical unit is the key: exact conversions only.
UNIT_CHOICES = {
    "working_day": ("working_day",),
    "day": ("day", "hour"),
    "hour": ("hour", "day", "minute"),
    "minute": ("minute", "hour"),
    "month": ("month",),
}

ROW_LIMIT = 200_000  # data rows per upload
UPLOAD_SIZE_LIMIT = 20 * 1024 * 1024  # bytes of the file as uploaded
UNCOMPRESSED_SIZE_LIMIT = 400 * 1024 * 1024  # bytes inside the zip, checked before parsing


def normalized_header(text) -> str:
    return "".join(str(text or "").split()).lower()


def field_for_header(text) -> str | None:
    """The field a header names, in Chinese or English, whatever its spacing or case."""
    wanted = normalized_header(text)
    # The template's own headers first: "Indicator" is a header, and also the code's field name in lower case.
    for column in COLUMNS:
        if wanted in (normalized_header(column.header_zh), normalized_header(column.header_en)):
            return column.field
    for field, aliases in HEADER_ALIASES.items():
        if wanted in {normalized_header(alias) for alias in aliases}:
            return field
    return None
