"""The pure logic behind the pages: applicable targets, compare tables, flags, composites, quotes shown safely."""
import pandas as pd
import pytest

from indicators import charts, i18n, views

TARGET_DEFAULTS = dict(scope=None, value_max=None, baseline=None, unit="working_day", comparator="<=", kind="target",
                       quote="q", title="t", document_id="d", doc="d.txt", line=1, region="地区", level="province",
                       indicator="enterprise_startup_time", target_id="0123456789abcdef", category="processing_time")


def targets(*rows):
    return pd.DataFrame([{**TARGET_DEFAULTS, **row} for row in rows])


def reports(*rows):
    defaults = dict(scope=None, unit="working_day", origin="submission", source="s", region="地区", level="province",
                    indicator="enterprise_startup_time")
    return pd.DataFrame([{**defaults, **row} for row in rows])


@pytest.mark.parametrize(
    ("years", "asked", "expected"),
    [
        ([2020, 2022, None], 2021, 2022),  # nearest deadline at or after the year
        ([2020, 2022, None], 2022, 2022),
        ([2020, 2022, None], 2023, None),  # then the standing limit
        ([2020, 2021], 2023, 2021),  # else the latest past one
    ],
)
def test_applicable_target_picks_the_commitment_in_force(years, asked, expected):
    frame = targets(*({"year": year, "value": index, "issue_year": 2020, "line": index} for index, year in enumerate(years)))
    chosen = views.applicable_target(frame, asked)
    assert (None if pd.isna(chosen["year"]) else chosen["year"]) == expected


def test_compare_table_colours_by_attainment_and_ranks_by_direction():
    own_targets = targets(
        {"region_code": "630000", "region": "青海省", "value": 3, "year": 2021, "issue_year": 2020},
        {"region_code": "430000", "region": "湖南省", "value": 3, "year": 2025, "issue_year": 2020},
        {"region_code": "500000", "region": "重庆市", "value": 3, "year": 2021, "issue_year": 2020, "unit": "day"},
        {"region_code": "100000", "region": "全国", "value": 4, "year": 2021, "issue_year": 2020, "level": "national"},
    )
    latest = reports(
        {"region_code": "630000", "region": "青海省", "value": 2.5, "period": "2021", "period_year": 2021},
        {"region_code": "430000", "region": "湖南省", "value": 4.0, "period": "2021", "period_year": 2021},
        {"region_code": "500000", "region": "重庆市", "value": 3.5, "period": "2021", "period_year": 2021},
        {"region_code": "440000", "region": "广东省", "value": 1.0, "period": "2021", "period_year": 2021},
    )
    table, national = views.compare_view(latest, own_targets, 2021, 2022, "lower", None)
    status = dict(zip(table["region"], table["status"]))
    assert status == {"青海省": "met", "湖南省": "not_yet_due", "重庆市": "unit_mismatch", "广东省": "no_target"}
    assert list(table["region"]) == ["广东省", "青海省", "重庆市", "湖南省"]
    assert table["score"].tolist() == [100.0, 50.0, 16.7, 0.0]
    assert national["value"] == 4


def test_tightening_keeps_series_restated_across_documents():
    frame = targets(
        {"region_code": "630000", "value": 5, "year": 2020, "issue_year": 2019, "document_id": "a", "doc": "a"},
        {"region_code": "630000", "value": 3, "year": 2021, "issue_year": 2020, "document_id": "b", "doc": "b"},
        {"region_code": "630000", "value": 2, "year": 2022, "issue_year": 2021, "document_id": "c", "doc": "c"},
        {"region_code": "630000", "value": 9, "year": 2022, "issue_year": 2021, "document_id": "c", "doc": "c",
         "indicator": "tax_payment_time", "unit": "hour"},
    )
    steps = views.tightening(frame)
    assert steps["value"].tolist() == [5, 3, 2] and steps["step"].tolist() == [1, 2, 3]


def test_weaker_than_national_compares_like_with_like():
    own = targets({"region_code": "630000", "value": 5, "year": 2021}, {"region_code": "630000", "value": 3, "year": 2021,
                                                                       "unit": "day"})
    national = targets({"region_code": "100000", "value": 4, "year": 2021, "issue_year": 2020})
    flagged = views.weaker_than_national(own, national, {"enterprise_startup_time": "lower"})
    assert flagged[["value", "unit", "national_value"]].values.tolist() == [[5, "working_day", 4.0]]


