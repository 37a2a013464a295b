"""Lines of one policy section → quantified statements (value, unit, comparator, year, kind, indicator, quote)."""
from __future__ import annotations

from dataclasses import dataclass

from etl.extraction.cleaning import CleanLine, clean_line
from etl.extraction.lists import RESPECTIVELY, listed_subjects
from etl.extraction.meaning import (
    ReadingState,
    comparator_for,
    context_of,
    indicator_of,
    kind_of,
    quote_span,
    unit_of,
    year_of,
)
from etl.extraction.mentions import ExtractionRules, Mention, default_rules, explicit_comparator, find_mentions, link_baselines
from etl.extraction.patterns import ENUMERATION_BRIDGE, PLAN_YEAR_TITLE, YEAR_SPAN, clause_start, sentence_bounds
from etl.extraction.scopes import clause_scope
from etl.model import Section, Statement
from indicators.catalog import Catalog, default_catalog

# Units that count things or share them out, whose group may follow the number ("58项高频政务服务事项", "90%以上涉企事项").
COUNT_UNITS = ("item", "enterprise", "other", "times", "step", "percent")


@dataclass(frozen=True)
class SectionContext:
    """What the extractor knows about a section beyond its lines."""

    section: Section
    plan_year: int | None


def plan_year_of(title: str) -> int | None:
    """The year of a single-year plan ("2020年…工作要点", "……行动方案（2025年）"), whose undated targets belong to that year.

    A span of years ("2021—2023年") marks a multi-year plan and is not read as a year.
    """
    found = PLAN_YEAR_TITLE.search(YEAR_SPAN.sub("", title.replace(" ", "")))
    return int(found.group(1) or found.group(2)) if found else None


def statements_in_line(
    original: str, clean: CleanLine, line_number: int, section: Section, state: ReadingState, catalog: Catalog,
    rules: ExtractionRules,
) -> list[Statement]:
    text = clean.text
    mentions = find_mentions(text, rules)
    link_baselines(text, mentions)
    baselines = [mention for mention in mentions if mention.dropped]  # "由240天压缩至60天": 240 is no statement
    mentions = [mention for mention in mentions if not mention.dropped]
    found: list[Statement] = []
    groups = enumeration_groups(text, mentions)
    for mention, group in zip(mentions, groups):
        around = context_of(text, mention, state.carried_sentence)
        unit = unit_of(mention, text, state)
        comparator = comparator_for(mention, around.before_clause, around.after)
        enumerated = group[0] is not mention
        if enumerated and found and not explicit_comparator(mention, around.before_clause, around.after):
            comparator = found[-1].comparator  # "分别压减至5天、15天": the later items share the verb
        indicator, indicator_phrase = indicator_of(mention, text, around, unit, catalog)
        year, year_explicit = year_of(around, section.issue_year)
        scope_text = text[subject_left(text, mentions, group[0], around.clause_left): subject_right(group[0], baselines)]
        quote_start, quote_end = quote_span(text, clean, around, mention, indicator_phrase)
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
                scope=clause_scope(scope_text, around.after, indicator_phrase, unit in COUNT_UNITS, rules.scopes,
                                   indicator.label_zh),
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
    pair_respective_lists(original, clean, mentions, groups, found, catalog)
    return found


def enumeration_groups(text: str, mentions: list[Mention]) -> list[list[Mention]]:
    """For each mention, the numbers listed with it ("5天、15天、25天"), itself included, in order."""
    groups: list[list[Mention]] = []
    for index, mention in enumerate(mentions):
        previous = mentions[index - 1] if index else None
        if previous is not None and ENUMERATION_BRIDGE.match(text[previous.end: mention.start]):
            groups[-1].append(mention)
            groups.append(groups[-1])
        else:
            groups.append([mention])
    return groups


def subject_left(text: str, mentions: list[Mention], first: Mention, clause_left: int) -> int:
    """Where a number's subject may begin: its clause, but never before another number of that clause
    ("1天电话联系、一般问题5天办结": 一般问题 is the subject of 5天 alone)."""
    left = clause_left
    for other in mentions:
        if other.end <= first.start and other.end > left:
            left = other.end
            separator = text.rfind("、", left, first.start)
            left = separator + 1 if separator != -1 else left
    while left < first.start and text[left] in "、，,；;：: ”\"":
        left += 1
    return left


def subject_right(first: Mention, baselines: list[Mention]) -> int:
    """Where a number's subject ends: at the number, or before the starting level it is cut from."""
    return min([baseline.start for baseline in baselines if baseline.end <= first.start and first.start - baseline.end < 12]
               + [first.start])


def pair_respective_lists(
    original: str, clean: CleanLine, mentions: list[Mention], groups: list[list[Mention]], found: list[Statement],
    catalog: Catalog,
) -> None:
    """"A、B、C……分别为5天、15天、25天": each number takes its own subject as scope, or as indicator when the
    subjects are what is measured (水气热 → water, gas, heat), and its quote starts with the list."""
    text = clean.text
    statement_of = {id(mention): statement for mention, statement in zip(mentions, found)}
    for first, group in zip(mentions, groups):
        if group[0] is not first or len(group) == 1:
            continue  # each list once, from its first number
        sentence_left, _ = sentence_bounds(text, first.start, first.end)
        respectively_at = text.rfind(RESPECTIVELY, clause_start(text, first.start), first.start)
        if respectively_at == -1:
            continue
        subjects = listed_subjects(text, respectively_at, len(group), sentence_left)
        if subjects is None:
            continue
        for mention, subject in zip(group, subjects):
            statement = statement_of[id(mention)]
            named = catalog.best_match(subject.text + subject.tail, "", statement.unit)
            if named is not None and (subject.names_measure or named.indicator.family == statement.category):
                statement.indicator, statement.category = named.indicator.code, named.indicator.family
            statement.scope = None if subject.names_measure else subject.text
            quote_start, _ = clean.original_span(subjects[0].start, subjects[0].start + 1)
            if quote_start < statement.column:
                quote_end = statement.column + len(statement.quote)
                statement.quote, statement.column = original[quote_start:quote_end], quote_start


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
