"""The indicator catalog (catalog.yml) → validated Indicator records and the text → indicator matcher."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from pathlib import Path

import yaml

from indicators.paths import CATALOG_FILE
from indicators.vocabulary import DIRECTIONS, FAMILIES, TIME_UNITS, UNITS

# A statement maps to an indicator only when both measure the same kind of thing.
UNIT_KIND = {unit: ("time" if unit in TIME_UNITS else unit) for unit in UNITS}
# The indicator of last resort for each kind of unit, so that no number is silently dropped.
FALLBACK_BY_UNIT_KIND = {
    "time": "processing_time_unclassified",
    "item": "item_count_unclassified",
    "step": "step_count_unclassified",
    "times": "times_count_unclassified",
    "percent": "coverage_unclassified",
    "yuan": "amount_unclassified",
    "enterprise": "enterprise_count_unclassified",
    "other": "quantity_unclassified",
}


SIMPLE_PHRASE_PARTS = re.compile(r"\.\{\d+,\d+\}|\\d\+|\.\*|\.\+")


def required_literals(phrase: str) -> tuple[str, ...]:
    """Plain text every match of `phrase` must contain; empty when the phrase is not simple enough to tell."""
    pieces = SIMPLE_PHRASE_PARTS.split(phrase)
    if any(re.search(r"[\\()\[\]|?*+{}^$.]", piece) for piece in pieces):
        return ()
    return tuple(piece for piece in pieces if piece)


class CatalogError(ValueError):
    """catalog.yml breaks its own contract."""


@dataclass(frozen=True)
class Indicator:
    code: str
    label_zh: str
    label_en: str
    family: str
    unit: str
    direction: str
    evaluation_heading: str
    phrases: tuple[str, ...]

    @property
    def unit_kind(self) -> str:
        return UNIT_KIND[self.unit]


@dataclass(frozen=True)
class IndicatorMatch:
    indicator: Indicator
    distance: int  # characters between the phrase and the number; 0 when adjacent
    phrase: str


class Catalog:
    """All indicators, with their phrases compiled once."""

    def __init__(self, indicators: list[Indicator]):
        self.indicators = indicators
        self.by_code = {indicator.code: indicator for indicator in indicators}
        self._patterns_by_kind: dict[str, list[tuple[Indicator, re.Pattern, tuple[str, ...]]]] = {}
        for indicator in indicators:
            for phrase in indicator.phrases:
                self._patterns_by_kind.setdefault(indicator.unit_kind, []).append(
                    (indicator, re.compile(phrase), required_literals(phrase))
                )

    def __getitem__(self, code: str) -> Indicator:
        return self.by_code[code]

    def __contains__(self, code: str) -> bool:
        return code in self.by_code

    def fallback_for_unit(self, unit: str) -> Indicator:
        return self.by_code[FALLBACK_BY_UNIT_KIND[UNIT_KIND[unit]]]

    def best_match(self, before: str, after: str, unit: str, clause_start: int = 0) -> IndicatorMatch | None:
        """The indicator whose phrase sits nearest the number, among those measured in `unit`'s kind.

        `before` is the text that ends at the number, `after` the text that follows it (to the end of the
        number's clause); a phrase inside the number's own clause (from `clause_start` of `before`) beats one in
        an earlier clause, since "……“跨省通办”，力争1—2项营商环境重点指标" counts indicators, not services. Then
        phrases before the number are preferred, since Chinese puts the measured thing first.
        """
        best: tuple[tuple[bool, int, int, int], IndicatorMatch] | None = None
        for indicator, pattern, literals in self._patterns_by_kind.get(UNIT_KIND[unit], []):
            for side, text in ((0, before), (1, after)):
                # A cheap substring test spares most regex scans.
                if literals and (literals[0] not in text or len(literals) > 1 and not all(literal in text for literal in literals)):
                    continue
                for found in pattern.finditer(text):
                    distance = len(text) - found.end() if side == 0 else found.start()
                    if side == 1 and distance > 12:
                        continue
                    # Chinese puts the measured thing first, so a phrase after the number must be closer to win.
                    outside_clause = side == 0 and found.start() < clause_start
                    rank = (outside_clause, distance + 6 * side, side, -(found.end() - found.start()))
                    if best is None or rank < best[0]:
                        best = (rank, IndicatorMatch(indicator, distance, found.group(0)))
        return best[1] if best else None


def validate_entries(entries: list[dict]) -> list[Indicator]:
    """Check every entry against the catalog contract and return them as Indicators."""
    indicators = []
    seen: set[str] = set()
    required = ("code", "label_zh", "label_en", "family", "unit", "direction", "evaluation_heading", "phrases")
    for position, entry in enumerate(entries, start=1):
        missing = [key for key in required if key not in entry]
        if missing:
            raise CatalogError(f"entry {position} ({entry.get('code')}) lacks {', '.join(missing)}")
        code = entry["code"]
        if not re.fullmatch(r"[a-z][a-z0-9_]*", code):
            raise CatalogError(f"{code}: codes are snake_case")
        if code in seen:
            raise CatalogError(f"{code}: duplicate code")
        seen.add(code)
        for key, allowed in (("family", FAMILIES), ("unit", UNITS), ("direction", DIRECTIONS)):
            if entry[key] not in allowed:
                raise CatalogError(f"{code}: {key} {entry[key]!r} not in {allowed}")
        for phrase in entry["phrases"]:
            try:
                re.compile(phrase)
            except re.error as error:
                raise CatalogError(f"{code}: phrase {phrase!r} is not a valid pattern: {error}") from error
        indicators.append(
            Indicator(
                code=code,
                label_zh=entry["label_zh"],
                label_en=entry["label_en"],
                family=entry["family"],
                unit=entry["unit"],
                direction=entry["direction"],
                evaluation_heading=entry["evaluation_heading"],
                phrases=tuple(entry["phrases"]),
            )
        )
    for code in FALLBACK_BY_UNIT_KIND.values():
        if code not in seen:
            raise CatalogError(f"fallback indicator {code} is missing")
    return indicators


def load_catalog(path: Path = CATALOG_FILE) -> Catalog:
    with open(path, encoding="utf-8") as stream:
        entries = yaml.safe_load(stream)
    return Catalog(validate_entries(entries))


@functools.lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    return load_catalog()
