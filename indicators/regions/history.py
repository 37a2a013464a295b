"""The dated code history of 1981–2024 (data/regions/): its rows checked, each year's table, what retired codes became."""
from __future__ import annotations

import csv
import functools
import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from indicators.paths import REGION_ALIASES_FILE, REGION_HISTORY_FILE
from indicators.regions.names import read_aliases, short_forms
from indicators.regions.records import (
    CODE_PATTERN,
    NATIONAL_CODE,
    NATIONAL_NAME,
    CodeRecord,
    Region,
    RegionDataError,
    UnknownRegion,
    level_of,
)
from indicators.regions.table import RegionTable

HISTORY_HEADER = ("代码", "一级行政区", "二级行政区", "名称", "级别", "状态", "启用时间", "变更/弃用时间", "新代码")
HISTORY_LEVELS = {"省级": "province", "地级": "prefecture", "县级": "county"}
HISTORY_STATES = {"在用": "in use", "弃用": "retired", "变更": "changed"}
YEAR = re.compile(r"\d{4}")
SUCCESSOR_ENTRY = re.compile(r"^(?P<code>[1-9]\d{5})(?:\[(?P<year>\d{4})\])?$")
UNDATED_SUCCESSOR = re.compile(r"\d(?:;|$)")  # a successor code with no [year] after it
# A row without quoting: code, (province, prefecture), name, level, state, first year, end year, successors.
HISTORY_ROW = re.compile(
    r"([1-9]\d{5}),[^,\"]*,[^,\"]*,([^,\"\s]+),(省级|地级|县级),(在用|弃用|变更),(\d{4}),(\d{4})?,"
    r"((?:[1-9]\d{5}(?:\[\d{4}\])?;)*[1-9]\d{5}(?:\[\d{4}\])?)?"
)


