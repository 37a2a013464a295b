"""Numbers in every written form, read inside sentences: Chinese numerals, decimals, percentages, ranges, multiples."""
import re

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from etl.extraction.statements import SectionContext, extract_section, plan_year_of
from etl.model import Section
from etl.numerals import render_chinese_integer


def statements_in(lines, issue_year=2021, title="测试文件"):
    section = Section("test.txt", title, "630000", "青海省", "province", 1, len(lines), issue_year)
    return extract_section(lines, SectionContext(section, plan_year_of(title)))


def measured(text):
    """(value, value_max, unit, comparator) of every statement in a one-line section."""
    return [(s.value, s.value_max, s.unit, s.comparator) for s in statements_in([text])]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # shortened multiples and 两
        ("审批时限压缩至三百五个工作日。", (350, None, "working_day", "<=")),
        ("审批时限压缩至三百五十个工作日。", (350, None, "working_day", "<=")),
        ("审批时限压缩至两百个工作日。", (200, None, "working_day", "<=")),
        ("审批时限压缩至一千零五天。", (1005, None, "day", "<=")),
        ("全年新增市场主体一万二户。", (12_000, None, "enterprise", "=")),
        ("全年新增市场主体一万五千户。", (15_000, None, "enterprise", "=")),
        ("全年新增市场主体两万户。", (20_000, None, "enterprise", "=")),
        # decimals, with and without 个, with spaces
        ("企业开办时间压缩至零点五个工作日。", (0.5, None, "working_day", "<=")),
        ("企业开办时间压缩至零点五工作日。", (0.5, None, "working_day", "<=")),
        ("企业开办时间压缩至 零点五 个工作日。", (0.5, None, "working_day", "<=")),
        ("企业开办时间压缩至一点五个工作日。", (1.5, None, "working_day", "<=")),
        ("企业开办时间压缩至三点二五天。", (3.25, None, "day", "<=")),
        ("企业开办时间压缩至0.5个工作日。", (0.5, None, "working_day", "<=")),
        # hours and minutes, halves
        ("水电气报装办理时间不超过三十分钟。", (30, None, "minute", "<=")),
        ("水电气报装办理时间不超过 三十 分钟。", (30, None, "minute", "<=")),
        ("简易事项两小时内办结。", (2, None, "hour", "<=")),
        ("简易事项两个小时内办结。", (2, None, "hour", "<=")),
        ("简易事项半小时内办结。", (0.5, None, "hour", "<=")),
        ("简易事项两个半小时内办结。", (2.5, None, "hour", "<=")),
        ("商标注册审查周期压缩至一个半月。", (1.5, None, "month", "<=")),
        ("企业开办时间压缩至一天半。", (1.5, None, "day", "<=")),
        ("企业开办时间压缩至3天半。", (3.5, None, "day", "<=")),
        # ranges in Chinese, with a repeated counter or unit, with spaces, and rough ranges
        ("审查时间为三至十二个月。", (3, 12, "month", "<=")),
        ("审查时间为三个月至十二个月。", (3, 12, "month", "<=")),
        ("审批时间控制在五到七个工作日。", (5, 7, "working_day", "<=")),
        ("审批时间控制在五 到 七 个工作日。", (5, 7, "working_day", "<=")),
        ("审批时间控制在五个至七个工作日。", (5, 7, "working_day", "<=")),
        ("审批时间控制在5到7个工作日。", (5, 7, "working_day", "<=")),
        ("审批时间控制在3天至5天。", (3, 5, "day", "<=")),
        ("审批时间控制在五至七个半小时。", (5, 7.5, "hour", "<=")),
        ("审批时间控制在两三个工作日。", (2, 3, "working_day", "<=")),
        # percentages written out
        ("政务服务事项网上可办率达到百分之九十五。", (95, None, "percent", "=")),
        ("政务服务事项网上可办率达到百分之九十五以上。", (95, None, "percent", ">=")),
        ("政务服务事项网上可办率达到百分之零点五。", (0.5, None, "percent", "=")),
        ("政务服务事项网上可办率达到百分之百。", (100, None, "percent", "=")),
        ("政务服务事项网上可办率达到百分之二十至百分之三十。", (20, 30, "percent", "=")),
        ("政务服务事项网上可办率达到百分之二十至三十。", (20, 30, "percent", "=")),
        ("审批时间压缩百分之三十。", (30, None, "percent", "reduce_by")),
        ("审批时间压缩百分之三十以上。", (30, None, "percent", "reduce_by")),
        ("审批时间压缩30%。", (30, None, "percent", "reduce_by")),
        ("政务服务事项网上可办率提高五个百分点。", (5, None, "percent", "increase_by")),
        # multiples, as increase_by percent like 提高30%
        ("市场主体数量提高30%。", (30, None, "percent", "increase_by")),
        ("市场主体数量提高一倍。", (100, None, "percent", "increase_by")),
        ("市场主体数量增长1.5倍。", (150, None, "percent", "increase_by")),
        ("市场主体数量增长到原来的两倍。", (100, None, "percent", "increase_by")),
        ("市场主体数量翻一番。", (100, None, "percent", "increase_by")),
        ("市场主体数量翻了一番。", (100, None, "percent", "increase_by")),
        ("市场主体数量翻两番。", (300, None, "percent", "increase_by")),
        ("市场主体数量实现翻番。", (100, None, "percent", "increase_by")),
        # counts in Chinese numerals: a longer numeral, or one under a bound
        ("累计取消行政许可事项二百项。", (200, None, "item", "=")),
        ("累计取消行政许可事项一百二十项。", (120, None, "item", "=")),
        ("申请材料不超过两项。", (2, None, "item", "<=")),
        ("企业开办全程最多签两次。", (2, None, "times", "<=")),
        ("每年至少开展一次联合抽查。", (1, None, "times", ">=")),
        ("资产总额不得低于 2 千万元人民币。", (20_000_000, None, "yuan", ">=")),
        ("资产总额在 2 千万元至 1 亿元（不含）人民币的。", (20_000_000, 100_000_000, "yuan", "=")),
    ],
)
def test_each_written_form_gives_one_statement(text, expected):
    assert measured(text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "深化“最多跑一次”改革。",  # a slogan (etl/rules/non_targets.yml)
        "全面推行“一次告知”。",
        "推广运用行政执法三项制度工作平台。",  # one-character numerals before a counter are names
        "由一家牵头部门统一受理。",
        "从业人员不能同时在两个及以上售电公司重复注册。",
        "习近平总书记两次视察我省。",
        "解决“二次失信”等问题。",
        "省第十二次党代会进一步明确要求。",  # ordinals
        "国务院第六次大督查中。",
        "培育千亿产业、百亿企业、十亿项目。",  # 百, 千 and 亿 start words, 项目 is not a counter
        "3月底前完成。",  # March
        "每半月报送一次。",
        "上午九点三十分开始受理。",  # a time of day, not a decimal
        "推进重点项目建设。",
        "保底零售价格按照电网企业代理购电价格的 1.5 倍执行。",  # a price rule, not a target to multiply
        "推进市场主体倍增工程。",
        "开展百日攻坚行动。",
    ],
)
def test_words_that_only_look_like_numbers_give_nothing(text):
    assert statements_in([text]) == []