def test_composite_never_averages_across_units():
    frame = reports(
        {"region_code": "1", "region": "甲", "value": 2.0, "period": "2021", "period_year": 2021},
        {"region_code": "2", "region": "乙", "value": 4.0, "period": "2021", "period_year": 2021},
        {"region_code": "2", "region": "乙", "value": 96.0, "period": "2021", "period_year": 2021, "unit": "hour",
         "indicator": "enterprise_startup_time", "scope": "x"},
    )
    table = views.composite_table(frame, {"enterprise_startup_time": "lower"}, {"enterprise_startup_time": "企业开办"})
    assert dict(zip(table["region"], table["composite"])) == {"甲": 100.0, "乙": 0.0}
    assert table["components"].tolist() == ["企业开办 100", "企业开办 0"]


@pytest.mark.parametrize("hostile", ["<script>alert(1)</script>", "[link](http://x)", "![img](x)", ":red[x]", "**b**", "$x$"])
def test_quotes_are_shown_as_text_never_markup(hostile):
    paragraph = f"前文{hostile}，企业开办时间压缩至2个工作日。"
    start = paragraph.index("企业")
    markdown = views.highlighted_paragraph(paragraph, start, len("企业开办时间压缩至2个工作日"))
    unescaped = markdown.replace(":orange-background[**", "").replace("**]", "")
    assert "<script>" not in markdown and "](" not in markdown
    assert unescaped.replace("\\", "") == paragraph.replace("\\", "")


def test_compare_chart_marks_samples_and_carries_region_codes():
    table = pd.DataFrame({
        "region_code": ["630000", "430000"], "region": ["青海省", "湖南省"], "reported": [2.0, 3.0],
        "reported_unit": ["working_day"] * 2, "period": ["2021", "2021"], "origin": ["sample", "submission"],
        "target": [3.0, None], "comparator": ["<=", None], "target_year": [2021, None], "target_unit": ["working_day", None],
        "status": ["met", "no_target"],
    })
    figure = charts.compare_chart(table, 4.0, "zh", "t")
    bars = [trace for trace in figure.data if trace.type == "bar"]
    assert {trace.name for trace in bars} == {"已完成", "无本地目标"}
    met = next(trace for trace in bars if trace.name == "已完成")
    assert list(met.marker.pattern.shape) == ["/"] and met.customdata[0][0] == "630000"
    assert figure.layout.shapes[0].y0 == 4.0


# --- Region names in the reader's language (indicators.i18n) -------------------------------------

ENGLISH = {"630000": "Qinghai", "630100": "Xining", "100000": "China"}


def test_regions_are_named_by_code_in_english_and_counties_keep_their_chinese_name():
    frame = pd.DataFrame({"region_code": ["630000", "630102", "630100"], "region": ["青海省", "城东区", "西宁市"],
                          "parent_code": ["100000", "630100", "630000"], "parent": ["全国", "西宁市", "青海省"]})
    shown = i18n.localized_regions(frame, ENGLISH)
    assert shown["region"].tolist() == ["Qinghai", "城东区", "Xining"]
    assert shown["parent"].tolist() == ["China", "Xining", "Qinghai"]
    assert frame["region"].tolist() == ["青海省", "城东区", "西宁市"], "the frame given is left alone"
    assert i18n.localized_regions(frame, {}) is frame, "no names: Chinese as the store gives it"


@pytest.mark.parametrize(
    ("language", "names", "expected"),
    [
        ("zh", {}, {"630000": "青海省（省级，全国）", "630102": "城东区（县级，西宁市）"}),
        ("en", ENGLISH, {"630000": "Qinghai (Province, China)", "630102": "城东区 (County, Xining)"}),
    ],
)
def test_pickers_show_a_region_with_its_level_and_parent(language, names, expected):
    regions = pd.DataFrame({"region_code": ["630000", "630102"], "name": ["青海省", "城东区"], "level": ["province", "county"],
                            "parent": ["全国", "西宁市"], "parent_code": ["100000", "630100"]})
    assert i18n.region_choice_labels(i18n.localized_regions(regions, names), language) == expected


@pytest.mark.parametrize(
    ("language", "names", "expected"),
    [("zh", {}, ["全部地区", "青海省+、城东区", "未分配"]), ("en", ENGLISH, ["All regions", "Qinghai+, 城东区", "None assigned"])],
)
def test_the_users_table_names_each_grant(language, names, expected):
    users = pd.DataFrame({
        "user_name": ["admin", "qinghai", "viewer"], "role": ["admin", "evaluator", "viewer"],
        "region_codes": [pd.NA, ["630000", "630102"], pd.NA], "region_names": [pd.NA, ["青海省", "城东区"], pd.NA],
        "with_subregions": [pd.NA, [True, False], pd.NA],
    })
    shown = i18n.localized_users(users, language, names)
    assert shown[i18n.COLUMN_LABELS["regions"][language]].tolist() == expected
    assert "region_codes" not in shown.columns and "with_subregions" not in shown.columns
