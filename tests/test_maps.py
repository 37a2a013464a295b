"""The shipped boundary files in data/geo/ and the offline choropleth built from them."""
import json
import re

import pandas as pd
import plotly.graph_objects as go
import pytest

from indicators import maps
from indicators.regions import default_region_table

LEVELS = ("province", "prefecture", "county")
CODE = re.compile(r"^\d{6}$")
PROVINCES = {
    "110000", "120000", "130000", "140000", "150000", "210000", "220000", "230000", "310000", "320000", "330000",
    "340000", "350000", "360000", "370000", "410000", "420000", "430000", "440000", "450000", "460000", "500000",
    "510000", "520000", "530000", "540000", "610000", "620000", "630000", "640000", "650000", "710000", "810000",
    "820000",
}
# Merged into 济南市 in 2019: in the project's GB/T 2260 revision, gone from the boundary package's.
PREFECTURES_WITHOUT_BOUNDARY = set()
STATUS_COLORS = {"达标": "#2a9d8f", "未达标": "#e76f51", "进行中": "#e9c46a"}


def codes_of(level):
    return [feature["properties"]["code"] for feature in maps.boundaries(level)["features"]]


def region_traces(figure):
    return [trace for trace in figure.data if isinstance(trace, go.Choropleth)]


def base_trace(figure):
    (base,) = [
        trace for trace in region_traces(figure) if {color for _, color in trace.colorscale} == {maps.NO_DATA_COLOR}
    ]
    return base


def data_traces(figure):
    base = base_trace(figure)
    return [trace for trace in region_traces(figure) if trace is not base]


@pytest.fixture
def frame():
    return pd.DataFrame({
        "region_code": ["630000", "440000", "460000", "710000", "110000"],
        "days": [3.0, 1.5, 2.0, None, 0.5],
        "status": ["未达标", "达标", "达标", "进行中", "达标"],
        "year": [2020, 2021, 2022, 2023, 2024],
    })


@pytest.mark.parametrize("level", LEVELS)
def test_level_files_parse_with_unique_six_digit_codes(level):
    text = (maps.GEO_DIR / maps.LEVEL_FILES[level]).read_text(encoding="utf-8")
    collection = json.loads(text)
    assert collection["type"] == "FeatureCollection"
    codes = [feature["properties"]["code"] for feature in collection["features"]]
    assert codes and all(CODE.match(code) for code in codes)
    assert len(codes) == len(set(codes))
    assert "100000" not in codes
    for feature in collection["features"]:
        assert feature["id"] == feature["properties"]["code"]
        assert isinstance(feature["properties"]["name"], str)
        assert feature["geometry"]["type"] in {"Polygon", "MultiPolygon"}
        assert feature["geometry"]["coordinates"]


@pytest.mark.parametrize("level", LEVELS)
def test_every_level_covers_every_province(level):
    # A province missing at a level would be a hole in that map (重庆 has no prefecture in the package).
    assert {code[:2] for code in codes_of(level)} == {code[:2] for code in PROVINCES}


def test_province_file_has_the_34_provincial_units():
    names = {feature["properties"]["code"]: feature["properties"]["name"] for feature in maps.boundaries("province")["features"]}
    assert set(names) == PROVINCES
    assert names["460000"] == "海南省"
    assert names["710000"] == "台湾省"
    assert names["810000"] == "香港特别行政区"
    assert names["820000"] == "澳门特别行政区"


def test_hainan_reaches_the_southernmost_islands():
    (hainan,) = [feature for feature in maps.boundaries("province")["features"] if feature["id"] == "460000"]
    latitudes = [lat for polygon in hainan["geometry"]["coordinates"] for ring in polygon for _, lat in ring]
    # 南海诸岛 down to 曾母暗沙 near 4°N belong to 海南 (三沙市); the island of 海南 itself ends at 18°N.
    assert min(latitudes) < 5
    assert len(hainan["geometry"]["coordinates"]) > 100


@pytest.mark.parametrize("level", LEVELS)
def test_rings_are_wound_as_plotly_fills_them(level):
    # d3-geo fills the outside of a counter-clockwise exterior: one such ring floods the whole map.
    def signed_area(ring):
        return sum(x1 * y2 - x2 * y1 for (x1, y1), (x2, y2) in zip(ring, ring[1:]))

    for feature in maps.boundaries(level)["features"]:
        for exterior, *holes in feature["geometry"]["coordinates"]:
            assert exterior[0] == exterior[-1] and signed_area(exterior) < 0, feature["id"]
            assert all(hole[0] == hole[-1] and signed_area(hole) > 0 for hole in holes), feature["id"]


def test_known_regions_have_a_boundary():
    table = default_region_table()
    provinces = {region.code for region in table.all() if region.level == "province"}
    prefectures = {region.code for region in table.all() if region.level == "prefecture"}
    assert provinces <= set(codes_of("province"))
    assert prefectures - set(codes_of("prefecture")) == PREFECTURES_WITHOUT_BOUNDARY


def test_south_china_sea_line_is_not_empty():
    collection = json.loads((maps.GEO_DIR / maps.SOUTH_CHINA_SEA_FILE).read_text(encoding="utf-8"))
    lines = [line for feature in collection["features"] for line in feature["geometry"]["coordinates"]]
    assert len(lines) >= 9
    assert all(len(line) >= 2 for line in lines)
    assert all(100 < lon < 125 and 0 < lat < 27 for line in lines for lon, lat in line)


