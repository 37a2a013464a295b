"""GB/T 2260 regions 1981–2024: each year's table, lookup by code, name or heading, successors and English names."""
from indicators.regions.english import (
    NATIONAL_NAME_EN,
    NamedRegion,
    default_english_names,
    english_labels,
    english_name,
    english_stem,
    pinyin_name,
    read_english_names,
)
from indicators.regions.history import (
    HISTORY_HEADER,
    HISTORY_LEVELS,
    HISTORY_ROW,
    HISTORY_STATES,
    SUCCESSOR_ENTRY,
    UNDATED_SUCCESSOR,
    YEAR,
    RegionHistory,
    default_region_history,
    default_region_table,
    history_row_problem,
    read_history,
)
from indicators.regions.names import (
    ETHNIC_GROUPS,
    ETHNIC_TAIL,
    MIN_SHORT_FORM,
    QUERY_SUFFIXES,
    SUFFIXES,
    UNCERTAIN_SUFFIXES,
    read_aliases,
    short_forms,
    stands_alone,
)
from indicators.regions.records import (
    CODE_PATTERN,
    LEVEL_RANK,
    NATIONAL_CODE,
    NATIONAL_NAME,
    WHITESPACE,
    CodeRecord,
    Region,
    RegionAliasError,
    RegionDataError,
    UnknownRegion,
    level_of,
)
from indicators.regions.table import (
    CANDIDATES_SHOWN,
    HISTORY_NOTES_SHOWN,
    SUGGESTION_CUTOFF,
    SUGGESTIONS_SHOWN,
    RegionTable,
)

__all__ = [
    # records.py: what the other modules pass around
    "CODE_PATTERN", "LEVEL_RANK", "NATIONAL_CODE", "NATIONAL_NAME", "WHITESPACE",
    "CodeRecord", "Region", "RegionAliasError", "RegionDataError", "UnknownRegion", "level_of",
    # names.py: short forms and aliases
    "ETHNIC_GROUPS", "ETHNIC_TAIL", "MIN_SHORT_FORM", "QUERY_SUFFIXES", "SUFFIXES", "UNCERTAIN_SUFFIXES",
    "read_aliases", "short_forms", "stands_alone",
    # table.py: one year's table
    "CANDIDATES_SHOWN", "HISTORY_NOTES_SHOWN", "SUGGESTION_CUTOFF", "SUGGESTIONS_SHOWN", "RegionTable",
    # history.py: every year
    "HISTORY_HEADER", "HISTORY_LEVELS", "HISTORY_ROW", "HISTORY_STATES", "SUCCESSOR_ENTRY", "UNDATED_SUCCESSOR",
    "YEAR", "RegionHistory", "default_region_history", "default_region_table", "history_row_problem", "read_history",
    # english.py: English names
    "NATIONAL_NAME_EN", "NamedRegion", "default_english_names", "english_labels", "english_name", "english_stem",
    "pinyin_name", "read_english_names",
]
