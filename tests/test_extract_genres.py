"""Regulations, rules and action plans → statements: notice periods, exact values, 全部 coverage, references, plan years."""
import pytest

from etl.extraction.statements import SectionContext, extract_section, plan_year_of
from etl.model import Section


def extract_text(text, issue_year=2021, title="某市优化营商环境条例"):
    section = Section("test.txt", title, "370200", "青岛市", "prefecture", 1, 1, issue_year)
    return extract_section([text], SectionContext(section, plan_year_of(title)))


def reading(statement):
    return (statement.category, statement.value, statement.unit, statement.comparator)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("市场主体申请简易注销登记的，应当通过公示系统公示拟申请简易注销登记等信息，公示期为十日。",
         ("processing_time", 10, "day", "=")),
        ("市场主体拟申请承诺制注销的，应当通知债权人并公示承诺事项，公示期为四十五日。", ("processing_time", 45, "day", "=")),
        ("强制除名决定可以通过政府网站公告送达，公告期为六十日。", ("processing_time", 60, "day", "=")),
        ("简易注销公告期二十日。", ("processing_time", 20, "day", "=")),
        ("企业退出公示期不超过二十日。", ("processing_time", 20, "day", "<=")),
        ("拟注销公告满四十五日无异议的，登记机关应当准予注销。", ("processing_time", 45, "day", "=")),
        ("售电公司的注册信息应当向社会公示 10 个工作日。", ("processing_time", 10, "working_day", "=")),
    ],
)
def test_a_notice_period_that_is_a_step_of_a_procedure_is_a_processing_time(text, expected):
    assert [reading(statement) for statement in extract_text(text)] == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "行政处罚信息在信用网站的公示期为三个月。",  # how long a penalty stays published
        "严重失信主体名单公示期满三个月后，可以申请信用修复。",
        "计划停电的，供电企业应当提前七日公告停电区域和时间。",  # advance notice of an outage
        "因检修停电的，应当通知用户，通知期不少于七日。",
        "近三年内未发生安全事故的企业可以适用告知承诺。",  # a look-back window
        "企业成立满六个月的，可以申请纳入名单。",
        "核准决定的有效期为三个月。",  # validity
        "监控资料的保存期限为三十日。",
    ],
)
def test_a_period_that_is_no_step_of_handling_is_not_a_processing_time(text):
    assert [statement for statement in extract_text(text) if statement.category == "processing_time"] == []


def test_a_consultation_period_is_a_period_of_its_own_not_a_limit_on_handling():
    [statement] = extract_text("向社会公开征求意见的期限一般不少于三十日。")
    assert (statement.category, statement.indicator, statement.value, statement.comparator) == (
        "other", "public_consultation_period", 30, ">=")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("企业开办的办理时间为五个工作日。", (5, "working_day", "=")),
        ("不动产登记办理时限为5个工作日。", (5, "working_day", "=")),
        ("办理期限为二十个工作日。", (20, "working_day", "=")),
        ("拟注销公告期三十日。", (30, "day", "=")),
        ("办理时限为5个工作日以内。", (5, "working_day", "<=")),
        ("审批时间不超过五个工作日。", (5, "working_day", "<=")),
        ("审批时间压缩至五个工作日。", (5, "working_day", "<=")),
        ("相关部门应当自受理之日起二十个工作日内作出决定。", (20, "working_day", "<=")),
        ("到达现场抢修的时限，中心城区不超过六十分钟。", (60, "minute", "<=")),
    ],
)
def test_an_exact_period_is_equal_and_a_bound_is_at_most(text, expected):
    [statement] = extract_text(text)
    assert (statement.value, statement.unit, statement.comparator) == expected
    assert (statement.category, statement.year) == ("processing_time", None)  # a standing legal limit