def read_history(path: Path = REGION_HISTORY_FILE) -> list[CodeRecord]:
    """`areacodes-history.csv` as CodeRecords, checked row by row; a bad row names its line and what is wrong."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise RegionDataError(f"找不到地区沿革文件：{path}") from None
    except UnicodeDecodeError as error:
        raise RegionDataError(f"地区沿革文件 {path} 不是 UTF-8 编码：{error}") from None
    lines = text.splitlines()
    header = tuple(next(csv.reader(lines[:1]), ()))
    if header != HISTORY_HEADER:
        raise RegionDataError(f"地区沿革文件 {path.name} 的表头应为 {','.join(HISTORY_HEADER)}，实为 {','.join(header)}")
    records = []
    for number, line in enumerate(lines[1:], start=2):
        # One pattern checks the form of a plain row and a few comparisons the rest, so that a start stays fast;
        # a row that fails either is read as CSV and checked field by field, for the message.
        match = HISTORY_ROW.fullmatch(line)
        if match is not None:
            code, name, level_word, state, start, end, successor_text = match.groups()
            if HISTORY_LEVELS[level_word] != level_of(code) or (state == "在用") != (end is None) \
                    or end is not None and end <= start or end is None and UNDATED_SUCCESSOR.search(successor_text or ""):
                match = None
        if match is None:
            fields = next(csv.reader([line]), [])
            problem = history_row_problem(fields)
            if problem is not None:
                raise RegionDataError(f"地区沿革文件 {path.name} 第 {number} 行{problem}")
            code, name, level_word, start, end, successor_text = (fields[i] or None for i in (0, 3, 4, 6, 7, 8))
        successors, transfers = [], []
        for entry in successor_text.split(";") if successor_text else ():
            if entry.endswith("]"):
                transfers.append((entry[:6], int(entry[7:11])))
            else:
                successors.append(entry)
        records.append(CodeRecord(code, name, HISTORY_LEVELS[level_word], int(start), int(end) if end else None,
                                  tuple(successors), tuple(transfers)))
    return records


def history_row_problem(fields: Sequence[str]) -> str | None:
    """What is wrong with one row of the history, read as CSV, or None."""
    if len(fields) != len(HISTORY_HEADER):
        return f"应有 {len(HISTORY_HEADER)} 列，实有 {len(fields)} 列"
    code, _, _, name, level_word, state, start, end, successor_text = fields
    if not CODE_PATTERN.match(code) or code == NATIONAL_CODE:
        return f"的代码格式不正确：{code!r}"
    if name.split() != [name]:
        return f"的名称“{name}”为空或含空白"
    if HISTORY_LEVELS.get(level_word) != level_of(code):
        return f"的级别“{level_word}”与代码 {code} 不符"
    if state not in HISTORY_STATES or (state == "在用") != (end == ""):
        return f"的状态“{state}”与变更/弃用时间“{end}”不符"
    if not YEAR.fullmatch(start) or not (end == "" or YEAR.fullmatch(end) and int(end) > int(start)):
        return f"的年份不正确：启用 {start!r}，变更/弃用 {end!r}"
    for entry in successor_text.split(";") if successor_text else ():
        match = SUCCESSOR_ENTRY.match(entry)
        if match is None:
            return f"的新代码“{entry}”应为六位代码，可带 [年份]"
        if match["year"] is None and not end:
            return f"仍在用，新代码 {entry} 应注明年份"
    return None


class RegionHistory:
    """Every code of 1981–2024 with the years it was in use and what took it over; each year's table on demand.

    A year's table holds the units in use at the end of that year (启用时间 ≤ year < 变更/弃用时间).
    """

    def __init__(self, records: Iterable[CodeRecord], aliases_file: Path | None = REGION_ALIASES_FILE):
        by_code: dict[str, list[CodeRecord]] = {}
        self._named: dict[str, list[CodeRecord]] = {}
        for record in records:
            by_code.setdefault(record.code, []).append(record)
            self._named.setdefault(record.name, []).append(record)
        self._records: dict[str, tuple[CodeRecord, ...]] = {}
        self._codes_by_prefix: dict[str, list[str]] = {}
        years = set()
        for code in sorted(by_code):
            spans = sorted(by_code[code], key=lambda record: record.valid_from)
            for earlier, later in zip(spans, spans[1:]):
                if earlier.valid_until is None or earlier.valid_until > later.valid_from:
                    raise RegionDataError(f"地区沿革中代码 {code} 的两条记录年份重叠：{earlier.name}、{later.name}")
            self._records[code] = tuple(spans)
            self._codes_by_prefix.setdefault(code[:4], []).append(code)
            years.update(year for record in spans for year in (record.valid_from, record.valid_until))
        years.discard(None)
        self.first_year, self.last_year = min(years), max(years)
        open_end = self.last_year + 1
        provinces = {code: [(record.valid_from, record.valid_until or open_end) for record in self._records[code]]
                     for code in self._records if code.endswith("0000")}
        for code, spans in self._records.items():
            covering = provinces.get(code[:2] + "0000", ())
            for record in spans:
                if not any(start <= record.valid_from and (record.valid_until or open_end) <= until
                           for start, until in covering):
                    raise RegionDataError(f"地区沿革中 {code} {record.name} 在用时，省级代码 {code[:2]}0000 不在用")
        self.longest_name = max(len(name) for name in self._named)
        # Built on first use: only error messages need the short forms, only comparisons the successors.
        self._short_named: dict[str, list[CodeRecord]] | None = None
        self._successors: dict[tuple[str, int], tuple[str, ...]] = {}
        self._tables: dict[int, RegionTable] = {}
        self._last_used: dict[str, Region] = {}
        self._aliases: dict[str, Region] = {}
        if aliases_file is not None:
            self._aliases = read_aliases(Path(aliases_file), self.table())
            self.table().set_aliases(self._aliases)

    @classmethod
    def load(cls, history_file: Path = REGION_HISTORY_FILE, aliases_file: Path | None = REGION_ALIASES_FILE) -> RegionHistory:
        return cls(read_history(history_file), aliases_file)

    def table(self, year: int | None = None) -> RegionTable:
        """The units in use at the end of `year`; the latest year when None or later, the first when earlier."""
        year = self.last_year if year is None else min(max(int(year), self.first_year), self.last_year)
        if year not in self._tables:
            self._tables[year] = RegionTable(self._regions_in(year), self._aliases, year=year, history=self)
        return self._tables[year]

    def records(self, code: str) -> list[CodeRecord]:
        """Every span of `code`, earliest first; empty for a code never used."""
        return list(self._records.get(str(code).strip(), ()))

    def record_in(self, code: str, year: int) -> CodeRecord | None:
        """The record of `code` in use at the end of `year`, or None."""
        for record in self._records.get(code, ()):
            if record.valid_from <= year and (record.valid_until is None or year < record.valid_until):
                return record
        return None

    def named(self, name: str, short: bool = False) -> list[CodeRecord]:
        """Every record of that official name (and, with `short`, of that short form), in any year."""
        if not short:
            return list(self._named.get(name, ()))
        if self._short_named is None:
            short_named: dict[str, list[CodeRecord]] = {}
            for spans in self._records.values():
                for record in spans:
                    for form in short_forms(record.name):
                        short_named.setdefault(form, []).append(record)
            self._short_named = short_named
        return [*self._named.get(name, ()), *self._short_named.get(name, ())]

    def valid_years(self, code: str) -> list[tuple[int, int | None]]:
        """The spans of years `code` was in use, renames within a span merged: [(1983, 1989), (1992, None)]."""
        if code == NATIONAL_CODE:
            return [(self.first_year, None)]
        spans: list[tuple[int, int | None]] = []
        for record in self.records(code):
            if spans and spans[-1][1] == record.valid_from:
                spans[-1] = (spans[-1][0], record.valid_until)
            else:
                spans.append((record.valid_from, record.valid_until))
        return spans

    def successors(self, code: str) -> tuple[str, ...]:
        """The codes that took over `code` when it was last retired; empty while it is in use.

        As recorded in 新代码; where the row lists none, the code itself if it goes on under a new name, else (for a
        prefecture such as 莱芜市 371200) the units that took over its counties.
        """
        records = self.records(code)
        if not records or records[-1].valid_until is None:
            return ()
        return self._successors_of(records[-1])

    def current_codes_for(self, code: str) -> tuple[str, ...]:
        """The codes in use now that cover `code`: itself while in use, else its successors' followed to today."""
        if code == NATIONAL_CODE:
            return (code,)
        records = self.records(code)
        if not records:
            raise UnknownRegion(code, message=f"未知地区代码：{code}", message_en=f"Unknown region code {code}")
        return self._current_codes(records[-1])

    def by_code(self, code: str | int) -> Region:
        """The region as last used: its latest name, level and parent (for a retired code, those of its last year)."""
        key = str(code).strip()
        if key not in self._last_used:
            records = self._records.get(key)
            if not records:
                return self.table().by_code(key)  # national, or UnknownRegion with the reason
            last = records[-1]
            year = last.valid_until - 1 if last.valid_until is not None else self.last_year
            self._last_used[key] = Region(key, last.name, last.level, self._parent_code(key, last.level, None, year))
        return self._last_used[key]

    def all(self) -> list[Region]:
        """National, then every code ever used, each as last used."""
        return [self.by_code(NATIONAL_CODE), *(self.by_code(code) for code in self._records)]

    def note(self, record: CodeRecord) -> tuple[str, str]:
        """One record in words, in Chinese and English: 山东省莱芜市(371200)，1992–2017 年在用，现为 山东省济南市(370100)."""
        last_year = record.valid_until - 1 if record.valid_until is not None else self.last_year
        place = f"{self._display_name(record.code, last_year)}({record.code})"
        zh, en = f"{place}，{record.years_text}在用", f"{place} in use {record.years_text_en}"
        if record.valid_until is not None:
            now = [code for code in self._current_codes(record) if code != record.code]
            if now:
                zh += "，现为 " + "、".join(f"{self.table().display_name(code)}({code})" for code in now)
                en += ", now " + ", ".join(f"{self.table().display_name(code)} ({code})" for code in now)
        return zh, en

    def _display_name(self, code: str, year: int) -> str:
        """The full path of `code` as it stood in `year`, without building that year's table."""
        names = []
        while code != NATIONAL_CODE:
            record = self.record_in(code, year)
            names.append(record.name)
            code = self._parent_code(code, record.level, None, year)
        return "".join(reversed(names))

    def _regions_in(self, year: int) -> list[Region]:
        live = {code: record for code, spans in self._records.items() for record in spans if record.in_use(year)}
        regions = [Region(NATIONAL_CODE, NATIONAL_NAME, "national", None)]
        for code, record in live.items():
            regions.append(Region(code, record.name, record.level, self._parent_code(code, record.level, live, year)))
        return regions

    def _parent_code(self, code: str, level: str, live: dict[str, CodeRecord] | None, year: int) -> str:
        """Provinces hang from national, prefectures from their province, counties from their prefecture if it
        is in use that year, else (districts of municipalities, 省直辖县级 units) from their province."""
        if level == "province":
            return NATIONAL_CODE
        province, prefecture = code[:2] + "0000", code[:4] + "00"

        def in_use(other: str) -> bool:
            return other in live if live is not None else self.record_in(other, year) is not None

        if not in_use(province):
            raise RegionDataError(f"地区沿革中 {code} 在 {year} 年的省级代码 {province} 不在用")
        return prefecture if level == "county" and in_use(prefecture) else province

    def _successors_of(self, record: CodeRecord) -> tuple[str, ...]:
        """As recorded; else the code itself when it goes on under a new name (襄樊市 → 襄阳市, both 420600);
        else, for a prefecture, the units that took over its counties."""
        key = (record.code, record.valid_from)
        if key not in self._successors:
            continues = self.record_in(record.code, record.valid_until) is not None
            self._successors[key] = record.successors or ((record.code,) if continues else self._derived_successors(record))
        return self._successors[key]

    def _derived_successors(self, record: CodeRecord) -> tuple[str, ...]:
        """For a retired prefecture whose row names no successor: the units that hold its counties the next year."""
        if record.level != "prefecture":
            return ()
        end = record.valid_until
        holders = set()
        for code in self._codes_by_prefix.get(record.code[:4], ()):
            county = self.record_in(code, end - 1)
            if county is None or county.level != "county":
                continue
            for following in (county.code,) if county.in_use(end) else self._successors_of(county):
                holder = self.record_in(following, end)
                if holder is not None:
                    holders.add(self._parent_code(following, holder.level, None, end))
        return tuple(sorted(holders - {record.code}))

    def _current_codes(self, record: CodeRecord) -> tuple[str, ...]:
        current, pending, seen = set(), [record], set()
        while pending:
            step = pending.pop()
            if (step.code, step.valid_from) in seen:
                continue
            seen.add((step.code, step.valid_from))
            if step.valid_until is None:
                current.add(step.code)
                continue
            for code in self._successors_of(step):
                following = self.record_in(code, step.valid_until)
                if following is not None:
                    pending.append(following)
        return tuple(sorted(current))


@functools.lru_cache(maxsize=1)
def default_region_history() -> RegionHistory:
    """The shipped history with the repository's alias file, read once per process."""
    return RegionHistory.load()


@functools.lru_cache(maxsize=1)
def default_region_table() -> RegionTable:
    """The latest year's table with the repository's alias file, built once per process."""
    return default_region_history().table()