def test_chinese_forms_inside_a_section_keep_year_kind_and_quote():
    lines = [
        "（一）发展基础",
        "全省企业开办时间已压缩至一个工作日，审批时限由三百五个工作日压缩至一百二十个工作日。",
        "（二）主要目标",
        "到2023年，企业开办时间压缩至零点五个工作日，最多签两次，网上可办率达到百分之九十五以上。",
    ]
    statements = statements_in(lines)
    assert [(s.line, s.value, s.unit, s.comparator, s.baseline, s.year, s.kind) for s in statements] == [
        (2, 1, "working_day", "<=", None, None, "achieved"),
        (2, 120, "working_day", "<=", 350, None, "achieved"),
        (4, 0.5, "working_day", "<=", None, 2023, "target"),
        (4, 2, "times", "<=", None, 2023, "target"),
        (4, 95, "percent", ">=", None, 2023, "target"),
    ]
    assert [s.quote for s in statements[2:]] == ["企业开办时间压缩至零点五个工作日", "最多签两次", "网上可办率达到百分之九十五以上"]
    for statement in statements:
        original = lines[statement.line - 1]
        assert original[statement.column: statement.column + len(statement.quote)] == statement.quote


def test_a_hundred_days_is_not_a_campaign_name():
    assert measured("不动产登记时间不超过一百天。") == [(100, None, "day", "<=")]


