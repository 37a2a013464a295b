"""How names are written: short forms without the suffix or the peoples, and the curated aliases of data/."""
from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

from indicators.regions.records import WHITESPACE, Region, RegionAliasError, UnknownRegion

if TYPE_CHECKING:
    from indicators.regions.table import RegionTable

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
