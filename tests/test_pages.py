"""AppTest for every page against a temporary database, each with a real interaction."""
import json

import pytest


@pytest.fixture
def app(corpus_database, monkeypatch, open_page):
    monkeypatch.setenv("BIZENV_DB", str(corpus_database))
    return open_page


def charts(app):
    return app.get("plotly_chart")


def test_compare_draws_chart_ranking_map_and_downloads(app):
    page = app("pages/compare.py", indicator="power_connection_time", year="2021")
    assert [link.label for link in page.get("page_link")] == ["总览", "地区对比", "地区画像", "指标分析", "目标库", "提交记录", "登录"]
    assert page.selectbox(key="indicator").value == "power_connection_time"
    assert page.selectbox(key="year").value == 2021
    assert len(charts(page)) == 2  # the comparison and the map
    ranking = page.dataframe[0].value
    assert len(ranking) >= 10 and {"地区", "状态", "得分"} <= set(ranking.columns)
    assert "示例数据" in page.info[0].value
    assert [button.key for button in page.get("download_button")] == ["compare-csv", "compare-xlsx", "composite-csv", "composite-xlsx"]
    [composite] = [frame.value for frame in page.dataframe if "综合得分" in frame.value.columns]
    assert composite["综合得分"].between(0, 100).all() and composite["各指标得分"].str.contains("办电时间").any()
    page.radio(key="style").set_value("dots").run()
    assert not page.exception
    assert page.query_params["style"] == "dots"


def test_compare_scope_narrows_the_table(app):
    page = app("pages/compare.py", indicator="power_connection_time", year="2021")
    everything = len(page.dataframe[0].value)
    page.selectbox(key="scope").select("高压项目").run()
    assert not page.exception
    assert len(page.dataframe[0].value) <= everything


def test_hiding_samples_removes_sample_values(app):
    page = app("pages/compare.py", indicator="power_connection_time", year="2021")
    page.toggle(key="samples").set_value(False).run()
    assert not page.exception
    assert page.query_params["samples"] == "0"
    assert not [info for info in page.info if "示例数据" in info.value]
    origins = set(page.dataframe[0].value["数据来源类型"].dropna()) if page.dataframe else set()
    assert "示例数据" not in origins


def test_region_profile_shows_targets_flags_and_history(app):
    page = app("pages/region.py", region="140000")
    assert page.selectbox(key="region").value == "140000"
    assert len(page.tabs) >= 4
    assert any("办电时间" in str(frame.value["指标"].tolist()) for frame in page.dataframe)
    page.selectbox(key="history_indicator").select("enterprise_startup_time").run()
    assert not page.exception
    assert len(charts(page)) >= 1


def test_indicator_page_shows_spread_ambition_and_time_series(app):
    page = app("pages/indicator.py", indicator="enterprise_startup_time")
    assert len(charts(page)) == 3
    page.selectbox(key="indicator").select("online_service_rate").run()
    assert not page.exception
    assert page.query_params["indicator"] == "online_service_rate"


def test_library_filters_searches_and_opens_a_quote(app):
    page = app("pages/library.py", region_code="140000")
    assert page.selectbox(key="region_code").value == "140000"
    everything = len(page.dataframe[0].value)
    page.text_input(key="search").input("用电报装").run()
    assert not page.exception
    rows = page.dataframe[0].value
    assert 0 < len(rows) < everything
    assert all("用电报装" in quote for quote in rows["原文"])
    assert set(rows["地区"]) == {"山西省"}
    assert page.query_params["search"] == "用电报装"


def test_library_opens_the_sentence_from_the_url(app, corpus_database):
    import duckdb

    with duckdb.connect(str(corpus_database), read_only=True) as connection:
        target_id, quote = connection.execute(
            "SELECT target_id, quote FROM targets WHERE quote LIKE '%压缩至5个工作日%' ORDER BY doc, line LIMIT 1").fetchone()
    page = app("pages/library.py", target=target_id)
    highlighted = [markdown.value for markdown in page.markdown if "orange-background" in markdown.value]
    assert len(highlighted) == 1
    assert "压缩至5个工作日" in highlighted[0].replace("\\", "")



