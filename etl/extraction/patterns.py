"""The regular expressions extraction reads text with: numbers and units, comparators, years, targets against achievements."""
from __future__ import annotations

import re

# --- Number patterns --------------------------------------------------------------------------

ARABIC = r"\d+(?:[.．]\d+)?"
# 3千, 2千万, 1.5万: digits times unit words.
ARABIC_MULTIPLIED = rf"{ARABIC}(?:\s?[十百千]?[万亿]|\s?[百千](?![万亿]))?"
# A Chinese numeral starts with a digit or 十: one starting with 百, 千, 万 or 亿 is a word (百日, 千亿产业, 万元以下).
# A lone 零 is a slogan (零跑腿), not a count.
CHINESE_INTEGER = r"[一二两三四五六七八九十][零〇一二两三四五六七八九十百千万亿]*"
CHINESE_DECIMAL = rf"(?:{CHINESE_INTEGER}|零)点[零〇一二三四五六七八九]+[万亿]?"
CHINESE = rf"(?:{CHINESE_DECIMAL}|{CHINESE_INTEGER})"
FRACTION_TEXT = rf"(?:{CHINESE}|{ARABIC})分之(?:{CHINESE}|{ARABIC})"
NUMBER = rf"(?:{FRACTION_TEXT}|0 \d+(?=\s?[天日个])|{ARABIC_MULTIPLIED}|{CHINESE}|半)"
RANGE_SEPARATOR = r"[—–\-－~～]|至|到"
UNIT_TEXT = (
    r"个工作日|工作日|个自然日|自然日|个小时|小时|个月|分钟|天|日|个百分点|%|％|"
    r"项(?!目)|件|种|类|个环节|环节|次|美元|元|户|家|证合一|个|月"
)
# A range may repeat its unit or counter on the left (3天至5天, 三个至五个工作日), but never another unit;
# a half is written before the unit with 个 (一个半月, 两个半小时) or after 天 (一天半).
QUANTITY = re.compile(
    rf"(?<![\d.．])(?P<num>{NUMBER})"
    rf"(?:\s?(?:个|(?P<first_unit>{UNIT_TEXT}))?\s?(?P<sep>{RANGE_SEPARATOR})\s?(?P<num2>{NUMBER}))?"
    rf"(?P<and_a_half>个半)?\s?(?P<approx>余|多)?\s?(?P<unit>(?(first_unit)(?P=first_unit)|(?:{UNIT_TEXT})))"
    r"(?P<half_after>(?<=天)半(?![个天日年月小价]))?"  # 一天半, but not 三天半个月
)
UNIT_BY_TEXT = {
    "个工作日": "working_day", "工作日": "working_day", "个自然日": "day", "自然日": "day",
    "个小时": "hour", "小时": "hour", "个月": "month", "分钟": "minute", "天": "day", "日": "day",
    "个百分点": "percent", "%": "percent", "％": "percent",
    "项": "item", "件": "item", "种": "item", "类": "item", "证合一": "item",
    "个环节": "step", "环节": "step", "次": "times",
    "美元": "other", "元": "yuan", "户": "enterprise", "家": "enterprise", "个": "other",
    "月": "month",  # only after 个半 (一个半月); "3月" alone is March
}
# 百分之三十, 百分之零点五, 百分之百, 百分之二十至三十: a percentage spelled as a fraction of a hundred.
PERCENT_NUMBER = rf"(?:{CHINESE}|{ARABIC}|百(?!分))"
SPELLED_PERCENT = re.compile(
    rf"百分之(?P<num>{PERCENT_NUMBER})(?:\s?(?P<sep>{RANGE_SEPARATOR})\s?(?:百分之)?(?P<num2>{PERCENT_NUMBER}))?"
)
# Chinese numerals count only where documents use them for measures, not in names such as
# "一件事" or "三项制度": time spans, procedures and percentages always; other counts when the numeral is
# written with more than one character (二百项) or a bound governs it (最多签两次).
CHINESE_NUMERAL_UNITS = {"working_day", "day", "hour", "month", "minute", "step", "percent"}
# "提高一倍", "增长到原来的两倍", "翻一番": a target to multiply; 增长N倍 adds N times, 增长到N倍 adds N − 1.
MULTIPLE = re.compile(
    rf"(?:提高|提升|增加|增长|扩大)了?\s?(?P<to>到|至|为)?(?:原来的|现在的|目前的)?\s?(?P<num>{ARABIC}|{CHINESE})\s?倍"
)
DOUBLING = re.compile(rf"翻了?\s?(?:(?P<num>{ARABIC}|{CHINESE_INTEGER})\s?番|番)")
FULL_COVERAGE = re.compile(r"(?<!健)全覆盖(?!试点|改革|重点|、.{0,4}全)")
HALF_CUT = re.compile(r"(?:压缩|压减|缩短|减少|降低|减)(?:了)?(?P<half>一半)")
STANDALONE_FRACTION = re.compile(rf"(?<![\d.])(?P<num>{FRACTION_TEXT})(?!\s?(?:{UNIT_TEXT}))")
ZERO_COST = re.compile(r"零(?:成本|投资|费用|收费)")
ALL_ONLINE = re.compile(
    r"(?:所有|全部)[^，。；;,]{0,40}?(?:全程网办|不见面审批|直接结算|一网通办|网上可办|网上办理|跨省通办|全省通办)"
)
# Regulations write coverage as every item handled on a platform or covered by a system: "政务服务事项全部纳入
#平台办理", "覆盖全部政务服务事项". Only an explicit 全部/所有 makes it 100%; "纳入平台办理" alone says nothing of how many.
HANDLED_ON_PLATFORM = r"(?:纳入|进驻|入驻|进入)[^，。；;,、]{0,30}?(?:平台|系统|大厅|中心|窗口)(?:办理|受理|运行)?"
ALL_ITEMS_COVERED = re.compile(
    r"事项(?:应当|均|要|必须|一律)?全部" + HANDLED_ON_PLATFORM
    + r"|(?:所有|全部)[^，。；;,、]{0,20}?事项(?:应当|均|要|必须|一律)?" + HANDLED_ON_PLATFORM
    + r"|覆盖(?:本市|本省|本区|本县|全市|全省|全区|全县)?(?:全部|所有)[^，。；;,、]{0,12}?事项"
)