def test_enumerated_chinese_counters_borrow_the_last_unit():
    assert measured("出口退税时间分别不超过三个、六个工作日。") == [
        (3, None, "working_day", "<="), (6, None, "working_day", "<="),
    ]


# --- Chinese numerals mean what the same number in digits means -------------------------------

# (sentence with digits, the same sentence with the number spelled out): {} is the number.
TEMPLATES = [
    ("企业开办时间压缩至{}个工作日。", "企业开办时间压缩至{}个工作日。"),
    ("不动产登记时间不超过{}天。", "不动产登记时间不超过{}天。"),
    ("水电气报装办理时间不超过{}分钟。", "水电气报装办理时间不超过{}分钟。"),
    ("简易事项{}小时内办结。", "简易事项{}小时内办结。"),
    ("破产案件审理时间压缩在{}个月内。", "破产案件审理时间压缩在{}个月内。"),
    ("审批时间控制在{}—{}个工作日。", "审批时间控制在{}至{}个工作日。"),
    ("政务服务事项网上可办率达到{}%以上。", "政务服务事项网上可办率达到百分之{}以上。"),
    ("市场主体数量增长{}倍。", "市场主体数量增长{}倍。"),
]
# Counts: a one-character numeral before a counter is read only under a bound, so spelled counts start at 11.
COUNT_TEMPLATES = [
    ("累计取消行政许可事项{}项。", "累计取消行政许可事项{}项。"),
    ("全年新增市场主体{}户。", "全年新增市场主体{}户。"),
    ("每年开展联合抽查{}次。", "每年开展联合抽查{}次。"),
]
STYLES = st.sampled_from([{}, {"liang": True}, {"shortened": True}, {"liang": True, "shortened": True}])
# The campaign-name rule in etl/rules/non_targets.yml ('百日|千日|百天') also matches inside 一百天 and 三千日.
CAMPAIGN_WORDS = re.compile("百日|千日|百天")


def fields(statement):
    return (statement.value, statement.value_max, statement.unit, statement.comparator, statement.category,
            statement.indicator, statement.year, statement.kind)


def spelled_and_digits(template_pair, numbers, style):
    digits_template, spelled_template = template_pair
    digits = digits_template.format(*numbers)
    spelled = spelled_template.format(*(render_chinese_integer(number, **style) for number in numbers))
    return digits, spelled


@given(st.sampled_from(TEMPLATES), st.lists(st.integers(1, 99_999), min_size=2, max_size=2, unique=True).map(sorted),
       STYLES)
def test_spelled_numbers_read_like_digits(template_pair, numbers, style):
    numbers = numbers[: template_pair[0].count("{}")]
    digits, spelled = spelled_and_digits(template_pair, numbers, style)
    assume(not CAMPAIGN_WORDS.search(spelled))
    from_digits = [fields(statement) for statement in statements_in([digits])]
    assert from_digits, digits
    assert [fields(statement) for statement in statements_in([spelled])] == from_digits, spelled


@given(st.sampled_from(COUNT_TEMPLATES), st.integers(11, 99_999_999), STYLES)
def test_spelled_counts_read_like_digits(template_pair, number, style):
    digits, spelled = spelled_and_digits(template_pair, [number], style)
    from_digits = [fields(statement) for statement in statements_in([digits])]
    assert from_digits, digits
    assert [fields(statement) for statement in statements_in([spelled])] == from_digits, spelled


@given(st.integers(0, 99), st.text(alphabet="0123456789", min_size=1, max_size=2))
def test_spelled_decimals_read_like_digits(whole, digits):
    spelled = render_chinese_integer(whole) + "点" + "".join("零一二三四五六七八九"[int(digit)] for digit in digits)
    written = f"{whole}.{digits}"
    from_digits = [fields(statement) for statement in statements_in([f"企业开办时间压缩至{written}个工作日。"])]
    from_spelled = [fields(statement) for statement in statements_in([f"企业开办时间压缩至{spelled}个工作日。"])]
    assert from_spelled == from_digits, spelled


def test_the_hotline_number_inside_a_longer_number_is_not_the_hotline():
    """Found by the property test above: 12345 inside 41234500 was taken for the service hotline."""
    assert measured("累计取消行政许可事项41234500项。") == [(41234500, None, "item", "=")]
    assert measured("拨打12345热线，3个工作日内答复。") == [(3, None, "working_day", "<=")]
