"""Offline choropleth maps of China by region code, drawn from the simplified boundaries in data/geo/."""
from __future__ import annotations

import functools
import json
from collections.abc import Mapping, Sequence
from pathlib import Path

import pandas as pd
import plotly.colors
import plotly.graph_objects as go

GEO_DIR = Path(__file__).resolve().parent.parent / "data" / "geo"
LEVEL_FILES = {"province": "provinces.geojson", "prefecture": "prefectures.geojson", "county": "counties.geojson"}
SOUTH_CHINA_SEA_FILE = "south_china_sea.geojson"
FEATURE_ID_KEY = "properties.code"
NO_DATA_COLOR = "#e3e3e3"
BORDER_COLOR = "#ffffff"
SEA_LINE_COLOR = "#8c8c8c"
CONTINUOUS_SCALE = "Blues"
# Thin borders: at county level thicker ones would hide the smallest units.
BORDER_WIDTH = {"province": 0.6, "prefecture": 0.4, "county": 0.2}
# Mercator: with a conic projection centred on China (rotation lon 105°) plotly's fitbounds misjudges the extent
# and draws the country a fifth of the frame wide; Mercator's stretch between 4°N and 54°N is modest.
PROJECTION = dict(type="mercator")


def _check_level(level: str) -> None:
    if level not in LEVEL_FILES:
        raise ValueError(f"unknown level {level!r}: expected one of {', '.join(LEVEL_FILES)}")


@functools.cache
def boundaries(level: str) -> dict:
    """The level's FeatureCollection (features with id = properties.code); shared between calls, so read-only."""
    _check_level(level)
    return json.loads((GEO_DIR / LEVEL_FILES[level]).read_text(encoding="utf-8"))


@functools.cache
def _features_by_code(level: str) -> dict[str, dict]:
    return {feature["properties"]["code"]: feature for feature in boundaries(level)["features"]}


@functools.cache
def _sea_line() -> tuple[list[float | None], list[float | None]]:
    """The maritime line as one lon/lat list with None between the dashes, the way Scattergeo breaks a line."""
    collection = json.loads((GEO_DIR / SOUTH_CHINA_SEA_FILE).read_text(encoding="utf-8"))
    lon: list[float | None] = []
    lat: list[float | None] = []
    for feature in collection["features"]:
        geometry = feature["geometry"]
        lines = geometry["coordinates"] if geometry["type"] == "MultiLineString" else [geometry["coordinates"]]
        for line in lines:
            lon.extend(point[0] for point in line)
            lat.extend(point[1] for point in line)
            lon.append(None)
            lat.append(None)
    return lon, lat


def _subset(level: str, codes: Sequence[str]) -> dict:
    # Each trace carries its own geojson in the figure JSON, so a trace gets only its own features.
    features = _features_by_code(level)
    return {"type": "FeatureCollection", "features": [features[code] for code in codes]}


def _display(value) -> str:
    if value is None or (not isinstance(value, str) and pd.isna(value)):
        return ""
    if isinstance(value, float):
        # Up to four decimals, without float noise (0.30000000000000004) or trailing zeros.
        return f"{value:.4f}".rstrip("0").rstrip(".")
    return str(value)


def _hovertemplate(labels: Sequence[str]) -> str:
    # customdata: [code, name, *labelled values], all preformatted as text so hover needs no format spec.
    lines = ["<b>%{customdata[1]}</b>"]
    lines += [f"{label}: %{{customdata[{index}]}}" for index, label in enumerate(labels, start=2)]
    return "<br>".join(lines) + "<extra></extra>"


def _region_name(feature: dict, names: Mapping[str, str]) -> str:
    """The name shown for a boundary: as `names` gives it by code, else the boundary file's (Chinese) name."""
    return names.get(feature["properties"]["code"], feature["properties"]["name"])


def _base_trace(level: str, names: Mapping[str, str]) -> go.Choropleth:
    features = _features_by_code(level)
    codes = list(features)
    return go.Choropleth(
        geojson=boundaries(level),
        featureidkey=FEATURE_ID_KEY,
        locations=codes,
        z=[0] * len(codes),
        customdata=[[code, _region_name(features[code], names)] for code in codes],
        colorscale=[[0, NO_DATA_COLOR], [1, NO_DATA_COLOR]],
        showscale=False,
        showlegend=False,
        marker_line=dict(color=BORDER_COLOR, width=BORDER_WIDTH[level]),
        hovertemplate=_hovertemplate([]),
        name="",
    )


def _sea_trace() -> go.Scattergeo:
    lon, lat = _sea_line()
    return go.Scattergeo(
        lon=lon, lat=lat, mode="lines", line=dict(color=SEA_LINE_COLOR, width=1.2),
        hoverinfo="skip", showlegend=False, name="南海断续线",
    )


