"""Lines of one policy section → quantified statements (value, unit, comparator, year, kind, indicator, quote)."""
from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

import yaml

from etl.model import Section, Statement
from etl.numerals import NotANumber, parse_number
from indicators.catalog import TIME_UNITS, Catalog, Indicator, default_catalog
from indicators.paths import NON_TARGETS_FILE, SCOPES_FILE

# --- Cleaning ---------------------------------------------------------------------------------

SPACE_LIKE = {"\t", "\u00a0", "\u3000"} | {chr(code) for code in range(0x2000, 0x200B)}
# Anything clean_line would change; most lines have none, and skip the per-character walk.
NEEDS_CLEANING = re.compile(
    "[\t\u00a0\u3000\u2000-\u200f\u2028-\u202f\u2060-\u206f\ufeff\ue000-\uf8ff\U000f0000-\U0010ffff"
    "\x00-\x08\x0b-\x1f\x7f-\x9f\ud800-\udfff]|  "
)


@dataclass(frozen=True)
class CleanLine:
    """A line with private-use, control and format characters removed.

    `positions[i]` is where cleaned character i sits in the original line, so every quote is cut
    from the original text and stays an exact substring of the source file.
    """

    text: str
    positions: Sequence[int]

    def original_span(self, start: int, end: int) -> tuple[int, int]:
        return self.positions[start], self.positions[end - 1] + 1


def clean_line(original: str) -> CleanLine:
    if not NEEDS_CLEANING.search(original):
        return CleanLine(original, range(len(original)))
    kept: list[str] = []
    positions: list[int] = []
    for index, char in enumerate(original):
        if char in SPACE_LIKE:
            char = " "
        elif unicodedata.category(char) in ("Co", "Cc", "Cf", "Cs"):
            continue
        if char == " " and kept and kept[-1] == " ":
            continue  # runs of spaces carry no meaning but would break number patterns
        kept.append(char)
        positions.append(index)
    return CleanLine("".join(kept), tuple(positions))


# --- Number patterns --------------------------------------------------------------------------

ARABIC = r"\d+(?:[.．]\d+)?"
CHINESE = r"[零〇一二两三四五六七八九十百千万亿]+"
FRACTION_TEXT = rf"(?:{CHINESE}|{ARABIC})分之(?:{CHINESE}|{ARABIC})"
NUMBER = rf"(?:{FRACTION_TEXT}|0 \d+(?=\s?[天日个])|{ARABIC}(?:\s?[万亿])?|{CHINESE}|半)"
UNIT_TEXT = (
    r"个工作日|工作日|个自然日|自然日|个小时|小时|个月|分钟|天|日|个百分点|%|％|"
    r"项|件|种|类|个环节|环节|次|美元|元|户|家|证合一|个"
)
QUANTITY = re.compile(
    rf"(?<![\d.．])(?P<num>{NUMBER})"
    rf"(?:\s?(?P<sep>[—–\-－~～]|至)\s?(?P<num2>{NUMBER}))?"
    rf"\s?(?P<approx>余|多)?\s?(?P<unit>{UNIT_TEXT})"
)
UNIT_BY_TEXT = {
    "个工作日": "working_day", "工作日": "working_day", "个自然日": "day", "自然日": "day",
    "个小时": "hour", "小时": "hour", "个月": "month", "分钟": "minute", "天": "day", "日": "day",
    "个百分点": "percent", "%": "percent", "％": "percent",
    "项": "item", "件": "item", "种": "item", "类": "item", "证合一": "item",
    "个环节": "step", "环节": "step", "次": "times",
    "美元": "other", "元": "yuan", "户": "enterprise", "家": "enterprise", "个": "other",
}
# Chinese numerals count only where documents use them for measures, not in names such as
# "一件事" or "三项制度": time spans, procedures, and fractions.
CHINESE_NUMERAL_UNITS = {"working_day", "day", "hour", "month", "minute", "step"}
FULL_COVERAGE = re.compile(r"(?<!健)全覆盖(?!试点|改革|重点|、.{0,4}全)")
HALF_CUT = re.compile(r"(?:压缩|压减|缩短|减少|降低|减)(?:了)?(?P<half>一半)")
STANDALONE_FRACTION = re.compile(rf"(?<![\d.])(?P<num>{FRACTION_TEXT})(?!\s?(?:{UNIT_TEXT}))")
ZERO_COST = re.compile(r"零(?:成本|投资|费用|收费)")
ALL_ONLINE = re.compile(
    r"(?:所有|全部)[^，。；;,]{0,40}?(?:全程网办|不见面审批|直接结算|一网通办|网上可办|网上办理|跨省通办|全省通办)"
)

