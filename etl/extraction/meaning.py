"""What a mention means from the words around it: comparator, unit, year, scope, indicator and whether it is a target."""
from __future__ import annotations

from dataclasses import dataclass

from etl.extraction.cleaning import CleanLine
from etl.extraction.mentions import Mention
from etl.extraction.patterns import (
    ACHIEVED_HEADINGS,
    ACHIEVED_MARKERS,
    ARTICLE_HEAD,
    CHINESE_YEAR,
    EXACT_BEFORE,
    EXPLICIT_YEAR,
    FASTEST_BEFORE,
    GE_AFTER,
    GE_BEFORE,
    GE_NEAR,
    HEADING,
    INCREASE_BEFORE,
    LE_AFTER,
    LE_AFTER_TIME,
    LE_BEFORE,
    LE_NEAR,
    PARENTHESIZED_YEAR,
    PERIOD_END,
    PLAN_PERIOD_YEARS,
    PROCESSING_CONTEXT,
    PUBLIC_PERIOD_CONTEXT,
    REDUCE_BEFORE,
    RELATIVE_YEARS,
    TARGET_MARKERS,
    WORKING_DAY_DECLARATION,
    clause_start,
    sentence_bounds,
)
from etl.extraction.scopes import strip_frames, strip_tail
from indicators.catalog import Catalog, Indicator
from indicators.vocabulary import TIME_UNITS

# How far back in its paragraph a limit looks for the procedure it bounds.
ARTICLE_REACH = 160


def comparator_for(mention: Mention, before: str, after: str) -> str:
    if mention.comparator:
        return mention.comparator
    time_unit = mention.unit in TIME_UNITS
    if mention.number_text.endswith("个百分点") or "百分点" in mention.number_text:
        return "reduce_by" if REDUCE_BEFORE.search(before) else "increase_by"
    if FASTEST_BEFORE.search(before):
        return "="  # "最快26天" reports the best case, not a limit
    if LE_BEFORE.search(before):
        return "<="
    if mention.unit == "percent" and REDUCE_BEFORE.search(before):
        return "reduce_by"
    if REDUCE_BEFORE.search(before) and not time_unit:
        return "reduce_by"
    if mention.unit == "percent" and INCREASE_BEFORE.search(before):
        return "increase_by"
    if GE_AFTER.search(after) or GE_BEFORE.search(before) or GE_NEAR.search(before):
        return ">="
    if LE_NEAR.search(before):
        return "<="
    if LE_AFTER.search(after) or time_unit and LE_AFTER_TIME.search(after):
        return "<="
    if mention.value_max is None and EXACT_BEFORE.search(before):
        return "="  # "公示期为十日" fixes the period; a range ("为三至十二个月") stays a bound
    return "<=" if time_unit else "="


def year_in(text: str, issue_year: int | None) -> tuple[int, bool, int] | None:
    """The last year expression in `text`: (year, written out, position)."""
    candidates: list[tuple[int, int, bool]] = []
    for found in EXPLICIT_YEAR.finditer(text):
        candidates.append((found.end(), int(found.group(1)), True))
    for found in CHINESE_YEAR.finditer(text):
        digits = "".join(str("〇一二三四五六七八九".index("〇" if ch == "零" else ch)) for ch in found.group(1))
        candidates.append((found.end(), 2000 + int(digits), True))
    for pattern, year in PLAN_PERIOD_YEARS:
        for found in pattern.finditer(text):
            candidates.append((found.end(), year, False))
    if issue_year is not None:
        for pattern, offset in RELATIVE_YEARS:
            for found in pattern.finditer(text):
                candidates.append((found.end(), issue_year + offset, False))
    if not candidates:
        return None
    position, year, explicit = max(candidates)
    return year, explicit, position


@dataclass
class ReadingState:
    """What reading a section so far tells about the lines still to come."""

    working_days_declared: bool = False  # "天（工作日，下同）" seen
    achieved_heading_level: int | None = None  # inside "（一）发展基础" and the like
    carried_sentence: str = ""  # the unfinished last sentence of the previous line

    def read_heading(self, text: str) -> None:
        heading = HEADING.match(text)
        if not heading:
            return
        level = 2 if heading.group(0).lstrip().startswith(("（", "(")) or "、" not in heading.group(0) else 1
        if ACHIEVED_HEADINGS.search(text[:40]):
            self.achieved_heading_level = level
        elif self.achieved_heading_level is not None and level <= self.achieved_heading_level:
            self.achieved_heading_level = None

    def finish_line(self, text: str) -> None:
        if "工作日" in text and WORKING_DAY_DECLARATION.search(text):
            self.working_days_declared = True
        stripped = text.rstrip()
        if stripped.endswith(tuple(PERIOD_END + "：:")):
            self.carried_sentence = ""
        else:
            self.carried_sentence = stripped[max(stripped.rfind(mark) for mark in PERIOD_END) + 1:]


