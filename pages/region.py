"""Region profile: every target by family with its status, how commitments tightened, reports against targets, flags."""
import pandas as pd
import streamlit as st

from indicators import charts, views
from indicators.i18n import COMPARATOR_LABELS, label, localized_regions, localized_table, region_choice_labels, unit_label
from indicators.ui import cached, download_controls, frame
from indicators.vocabulary import FAMILIES

language, samples = frame.page("page_region")

region_names = cached.region_names(language)
regions = localized_regions(cached.regions_with_data(), region_names)
names = region_choice_labels(regions, language)
codes = list(regions["region_code"])
frame.choice_from_url("region", codes, default="140000")
region = st.selectbox(label("region", language), codes, format_func=names.get, key="region")
frame.keep_in_url(region=region)

choices = cached.indicator_definitions(())
directions = dict(zip(choices["indicator_code"], choices["direction"]))
indicator_names = dict(zip(choices["indicator_code"], choices[f"label_{language}"]))
targets = localized_regions(cached.region_targets(region), region_names)
reports = localized_regions(cached.region_reports(region, samples), region_names)
profile = views.region_profile(targets, reports, cached.national_targets(), directions, cached.current_year())
if (reports["origin"] == "sample").any():
    st.info(label("sample_notice", language))

st.subheader(label("flags", language))
if profile.weaker.empty and profile.overdue.empty and profile.unreported.empty:
    st.caption(label("no_flags", language))
else:
    st.caption(label("flag_counts", language).format(
        weaker=len(profile.weaker), overdue=len(profile.overdue), unreported=len(profile.unreported)))
for flag, rows, show in (("weaker_flag", profile.weaker, st.warning), ("overdue_flag", profile.overdue, st.error),
                         ("unreported_flag", profile.unreported, st.info)):
    if rows.empty:
        continue
    with st.expander(f"{label(flag, language)}（{len(rows)}）", expanded=flag != "unreported_flag"):
        for row in rows.itertuples():
            national = f"，{label('national_requirement', language)} {row.national_value:g}" if flag == "weaker_flag" else ""
            deadline = "" if pd.isna(row.year) else f"（{int(row.year)}{national}）"
            show(f"{indicator_names.get(row.indicator, row.indicator)} {COMPARATOR_LABELS[row.comparator][language]} "
                 f"{row.value:g} {unit_label(row.unit, language)}{deadline} — {views.escaped_markdown(row.quote)}")

st.subheader(label("targets_by_family", language))
statuses = profile.statuses
present = [family for family in FAMILIES if not statuses.empty and (statuses["category"] == family).any()]
if present:
    for tab, family in zip(st.tabs([label(family, language) for family in present]), present):
        rows = statuses[statuses["category"] == family].assign(indicator=lambda frame: frame["indicator"].map(indicator_names))
        shown = rows[["indicator", "scope", "comparator", "value", "unit", "year", "reported", "period", "origin",
                      "status", "quote", "title"]]
        picked = tab.dataframe(localized_table(shown, language), hide_index=True, on_select="rerun",
                               selection_mode="single-row", key=f"targets_{family}")
        if picked and picked.selection.rows:
            frame.open_statement(rows.iloc[picked.selection.rows[0]]["target_id"])
    download_controls.download_buttons(statuses.drop(columns=["year_explicit"], errors="ignore"), "region_targets", {"region": region},
                        f"{names[region]} · {label('targets_by_family', language)}", list(statuses["indicator"].unique()),
                        cached.documents_by_id(tuple(sorted(set(statuses["document_id"])))))
else:
    st.caption(label("no_data", language))

if not profile.steps.empty:
    st.subheader(label("tightening", language))
    event = st.plotly_chart(charts.tightening_chart(profile.steps, indicator_names, language, label("tightening", language)),
                            on_select="rerun", selection_mode="points", key="tightening_chart")
    if statement := frame.selected_statement(event):
        frame.open_statement(statement)
    download_controls.download_buttons(profile.steps.drop(columns=["year_explicit"], errors="ignore"), "region_tightening",
                        {"region": region}, label("tightening", language), list(profile.steps["indicator"].unique()),
                        cached.documents_by_id(tuple(sorted(set(profile.steps["document_id"])))))

st.subheader(label("history", language))
reported_indicators = sorted(set(reports["indicator"]))
if reported_indicators:
    frame.choice_from_url("history_indicator", reported_indicators, default=reported_indicators[0])
    chosen = st.selectbox(label("indicator", language), reported_indicators, format_func=indicator_names.get,
                          key="history_indicator")
    frame.keep_in_url(history_indicator=chosen)
    own_reports = reports[reports["indicator"] == chosen]
    own_targets = targets[(targets["indicator"] == chosen) & (targets["kind"] == "target")]
    title = f"{names[region]} · {indicator_names[chosen]}"
    event = st.plotly_chart(charts.history_chart(own_reports, own_targets, language, title), on_select="rerun",
                            selection_mode="points", key="history_chart")
    if statement := frame.selected_statement(event):
        frame.open_statement(statement)
    download_controls.download_buttons(own_reports, "region_history", {"region": region, "indicator": chosen}, title, [chosen],
                        cached.documents_by_id(tuple(sorted(set(own_targets["document_id"])))))
else:
    st.caption(label("no_data", language))