@pytest.mark.parametrize(
    "text",
    [
        "除法律、法规另有规定外，本市政务服务事项应当全部纳入一体化在线政务服务平台办理，实现一网通办。",
        "政务服务事项全部纳入网上政务服务平台办理。",
        "所有政务服务事项均进驻政务服务大厅办理。",
        "市政务服务管理部门组织实施覆盖全部政务服务事项、被评价对象、服务渠道的“好差评”制度。",
        "“好差评”制度覆盖本市全部政务服务事项、评价对象、服务渠道。",
    ],
)
def test_every_item_on_one_platform_is_full_one_stop_coverage(text):
    [statement] = extract_text(text)
    assert (statement.category, statement.value, statement.unit, statement.comparator) == (
        "one_stop_coverage", 100, "percent", "=")


@pytest.mark.parametrize(
    "text",
    [
        "政务服务事项纳入一体化在线政务服务平台办理。",  # no word of totality
        "推动各级设定的行政备案事项全部纳入清单管理并向社会公布。",  # a list, not a platform
        "全部或者部分使用财政性资金的建设项目，应当开放应用场景。",
        "不动产登记机构统一受理，一次性收取全部材料并推送至相应单位。",
        "依法平等对待各类所有制和不同地区的市场主体。",
        "推动将城乡各类用人单位全部纳入失业保险覆盖范围。",
    ],
)
def test_all_without_items_on_a_platform_is_no_coverage(text):
    assert extract_text(text) == []


@pytest.mark.parametrize(
    "text",
    [
        "法律、法规规定的办理时限超过十个工作日的，从其规定。",
        "法律、行政法规规定的审查时限长于二十个工作日的，依照其规定。",
        "国家对注销公告期另有规定且少于四十五日的，从其规定。",
    ],
)
def test_a_conditional_reference_to_other_rules_is_not_a_statement(text):
    assert extract_text(text) == []


def test_a_limit_stays_when_a_reference_to_other_rules_follows_it():
    statements = extract_text("应当在十个工作日内作出决定；法律、法规规定的办理时限超过十个工作日的，从其规定。")
    assert [(statement.value, statement.quote) for statement in statements] == [(10, "应当在十个工作日内")]


@pytest.mark.parametrize(
    ("title", "year"),
    [
        ("关于印发2020年深化“放管服”改革优化营商环境工作要点的通知", 2020),
        ("2023年优化营商环境行动计划", 2023),
        ("2023年全省优化营商环境重点任务行动方案", 2023),
        ("某省持续优化营商环境行动方案（2025年）", 2025),
        ("某市营商环境提升行动计划(2024年度)", 2024),
        ("某省营商环境三年行动计划（2021—2023年）", None),  # a multi-year plan has no single year
        ("2021-2023年优化营商环境行动方案", None),
        ("某市优化营商环境条例", None),
    ],
)
def test_the_year_of_a_plan_comes_from_its_title_wherever_it_stands(title, year):
    assert plan_year_of(title) == year


def test_undated_targets_of_a_plan_take_the_year_in_its_title():
    [statement] = extract_text("企业开办时间压缩至1个工作日。", issue_year=2025, title="某省持续优化营商环境行动方案（2025年）")
    assert (statement.year, statement.year_explicit) == (2025, False)


@pytest.mark.parametrize(
    "text",
    [
        "供电企业对接入低压供电的小微企业，应当在三个工作日内完成装表接电。",
        "低压用户接电时间不超过五个工作日。",
        "低压非居民用户报装的，供电企业应当在五个工作日内完成接电。",
    ],
)
def test_a_low_voltage_connection_time_is_power_connection(text):
    [statement] = extract_text(text)
    assert (statement.category, statement.indicator) == ("power_connection", "power_connection_time")


def test_a_quote_starts_after_the_article_number():
    [statement] = extract_text("第二十五条 市政务服务管理部门组织实施覆盖全部政务服务事项的“好差评”制度。")
    assert statement.quote == "市政务服务管理部门组织实施覆盖全部政务服务事项"