# A cheap first look: lines without any of these cannot yield a statement.
MAY_HOLD_A_NUMBER = re.compile(r"\d|[零〇一二两三四五六七八九十半](?:个|天|日|小时|分之|环节)|全覆盖|一半|所有|全部|零[成投费收]")
SENTENCE_END = "。；;！？!?"
# A year stated at the head of a sentence governs its semicolon-separated clauses too:
# "到2021年末，A；B。" sets 2021 for both A and B.
PERIOD_END = "。！？!?"
CLAUSE_END = SENTENCE_END + "，,：:"

# --- Context patterns -------------------------------------------------------------------------

FILLER = r"(?:平均|均|全部|分别|原则上|力争|基本|进一步|再|一律|最多)*"
LE_BEFORE = re.compile(
    r"(?:不超过|不得超过|不应超过|不能超过|不宜超过|不多于|不高于|控制在|压缩至|压缩到|压缩在|压减至|压减到|压减为|缩短至|缩短到|缩短为|缩减至|"
    r"减至|减到|降至|降到|降低至|降低到|减少至|减少到|(?<!不)少于|(?<!不)低于|优化为|优化至|最长|内)\s?" + FILLER + r"\s?$"
)
GE_BEFORE = re.compile(
    r"(?:不低于|不少于|(?<!不)(?<!不得)(?<!不应)(?<!不能)(?<!不宜)超过|突破|至少|扩大至|扩大到|提高至|提高到|提升至|提升到|增加至|增加到|(?<!不)高于|(?<!不)多于|达)\s?"
    + FILLER + r"\s?$"
)
FASTEST_BEFORE = re.compile(r"最快\s?" + FILLER + r"\s?$")
# A bound word a few characters before the number, with a verb or object between: "每年至少开展1次",
# "不低于合同金额的30%", "最多跑2次" — no punctuation in between.
LE_NEAR = re.compile(r"(?:不超过|不得超过|最多|最长)[^，。；、,;\d]{1,6}$")
GE_NEAR = re.compile(r"(?:不低于|不少于|至少)[^，。；、,;\d]{1,6}$")
REDUCE_BEFORE = re.compile(r"(?:压减|压缩|精简|缩短|减少|降低|下降|削减|减)(?:了)?\s?" + FILLER + r"\s?$")
INCREASE_BEFORE = re.compile(r"(?:提升|提高|增加|增长|上升)(?:了)?\s?" + FILLER + r"\s?$")
LE_AFTER = re.compile(r"^\s?(?:以内|之内|以下|及以下|内)")
# "3天办结" is a time limit, but "100%完成计划" is not an upper bound.
LE_AFTER_TIME = re.compile(r"^\s?(?:办结|办妥|办理完毕|完成|办理|办好)")
GE_AFTER = re.compile(r"^\s?(?:以上|及以上)")
BASELINE_BEFORE = re.compile(r"(?:由|从)(?:原来的|原|过去的|此前的|法定|现行|目前的|目前)?\s?$")
BASELINE_BRIDGE = re.compile(r"^\s?(?:左右)?\s?(?:压缩|压减|缩短|减少|降低|下降|缩减|减)(?:至|到|为)\s?$")
ENUMERATION_BRIDGE = re.compile(r"^\s?[、和及与]\s?$")

