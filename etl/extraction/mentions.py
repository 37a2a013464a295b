"""Every number with a unit in a cleaned line (minus slogans, dates and references, from etl/rules/), before its meaning is read."""
from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

import yaml

from etl.extraction.patterns import (
    ALL_ITEMS_COVERED,
    ALL_ONLINE,
    BASELINE_BEFORE,
    BASELINE_BRIDGE,
    CHINESE_NUMERAL_UNITS,
    DATE_BEFORE_DAY,
    DOUBLING,
    ENUMERATION_BRIDGE,
    FULL_COVERAGE,
    GE_AFTER,
    GE_BEFORE,
    GE_NEAR,
    HALF_CUT,
    LE_AFTER,
    LE_BEFORE,
    LE_NEAR,
    MAY_HOLD_A_NUMBER,
    MULTIPLE,
    QUANTITY,
    REDUCE_BEFORE,
    SPELLED_PERCENT,
    STANDALONE_FRACTION,
    UNIT_BY_TEXT,
    ZERO_COST,
    clause_start,
    overlaps,
    sentence_bounds,
)
from etl.numerals import NotANumber, parse_approximate_range, parse_number
from indicators.paths import NON_TARGETS_FILE, SCOPES_FILE
from indicators.vocabulary import TIME_UNITS


@dataclass(frozen=True)
class ExtractionRules:
    """Data-driven rules: slogan patterns that are never targets, and known scope qualifiers."""

    non_targets: tuple[re.Pattern, ...]
    scopes: tuple[str, ...]

    @functools.cached_property
    def non_target_pattern(self) -> re.Pattern:
        """All non-target patterns as one alternation, so a line is scanned once."""
        return re.compile("|".join(f"(?:{pattern.pattern})" for pattern in self.non_targets))


@functools.lru_cache(maxsize=1)
def default_rules() -> ExtractionRules:
    with open(NON_TARGETS_FILE, encoding="utf-8") as stream:
        non_targets = tuple(re.compile(entry["pattern"]) for entry in yaml.safe_load(stream))
    with open(SCOPES_FILE, encoding="utf-8") as stream:
        scopes = tuple(sorted(yaml.safe_load(stream), key=len, reverse=True))
    return ExtractionRules(non_targets, scopes)


@dataclass
class Mention:
    """A number found in a line, before its meaning is worked out."""

    start: int
    end: int
    value: float
    value_max: float | None
    unit: str
    number_text: str
    source: str  # "quantity", "coverage", "half", "fraction", "multiple", "zero_cost", "all_online", "all_items"
    comparator: str | None = None
    baseline: float | None = None
    dropped: bool = False
    notes: list[str] = field(default_factory=list)


def find_mentions(text: str, rules: ExtractionRules) -> list[Mention]:
    """Every number with a unit in a cleaned line, minus slogans, dates and references."""
    if not MAY_HOLD_A_NUMBER.search(text):
        return []
    percentages = spelled_percentages(text)
    percent_spans = [(mention.start, mention.end) for mention in percentages]
    candidates = [
        ((mention.start, found.end("unit")), mention) for found in QUANTITY.finditer(text)
        if (mention := mention_from_quantity(text, found)) and not overlaps(found.span(), percent_spans)
    ] + [((mention.start, mention.end), mention) for mention in percentages]
    extra = extra_mentions(text)
    if not candidates and not extra:
        return []
    excluded = non_target_spans(text, rules)
    mentions = [mention for span, mention in candidates if not overlaps(span, excluded)]
    taken = [(mention.start, mention.end) for mention in mentions]
    for mention in extra:
        if mention.source == "coverage" and counted_just_before(text, mention.start, mentions):
            continue  # "11个设区市、117个县全覆盖": the counts already say what is covered
        if not overlaps((mention.start, mention.end), taken + excluded):
            mentions.append(mention)
            taken.append((mention.start, mention.end))
    mentions.sort(key=lambda mention: mention.start)
    borrow_units_in_enumerations(text, mentions)
    return mentions


