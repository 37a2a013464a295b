"""English names of the country, provinces and prefectures: curated overrides, else the pinyin of the short form."""
from __future__ import annotations

import functools
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, NamedTuple

import yaml

from indicators.paths import ENGLISH_NAMES_FILE
from indicators.regions.history import default_region_history
from indicators.regions.names import short_forms
from indicators.regions.records import Region, RegionDataError

if TYPE_CHECKING:
    from indicators.regions.history import RegionHistory

NATIONAL_NAME_EN = "China"


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


class NamedRegion(NamedTuple):
    """A region as its English label needs it: a row of the database's `regions` table, in use now or retired."""

    code: str
    level: str
    name_en: str | None  # None for a county
    in_use: bool = True


def english_labels(regions: Iterable[NamedRegion]) -> dict[str, str]:
    """Code → the name the English interface shows, for every region with an English name (counties have none).

    The English name alone where it is unique; else, below the province level, followed by the province's:
    Suzhou, Jiangsu (苏州) and Suzhou, Anhui (宿州); the city Jilin, Jilin beside the province Jilin. A region in
    use is compared only with the regions in use, so that a namesake retired decades ago does not lengthen today's
    name; a retired region with every region, in use or not. Two prefectures of one province with one English name
    are taken for one place under an old and a new code (海东地区 632100, 海东市 630200), not a clash.
    """
    regions = [region for region in regions if region.name_en]
    provinces = {region.code: region.name_en for region in regions if region.level == "province"}

    def places(among: list[NamedRegion]) -> dict[str, set[tuple[str, bool]]]:
        """English name → the places that hold it: a province itself, or the area of a province below it."""
        found: dict[str, set[tuple[str, bool]]] = {}
        for region in among:
            found.setdefault(region.name_en, set()).add((region.code[:2], region.level in ("province", "national")))
        return found

    in_use, every = places([region for region in regions if region.in_use]), places(regions)
    labels = {}
    for region in regions:
        shared = len((in_use if region.in_use else every)[region.name_en]) > 1
        if shared and region.level not in ("province", "national"):
            province = region.code[:2] + "0000"
            labels[region.code] = f"{region.name_en}, {provinces.get(province, province)}"
        else:
            labels[region.code] = region.name_en
    return labels


@functools.lru_cache(maxsize=1)
def default_english_names() -> dict[tuple[str, str], str]:
    """The curated English names of data/regions/english_names.yml, read once per process."""
    return read_english_names(ENGLISH_NAMES_FILE, default_region_history())
