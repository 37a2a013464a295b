"""The words of a number's own clause → the qualifier that narrows its indicator (低压项目, 自贸试验区, 商标变更、续展)."""
from __future__ import annotations

import re

from etl.extraction.patterns import ARTICLE_HEAD

# A clause is framed by when and where it applies and by the verbs that introduce the measured thing; none of that
# narrows the indicator. Frames are stripped from the front until none is left.
LEADING_FRAME = re.compile(
    r"^(?:"
    r"[\s“”\"‘’、，,：:—\-]+"
    r"|\d+\s?[.．、]\s?"  # a list number: "22. 推行企业开办"
    r"|(?:到|至|在|截至|截止)?\s?(?:19|20)\d{2}\s?年(?:底|末|年底|年末)?(?:前|以前|之前)?"
    r"|(?:到|至)?\s?[“\"]?十[三四五]五[”\"]?(?:末|时期|期间|期末)?"
    r"|年底前|年内|今年|明年|其中|同时|此外|原则上"
    rf"|{ARTICLE_HEAD.pattern}"  # an article number heads the clause but is no part of it
    r"|(?:在)?(?:全国|全省|全市|全区|全县)(?:范围内|域)?"
    r"|(?:全国|全省|全市)?(?:所有|全部)(?:市州|市县|市、县|县市区|县（市、区）|市、县（区）|地区)(?:、\s?县)?"
    r"|(?:推动|推进|推行|推广|实现了|实现|力争|确保|基本|全面|加快|进一步|逐步|持续|继续|深化|开展|着力|努力|大力|"
    r"积极|要求|应当|应|要|将|把|对于|对|复制推广|赋予|提出|做到|实施|组织实施|建立|完善|支持|鼓励|年均|每年|可以|须|必须|瞄准|确定|"
    r"压缩|压减|缩短|精简|降低|减少|提高|提升|扩大)"
    r")"
)
# What follows the qualifier in the clause: how the number is bound, and the words for the measure itself.
TRAILING_VERB = re.compile(
    r"(?:[\s“”\"‘’]|年均|均|平均|全部|分别|原则上|力争|基本|一律|累计|进一步|再|最快|最长|最多|一般|可以|应当|应|要|"
    r"压缩|压减|缩短|缩减|减少|降低|下降|精简|削减|减|控制|优化|提高|提升|扩大|增加|增长|达到|达|超过|突破|不超过|不得超过|"
    r"不低于|不少于|不得少于|不高于|不多于|低于|少于|高于|多于|进行|实行|实现|办结|完成|新增|新培育|延长|未|"
    r"在|为|至|到|于|内|以内|的|可|(?:由|从)(?:原来的|原|过去的|此前的|法定|现行|目前的|目前)?)+$"
)
TRAILING_MEASURE = re.compile(
    r"(?:业务)?(?:平均|合计|累计|全流程)?(?:办理|审批|办电|接电|接入|报装|登记|审查|审核|落地|处理)?"
    r"(?:时间|时限|周期|期限|用时|费用|成本|次数|数量|率)$"
)
# Words that, left alone, name no group: "“证照分离”改革" minus its indicator says nothing more.
GENERIC_REMAINDER = re.compile(r"^(?:改革|工作|业务|服务|事项|办理|应用|建设|管理|机制|制度|体系|平台)?$")
ACTION_START = re.compile(r"(?:压缩|压减|缩短|推行|实行|推动|推进|实现|提高|提升|扩大|开展|建立|完善)")
QUOTE_MARKS = re.compile(r"[“”\"‘’]")
BOUND_AFTER = re.compile(r"^\s?(?:以上|以内|以下|及以上|左右|的)?\s?")


def made_of_known(text: str, known_scopes: tuple[str, ...]) -> bool:
    """Whether `text` is one known qualifier or several written together ("省级" + "行政审批事项")."""
    reachable = {0}
    for position in range(len(text)):
        if position in reachable:
            reachable.update(position + len(scope) for scope in known_scopes if text.startswith(scope, position))
    return bool(text) and len(text) in reachable


