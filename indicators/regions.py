"""GB/T 2260 regions 1981–2024: each year's table, lookup by code, name or heading, and what retired codes became.

Long because the history file, a year's table and the names (short forms, aliases, English names) are read
together here; it is to become the package indicators/regions/ (history, table, names) once docs/architecture.md,
which lists every module, can say so.
"""
from __future__ import annotations

import csv
import difflib
import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import NamedTuple

import yaml

from indicators.paths import ENGLISH_NAMES_FILE, REGION_ALIASES_FILE, REGION_HISTORY_FILE

# The region files beside the aliases (to join the other paths in indicators/paths.py).

NATIONAL_CODE = "100000"
NATIONAL_NAME = "全国"
NATIONAL_NAME_EN = "China"
LEVEL_RANK = {"national": 0, "province": 1, "prefecture": 2, "county": 3}
CODE_PATTERN = re.compile(r"^[1-9]\d{5}$")
WHITESPACE = re.compile(r"\s+")

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

# Administrative suffixes a short form leaves out, longest first.
SUFFIXES = (
    "特别行政区", "自治区", "自治州", "自治县", "自治旗",
    "地区", "林区", "特区", "新区", "省", "市", "区", "县", "盟", "旗",
)
# Suffixes whose first character may belong to the name itself (神农架林区 is a 林区, 碑林区 a 区),
# so the shorter suffix is tried as well.
UNCERTAIN_SUFFIXES = frozenset({"林区", "特区", "新区"})
# What a query may end with when it abbreviates the suffix: 延边州 for 延边朝鲜族自治州.
QUERY_SUFFIXES = SUFFIXES + ("州",)

# Minority peoples as they appear in the names of autonomous units. Single-character names must
# carry 族 (融水苗族 → 融水, but 融水 is not 融 + 水族); longer ones may drop it (新疆维吾尔, 伊犁哈萨克).
ETHNIC_GROUPS = (
    "蒙古", "回", "藏", "维吾尔", "苗", "彝", "壮", "布依", "朝鲜", "满", "侗", "瑶", "白", "土家", "哈尼",
    "哈萨克", "傣", "黎", "傈僳", "佤", "畲", "高山", "拉祜", "水", "东乡", "纳西", "景颇", "柯尔克孜", "土",
    "达斡尔", "仫佬", "羌", "布朗", "撒拉", "毛南", "仡佬", "锡伯", "阿昌", "普米", "塔吉克", "怒", "乌孜别克",
    "俄罗斯", "鄂温克", "德昂", "保安", "裕固", "京", "塔塔尔", "独龙", "鄂伦春", "赫哲", "门巴", "珞巴", "基诺",
    "各",  # 隆林各族自治县, 龙胜各族自治县
)
ETHNIC_TAIL = re.compile(
    "(?:"
    + "|".join(
        re.escape(group) + ("族?" if len(group) > 1 else "族")
        for group in sorted(ETHNIC_GROUPS, key=len, reverse=True)
    )
    + ")$"
)
MIN_SHORT_FORM = 2
CANDIDATES_SHOWN = 10
SUGGESTIONS_SHOWN = 5
HISTORY_NOTES_SHOWN = 3
# How alike two names must be (difflib's ratio) for one to be suggested for the other.
SUGGESTION_CUTOFF = 0.6


@dataclass(frozen=True)
class Region:
    code: str  # six-digit GB/T 2260 code, e.g. "630000"; national is "100000"
    name: str  # official name, e.g. "青海省"; national is "全国"
    level: str  # "national" | "province" | "prefecture" | "county"
    parent_code: str | None  # None only for national; provinces → "100000"

    @functools.cached_property
    def name_en(self) -> str | None:
        """English name of the country, a province or a prefecture (Qinghai, Xining); None for a county.

        Computed on first use: the pinyin dictionary takes longer to load than the whole table.
        """
        return english_name(self, default_english_names())