@pytest.mark.parametrize("level", ["nation", "", "Province"])
def test_unknown_level_raises(level, frame):
    with pytest.raises(ValueError):
        maps.boundaries(level)
    with pytest.raises(ValueError):
        maps.choropleth(frame, "days", level)


def test_boundaries_are_loaded_once():
    assert maps.boundaries("province") is maps.boundaries("province")


@pytest.mark.parametrize("level", LEVELS)
def test_grey_base_trace_covers_every_feature(level):
    figure = maps.choropleth(pd.DataFrame({"region_code": [], "value": []}), "value", level)
    base = base_trace(figure)
    assert list(base.locations) == codes_of(level)
    assert [row[0] for row in base.customdata] == codes_of(level)
    assert {color for _, color in base.colorscale} == {maps.NO_DATA_COLOR}
    assert base.featureidkey == "properties.code"


def test_continuous_map_carries_codes_values_and_a_colorbar(frame):
    figure = maps.choropleth(frame, "days", hover_columns=["year"], title="企业开办时间")
    (trace,) = data_traces(figure)
    # 710000 has no value: it stays in the grey base only.
    assert list(trace.locations) == ["630000", "440000", "460000", "110000"]
    assert [row[0] for row in trace.customdata] == list(trace.locations)
    assert [row[1] for row in trace.customdata] == ["青海省", "广东省", "海南省", "北京市"]
    assert list(trace.z) == [3.0, 1.5, 2.0, 0.5]
    assert trace.showscale is not False
    assert trace.colorbar.title.text == "days"
    assert "%{customdata[1]}" in trace.hovertemplate and "year" in trace.hovertemplate
    assert {feature["id"] for feature in trace.geojson["features"]} == set(trace.locations)
    assert figure.layout.title.text == "企业开办时间"


def test_categorical_map_has_one_trace_per_category(frame):
    figure = maps.choropleth(frame, "days", color_column="status", color_map=STATUS_COLORS)
    traces = data_traces(figure)
    assert [trace.name for trace in traces] == ["达标", "未达标", "进行中"]
    by_name = {trace.name: trace for trace in traces}
    assert list(by_name["达标"].locations) == ["440000", "460000", "110000"]
    assert list(by_name["未达标"].locations) == ["630000"]
    assert list(by_name["进行中"].locations) == ["710000"]
    for trace in traces:
        assert trace.showlegend is True
        assert trace.showscale is False
        assert {color for _, color in trace.colorscale} == {STATUS_COLORS[trace.name]}
        assert [row[0] for row in trace.customdata] == list(trace.locations)


def test_categories_missing_from_the_color_map_still_get_a_trace(frame):
    figure = maps.choropleth(frame, "days", color_column="status", color_map={"达标": "#2a9d8f"})
    assert [trace.name for trace in data_traces(figure)] == ["达标", "未达标", "进行中"]


def test_every_region_trace_puts_the_code_first_in_customdata(frame):
    figure = maps.choropleth(frame, "days", color_column="status", color_map=STATUS_COLORS)
    for trace in region_traces(figure):
        assert [row[0] for row in trace.customdata] == list(trace.locations)


def test_map_is_offline_and_fitted_to_the_regions(frame):
    figure = maps.choropleth(frame, "days")
    assert figure.layout.geo.visible is False
    assert figure.layout.geo.fitbounds == "locations"
    assert not [trace for trace in figure.data if trace.type.endswith("map") or trace.type.endswith("mapbox")]
    # plotly.js fetches its world topojson from the internet when a geo subplot's first trace has a
    # locationmode; the sea line, drawn from lon/lat, has none.
    first = figure.data[0]
    assert isinstance(first, go.Scattergeo) and first.locations is None and first.locationmode is None
    assert len(first.lon) == len(first.lat) > 20
    assert "#" in first.line.color


def test_codes_of_another_level_are_left_out(frame):
    mixed = pd.concat([frame, pd.DataFrame({"region_code": ["440100"], "days": [1.0], "status": ["达标"]})])
    figure = maps.choropleth(mixed, "days")
    assert "440100" not in data_traces(figure)[0].locations
    prefecture_figure = maps.choropleth(mixed, "days", "prefecture")
    (trace,) = data_traces(prefecture_figure)
    # 北京市 stands for itself at prefecture level (a municipality has no prefectures).
    assert set(trace.locations) == {"440100", "110000"}


def test_repeated_region_is_rejected(frame):
    with pytest.raises(ValueError, match="630000"):
        maps.choropleth(pd.concat([frame, frame.iloc[:1]]), "days")


def test_missing_column_is_rejected(frame):
    with pytest.raises(ValueError, match="nope"):
        maps.choropleth(frame, "nope")
    with pytest.raises(ValueError):
        maps.choropleth(frame, "days", color_map=STATUS_COLORS)


def test_province_figure_stays_small(frame):
    every_province = pd.DataFrame({"region_code": sorted(PROVINCES), "days": range(len(PROVINCES))})
    size = len(maps.choropleth(every_province, "days").to_json())
    assert size < 2_000_000


def test_hover_names_regions_as_given_else_as_the_boundary_file_does(frame):
    figure = maps.choropleth(frame, "days", "province", names={"630000": "Qinghai", "110000": "Beijing"})
    named = {row[0]: row[1] for trace in region_traces(figure) for row in trace.customdata}
    assert named["630000"] == "Qinghai" and named["110000"] == "Beijing"
    assert named["440000"] == "广东省"  # not in names: the boundary file's name
    unnamed = maps.choropleth(frame, "days", "province")
    assert {row[1] for row in base_trace(unnamed).customdata if row[0] == "630000"} == {"青海省"}