def strip_frames(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = LEADING_FRAME.sub("", text, count=1)
    return text


def strip_tail(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = TRAILING_VERB.sub("", text)
        text = TRAILING_MEASURE.sub("", text)
    return text


def names_only_the_indicator(qualifier: str, indicator_phrase: str | None) -> bool:
    """"企业设立登记" under an indicator matched by that very phrase narrows nothing; "“证照分离”改革" neither."""
    if not indicator_phrase:
        return False
    bare = QUOTE_MARKS.sub("", qualifier)
    phrase = QUOTE_MARKS.sub("", indicator_phrase)
    for named in {phrase, strip_tail(strip_frames(phrase))}:
        if named and named in bare and GENERIC_REMAINDER.match(bare.replace(named, "", 1)):
            return True
    return False


def last_action(text: str) -> str:
    """"实行企业开办全程网上办、压缩企业设立登记时间至": of actions listed with 、, the number belongs to the last."""
    parts = text.split("、")
    for index in range(len(parts) - 1, 0, -1):
        if ACTION_START.match(parts[index]):
            return "、".join(parts[index:])
    return text


def counted_after(after_number: str, counted: bool, known_scopes: tuple[str, ...]) -> str | None:
    """The known group written right after a count or share ("58项高频政务服务事项", "90%以上涉企事项")."""
    if not counted:
        return None
    following = BOUND_AFTER.sub("", after_number.lstrip(" “\""))
    return next((scope for scope in known_scopes if following.startswith(scope)), None)


def clause_scope(
    before_clause: str, after_number: str, indicator_phrase: str | None, counted: bool, known_scopes: tuple[str, ...],
    indicator_name: str = "",
) -> str | None:
    """The qualifier of a number, read from its own clause only.

    `before_clause` is the clause up to the number, `after_number` what follows the number and its unit,
    `indicator_phrase` the catalog phrase that named the indicator (if any) and `indicator_name` its Chinese
    name, `counted` whether the unit counts
    things (items, enterprises…), whose name then follows the number ("等58项高频政务服务事项").
    The qualifier is the clause's subject as written, without its frames (years, places meaning "everywhere",
    introducing verbs) and without the words that name the measure and bind the number.
    """
    framed = strip_frames(last_action(before_clause.strip()))
    if framed.rstrip(" “”\"").endswith("的") and not counted_after(after_number, counted, known_scopes):
        return None  # "对继续实施……管理的10类产品": a relative clause describes the counted thing, it narrows nothing
    qualifier = strip_tail(framed)
    if indicator_phrase and (position := framed.find(indicator_phrase)) != -1:
        # "小型项目用水报装时间", "省级行政审批事项可“全程网办”率": what stands before the words that name the
        # indicator is the qualifier, when only the measure follows them or it is a known qualifier.
        head = strip_tail(framed[:position])
        rest = strip_tail(framed[position + len(indicator_phrase):])
        if head and (not rest or made_of_known(QUOTE_MARKS.sub("", head), known_scopes)):
            qualifier = head
        elif not head and not rest:
            qualifier = strip_tail(indicator_phrase)
    if qualifier.endswith("等") or not qualifier:
        # "市场主体登记注册、职业资格证书核验……等58项高频政务服务事项": the examples stand for the group named after;
        # "90%以上涉企事项“全程网办”": so does a group written right after a share.
        named = counted_after(after_number, counted, known_scopes)
        if named:
            return named
        if not qualifier:
            return None
    # A known qualifier narrows even when a catalog phrase holds it (一般性工业项目), unless the indicator is named by it
    # (抵押登记 of the mortgage registration time).
    bare = QUOTE_MARKS.sub("", qualifier)
    known = made_of_known(bare, known_scopes) and bare not in indicator_name
    if not known and (bare in indicator_name or names_only_the_indicator(qualifier, indicator_phrase)):
        return None
    qualifier = qualifier.strip(" “”\"‘’、，")
    return qualifier or None