EXPLICIT_YEAR = re.compile(r"(?<!\d)((?:19|20)\d{2})\s?年")
PARENTHESIZED_YEAR = re.compile(r"^[^，。；,;]*?[（(][^）)]{0,12}?((?:19|20)\d{2})\s?年")
CHINESE_YEAR = re.compile(r"二[〇零]([〇零一二三四五六七八九]{2})年")
RELATIVE_YEARS = (
    (re.compile(r"(?<![\d年明后次本今])(?<!\d\s)(?:今年|本年度|本年|年底前|年内|当年)"), 0),
    (re.compile(r"(?:明年|次年)"), 1),
    (re.compile(r"(?:后年)"), 2),
)
PLAN_PERIOD_YEARS = (
    (re.compile(r"十四五[”\"]?(?:末|时期|期间|期末)"), 2025),
    (re.compile(r"十三五[”\"]?(?:末|时期|期间|期末)"), 2020),
    (re.compile(r"十五五[”\"]?(?:末|时期|期间|期末)"), 2030),
)
TARGET_MARKERS = re.compile(r"到\s?(?:19|20)\d{2}\s?年|年底前|年末前|力争|确保|目标|要求|将.{0,20}(?:压缩|压减|缩短|提高|提升)")
ACHIEVED_MARKERS = re.compile(
    r"已经|已(?:有|达|实现|完成|建成|压缩|压减|累计|覆盖|全部|基本|提前|取消|下放|精简)"
    r"|累计(?![^，。；]{0,6}(?:不超过|不得|不少于|不多于|不低于|不高于|控制|缩短|压缩|压减))|实现了|达到了|完成了|建成了|共计|先后|截至|截止|现已|均已|以来|期间[，,]?|成效|取得了|取得显著|取得明显"
)
ACHIEVED_HEADINGS = re.compile(r"发展基础|工作成效|主要成效|取得成效|主要成绩|发展成就|工作回顾|进展情况|基本情况|现状")
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[章节部分])")
WORKING_DAY_DECLARATION = re.compile(
    r"天\s?[（(]\s?工作日\s?[，,、]?\s?下同\s?[)）]|[“\"]?天[”\"]?\s?(?:均|皆)?(?:为|指|是)工作日"
)
PLAN_YEAR_TITLE = re.compile(r"((?:19|20)\d{2})\s?年(?:度)?[^，。]{0,40}?(?:工作要点|要点|分工方案|工作方案|实施方案|工作计划|计划|工作的通知)")
DATE_BEFORE_DAY = re.compile(r"月\s?$")
# Words that make a span of time a limit on handling something; other spans (terms, windows) are "other".
PROCESSING_CONTEXT = re.compile(
    r"时限|时间|办结|办理|审批|审查|审核|作出|完成|答复|回复|反馈|受理|办妥|核准|注册|登记|验收|支付|退还|联系|"
    r"处理|公开|发放|出具|签订|决定|办好|办完|通关|接入|报装|结算|压缩|压减|缩短|之日起|办"
)


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
    source: str  # "quantity", "coverage", "half", "fraction", "zero_cost", "all_online"
    comparator: str | None = None
    baseline: float | None = None
    dropped: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class SectionContext:
    """What the extractor knows about a section beyond its lines."""

    section: Section
    plan_year: int | None


def plan_year_of(title: str) -> int | None:
    """The year of a single-year plan ("2020年…工作要点"), whose undated targets belong to that year."""
    found = PLAN_YEAR_TITLE.search(title.replace(" ", ""))
    return int(found.group(1)) if found else None


def sentence_bounds(text: str, start: int, end: int, marks: str = SENTENCE_END) -> tuple[int, int]:
    left = max(text.rfind(mark, 0, start) for mark in marks) + 1
    rights = [position for mark in marks if (position := text.find(mark, end)) != -1]
    return left, min(rights) if rights else len(text)


def clause_start(text: str, start: int) -> int:
    return max(text.rfind(mark, 0, start) for mark in CLAUSE_END) + 1


def overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < other_end and other_start < span[1] for other_start, other_end in spans)


