"""A list of subjects read with 分别 ("低压非居民、高压单电源、高压双电源用户……分别压减至5天、15天、25天") → one subject per number."""
from __future__ import annotations

import re
from dataclasses import dataclass

from etl.extraction.scopes import strip_frames

RESPECTIVELY = "分别"
ITEM_SEPARATOR = re.compile(r"、|(?<=[^\s])(?:和|及|与|以及)(?=[^\s])")
# Where the last item of a list ends when its items share no ending: the words that start naming the measure.
MEASURE_START = re.compile(r"业务|办理|时限|时间|手续|平均|审批|接入|报装|用时|环节|流程|的")
# Nouns a list writes once, after its last item ("低压非居民、高压单电源、高压双电源用户"): they end that item and belong to all.
SHARED_GROUP_NOUN = re.compile(r"用户|客户|企业|项目|登记|案件|事项")
# Utilities written one character each ("水气热接入时间", "水电气暖报装"), with the word each stands for.
UTILITY_WORDS = {"水": "用水", "电": "用电", "气": "用气", "热": "用热", "暖": "供暖", "网": "网络"}
COMPACT_UTILITIES = re.compile(r"[水电气热暖网]{2,5}(?=[^\u4e00-\u9fff]?(?:接入|报装|接电|接通|开通|办理))")


@dataclass(frozen=True)
class ListedSubject:
    text: str  # the subject as written, or the word a one-character utility stands for
    start: int  # where it is written in the line
    names_measure: bool  # a utility names what is measured (用气), not a group it applies to
    tail: str  # the words between the list and 分别 that name the measure ("接入时间")


def common_suffix(words: list[str]) -> str:
    suffix = words[0]
    for word in words[1:]:
        while suffix and not word.endswith(suffix):
            suffix = suffix[1:]
    return suffix


def listed_subjects(text: str, respectively_at: int, count: int, sentence_left: int) -> list[ListedSubject] | None:
    """The `count` subjects that the 分别 at `respectively_at` pairs with its numbers, or None when they cannot be told.

    Only text of the same sentence is read. A list counted wrong is not paired at all: a number left
    without its subject is better than one given another's.
    """
    before = text[sentence_left:respectively_at]
    compact = list(COMPACT_UTILITIES.finditer(before))
    if compact:
        found = compact[-1]
        if len(found.group(0)) == count:
            tail = before[found.end():]
            return [
                ListedSubject(UTILITY_WORDS[char], sentence_left + found.start() + offset, True, tail)
                for offset, char in enumerate(found.group(0))
            ]
    separators = list(ITEM_SEPARATOR.finditer(before))
    if len(separators) < count - 1:
        return None
    chain = separators[-(count - 1):]
    # The separators of one list stand close together; a far one belongs to another list.
    if any(later.start() - earlier.end() > 24 for earlier, later in zip(chain, chain[1:])):
        return None
    clause_left = max(before.rfind(mark, 0, chain[0].start()) for mark in "，,：:") + 1
    first_text = before[clause_left:chain[0].start()]
    first = strip_frames(first_text)
    starts = [clause_left + len(first_text) - len(first)]
    items = [first]
    for earlier, later in zip(chain, chain[1:]):
        items.append(before[earlier.end():later.start()])
        starts.append(earlier.end())
    rest = before[chain[-1].end():]
    suffix = common_suffix(items) if len(items) > 1 else ""
    shared_noun = SHARED_GROUP_NOUN.search(rest[:16])
    ending = SHARED_GROUP_NOUN.search(items[0][-2:])
    if len(suffix) >= 2 and suffix in rest:
        last = rest[:rest.index(suffix) + len(suffix)]
    elif ending and all(item.endswith(ending.group(0)) for item in items) and ending.group(0) in rest:
        last = rest[:rest.index(ending.group(0)) + len(ending.group(0))]  # 低压居民客户、低压非居民客户业扩报装
    elif shared_noun and not any(item.endswith(shared_noun.group(0)) for item in items):
        last = rest[:shared_noun.end()]
        items = [item + shared_noun.group(0) for item in items]  # 低压非居民 → 低压非居民用户
    else:
        boundary = MEASURE_START.search(rest)
        last = rest[:boundary.start()] if boundary else ""
    items.append(last)
    starts.append(chain[-1].end())
    tail = rest[len(last):]
    if not all(item.strip() for item in items) or any(len(item) > 30 for item in items):
        return None
    return [ListedSubject(item.strip(), sentence_left + start, False, tail) for item, start in zip(items, starts)]