def extra_mentions(text: str) -> list[Mention]:
    """Measures written without a number and unit: 一半, 二分之一, 提高一倍, 翻一番, 零成本, 全覆盖, 所有事项全程网办,
    事项全部纳入平台办理."""
    extra: list[Mention] = []
    for found in HALF_CUT.finditer(text):
        extra.append(Mention(found.start("half"), found.end("half"), 50.0, None, "percent", "一半", "half", "reduce_by"))
    for found in STANDALONE_FRACTION.finditer(text):
        try:
            value = parse_number(found.group("num")) * 100
        except NotANumber:
            continue
        extra.append(Mention(found.start(), found.end(), round(value, 2), None, "percent", found.group(0), "fraction"))
    for found in MULTIPLE.finditer(text):
        try:
            times = parse_number(found.group("num"))
        except NotANumber:
            continue
        increase = times - 1 if found.group("to") else times  # 增长到两倍 doubles, 增长两倍 triples
        if increase > 0:
            extra.append(Mention(found.start(), found.end(), round(increase * 100, 2), None, "percent", found.group(0),
                                 "multiple", "increase_by"))
    for found in DOUBLING.finditer(text):
        try:
            doublings = parse_number(found.group("num")) if found.group("num") else 1
        except NotANumber:
            continue
        extra.append(Mention(found.start(), found.end(), round((2 ** doublings - 1) * 100.0, 2), None, "percent",
                             found.group(0), "multiple", "increase_by"))
    for found in ZERO_COST.finditer(text):
        extra.append(Mention(found.start(), found.end(), 0.0, None, "yuan", found.group(0), "zero_cost", "="))
    for found in FULL_COVERAGE.finditer(text):
        extra.append(Mention(found.start(), found.end(), 100.0, None, "percent", "全覆盖", "coverage", "="))
    for found in ALL_ONLINE.finditer(text):
        extra.append(Mention(found.start(), found.end(), 100.0, None, "percent", found.group(0), "all_online", "="))
    for found in ALL_ITEMS_COVERED.finditer(text):
        extra.append(Mention(found.start(), found.end(), 100.0, None, "percent", found.group(0), "all_items", "="))
    return extra


def borrow_units_in_enumerations(text: str, mentions: list[Mention]) -> None:
    """"分别不超过3个、6个工作日": a bare counter takes the unit written after the last item."""
    for index in range(len(mentions) - 2, -1, -1):
        current, following = mentions[index], mentions[index + 1]
        if (
            current.number_text.rstrip().endswith("个")
            and following.unit in TIME_UNITS
            and ENUMERATION_BRIDGE.match(text[current.end: following.start])
        ):
            current.unit = following.unit


def non_target_spans(text: str, rules: ExtractionRules) -> list[tuple[int, int]]:
    """Spans of slogans, dates and references.

    One combined scan finds the lines that hold any; only those are scanned rule by rule, since a
    combined scan alone would miss a rule whose match overlaps another's.
    """
    if not rules.non_target_pattern.search(text):
        return []
    return [found.span() for pattern in rules.non_targets for found in pattern.finditer(text)]


def counted_just_before(text: str, position: int, mentions: list[Mention]) -> bool:
    clause_begin = clause_start(text, position)
    return any(
        clause_begin <= mention.start and mention.end <= position and position - mention.end <= 12
        and (mention.unit in ("other", "item", "enterprise") or mention.unit == "percent" and position - mention.end <= 3)
        for mention in mentions
    )


def spelled_percentages(text: str) -> list[Mention]:
    """百分之三十 → 30 percent, 百分之二十至三十 → 20 to 30 percent."""
    found_percentages = []
    for found in SPELLED_PERCENT.finditer(text):
        try:
            value = parse_number(found.group("num"))
            value_max = parse_number(found.group("num2")) if found.group("num2") else None
        except NotANumber:
            continue
        if value_max is not None and value_max <= value:
            continue
        found_percentages.append(Mention(found.start(), found.end(), value, value_max, "percent", found.group(0), "quantity"))
    return found_percentages