def find_mentions(text: str, rules: ExtractionRules) -> list[Mention]:
    """Every number with a unit in a cleaned line, minus slogans, dates and references."""
    if not MAY_HOLD_A_NUMBER.search(text):
        return []
    candidates = [(found, mention) for found in QUANTITY.finditer(text) if (mention := mention_from_quantity(text, found))]
    extra = extra_mentions(text)
    if not candidates and not extra:
        return []
    excluded = non_target_spans(text, rules)
    mentions = [
        mention for found, mention in candidates if not overlaps((found.start("num"), found.end("unit")), excluded)
    ]
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
    """Measures written without a number and unit: 一半, 二分之一, 零成本, 全覆盖, 所有事项全程网办."""
    extra: list[Mention] = []
    for found in HALF_CUT.finditer(text):
        extra.append(Mention(found.start("half"), found.end("half"), 50.0, None, "percent", "一半", "half", "reduce_by"))
    for found in STANDALONE_FRACTION.finditer(text):
        try:
            value = parse_number(found.group("num")) * 100
        except NotANumber:
            continue
        extra.append(Mention(found.start(), found.end(), round(value, 2), None, "percent", found.group(0), "fraction"))
    for found in ZERO_COST.finditer(text):
        extra.append(Mention(found.start(), found.end(), 0.0, None, "yuan", found.group(0), "zero_cost", "="))
    for found in FULL_COVERAGE.finditer(text):
        extra.append(Mention(found.start(), found.end(), 100.0, None, "percent", "全覆盖", "coverage", "="))
    for found in ALL_ONLINE.finditer(text):
        extra.append(Mention(found.start(), found.end(), 100.0, None, "percent", found.group(0), "all_online", "="))
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


def mention_from_quantity(text: str, found: re.Match) -> Mention | None:
    number_text = found.group("num")
    unit_text = found.group("unit")
    unit = UNIT_BY_TEXT[unit_text]
    is_chinese = not re.search(r"\d", number_text) and number_text != "半"
    if is_chinese and unit not in CHINESE_NUMERAL_UNITS:
        if not (unit_text == "个" and text[found.end("unit"):found.end("unit") + 2] == "环节"):
            return None
    if "分之" in number_text:
        return None  # a fraction followed by a unit is rare and ambiguous; fractions stand alone
    if unit_text == "日" and DATE_BEFORE_DAY.search(text[: found.start("num")]):
        return None  # "11月1日" is a date
    if number_text.startswith("0") and not number_text.startswith(("0.", "0 ")) and len(number_text) > 1:
        return None  # zero-padded numbers are codes
    if unit_text == "个":
        unit = unit_for_bare_counter(text, found)
    if unit_text == "证合一":
        end = found.start("unit") + 1
    else:
        end = found.end("unit")
    try:
        value = parse_number(number_text)
        value_max = parse_number(found.group("num2")) if found.group("num2") else None
    except NotANumber:
        return None
    if value_max is not None and value_max <= value:
        return None  # "2-1" is not a range
    mention = Mention(found.start("num"), end, value, value_max, unit, found.group(0), "quantity")
    if found.group("approx"):
        mention.notes.append("approximate")
    return mention


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


def scope_in(text: str, scopes: tuple[str, ...]) -> str | None:
    """The qualifier nearest before the number, joined with those written right before it ("省级" + "行政审批事项")."""
    best: tuple[int, int] | None = None  # (end, start)
    for scope in scopes:
        position = text.rfind(scope)
        if position != -1 and (best is None or (position + len(scope), -position) > (best[0], -best[1])):
            best = (position + len(scope), position)
    if best is None:
        return None
    end, start = best
    extended = True
    while extended:
        extended = False
        for scope in scopes:
            if start >= len(scope) and text[start - len(scope): start] == scope:
                start -= len(scope)
                extended = True
                break
    return text[start:end]


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


def indicator_of(mention: Mention, text: str, around: MentionContext, unit: str, catalog: Catalog) -> Indicator:
    phrase_context = around.before_sentence[-80:]
    if mention.source in ("coverage", "all_online"):
        phrase_context += text[mention.start: mention.end]  # "所有事项全程网办" names its own indicator
    matched = catalog.best_match(phrase_context, around.after[:20], unit)
    if matched:
        return matched.indicator
    if unit in TIME_UNITS and not PROCESSING_CONTEXT.search(around.before_sentence[-40:] + around.after[:8]):
        return catalog["duration_unclassified"]
    return catalog.fallback_for_unit(unit)


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


def quote_span(text: str, clean: CleanLine, around: MentionContext, mention: Mention) -> tuple[int, int]:
    """From the start of the clause to the end of the number and unit, in original-line offsets."""
    left = around.clause_left
    while left < mention.start and text[left] in " ——-—“”\"":
        left += 1
    return clean.original_span(left, mention.end)