# A cheap first look: lines without any of these cannot yield a statement.
MAY_HOLD_A_NUMBER = re.compile(
    rf"\d|[零〇一二两三四五六七八九十百千万亿半]\s?(?:{UNIT_TEXT}|分之|点[零〇一二三四五六七八九]|倍|番)"
    r"|翻番|全覆盖|一半|所有|全部|零[成投费收]"
)
SENTENCE_END = "。；;！？!?"
# A year stated at the head of a sentence governs its semicolon-separated clauses too:
# "到2021年末，A；B。" sets 2021 for both A and B.
PERIOD_END = "。！？!?"
CLAUSE_END = SENTENCE_END + "，,：:"

# --- Context patterns -------------------------------------------------------------------------

FILLER = r"(?:平均|均|全部|分别|原则上|力争|基本|进一步|再|一律|最多)*"
LE_BEFORE = re.compile(
    r"(?:不超过|不得超过|不应超过|不能超过|不宜超过|不多于|不高于|控制在|压缩至|压缩到|压缩在|压减至|压减到|压减为|缩短至|缩短到|缩短为|缩减至|"
    r"减至|减到|降至|降到|降低至|降低到|减少至|减少到|(?<!不)(?<!不得)少于|(?<!不)(?<!不得)低于|优化为|优化至|最长|内)\s?" + FILLER + r"\s?$"
)
GE_BEFORE = re.compile(
    r"(?:不低于|不少于|不得低于|不得少于|(?<!不)(?<!不得)(?<!不应)(?<!不能)(?<!不宜)超过|突破|至少|扩大至|扩大到|提高至|提高到|提升至|提升到|增加至|增加到|(?<!不)高于|(?<!不)多于|达)\s?"
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
# A period stated as it is, not a bound: "办理时间为五个工作日", "公示期为十日", "公告期三十日", "公告满四十五日".
EXACT_BEFORE = re.compile(r"(?:(?:时间|时限|期限|周期|期)\s?为|(?:公示|公告)(?:期限|期)?\s?(?:为|满)?)\s?$")
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
ARTICLE_HEAD = re.compile(r"\s*第[零〇一二两三四五六七八九十百千\d]+条\s*")
HEADING = re.compile(r"^\s*(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[)）]|第[一二三四五六七八九十]+[章节部分])")
WORKING_DAY_DECLARATION = re.compile(
    r"天\s?[（(]\s?工作日\s?[，,、]?\s?下同\s?[)）]|[“\"]?天[”\"]?\s?(?:均|皆)?(?:为|指|是)工作日"
)
# A one-year plan names its year before the plan word ("2023年…行动计划") or after it in brackets ("……行动方案（2025年）");
# a span of years ("2021—2023年", "（2023—2025年）") is a multi-year plan, whose undated targets have no single year.
PLAN_WORDS = r"(?:工作要点|要点|分工方案|工作方案|实施方案|行动方案|工作计划|行动计划|计划|工作的通知)"
YEAR_SPAN = re.compile(r"(?:19|20)\d{2}\s?年?\s?(?:[—–\-－~～]|至|到)\s?(?:19|20)\d{2}\s?年?(?:度)?")
PLAN_YEAR_TITLE = re.compile(
    rf"((?:19|20)\d{{2}})\s?年(?:度)?[^，。]{{0,40}}?{PLAN_WORDS}"
    rf"|{PLAN_WORDS}\s?[（(]\s?((?:19|20)\d{{2}})\s?年?(?:度)?\s?[)）]"
)
DATE_BEFORE_DAY = re.compile(r"月\s?$")
# Words that make a span of time a limit on handling something; other spans (terms, windows) are "other".
PROCESSING_CONTEXT = re.compile(
    r"时限|时间|办结|办理|审批|审查|审核|作出|完成|答复|回复|反馈|受理|办妥|核准|注册|登记|验收|支付|退还|联系|"
    r"处理|公开|发放|出具|签订|决定|办好|办完|通关|接入|报装|结算|压缩|压减|缩短|之日起|办|公示|公告"
)
# Periods granted to the public before a rule applies are not limits on handling, even next to 公开 or 公示.
PUBLIC_PERIOD_CONTEXT = re.compile(r"征求意见|适应调整期|调整适应期|过渡期")


def sentence_bounds(text: str, start: int, end: int, marks: str = SENTENCE_END) -> tuple[int, int]:
    left = max(text.rfind(mark, 0, start) for mark in marks) + 1
    rights = [position for mark in marks if (position := text.find(mark, end)) != -1]
    return left, min(rights) if rights else len(text)


def clause_start(text: str, start: int) -> int:
    return max(text.rfind(mark, 0, start) for mark in CLAUSE_END) + 1


def overlaps(span: tuple[int, int], spans: list[tuple[int, int]]) -> bool:
    return any(span[0] < other_end and other_start < span[1] for other_start, other_end in spans)
