"""What the region modules pass around: a region, one span of a code in the history, the errors, a code's level."""
from __future__ import annotations

import functools
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import NamedTuple

NATIONAL_CODE = "100000"
NATIONAL_NAME = "全国"
LEVEL_RANK = {"national": 0, "province": 1, "prefecture": 2, "county": 3}
CODE_PATTERN = re.compile(r"^[1-9]\d{5}$")
WHITESPACE = re.compile(r"\s+")


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
        from indicators.regions.english import default_english_names, english_name  # english builds on Region

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
