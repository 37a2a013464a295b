"""One indicator across regions and years: spread of targets, ambition against attainment, reports over time."""
import streamlit as st

from indicators import charts, views
from indicators.i18n import label, localized_regions, localized_table
from indicators.ui import cached, download_controls, frame

language, samples = frame.page("page_indicator")
choices = cached.indicator_choices()
names = dict(zip(choices["indicator_code"], choices[f"label_{language}"]))
indicator = frame.indicator_select(choices, language)
direction = choices.set_index("indicator_code").at[indicator, "direction"]

region_names = cached.region_names(language)
targets = localized_regions(cached.indicator_targets(indicator), region_names)
latest = localized_regions(cached.latest_reports(indicator, None, samples), region_names)
yearly = localized_regions(cached.yearly_reports(indicator, samples), region_names)
if (latest["origin"] == "sample").any():
    st.info(label("sample_notice", language))

left, right = st.columns(2)
with left:
    st.subheader(label("spread", language))
    if targets.empty:
        st.caption(label("no_data", language))
    else:
        event = st.plotly_chart(charts.spread_chart(targets, language, names[indicator]), on_select="rerun",
                                selection_mode="points", key="spread_chart")
        if region := frame.selected_region(event):
            frame.open_region(region)
        download_controls.download_buttons(targets, "indicator_targets", {"indicator": indicator}, names[indicator], [indicator],
                            cached.documents_by_id(tuple(sorted(set(targets["document_id"])))))
with right:
    st.subheader(label("ambition", language))
    table = views.ambition_and_attainment(targets, latest, direction)
    if table.dropna(subset=["ambition", "attainment"]).empty:
        st.caption(label("no_data", language))
    else:
        event = st.plotly_chart(charts.ambition_chart(table, language, names[indicator]), on_select="rerun",
                                selection_mode="points", key="ambition_chart")
        if region := frame.selected_region(event):
            frame.open_region(region)
    st.dataframe(localized_table(table, language), hide_index=True)
    download_controls.download_buttons(table, "indicator_ambition", {"indicator": indicator}, names[indicator], [indicator])

st.subheader(label("time_series", language))
if yearly.empty:
    st.caption(label("no_data", language))
else:
    highlighted = list(yearly[yearly["level"] == "province"]["region_code"].drop_duplicates().head(8))
    event = st.plotly_chart(charts.time_series_chart(yearly, highlighted, language, names[indicator]),
                            on_select="rerun", selection_mode="points", key="time_series_chart")
    if region := frame.selected_region(event):
        frame.open_region(region)
    download_controls.download_buttons(yearly, "indicator_time_series", {"indicator": indicator}, names[indicator], [indicator])