class CodeRecord(NamedTuple):
    """One row of the history: one code under one name, in use from `valid_from` until `valid_until` (exclusive).

    A named tuple rather than a dataclass: the history has thousands of rows and is read at every start.
    """

    code: str
    name: str
    level: str
    valid_from: int
    valid_until: int | None  # None while still in use
    successors: tuple[str, ...] = ()  # codes that took the area over when the record ended
    transfers: tuple[tuple[str, int], ...] = ()  # (code, year): parts of the area handed on while it was in use

    def in_use(self, year: int) -> bool:
        return self.valid_from <= year and (self.valid_until is None or year < self.valid_until)

    @property
    def years_text(self) -> str:
        return f"{self.valid_from} 年起" if self.valid_until is None else f"{self.valid_from}–{self.valid_until - 1} 年"

    @property
    def years_text_en(self) -> str:
        return f"since {self.valid_from}" if self.valid_until is None else f"{self.valid_from}–{self.valid_until - 1}"


class UnknownRegion(LookupError):
    """A name or code that does not lead to exactly one region.

    `candidates` lists the rivals of an ambiguous name, `suggestions` the nearest regions to an unknown one;
    `message` and `message_en` say what went wrong and what to write instead.
    """

    def __init__(self, name: str, candidates: Sequence[Region] = (), message: str | None = None,
                 message_en: str | None = None, suggestions: Sequence[Region] = ()):
        self.name = name
        self.candidates = list(candidates)
        self.suggestions = list(suggestions)
        if message is None:
            if self.candidates:
                listed = "、".join(f"{region.name}({region.code})" for region in self.candidates)
                message = f"地区名称“{name}”不唯一：{listed}，请写出上级地区"
            else:
                message = f"未知地区：{name}"
        if message_en is None:
            if self.candidates:
                listed = ", ".join(f"{region.name} ({region.code})" for region in self.candidates)
                message_en = f"The region name “{name}” is ambiguous: {listed}; write its parent region too"
            else:
                message_en = f"Unknown region “{name}”"
        self.message = message
        self.message_en = message_en
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # The default pickling would call __init__ with the message as the name.
        return type(self), (self.name, self.candidates, self.message, self.message_en, self.suggestions)


class RegionAliasError(ValueError):
    """`data/region_aliases.yml` is missing or breaks its format; the message names the file and the entry."""


class RegionDataError(ValueError):
    """The region history or the English names file is missing or breaks its format; the message says where."""


def level_of(code: str) -> str:
    if code == NATIONAL_CODE:
        return "national"
    if code.endswith("0000"):
        return "province"
    if code.endswith("00"):
        return "prefecture"
    return "county"


def short_forms(name: str) -> set[str]:
    """Names that stand for `name` without its suffix: 青海省 → 青海, 延边朝鲜族自治州 → 延边朝鲜族, 延边."""
    forms = set()
    for suffix in SUFFIXES:
        if not name.endswith(suffix):
            continue
        stem = name[: -len(suffix)]
        forms.add(stem)
        if suffix.startswith("自治"):
            # Peel peoples off the end one at a time, but never down to a single character:
            # 内蒙古 stays whole rather than becoming 内 + 蒙古.
            while (match := ETHNIC_TAIL.search(stem)) and match.start() >= MIN_SHORT_FORM:
                stem = stem[: match.start()]
                forms.add(stem)
            if stem.endswith("族") and ETHNIC_TAIL.fullmatch(stem):
                # Units named after a people alone (鄂温克族自治旗) go by the people's name: 鄂温克.
                forms.add(stem[:-1])
        if suffix not in UNCERTAIN_SUFFIXES:
            break
    return {form for form in forms if len(form) >= MIN_SHORT_FORM and form != name}


def stands_alone(text: str, position: int, word: str) -> bool:
    """Whether `word` at `position` reads as a name: longer than two characters, or not running on into more
    Chinese (城区《 and 新区 may be names, 新区管委会 is not)."""
    end = position + len(word)
    return len(word) > MIN_SHORT_FORM or end >= len(text) or not "\u4e00" <= text[end] <= "\u9fff"


# --- The history file ---------------------------------------------------------------------------

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


