"""One year's table of regions: lookup by code, name, short form, alias or chain, and what to say when none fits."""
from __future__ import annotations

import difflib
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from indicators.paths import REGION_ALIASES_FILE, REGION_HISTORY_FILE
from indicators.regions.names import MIN_SHORT_FORM, QUERY_SUFFIXES, short_forms, stands_alone
from indicators.regions.records import (
    CODE_PATTERN,
    LEVEL_RANK,
    NATIONAL_CODE,
    NATIONAL_NAME,
    WHITESPACE,
    Region,
    UnknownRegion,
)

if TYPE_CHECKING:
    from indicators.regions.history import RegionHistory

CANDIDATES_SHOWN = 10
SUGGESTIONS_SHOWN = 5
HISTORY_NOTES_SHOWN = 3
# How alike two names must be (difflib's ratio) for one to be suggested for the other.
SUGGESTION_CUTOFF = 0.6


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
        from indicators.regions.history import RegionHistory  # the history builds its tables from this module

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

