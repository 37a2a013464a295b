"""User-facing labels in Simplified Chinese (default) and English."""
from __future__ import annotations

LANGUAGES = {"zh": "中文", "en": "English"}

LABELS = {
    "app_title": {"zh": "营商环境改革目标追踪", "en": "Business-environment reform tracker"},
    "app_caption": {
        "zh": "从各级政府政策文件中提取的量化承诺：谁承诺了什么、何时完成。",
        "en": "Quantified commitments extracted from government policy documents: who promised what, by when.",
    },
    "language": {"zh": "语言", "en": "Language"},
    "documents": {"zh": "政策文件", "en": "Policy documents"},
    "targets": {"zh": "量化表述", "en": "Quantified statements"},
    "regions": {"zh": "涉及地区", "en": "Regions"},
    "reported_values": {"zh": "报告值", "en": "Reported values"},
    "by_family": {"zh": "按指标类别", "en": "By indicator family"},
    "family": {"zh": "类别", "en": "Family"},
    "kind": {"zh": "类型", "en": "Kind"},
    "count": {"zh": "数量", "en": "Count"},
    "document_list": {"zh": "已收录文件", "en": "Documents loaded"},
    "last_build": {"zh": "最近一次构建", "en": "Last build"},
    "failed_files": {"zh": "未能载入的文件", "en": "Files that failed to load"},
    "no_database": {
        "zh": "还没有数据库。请先运行 `python -m etl build`。",
        "en": "No database yet. Run `python -m etl build` first.",
    },
    "filter_family": {"zh": "筛选类别", "en": "Filter by family"},
    "all": {"zh": "全部", "en": "All"},
    "statements_of_family": {"zh": "该类别的量化表述", "en": "Statements in this family"},
    "processing_time": {"zh": "办理时限", "en": "Processing time"},
    "power_connection": {"zh": "获得电力", "en": "Power connection"},
    "item_count": {"zh": "事项数量", "en": "Item counts"},
    "one_stop_coverage": {"zh": "一网通办覆盖", "en": "One-stop coverage"},
    "other": {"zh": "其他", "en": "Other"},
    "target": {"zh": "目标", "en": "Target"},
    "achieved": {"zh": "已实现", "en": "Achieved"},
}

COLUMN_LABELS = {
    "region": {"zh": "地区", "en": "Region"},
    "level": {"zh": "层级", "en": "Level"},
    "category": {"zh": "类别", "en": "Family"},
    "indicator": {"zh": "指标", "en": "Indicator"},
    "scope": {"zh": "范围", "en": "Scope"},
    "value": {"zh": "数值", "en": "Value"},
    "value_max": {"zh": "上限", "en": "Upper bound"},
    "unit": {"zh": "单位", "en": "Unit"},
    "comparator": {"zh": "比较", "en": "Comparator"},
    "baseline": {"zh": "基线", "en": "Baseline"},
    "year": {"zh": "年份", "en": "Year"},
    "kind": {"zh": "类型", "en": "Kind"},
    "quote": {"zh": "原文", "en": "Quote"},
    "title": {"zh": "文件标题", "en": "Document title"},
    "document_number": {"zh": "文号", "en": "Document number"},
    "doc": {"zh": "文件", "en": "File"},
    "line": {"zh": "行", "en": "Line"},
    "issuer": {"zh": "发文机关", "en": "Issuer"},
    "issue_date": {"zh": "发布日期", "en": "Issue date"},
    "targets": {"zh": "量化表述", "en": "Statements"},
    "file_name": {"zh": "文件", "en": "File"},
    "reason": {"zh": "原因", "en": "Reason"},
}


LEVELS = {
    "national": {"zh": "全国", "en": "National"},
    "province": {"zh": "省级", "en": "Province"},
    "prefecture": {"zh": "地市级", "en": "Prefecture"},
    "county": {"zh": "县级", "en": "County"},
}
UNITS = {
    "working_day": {"zh": "工作日", "en": "working days"}, "day": {"zh": "天", "en": "days"},
    "hour": {"zh": "小时", "en": "hours"}, "month": {"zh": "个月", "en": "months"},
    "minute": {"zh": "分钟", "en": "minutes"}, "item": {"zh": "项", "en": "items"},
    "step": {"zh": "个环节", "en": "steps"}, "times": {"zh": "次", "en": "times"},
    "percent": {"zh": "%", "en": "%"}, "yuan": {"zh": "元", "en": "yuan"},
    "enterprise": {"zh": "户", "en": "enterprises"}, "other": {"zh": "其他", "en": "other"},
}


def localized_targets(frame, language: str):
    """Codes in a targets table replaced by labels in `language`, columns renamed for display."""
    shown = frame.copy()
    shown["indicator"] = shown.pop(f"indicator_{language}")
    shown = shown.drop(columns=[column for column in shown.columns if column.startswith("indicator_")])
    shown["level"] = shown["level"].map(lambda code: LEVELS[code][language])
    shown["category"] = shown["category"].map(lambda code: LABELS[code][language])
    shown["kind"] = shown["kind"].map(lambda code: LABELS[code][language])
    shown["unit"] = shown["unit"].map(lambda code: UNITS[code][language])
    return shown.rename(columns=column_labels(shown.columns, language))


def label(key: str, language: str) -> str:
    return LABELS[key][language]


def column_labels(columns, language: str) -> dict[str, str]:
    return {column: COLUMN_LABELS[column][language] for column in columns if column in COLUMN_LABELS}
