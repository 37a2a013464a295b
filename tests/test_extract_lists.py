"""Lists read with 分别, scopes confined to their clause, and quotes that say what was promised."""
import pytest

from etl.extraction.lists import common_suffix, listed_subjects
from etl.extraction.scopes import clause_scope, made_of_known, strip_frames, strip_tail
from etl.extraction.statements import SectionContext, extract_section, plan_year_of
from etl.model import Section


def extract_text(text, issue_year=2022, title="某省2022年优化营商环境行动方案"):
    section = Section("test.txt", title, "410000", "河南省", "province", 1, 1, issue_year)
    return extract_section([text], SectionContext(section, plan_year_of(title)))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Written in none of the shipped documents: a shared noun after the last item, users of gas.
        ("低压小微企业、低压非居民、高压用户办电时间分别压减至3个、6个、15个工作日以内。",
         [("power_connection_time", "低压小微企业用户", 3), ("power_connection_time", "低压非居民用户", 6),
          ("power_connection_time", "高压用户", 15)]),
        ("到2024年，水电气报装时间分别不超过4个、6个、5个工作日。",
         [("water_connection_time", None, 4), ("power_connection_time", None, 6), ("gas_connection_time", None, 5)]),
        ("首次登记、转移登记业务办理时间分别压缩至3个工作日、2个工作日。",
         [("property_registration_time", "首次登记", 3), ("property_registration_time", "转移登记", 2)]),
    ],
)
def test_a_respective_list_pairs_each_number_with_its_own_subject(text, expected):
    statements = extract_text(text)
    assert [(statement.indicator, statement.scope, statement.value) for statement in statements] == expected
    first_subject = expected[0][1] or ""
    for statement in statements:
        assert statement.quote.startswith(text[text.index(first_subject[:2]):][:2]) if first_subject else True
        assert statement.quote in text


def test_a_list_counted_wrong_is_not_paired():
    # Two subjects, three numbers: no number takes another's subject.
    statements = extract_text("低压居民、低压非居民用户办电时间分别压减至3天、5天、7天。")
    assert [statement.scope for statement in statements] != ["低压居民用户", "低压非居民用户", None]
    assert all(statement.scope not in ("低压居民用户", "低压非居民用户") for statement in statements)


@pytest.mark.parametrize(
    ("text", "count", "expected"),
    [
        ("甲类、乙类企业审批时间分别", 2, ["甲类企业", "乙类企业"]),
        ("供水、供气报装时限分别", 2, ["供水", "供气"]),
        ("水气暖接入分别", 3, ["用水", "用气", "供暖"]),
        ("一般项目、重大项目、特殊项目的审批分别", 3, ["一般项目", "重大项目", "特殊项目"]),
        ("审批时间分别", 2, None),
    ],
)
def test_listed_subjects(text, count, expected):
    subjects = listed_subjects(text, text.index("分别"), count, 0)
    assert (None if subjects is None else [subject.text for subject in subjects]) == expected


@pytest.mark.parametrize(("words", "suffix"), [(["低压用户", "高压用户"], "压用户"), (["甲", "乙"], ""), (["项目"], "项目")])
def test_common_suffix(words, suffix):
    assert common_suffix(words) == suffix


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("到2025年底前，全省范围内基本实现", ""),
        ("2023年底前将全国所有市县不动产", "不动产"),
        ("第十二条 县级以上人民政府", "县级以上人民政府"),
        ("“十四五”末，力争省级", "省级"),
    ],
)
def test_frames_are_stripped_from_the_front(text, expected):
    assert strip_frames(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [("低压项目平均办电时间不超过", "低压项目"), ("自贸试验区力争达到", "自贸试验区"), ("一般登记业务办理时间压缩至", "一般登记"),
     ("市场主体数量年均新增不低于", "市场主体")],
)
def test_binding_words_and_measures_are_stripped_from_the_end(text, expected):
    assert strip_tail(text) == expected


KNOWN = ("省级", "行政审批事项", "高频事项", "一般登记", "抵押登记")


@pytest.mark.parametrize(
    ("before", "after", "phrase", "counted", "name", "expected"),
    [
        ("2024年底前，小型项目用水报装时间压缩至", "以内", "用水报装", False, "用水报装时间", "小型项目"),
        ("将省级行政审批事项办理时间压减至", "", None, False, "", "省级行政审批事项"),
        ("压缩企业设立登记时间至", "", "企业设立登记", False, "企业开办时间", None),  # the indicator's own words
        ("抵押登记压缩至", "", "抵押登记", False, "抵押登记时间", None),
        ("一般登记压缩至", "", "一般登记", False, "不动产登记时间", "一般登记"),
        ("推动", "高频事项跨省通办", None, True, "", "高频事项"),
        ("实现", "以上行政审批事项全程网办", None, True, "", "行政审批事项"),
        ("对继续实施生产许可证管理的", "类产品", None, True, "", None),  # a relative clause narrows nothing
        ("力争在全省实现“证照分离”改革", "", "证照分离", False, "证照分离改革覆盖率", None),
    ],
)
def test_clause_scope(before, after, phrase, counted, name, expected):
    assert clause_scope(before, after, phrase, counted, KNOWN, name) == expected


def test_known_qualifiers_combine():
    assert made_of_known("省级行政审批事项", KNOWN)
    assert not made_of_known("省级机关", KNOWN)


@pytest.mark.parametrize(
    ("text", "scopes"),
    [
        # The scope of one clause never reaches the next one's number.
        ("低压小微企业办电时间压缩至5个工作日，企业开办时间压缩至1个工作日。", ["低压小微企业", None]),
        ("做到1天响应、一般诉求3天办结、复杂诉求10天办结。", [None, "一般诉求", "复杂诉求"]),
    ],
)
def test_a_scope_stays_in_its_clause(text, scopes):
    assert [statement.scope for statement in extract_text(text)] == scopes
