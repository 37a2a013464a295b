"""Compare regions: reported values against each region's own target and the national requirement, ranked and mapped."""
import streamlit as st

from indicators import charts, maps, views
from indicators.i18n import LEVELS, STATUS_LABELS, label, localized_regions, localized_table
from indicators.ui import cached, download_controls, frame

language, samples = frame.page("page_compare")
region_names = cached.region_names(language)
choices = cached.indicator_choices()
names = dict(zip(choices["indicator_code"], choices[f"label_{language}"]))
filters = st.columns([3, 2, 1, 1])
indicator = frame.indicator_select(choices, language, filters[0])
scopes = ["", *cached.indicator_scopes(indicator)]
frame.choice_from_url("scope", scopes, default="")
scope = filters[1].selectbox(label("scope", language), scopes, key="scope",
                             format_func=lambda value: value or label("any_scope", language))
years = cached.indicator_years(indicator, samples)
reported_years = cached.report_years(indicator, samples)
frame.choice_from_url("year", years, default=max(reported_years or years or [None]))
year = filters[2].selectbox(label("year", language), years, key="year")
frame.choice_from_url("style", ["bars", "dots"], default="bars")
style = filters[3].radio(label("chart_as", language), ["bars", "dots"], key="style",
                         format_func=lambda value: label(value, language))
frame.keep_in_url(scope=scope, year=year, style=style)
if year is None:
    st.info(label("no_data", language))
    st.stop()

direction = choices.set_index("indicator_code").at[indicator, "direction"]
table, national = views.compare_view(
    cached.latest_reports(indicator, int(year), samples), cached.indicator_targets(indicator),
    int(year), cached.current_year(), direction, scope or None,
)
table = localized_regions(table, region_names)
if table.empty:
    st.info(label("no_data", language))
    st.stop()
if (table["origin"] == "sample").any():
    st.info(label("sample_notice", language))
st.caption(label("open_profile", language))

title = f"{names[indicator]} · {year}" + (f" · {scope}" if scope else "")
national_value = None if national is None else float(national["value"])
chart, ranking = st.columns([3, 2])
with chart:
    event = st.plotly_chart(charts.compare_chart(table, national_value, language, title, style),
                            on_select="rerun", selection_mode="points", key="compare_chart")
    if region := frame.selected_region(event):
        frame.open_region(region)
with ranking:
    st.subheader(label("ranking", language))
    shown = table[["rank", "region", "level", "reported", "reported_unit", "target", "comparator", "target_year",
                   "status", "score", "origin"]]
    picked = st.dataframe(localized_table(shown, language), hide_index=True, on_select="rerun",
                          selection_mode="single-row", key="ranking_table")
    if picked and picked.selection.rows:
        frame.open_region(table.iloc[picked.selection.rows[0]]["region_code"])

st.subheader(label("map", language))
levels = [level for level in ("province", "prefecture", "county") if (table["level"] == level).any()]
frame.choice_from_url("map_level", levels, default=levels[0] if levels else None)
if levels:
    level = st.radio(label("map_level", language), levels, key="map_level", horizontal=True,
                     format_func=lambda value: LEVELS[value][language])
    mapped = table[table["level"] == level].assign(
        status_label=lambda frame: frame["status"].map(lambda status: STATUS_LABELS[status][language]))
    colors = {STATUS_LABELS[status][language]: color for status, color in charts.STATUS_COLORS.items()}
    figure = maps.choropleth(mapped, "reported", level, color_column="status_label", color_map=colors,
                             hover_columns=["region", "reported", "target"], title=title, names=region_names)
    map_event = st.plotly_chart(figure, on_select="rerun", selection_mode="points", key="compare_map")
    if region := frame.selected_region(map_event):
        frame.open_region(region)

documents = cached.documents_by_id(tuple(sorted(set(table["target_document_id"].dropna()))))
download_controls.download_buttons(table, "compare", {"indicator": indicator, "scope": scope, "year": year}, title, [indicator],
                    documents)

st.subheader(label("composite_scores", language))
composite = localized_regions(views.composite_table(cached.year_reports(int(year), samples),
                                                    dict(zip(choices["indicator_code"], choices["direction"])), names),
                              region_names)
if composite.empty:
    st.caption(label("no_data", language))
else:
    picked = st.dataframe(localized_table(composite, language), hide_index=True, on_select="rerun",
                          selection_mode="single-row", key="composite_table")
    if picked and picked.selection.rows:
        frame.open_region(composite.iloc[picked.selection.rows[0]]["region_code"])
    download_controls.download_buttons(composite, "composite", {"year": year}, label("composite_scores", language),
                        list(choices["indicator_code"]))