def statements_in_line(
    original: str, clean: CleanLine, line_number: int, section: Section, state: ReadingState, catalog: Catalog,
    rules: ExtractionRules,
) -> list[Statement]:
    text = clean.text
    mentions = find_mentions(text, rules)
    link_baselines(text, mentions)
    found: list[Statement] = []
    previous_mention: Mention | None = None
    for mention in mentions:
        if mention.dropped:
            continue
        around = context_of(text, mention, state.carried_sentence)
        unit = unit_of(mention, text, state)
        comparator = comparator_for(mention, around.before_clause, around.after)
        enumerated = previous_mention is not None and ENUMERATION_BRIDGE.match(text[previous_mention.end: mention.start])
        if enumerated and found and not explicit_comparator(mention, around.before_clause, around.after):
            comparator = found[-1].comparator  # "分别压减至5天、15天": the later items share the verb
        indicator = indicator_of(mention, text, around, unit, catalog)
        year, year_explicit = year_of(around, section.issue_year)
        quote_start, quote_end = quote_span(text, clean, around, mention)
        found.append(
            Statement(
                doc=section.doc,
                line=line_number,
                section_title=section.title,
                region_code=section.region_code,
                region=section.region,
                level=section.level,
                category=indicator.family,
                indicator=indicator.code,
                scope=scope_in(around.before_sentence, rules.scopes),
                value=mention.value,
                value_max=mention.value_max,
                unit=unit,
                comparator=comparator,
                baseline=mention.baseline,
                year=year,
                year_explicit=year_explicit,
                kind=kind_of(around, state),
                quote=original[quote_start:quote_end],
                column=quote_start,
                number_text=mention.number_text,
                notes=list(mention.notes),
            )
        )
        previous_mention = mention
    return found


def extract_section(
    lines: list[str],
    context: SectionContext,
    catalog: Catalog | None = None,
    rules: ExtractionRules | None = None,
) -> list[Statement]:
    """Every quantified statement in a section; `lines` are the whole file's lines."""
    catalog = catalog or default_catalog()
    rules = rules or default_rules()
    section = context.section
    statements: list[Statement] = []
    state = ReadingState()
    for line_number in range(section.first_line, section.last_line + 1):
        original = lines[line_number - 1]
        if not original.strip():
            continue
        clean = clean_line(original)
        state.read_heading(clean.text)
        statements.extend(statements_in_line(original, clean, line_number, section, state, catalog, rules))
        state.finish_line(clean.text)
    adopt_specific_indicators(statements, catalog)
    fill_implied_years(statements, context.plan_year)
    return statements


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


def restatement_key(statement: Statement) -> tuple | None:
    """Targets that restate one another share indicator, value and unit; blanket 100% coverage does not count."""
    if statement.indicator.endswith("_unclassified") or statement.unit == "percent" and statement.value == 100:
        return None
    return (statement.indicator, statement.value, statement.unit)


def adopt_specific_indicators(statements: list[Statement], catalog: Catalog) -> None:
    """Within one paragraph, "实现“0 5天”" after "推行企业开办“0 5天”" measures the same thing."""
    specific: dict[tuple, Statement] = {}
    for statement in statements:
        if not statement.indicator.endswith("_unclassified"):
            specific.setdefault((statement.line, statement.value, statement.unit), statement)
    for statement in statements:
        if statement.indicator.endswith("_unclassified"):
            named = specific.get((statement.line, statement.value, statement.unit))
            if named is not None:
                statement.indicator = named.indicator
                statement.category = catalog[named.indicator].family


def fill_implied_years(statements: list[Statement], plan_year: int | None) -> None:
    """Undated targets take the year of a restatement elsewhere in the section, else the plan's year."""
    dated: dict[tuple, int] = {}
    for statement in statements:
        key = restatement_key(statement)
        if statement.year is not None and statement.kind == "target" and key is not None:
            dated.setdefault(key, statement.year)
    for statement in statements:
        if statement.year is not None or statement.kind != "target":
            continue
        key = restatement_key(statement)
        restated = dated.get(key) if key is not None else None
        if restated is not None:
            statement.year, statement.year_explicit = restated, False
        elif plan_year is not None:
            statement.year, statement.year_explicit = plan_year, False