def chart_spec(page, index=0):
    """A drawn plotly chart as the browser receives it."""
    return json.loads(charts(page)[index].proto.spec)


def chart_data(page, index=0):
    return chart_spec(page, index)["data"]


def map_names(page, index=1):
    """Region code → the name a map's hover shows for it."""
    return {row[0]: row[1] for trace in chart_data(page, index) for row in trace.get("customdata") or []}


def test_compare_names_regions_in_english_when_asked(app):
    page = app("pages/compare.py", indicator="power_connection_time", year="2021", lang="en")
    regions = set(page.dataframe[0].value["Region"])
    assert {"Qinghai", "Guangzhou"} <= regions and not {"青海省", "广州市"} & regions
    assert "永康市" in regions  # a county has no English name
    drawn = {name for trace in chart_data(page) for name in trace.get("x") or []}
    assert "Qinghai" in drawn and "青海省" not in drawn
    assert map_names(page)["630000"] == "Qinghai" and map_names(page)["110000"] == "Beijing"
    [composite] = [frame.value for frame in page.dataframe if "Composite score" in frame.value.columns]
    assert not composite["Region"].str.contains("省").any()


def test_compare_keeps_chinese_region_names_in_chinese(app):
    page = app("pages/compare.py", indicator="power_connection_time", year="2021")
    regions = set(page.dataframe[0].value["地区"])
    assert {"青海省", "广州市", "永康市"} <= regions and "Qinghai" not in regions
    drawn = {name for trace in chart_data(page) for name in trace.get("x") or []}
    assert "青海省" in drawn
    assert map_names(page)["630000"] == "青海省"


def test_region_profile_picks_and_titles_regions_in_english(app):
    page = app("pages/region.py", region="630000", lang="en")
    picker = page.selectbox(key="region")
    assert picker.value == "630000" and "Qinghai (Province)" in picker.options
    assert "Guangzhou (Prefecture)" in picker.options and "青海省（省级）" not in picker.options
    titles = [chart_spec(page, index)["layout"]["title"]["text"] for index in range(len(charts(page)))]
    assert any(title.startswith("Qinghai (Province) · ") for title in titles), titles


def test_indicator_page_draws_english_region_names(app):
    page = app("pages/indicator.py", indicator="enterprise_startup_time", lang="en")
    named = {trace.get("name") for trace in chart_data(page, 2)}
    assert "Qinghai" in named or "Shanxi" in named
    assert not any("省" in str(name) for name in named)
    assert not page.dataframe[0].value["Region"].str.contains("省").any()


def test_library_and_home_name_regions_in_english(app):
    page = app("pages/library.py", region_code="140000", lang="en")
    options = page.selectbox(key="region_code").options
    assert {"China", "Shanxi", "Qinghai"} <= set(options) and not {"全国", "山西省"} & set(options)
    assert set(page.dataframe[0].value["Region"]) == {"Shanxi"}
    home = app("app.py", lang="en")
    coverage, statements, documents = (frame.value for frame in home.dataframe[1:4])
    assert "Shanxi" in coverage.index and "山西省" not in coverage.index
    assert "Shanxi" in set(statements["Region"]) and "山西省" not in set(statements["Region"])
    assert "Region code" not in statements.columns and "Region code" not in documents.columns
    assert "China" in set(documents["Region"]) and "全国" not in set(documents["Region"])


def test_home_keeps_chinese_region_names_in_chinese(app):
    home = app("app.py")
    coverage, statements, documents = (frame.value for frame in home.dataframe[1:4])
    assert "山西省" in coverage.index and "山西省" in set(statements["地区"]) and "全国" in set(documents["地区"])
    assert "地区代码" not in statements.columns and "地区代码" not in documents.columns