def _prepared(frame: pd.DataFrame, level: str, columns: Sequence[str], names: Mapping[str, str]) -> pd.DataFrame:
    """The rows of `frame` drawn at `level`, with their region's name; one row per region."""
    missing = [column for column in ("region_code", *columns) if column not in frame.columns]
    if missing:
        raise ValueError(f"frame lacks column(s): {', '.join(missing)}")
    data = frame.loc[:, list(dict.fromkeys(["region_code", *columns]))].copy()
    data["region_code"] = data["region_code"].astype(str).str.strip()
    duplicated = data["region_code"][data["region_code"].duplicated()].unique()
    if len(duplicated):
        raise ValueError(f"one row per region expected; repeated: {', '.join(sorted(duplicated)[:10])}")
    # Codes of another level or without a boundary cannot be drawn; they stay out like regions without data.
    features = _features_by_code(level)
    data = data[data["region_code"].isin(features)]
    data["region_name"] = [_region_name(features[code], names) for code in data["region_code"]]
    return data


def choropleth(
    frame: pd.DataFrame,
    value_column: str,
    level: str = "province",
    *,
    color_column: str | None = None,
    color_map: dict[str, str] | None = None,
    hover_columns: Sequence[str] = (),
    title: str = "",
    names: Mapping[str, str] | None = None,
) -> go.Figure:
    """A map of `value_column` by `frame.region_code` at `level`; categorical colours when `color_column` is given.

    Every region of the level is drawn (grey when it has no row), with the South China Sea line; each region
    trace has the region code in customdata[0], so a selected point maps back to its region. Hover names each
    region as `names` does by code (the English names), else as the boundary file does.
    """
    _check_level(level)
    if color_map is not None and color_column is None:
        raise ValueError("color_map needs color_column")
    # The columns shown on hover, in order, after the region's name.
    labels = list(dict.fromkeys(column for column in [value_column, color_column, *hover_columns] if column))
    names = names or {}
    data = _prepared(frame, level, labels, names)
    if color_column is None:
        # A region without a value is a region without data: the grey base shows it.
        data = data[data[value_column].notna()]

    def customdata(rows: pd.DataFrame) -> list[list[str]]:
        columns = [rows["region_code"], rows["region_name"], *(rows[label].map(_display) for label in labels)]
        return [list(values) for values in zip(*columns)]

    border = dict(color=BORDER_COLOR, width=BORDER_WIDTH[level])
    # The sea line goes first: plotly.js decides whether to download its world topojson (cdn.plot.ly) from the
    # first trace of a geo subplot only, and a Scattergeo of lon/lat, unlike a geojson choropleth, needs none.
    # Layer order is unaffected: plotly draws every Scattergeo above every Choropleth.
    figure = go.Figure([_sea_trace(), _base_trace(level, names)])
    if color_column is None and len(data):
        codes = data["region_code"].tolist()
        figure.add_trace(go.Choropleth(
            geojson=_subset(level, codes), featureidkey=FEATURE_ID_KEY, locations=codes,
            z=pd.to_numeric(data[value_column]).tolist(), customdata=customdata(data),
            colorscale=CONTINUOUS_SCALE, colorbar=dict(title=dict(text=value_column), thickness=12, len=0.6),
            marker_line=border, hovertemplate=_hovertemplate(labels), name=value_column,
        ))
    elif color_column is not None:
        color_map = dict(color_map or {})
        present = list(data[color_column].dropna().unique())
        # Categories keep the colour map's order in the legend; unmapped ones follow with the default palette.
        ordered = [category for category in color_map if category in present]
        ordered += [category for category in present if category not in color_map]
        palette = plotly.colors.qualitative.Plotly
        for index, category in enumerate(ordered):
            rows = data[data[color_column] == category]
            codes = rows["region_code"].tolist()
            color = color_map.get(category, palette[index % len(palette)])
            figure.add_trace(go.Choropleth(
                geojson=_subset(level, codes), featureidkey=FEATURE_ID_KEY, locations=codes,
                z=[1] * len(codes), customdata=customdata(rows),
                colorscale=[[0, color], [1, color]], showscale=False, showlegend=True,
                name=str(category), legendgroup=str(category),
                marker_line=border, hovertemplate=_hovertemplate(labels),
            ))
    figure.update_geos(
        visible=False, fitbounds="locations", projection=PROJECTION, bgcolor="rgba(0,0,0,0)",
    )
    figure.update_layout(
        title=dict(text=title) if title else None,
        margin=dict(l=0, r=0, t=40 if title else 0, b=0),
        legend=dict(x=0, y=0, xanchor="left", yanchor="bottom", bgcolor="rgba(255,255,255,0.7)"),
    )
    return figure
