"""Sentences → quantified statements: one row per number, with unit, comparator, year and kind."""
import pytest
from hypothesis import given
from hypothesis import strategies as st

from etl.extraction.cleaning import clean_line
from etl.extraction.statements import SectionContext, extract_section, plan_year_of
from etl.model import Section


def extract_lines(lines, issue_year=2021, title="测试文件"):
    section = Section("test.txt", title, "630000", "青海省", "province", 1, len(lines), issue_year)
    return extract_section(lines, SectionContext(section, plan_year_of(title)))


def extract_text(text, **kwargs):
    return extract_lines([text], **kwargs)


def summary(statement):
    return (statement.value, statement.value_max, statement.unit, statement.comparator, statement.year,
            statement.year_explicit, statement.kind)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2020年底前将全国所有市县抵押登记业务办理时间压缩至5个工作日。",
         (5, None, "working_day", "<=", 2020, True, "target")),
        ("将正常出口退税业务平均办理时间压减至 8 个工作日以内。", (8, None, "working_day", "<=", None, False, "target")),
        ("推行企业开办“0 5天”。", (0.5, None, "day", "<=", None, False, "target")),
        ("审批时间压缩至两个工作日。", (2, None, "working_day", "<=", None, False, "target")),
        ("商标续展业务办理时限减至半个月。", (0.5, None, "month", "<=", None, False, "target")),
        ("审批时间控制在5—10个工作日。", (5, 10, "working_day", "<=", None, False, "target")),
        ("年底前实现低压项目平均办电时间不超过10天。", (10, None, "day", "<=", 2021, False, "target")),
        ("明年底前高压项目办电时间不超过45天。", (45, None, "day", "<=", 2022, False, "target")),
        ("瞄准“十四五”末全省规上工业企业突破 1 万户。", (10_000, None, "enterprise", ">=", 2025, False, "target")),
        ("全流程审批时限由 240 天压缩至 60 天。", (60, None, "day", "<=", None, False, "target")),
        ("到 2023 年，省级行政审批事项压减 30%以上。", (30, None, "percent", "reduce_by", 2023, True, "target")),
        ("力争取消审批、改为备案或实行告知承诺的事项达到100项以上。", (100, None, "item", ">=", None, False, "target")),
        ("省级行政审批事项可“全程网办”率达到 91%。", (91, None, "percent", "=", None, False, "target")),
        ("省级累计取消下放调整行政职权事项 1276 项。", (1276, None, "item", "=", None, False, "achieved")),
        ("2021年底前，实现“证照分离”改革全覆盖。", (100, None, "percent", "=", 2021, True, "target")),
        ("将商标变更业务办理时限压缩一半。", (50, None, "percent", "reduce_by", None, False, "target")),
        ("审批时限较法定时限平均缩短三分之二以上。", (66.67, None, "percent", "reduce_by", None, False, "target")),
        ("政务服务超市覆盖率提升5个百分点。", (5, None, "percent", "increase_by", None, False, "target")),
        ("全省市场主体数量年均新增不低于 10%。", (10, None, "percent", ">=", None, False, "target")),
        ("各行业主管部门每年至少开展1次联合抽查。", (1, None, "times", ">=", None, False, "target")),
        ("预付款原则上不低于合同金额的 30%。", (30, None, "percent", ">=", None, False, "target")),
    ],
)
def test_one_statement_per_sentence(text, expected):
    statements = extract_text(text)
    assert [summary(statement) for statement in statements] == [expected]


def test_baseline_is_kept_with_the_target_not_as_a_row():
    [statement] = extract_text("审批时限由原来的 360 余天压缩至 73 天。")
    assert (statement.value, statement.baseline) == (73, 360)


def test_respectively_gives_one_row_per_number():
    statements = extract_text("到2021年末，高压用户用电报装业务环节均压缩至2个，时间分别压减至5天、15天、25天内。")
    assert [(s.value, s.unit, s.comparator, s.year) for s in statements] == [
        (2, "step", "<=", 2021), (5, "day", "<=", 2021), (15, "day", "<=", 2021), (25, "day", "<=", 2021),
    ]
    assert {s.category for s in statements} == {"power_connection"}


def test_working_day_declaration_applies_to_later_days():
    statements = extract_lines(["企业开办 3 天（工作日，下同）办结。", "不动产一般登记压缩至 5 天。"])
    assert [(s.value, s.unit) for s in statements] == [(3, "working_day"), (5, "working_day")]


def test_year_carries_across_semicolons_but_not_periods():
    statements = extract_text("到2025年，全省设立10个左右破产法庭；无产可破案件审理压缩在4个月内。企业开办压缩至1天。")
    assert [(s.value, s.year) for s in statements] == [(10, 2025), (4, 2025), (1, None)]


def test_undated_targets_in_a_yearly_plan_take_the_plan_year():
    [statement] = extract_text("压缩企业设立登记时间至2个工作日以内。", title="关于印发2020年深化“放管服”改革优化营商环境工作要点的通知")
    assert (statement.year, statement.year_explicit) == (2020, False)


def test_achievements_under_a_results_heading_are_achieved():
    lines = ["（一）发展基础", "全省企业开办时间压缩至 3 天。", "（二）主要目标", "企业开办时间压缩至 1 天。"]
    assert [s.kind for s in extract_lines(lines)] == ["achieved", "target"]


@pytest.mark.parametrize(
    "text",
    [
        "国办发〔2020〕43号",
        "2020年11月1日",
        "依照本条例第十条规定办理。",
        "建成全省统一的 12345 政务服务热线。",
        "深化“最多跑一次”改革，推行“一件事一次办”。",
        "提供“7×24小时”不打烊政务服务。",
        "推进“一网通办”“一窗受理”。",
        "湖南省《深化“放管服”改革助推“五好”园区建设二十条措施》",
    ],
)
def test_slogans_dates_and_references_are_not_targets(text):
    assert extract_text(text) == []


def test_quote_is_an_exact_substring_despite_private_use_characters():
    line = "\ue5ce2020年底前将办理时间压缩至\u2002 5 个工作日。"
    [statement] = extract_text(line)
    assert statement.quote in line
    assert line[statement.column: statement.column + len(statement.quote)] == statement.quote
    assert statement.value == 5


@given(st.text(alphabet=st.sampled_from(list("天日个工作小时月项件次元%年底前压缩至以内0123456789 ，。、\ue5ce\t一二两半分之")), max_size=60))
def test_quotes_always_point_into_the_source(line):
    for statement in extract_text(line):
        assert line[statement.column: statement.column + len(statement.quote)] == statement.quote


@given(st.text(max_size=40))
def test_cleaning_keeps_a_map_back_to_the_original(line):
    cleaned = clean_line(line)
    assert len(cleaned.positions) == len(cleaned.text)
    for index, char in enumerate(cleaned.text):
        original = line[cleaned.positions[index]]
        assert original == char or char == " "


def test_a_year_split_from_its_character_by_a_space_is_still_explicit():
    [statement] = extract_text("2021 年底前将企业开办时间压缩至2个工作日。", issue_year=2020)
    assert (statement.year, statement.year_explicit) == (2021, True)


def test_a_starting_value_in_another_unit_is_no_baseline():
    statements = extract_text("审批时间由原来的8小时压缩至2个工作日。")
    assert [(s.value, s.unit, s.baseline) for s in statements if s.unit == "working_day"] == [(2, "working_day", None)]