@dataclass(frozen=True)
class MentionContext:
    """The stretches of text around one number that its meaning is read from."""

    before_clause: str  # from the last comma or stop
    before_sentence: str  # from the last 。；, including an unfinished sentence carried from the line before
    before_period: str  # from the last 。, which bounds a stated year
    after: str  # to the end of the sentence
    clause_left: int


def context_of(text: str, mention: Mention, carried_sentence: str) -> MentionContext:
    sentence_left, sentence_right = sentence_bounds(text, mention.start, mention.end)
    period_left, _ = sentence_bounds(text, mention.start, mention.end, PERIOD_END)
    clause_left = clause_start(text, mention.start)
    return MentionContext(
        before_clause=text[clause_left: mention.start],
        before_sentence=(carried_sentence if sentence_left == 0 else "") + text[sentence_left: mention.start],
        before_period=(carried_sentence if period_left == 0 else "") + text[period_left: mention.start],
        after=text[mention.end: sentence_right],
        clause_left=clause_left,
    )


def unit_of(mention: Mention, text: str, state: ReadingState) -> str:
    if mention.unit != "day" or not mention.number_text.rstrip().endswith("天"):
        return mention.unit
    if state.working_days_declared or WORKING_DAY_DECLARATION.search(text[: mention.end + 12]):
        return "working_day"
    return mention.unit


def indicator_of(mention: Mention, text: str, around: MentionContext, unit: str, catalog: Catalog) -> tuple[Indicator, str | None]:
    """The indicator a number measures, and the words that named it (None when nothing did)."""
    phrase_context = around.before_sentence[-80:]
    clause_begins = max(0, len(phrase_context) - len(around.before_clause))
    if mention.source in ("coverage", "all_online", "all_items"):
        phrase_context += text[mention.start: mention.end]  # "所有事项全程网办" names its own indicator
    matched = catalog.best_match(phrase_context, around.after[:20], unit, clause_begins)
    if matched:
        return matched.indicator, matched.phrase
    # A regulation's article names its procedure once and then sets its limits sentence by sentence ("承诺制注销……。
    # 不能当场作出的，应当在三个工作日内作出"): with nothing named in the sentence, the paragraph's last name holds.
    named_in_paragraph = catalog.best_match(text[max(0, mention.start - ARTICLE_REACH): mention.start], "", unit)
    if named_in_paragraph and unit in TIME_UNITS and named_in_paragraph.indicator.family == "processing_time":
        return named_in_paragraph.indicator, None
    if mention.source == "all_items":
        return catalog["one_stop_service_coverage"], None  # every item on one platform is one-stop coverage
    if unit in TIME_UNITS and (
        PUBLIC_PERIOD_CONTEXT.search(around.before_sentence[-40:])
        or not PROCESSING_CONTEXT.search(around.before_sentence[-40:] + around.after[:8])
    ):
        return catalog["duration_unclassified"], None
    return catalog.fallback_for_unit(unit), None


def year_of(around: MentionContext, issue_year: int | None) -> tuple[int | None, bool]:
    found = year_in(around.before_period, issue_year)
    if found:
        return found[0], found[1]
    trailing = PARENTHESIZED_YEAR.match(around.after[:40])
    return (int(trailing.group(1)), True) if trailing else (None, False)


def kind_of(around: MentionContext, state: ReadingState) -> str:
    if state.achieved_heading_level is not None:
        return "achieved"
    if ACHIEVED_MARKERS.search(around.before_sentence) and not TARGET_MARKERS.search(around.before_period):
        return "achieved"
    return "target"


def quote_span(
    text: str, clean: CleanLine, around: MentionContext, mention: Mention, indicator_phrase: str | None = None,
) -> tuple[int, int]:
    """The clause that states the commitment, in original-line offsets: from the start of the clause that names
    what is measured to the end of the number, its unit and its bound ("……压缩至10个工作日以内").

    A clause that only binds a number ("时间分别压减至5天") is quoted with the clause before it that names the
    measure, so the quote says what was promised without its document.
    """
    left = around.clause_left
    if indicator_phrase and not strip_tail(strip_frames(around.before_clause)):
        sentence_left, _ = sentence_bounds(text, mention.start, mention.end)
        named_at = text.rfind(indicator_phrase, sentence_left, left)
        if named_at != -1:
            left = clause_start(text, named_at)
    article = ARTICLE_HEAD.match(text, left, mention.start)
    if article:
        left = article.end()  # "第二十五条 市人民政府…": the article number heads the clause but is no part of it
    while left < mention.start and text[left] in " ——-—“”\"":
        left += 1
    # A bound written after the number is part of what was promised: "10个工作日以内", "90%以上".
    following = text[mention.end: mention.end + 4]
    bound = LE_AFTER.match(following) or GE_AFTER.match(following)
    return clean.original_span(left, mention.end + (bound.end() if bound else 0))