def mention_from_quantity(text: str, found: re.Match) -> Mention | None:
    number_text = found.group("num")
    unit_text = found.group("unit")
    unit = UNIT_BY_TEXT[unit_text]
    if unit_text == "月" and not found.group("and_a_half"):
        return None  # "3月" is March; only "一个半月" measures months without 个月
    is_chinese = not re.search(r"\d", number_text) and number_text != "半"
    if is_chinese and unit not in CHINESE_NUMERAL_UNITS and not chinese_count_is_a_measure(text, found):
        return None
    if "分之" in number_text:
        return None  # a fraction followed by a unit is rare and ambiguous; fractions stand alone
    if unit_text == "日" and DATE_BEFORE_DAY.search(text[: found.start("num")]):
        return None  # "11月1日" is a date
    if number_text.startswith("0") and not number_text.startswith(("0.", "0 ")) and len(number_text) > 1:
        return None  # zero-padded numbers are codes
    if unit_text == "个":
        unit = unit_for_bare_counter(text, found)
    end = found.start("unit") + 1 if unit_text == "证合一" else found.end()
    notes = ["approximate"] if found.group("approx") else []
    try:
        value = parse_number(number_text)
        value_max = parse_number(found.group("num2")) if found.group("num2") else None
    except NotANumber:
        few = parse_approximate_range(number_text) if not found.group("num2") else None
        if few is None:
            return None
        (value, value_max), notes = few, ["approximate"]  # 两三个工作日: two or three
    if found.group("and_a_half") or found.group("half_after"):
        # 一个半月, 两个半小时, 一天半: the half belongs to the last number
        if value_max is None:
            value += 0.5
        else:
            value_max += 0.5
    if value_max is not None and value_max <= value:
        return None  # "2-1" is not a range
    mention = Mention(found.start("num"), end, value, value_max, unit, found.group(0), "quantity")
    mention.notes.extend(notes)
    return mention


def chinese_count_is_a_measure(text: str, found: re.Match) -> bool:
    """Counts in Chinese numerals: 二百项 and 最多签两次 measure; 三项制度, 一家牵头部门, 两次视察 name or tell.

    A one-character numeral before a counter is mostly part of a name, so it counts only under a bound
    written before it; a longer numeral or a range is a quantity, as digits would be.
    """
    if found.group("unit") == "个" and text[found.end("unit"):found.end("unit") + 2] == "环节":
        return True  # "一个环节" is a count of procedures
    before = text[clause_start(text, found.start()): found.start()]
    if any(pattern.search(before) for pattern in (LE_BEFORE, GE_BEFORE, LE_NEAR, GE_NEAR, REDUCE_BEFORE)):
        return True
    return found.group("unit") != "个" and (len(found.group("num")) > 1 or bool(found.group("num2")))


def unit_for_bare_counter(text: str, found: re.Match) -> str:
    """'2个' counts what follows it, or else what the sentence before it names: "环节均压缩至2个" counts procedures."""
    following = text[found.end("unit"):]
    if following.startswith("环节"):
        return "step"
    if following.startswith("事项"):
        return "item"
    if following[:1] and "\u4e00" <= following[0] <= "\u9fff":
        return "other"
    sentence_left, _ = sentence_bounds(text, found.start(), found.end())
    preceding = text[sentence_left: found.start()][-20:]
    if "环节" in preceding:
        return "step"
    if "事项" in preceding:
        return "item"
    return "other"


def explicit_comparator(mention: Mention, before: str, after: str) -> bool:
    return bool(
        LE_BEFORE.search(before) or GE_BEFORE.search(before) or REDUCE_BEFORE.search(before)
        or GE_AFTER.search(after) or LE_AFTER.search(after) or mention.comparator
    )


def link_baselines(text: str, mentions: list[Mention]) -> None:
    """"由240天压缩至60天": 240 becomes the baseline of 60 and is not a statement of its own."""
    for earlier, later in zip(mentions, mentions[1:]):
        if earlier.dropped or earlier.unit != later.unit:
            continue  # "由8小时压缩至2个工作日" has no baseline in the target's unit
        if BASELINE_BRIDGE.match(text[earlier.end: later.start]) and BASELINE_BEFORE.search(text[: earlier.start]):
            later.baseline = earlier.value
            later.comparator = "<="
            earlier.dropped = True
