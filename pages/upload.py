"""Progress sheets: download a template for chosen regions and period; upload it filled in and see every problem at once."""
import streamlit as st

from indicators.i18n import column_labels, label, localized_regions, region_choice_labels
from indicators.progress.layout import UPLOAD_SIZE_LIMIT
from indicators.ui import actions, cached, download_controls, frame, session

language, samples = frame.page("page_upload", requires="upload")
who = session.actor()

st.subheader(label("template_heading", language))
regions = localized_regions(cached.regions_with_data(), cached.region_names(language))
names = region_choice_labels(regions, language)
codes = [code for code in regions["region_code"] if code != "100000"]
chosen = st.multiselect(label("template_regions", language), codes, format_func=names.get, key="template_regions",
                        placeholder=label("choose", language),
                        default=[code for code in st.query_params.get_all("template_region") if code in codes]
                        or [grant.region_code for grant in who.regions if grant.region_code in codes] or codes[:1])
columns = st.columns(2)
years = list(range(cached.current_year() + 1, 2015, -1))
frame.choice_from_url("template_year", years, default=cached.current_year() - 1)  # reports usually cover the past year
year = columns[0].selectbox(label("template_period", language), years, key="template_year")
frame.choice_from_url("template_quarter", ["", "Q1", "Q2", "Q3", "Q4"], default="")
quarter = columns[1].selectbox(label("quarter", language), ["", "Q1", "Q2", "Q3", "Q4"], key="template_quarter",
                               format_func=lambda value: value or label("whole_year", language))
frame.keep_in_url(template_year=year, template_quarter=quarter)
period = f"{year}{quarter}"
if chosen:
    workbook, row_count = actions.template_bytes(tuple(chosen), period, language)
    if row_count:
        st.caption(label("template_rows", language).format(rows=row_count))
        st.download_button(label("template_download", language), workbook, key="template_download",
                           file_name=f"bizenv_progress_{'_'.join(chosen[:3])}{'_etc' if len(chosen) > 3 else ''}_{period}.xlsx",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    else:
        st.info(label("template_empty", language))

st.subheader(label("upload_heading", language))
st.caption(label("uploading_as", language).format(user=frame.plain(who.label), regions=frame.plain(session.actor_scope(language))))
upload = st.file_uploader(label("upload_file", language).format(megabytes=UPLOAD_SIZE_LIMIT // 2**20), key="upload_file")
if upload is not None:
    data = upload.getvalue()
    # The same file is the same outcome only while the uploader's role and regions are unchanged.
    marker = (upload.name, len(data), hash(data), who)
    if st.session_state.get("last_upload", {}).get("marker") != marker:
        # A rerun must not store the same upload twice: remember the outcome of this file.
        st.session_state["last_upload"] = {"marker": marker, "outcome": actions.submit_upload(data, upload.name)}
    outcome = st.session_state["last_upload"]["outcome"]
    if outcome.retry_later:
        st.session_state.pop("last_upload")  # sending the same file again tries again
    if outcome.stored:
        st.success(label("upload_stored", language).format(
            id=outcome.submission_id, rows=len(outcome.validation.rows), replaced=outcome.replaced))
        st.page_link("pages/compare.py", label=label("see_compare", language))
    else:
        st.error(label("upload_refused", language).format(errors=len(outcome.errors)))
        table = actions.problems_table(outcome.errors, language)
        st.dataframe(table.rename(columns=column_labels(table.columns, language)), hide_index=True, key="upload_errors")
    if outcome.validation.warnings:
        st.subheader(label("upload_warnings", language))
        table = actions.problems_table(outcome.validation.warnings, language)
        st.dataframe(table.rename(columns=column_labels(table.columns, language)), hide_index=True, key="upload_warnings")
    if (outcome.errors or outcome.validation.warnings) and actions.can_annotate(outcome):
        # Built only when asked for: marking a large workbook takes a while.
        st.download_button(label("annotated_download", language), lambda: actions.annotated_upload(data, outcome, language),
                           file_name=download_controls.download_name("checked", {"file": upload.name.rsplit(".", 1)[0]}, ".xlsx"),
                           key="annotated_download",
                           mime="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
