"""Target library: every extracted statement, searchable and filterable; each opens its sentence in its paragraph."""
import streamlit as st

from indicators import views
from indicators.i18n import LEVELS, column_labels, label, localized_regions, localized_targets
from indicators.ui import cached, download_controls, frame, session
from indicators.vocabulary import FAMILIES

language, samples = frame.page("page_library")

region_names = cached.region_names(language)
regions = localized_regions(cached.regions_with_data(), region_names)
region_labels = dict(zip(regions["region_code"], regions["name"]))
indicators = cached.indicator_definitions(())
indicator_names = dict(zip(indicators["indicator_code"], indicators[f"label_{language}"]))
documents = cached.documents_for_filter()
document_titles = dict(zip(documents["document_id"], documents["title"]))
options = {
    "region_code": ["", *region_labels],
    "level": ["", *LEVELS],
    "category": ["", *FAMILIES],
    "indicator": ["", *indicator_names],
    "kind": ["", "target", "achieved"],
    "document_id": ["", *document_titles],
}
formatters = {
    "region_code": region_labels.get, "level": lambda code: LEVELS[code][language],
    "category": lambda code: label(code, language), "indicator": indicator_names.get,
    "kind": lambda code: label(code, language), "document_id": document_titles.get,
}
captions = {"region_code": "region", "level": "level", "category": "family", "indicator": "indicator", "kind": "kind",
            "document_id": "document"}
filters = {}
columns = st.columns(3)
for position, (name, values) in enumerate(options.items()):
    frame.choice_from_url(name, values, default="")
    filters[name] = columns[position % 3].selectbox(
        label(captions[name], language), values, key=name,
        format_func=lambda code, name=name: label("all", language) if code == "" else formatters[name](code),
    )
if "search" not in st.session_state:
    st.session_state["search"] = st.query_params.get("search", "")
search = st.text_input(label("search", language), key="search")
frame.keep_in_url(**filters, search=search)

rows = localized_regions(cached.library_rows(filters, search or None), region_names)
st.caption(f"{len(rows)} {label('rows_shown', language)}")
shown = rows.assign(indicator_zh=rows["label_zh"], indicator_en=rows["label_en"])[
    ["region", "level", "category", "indicator", "indicator_zh", "indicator_en", "scope", "value", "value_max", "unit",
     "comparator", "baseline", "year", "kind", "quote", "title"]]
picked = st.dataframe(localized_targets(shown, language), hide_index=True, on_select="rerun",
                      selection_mode="single-row", key="library_table")
if picked and picked.selection.rows:
    st.query_params["target"] = rows.iloc[picked.selection.rows[0]]["target_id"]
download_controls.download_buttons(rows.drop(columns=["label_zh", "label_en"]), "library", filters, label("page_library", language),
                    list(rows["indicator"].unique()))

st.subheader(label("quote_in_context", language))
detail = cached.target_detail(st.query_params.get("target", "")) if st.query_params.get("target") else None
if detail is None:
    st.caption(label("pick_row", language))
else:
    st.markdown(f"**{views.escaped_markdown(detail['title'])}**")
    facts = [(label("issuer", language), detail["issuer"]), (label("document_number", language), detail["document_number"]),
             (label("issue_date", language), detail["issue_date"]), (label("source", language), detail["source"])]
    st.caption(" · ".join(f"{name}：{views.escaped_markdown(str(value))}" for name, value in facts
                          if value is not None and str(value) not in ("NaT", "nan", "None", "")))
    st.markdown(views.highlighted_paragraph(detail["paragraph"], int(detail["column_offset"]), len(detail["quote"])))
    st.caption(f"{detail['doc']} · {column_labels(['line'], language)['line']} {detail['line']}")
    if session.can("correct"):
        st.page_link(frame.PAGE_FILES["page_maintenance"], label=label("correct_statement", language),
                     query_params={"target": detail["target_id"], "lang": language})