def read_aliases(path: Path, table: RegionTable) -> dict[str, Region]:
    """The alias file as alias → Region, checked entry by entry against the table."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise RegionAliasError(f"找不到地区别名文件：{path}") from None
    except UnicodeDecodeError as error:
        raise RegionAliasError(f"地区别名文件 {path} 不是 UTF-8 编码：{error}") from None
    try:
        entries = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except yaml.YAMLError as error:
        raise RegionAliasError(f"地区别名文件 {path} 不是有效的 YAML：{error}") from None
    if entries is None:
        return {}
    if not isinstance(entries, list):
        raise RegionAliasError(f"地区别名文件 {path} 应为列表，每项写 alias、code、reason")
    aliases: dict[str, Region] = {}
    first_seen: dict[str, int] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"地区别名文件 {path.name} 第 {number} 项"
        if not isinstance(entry, dict):
            raise RegionAliasError(f"{where} 应写成 alias、code、reason 三个字段")
        unexpected = sorted(str(key) for key in entry if key not in ("alias", "code", "reason"))
        if unexpected:
            raise RegionAliasError(f"{where} 有未知字段：{'、'.join(unexpected)}")
        for key in ("alias", "code", "reason"):
            if not isinstance(entry.get(key), str) or not entry[key].strip():
                hint = "，代码要加引号，如 \"100000\"" if key == "code" and key in entry else ""
                raise RegionAliasError(f"{where} 缺少文字字段 {key}{hint}")
        alias = WHITESPACE.sub("", entry["alias"])
        code = entry["code"].strip()
        if len(alias) < MIN_SHORT_FORM:
            raise RegionAliasError(f"{where} 的别名“{alias}”太短，至少要 {MIN_SHORT_FORM} 个字")
        if alias in first_seen:
            raise RegionAliasError(f"{where} 的别名“{alias}”与第 {first_seen[alias]} 项重复")
        if alias in table._by_name:
            raise RegionAliasError(f"{where} 的别名“{alias}”本身就是正式地区名称，不能再作别名")
        try:
            region = table.by_code(code)
        except UnknownRegion:
            raise RegionAliasError(f"{where} 的代码 {code} 不在地区表中") from None
        first_seen[alias] = number
        aliases[alias] = region
    return aliases


# --- English names ------------------------------------------------------------------------------

def read_english_names(path: Path, history: RegionHistory) -> dict[tuple[str, str], str]:
    """`english_names.yml` as (code, name) → English name, each entry checked against the history."""
    try:
        entries = yaml.load(Path(path).read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    except FileNotFoundError:
        raise RegionDataError(f"找不到英文地名文件：{path}") from None
    except (UnicodeDecodeError, yaml.YAMLError) as error:
        raise RegionDataError(f"英文地名文件 {path} 无法读取：{error}") from None
    if not isinstance(entries, list):
        raise RegionDataError(f"英文地名文件 {path} 应为列表，每项写 code、name、english、reason")
    names: dict[tuple[str, str], str] = {}
    for number, entry in enumerate(entries, start=1):
        where = f"英文地名文件 {Path(path).name} 第 {number} 项"
        fields = ("code", "name", "english", "reason")
        if not isinstance(entry, dict) or set(entry) != set(fields):
            raise RegionDataError(f"{where} 应恰好写 code、name、english、reason 四个字段")
        if not all(isinstance(entry[key], str) and entry[key].strip() for key in fields):
            raise RegionDataError(f"{where} 的字段都应为非空文字（代码要加引号）")
        key = (entry["code"].strip(), entry["name"].strip())
        if key[1] not in {record.name for record in history.records(key[0])}:
            raise RegionDataError(f"{where}：地区沿革中没有 {key[0]} {key[1]}")
        if key in names:
            raise RegionDataError(f"{where}：{key[0]} {key[1]} 重复")
        names[key] = entry["english"].strip()
    return names


def english_stem(name: str) -> str:
    """What English writes of a name: the shortest short form (延边朝鲜族自治州 → 延边), or the name itself."""
    forms = short_forms(name)
    return min(forms, key=lambda form: (len(form), form)) if forms else name


def pinyin_name(chinese: str) -> str:
    """Hanyu Pinyin as place names are spelled: one word, capitalised, ' before a, o, e (西安 → Xi'an), ü kept."""
    from pypinyin import Style, lazy_pinyin  # loaded on first use: it takes longer than the whole table

    syllables = lazy_pinyin(chinese, style=Style.NORMAL, v_to_u=True)
    word = syllables[0] + "".join(("'" if syllable[:1] in ("a", "o", "e") else "") + syllable for syllable in syllables[1:])
    return word[:1].upper() + word[1:]


def english_name(region: Region, overrides: dict[tuple[str, str], str]) -> str | None:
    """A province's or prefecture's English name: the curated one, else the pinyin of its stem; None for a county."""
    if region.level == "national":
        return NATIONAL_NAME_EN
    if (region.code, region.name) in overrides:
        return overrides[(region.code, region.name)]
    if region.level == "county":
        return None
    return pinyin_name(english_stem(region.name))


# --- One year's table ---------------------------------------------------------------------------

class RegionTable:
    """Every region in use at the end of one year under a national root, with the lookups the ETL needs."""

    def __init__(self, regions: Iterable[Region], aliases: dict[str, Region] | None = None, year: int | None = None,
                 history: RegionHistory | None = None):
        self.year = year
        self.history = history
        self._by_code: dict[str, Region] = {}
        for region in regions:
            if region.code in self._by_code:
                raise ValueError(f"地区代码重复：{region.code}")
            self._by_code[region.code] = region
        self._children: dict[str, list[Region]] = {code: [] for code in self._by_code}
        self._by_name: dict[str, list[Region]] = {}
        self._by_short: dict[str, list[Region]] = {}
        for region in sorted(self._by_code.values(), key=lambda region: region.code):
            if region.parent_code is not None:
                if region.parent_code not in self._by_code:
                    raise ValueError(f"地区 {region.code} {region.name} 的上级代码 {region.parent_code} 不存在")
                self._children[region.parent_code].append(region)
            self._by_name.setdefault(region.name, []).append(region)
            for form in short_forms(region.name):
                self._by_short.setdefault(form, []).append(region)
        self._ancestor_codes: dict[str, tuple[str, ...]] = {}
        for code in self._by_code:
            chain = []
            parent = self._by_code[code].parent_code
            while parent is not None:
                if parent in chain or len(chain) > len(LEVEL_RANK):
                    raise ValueError(f"地区 {code} 的上级关系成环")
                chain.append(parent)
                parent = self._by_code[parent].parent_code
            self._ancestor_codes[code] = tuple(chain)
        self._aliases: dict[str, Region] = {}
        self._longest_name = max(len(name) for name in self._by_name)
        self.set_aliases(aliases or {})

    @classmethod
    def load(cls, aliases_file: Path = REGION_ALIASES_FILE, year: int | None = None,
             history_file: Path = REGION_HISTORY_FILE) -> RegionTable:
        """The table of `year` (default: the latest) from the shipped history, plus the curated aliases."""
        return RegionHistory.load(history_file, aliases_file).table(year)

    def set_aliases(self, aliases: dict[str, Region]) -> None:
        """Aliases of this year's units: an alias whose code is not in use this year does not apply."""
        self._aliases = {alias: self._by_code[region.code] for alias, region in aliases.items() if region.code in self._by_code}
        self._longest_name = max(self._longest_name, *(len(alias) for alias in self._aliases), 0)

    def by_code(self, code: str | int) -> Region:
        key = str(code).strip()
        try:
            return self._by_code[key]
        except KeyError:
            if not CODE_PATTERN.match(key):
                raise UnknownRegion(key, message=f"地区代码格式不正确：{key}（应为六位数字）",
                                    message_en=f"Malformed region code {key} (six digits expected)") from None
            records = self.history.records(key) if self.history is not None else []
            if records:
                zh, en = self.history.note(records[-1])
                raise UnknownRegion(key, message=f"地区代码 {key} 不在{self._year_words()}地区表中：{zh}",
                                    message_en=f"Region code {key} is not in the table{self._year_words_en()}: {en}") from None
            raise UnknownRegion(key, message=f"未知地区代码：{key}", message_en=f"Unknown region code {key}") from None

    def resolve(self, name: str, within: str | None = None) -> Region:
        """Official name, alias, short form (青海, 延边州) or a chain of them (河南省洛阳市, 北京朝阳).

        `within` keeps only descendants of that code. A chain must be read whole: 浙江省杭州市临平区 is 临平区 or
        an error, never 杭州市.
        """
        query = WHITESPACE.sub("", str(name))
        scope = self.by_code(within) if within is not None else None
        if not query:
            raise UnknownRegion(query, message="地区名称为空", message_en="The region name is empty")
        exact = self._inside(self._by_name.get(query, ()), scope)
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise self._ambiguous(query, exact)
        alias = self._inside([self._aliases[query]] if query in self._aliases else [], scope)
        if alias:
            return alias[0]
        bare = self._inside(self._by_short.get(query, ()), scope)
        abbreviated = self._inside(self._abbreviated(query), scope)
        candidates = sorted({region.code: region for region in bare + abbreviated}.values(), key=lambda r: r.code)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            chained, reached = self._read_chain(query, scope)
            if len(chained) == 1:
                return chained[0]
            if chained:
                raise self._ambiguous(query, chained)
            for position in sorted(reached, reverse=True):
                # The chain reads up to a name that this year's table has elsewhere or not at all: 浙江省杭州市临平区.
                unplaced = self._region_name_at(query, position)
                if unplaced is not None and position + len(unplaced) == len(query):
                    raise self._unplaced(query, unplaced, reached[position])
            raise self._unknown(query, scope)
        if not abbreviated:
            # A bare short form shared across levels means the higher one (吉林 → 吉林省), as people
            # name the lower one with its suffix (吉林市); only when that level has a single match.
            top = min(LEVEL_RANK[region.level] for region in candidates)
            at_top = [region for region in candidates if LEVEL_RANK[region.level] == top]
            if len(at_top) == 1:
                return at_top[0]
        raise self._ambiguous(query, candidates)

    def resolve_prefix(self, text: str) -> tuple[Region, int] | None:
        """The region a heading starts with and how many characters of `text` name it, or None.

        Reads a chain such as 广东省广州市 (each name a child, or grandchild, of the one before) and
        stops at the first word that is not a region (山东省临沂市海关 → 临沂市). 国务院 or 国家 opens
        national headings. A short form or alias (广东, 广西, 恩施州) may only open a chain that
        continues with a full name, so that ordinary words such as 中山大学 are not read as regions.
        Raises UnknownRegion when the leading name fits several regions equally well, and when the chain
        goes on with the name of a region that is not below it this year (浙江省杭州市临平区 in 2019, whose
        临平区 dates from 2021; 浙江省杭州市永康市): reading it as 杭州市 would hide the mistake.
        """
        start = len(text) - len(text.lstrip())
        for length in range(min(self._longest_name, len(text) - start), MIN_SHORT_FORM - 1, -1):
            word = text[start : start + length]
            heads = [(region, True) for region in self._by_name.get(word, ())]
            if word in self._aliases:
                heads.append((self._aliases[word], False))
            heads += [(region, False) for region in [*self._by_short.get(word, ()), *self._abbreviated(word)]]
            if any(region.code == NATIONAL_CODE for region, _ in heads):
                # National words name issuers (国家发改委), never the head of a chain.
                return self._by_code[NATIONAL_CODE], start + length
            if not heads and self.history is not None and self.history.named(word) and stands_alone(text, start, word):
                raise self._unplaced(word, word, None)
            ends: dict[str, tuple[Region, int]] = {}
            for head, full_name in heads:
                last, end = self._follow_chain(head, text, start + length)
                if full_name or last is not head:
                    ends[last.code] = (last, end)
            if not ends:
                continue
            furthest = max(end for _, end in ends.values())
            found = [region for region, end in ends.values() if end == furthest]
            if len(found) > 1:
                raise self._ambiguous(text[start:furthest], sorted(found, key=lambda region: region.code))
            unplaced = self._region_name_at(text, furthest)
            if unplaced is not None:
                raise self._unplaced(text[start : furthest + len(unplaced)], unplaced, found[0])
            return found[0], furthest
        return None

    def ancestors(self, code: str | int) -> list[Region]:
        """Parent first, up to and including national; empty for national itself."""
        return [self._by_code[parent] for parent in self._ancestor_codes[self.by_code(code).code]]

    def children(self, code: str | int) -> list[Region]:
        return list(self._children[self.by_code(code).code])

    def all(self) -> list[Region]:
        return sorted(self._by_code.values(), key=lambda region: region.code)

    def display_name(self, code: str | int) -> str:
        """Full path without the national root: 浙江省金华市永康市; national is 全国."""
        region = self.by_code(code)
        path = [ancestor.name for ancestor in reversed(self.ancestors(region.code)) if ancestor.code != NATIONAL_CODE]
        return "".join(path) + region.name

    def successors(self, code: str) -> tuple[str, ...]:
        """The codes that took over a retired code (see RegionHistory.successors)."""
        return self.history.successors(code) if self.history is not None else ()

    def current_codes_for(self, code: str) -> tuple[str, ...]:
        """The codes in use now that cover `code`'s area (see RegionHistory.current_codes_for)."""
        return self.history.current_codes_for(code) if self.history is not None else (code,)

    def _inside(self, candidates: Iterable[Region], scope: Region | None) -> list[Region]:
        if scope is None:
            return list(candidates)
        return [region for region in candidates if scope.code in self._ancestor_codes[region.code]]

    def _named(self, word: str, scope: Region | None) -> list[Region]:
        """The regions within `scope` that `word` names: by official name if any has it (万县 is 万县, not
        万县市), else by alias, short form or short form with a shortened suffix."""
        exact = self._inside(self._by_name.get(word, ()), scope)
        if exact:
            return exact
        named = [*([self._aliases[word]] if word in self._aliases else []), *self._by_short.get(word, ()),
                 *self._abbreviated(word)]
        return self._inside({region.code: region for region in named}.values(), scope)

    def _read_chain(self, query: str, scope: Region | None) -> tuple[list[Region], dict[int, Region]]:
        """The regions `query` names when read whole as two or more names, each inside the one before; and,
        for the error message when none does, the places a chain reads up to with the region it reaches there."""
        found: dict[str, Region] = {}
        tried: set[tuple[int, str]] = set()
        reached: dict[int, Region] = {}

        def walk(position: int, above: Region | None, segments: int) -> None:
            if above is not None:
                reached.setdefault(position, above)
            if position == len(query):
                if segments > 1:
                    found[above.code] = above
                return
            key = (position, above.code if above is not None else "")
            if key in tried:
                return
            tried.add(key)
            for length in range(min(self._longest_name, len(query) - position), MIN_SHORT_FORM - 1, -1):
                for region in self._named(query[position : position + length], above or scope):
                    walk(position + length, region, segments + 1)

        walk(0, None, 0)
        return sorted(found.values(), key=lambda region: region.code), reached

    def _abbreviated(self, word: str) -> list[Region]:
        """Regions `word` names as short form plus a shortened suffix: 延边州, 长白县, 浦东区."""
        return [
            region
            for suffix in QUERY_SUFFIXES
            if word.endswith(suffix) and len(word) - len(suffix) >= MIN_SHORT_FORM
            for region in self._by_short.get(word[: -len(suffix)], ())
            if region.name.endswith(suffix)
        ]

    def _follow_chain(self, region: Region, text: str, position: int) -> tuple[Region, int]:
        while (step := self._child_at(region, text, position)) is not None:
            region, position = step
        return region, position

    def _child_at(self, region: Region, text: str, position: int) -> tuple[Region, int] | None:
        """The longest full name at `position` of a child of `region`, or of a grandchild (浙江省永康市)."""
        for length in range(min(self._longest_name, len(text) - position), MIN_SHORT_FORM - 1, -1):
            named = self._by_name.get(text[position : position + length], ())
            matches = [candidate for candidate in named if candidate.parent_code == region.code]
            if not matches:
                matches = [
                    candidate for candidate in named
                    if self._ancestor_codes[candidate.code][1:2] == (region.code,)
                ]
            if len(matches) == 1:
                return matches[0], position + length
            if matches:
                raise self._ambiguous(text[position : position + length], matches)
        return None

    def _region_name_at(self, text: str, position: int) -> str | None:
        """The longest official name, of this year or any other, that `text` has at `position`."""
        longest = max(self._longest_name, self.history.longest_name if self.history is not None else 0)
        for length in range(min(longest, len(text) - position), MIN_SHORT_FORM - 1, -1):
            word = text[position : position + length]
            if (word in self._by_name or (self.history is not None and self.history.named(word))) \
                    and stands_alone(text, position, word):
                return word
        return None

    def _year_words(self) -> str:
        return f" {self.year} 年的" if self.year is not None else ""

    def _year_words_en(self) -> str:
        return f" of {self.year}" if self.year is not None else ""

    def _ambiguous(self, name: str, candidates: Sequence[Region]) -> UnknownRegion:
        shown = "、".join(f"{self.display_name(region.code)}({region.code})" for region in candidates[:CANDIDATES_SHOWN])
        shown_en = ", ".join(f"{self.display_name(region.code)} ({region.code})" for region in candidates[:CANDIDATES_SHOWN])
        if len(candidates) > CANDIDATES_SHOWN:
            shown += f"等 {len(candidates)} 个"
            shown_en += f" and {len(candidates) - CANDIDATES_SHOWN} more"
        return UnknownRegion(name, candidates, f"地区名称“{name}”不唯一：{shown}，请写出上级地区",
                             f"The region name “{name}” is ambiguous: {shown_en}; write its parent region too")

    def _unknown(self, query: str, scope: Region | None) -> UnknownRegion:
        """The error for a name that names nothing: what it was in other years, and the nearest names of this one."""
        zh = f"在{self.display_name(scope.code)}范围内找不到地区：{query}" if scope is not None else f"未知地区：{query}"
        en = f"No region “{query}” within {self.display_name(scope.code)}" if scope is not None else f"Unknown region “{query}”"
        notes = self._history_notes(query)
        if notes:
            zh += f"（不在{self._year_words()}地区表中；" + "；".join(note for note, _ in notes) + "）"
            en += f" (not in the table{self._year_words_en()}; " + "; ".join(note for _, note in notes) + ")"
        suggestions = self._suggestions(query, scope)
        if suggestions:
            zh += "；相近的地区：" + "、".join(f"{self.display_name(region.code)}({region.code})" for region in suggestions)
            en += "; nearest: " + ", ".join(f"{self.display_name(region.code)} ({region.code})" for region in suggestions)
        return UnknownRegion(query, (), zh, en, suggestions)

    def _unplaced(self, text: str, word: str, above: Region | None) -> UnknownRegion:
        """The error for a heading that names a region this year's table cannot place where it stands."""
        if above is None:
            zh, en = f"“{word}”不在{self._year_words()}地区表中", f"“{word}” is not in the table{self._year_words_en()}"
        else:
            place = self.display_name(above.code)
            when = f"在 {self.year} 年" if self.year is not None else ""
            zh = f"“{word}”{when}不是{place}的下级地区"
            en = f"“{word}” is not below {place} in the table{self._year_words_en()}"
        elsewhere = [f"{self.display_name(region.code)}({region.code})" for region in self._by_name.get(word, ())]
        notes = self._history_notes(word) if not elsewhere else []
        details = [f"现有同名地区：{'、'.join(elsewhere)}"] if elsewhere else [note for note, _ in notes]
        details_en = [f"regions of that name: {', '.join(elsewhere)}"] if elsewhere else [note for _, note in notes]
        return UnknownRegion(text, (), f"无法确定地区：{text}（{'；'.join([zh, *details])}）",
                             f"Cannot place the region “{text}” ({'; '.join([en, *details_en])})")

    def _history_notes(self, name: str) -> list[tuple[str, str]]:
        """What the units of this name (or short form) were in other years, most recent first."""
        if self.history is None:
            return []
        records = [record for record in self.history.named(name, short=True) if not record.in_use(self.year)]
        records.sort(key=lambda record: record.valid_until or 10_000, reverse=True)
        return [self.history.note(record) for record in records[:HISTORY_NOTES_SHOWN]]

    def _suggestions(self, query: str, scope: Region | None) -> list[Region]:
        """Regions of this table that share the query's short form, then those of a close spelling."""
        stems = short_forms(query) | {query}
        shared = [region for stem in sorted(stems) for region in self._by_short.get(stem, ())]
        shared += [region for stem in sorted(stems) for region in self._by_name.get(stem, ())]
        names = [name for name in self._by_name if name != NATIONAL_NAME]
        close = difflib.get_close_matches(query, names, n=SUGGESTIONS_SHOWN, cutoff=SUGGESTION_CUTOFF)
        shared += [region for name in close for region in self._by_name[name]]
        unique = list({region.code: region for region in self._inside(shared, scope)}.values())
        return unique[:SUGGESTIONS_SHOWN]


# --- Every year ---------------------------------------------------------------------------------

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


@functools.lru_cache(maxsize=1)
def default_english_names() -> dict[tuple[str, str], str]:
    """The curated English names of data/regions/english_names.yml, read once per process."""
    return read_english_names(ENGLISH_NAMES_FILE, default_region_history())
