"""Maintenance (admins only): correct single extracted statements and rebuild the targets from the documents."""
import streamlit as st

from indicators import views
from indicators.i18n import label, localized_table
from indicators.ui import actions, cached, frame

language, samples = frame.page("page_maintenance", requires="correct")
if message := st.session_state.pop("flash", None):
    st.success(message)

st.subheader(label("corrections", language))
st.caption(label("corrections_explained", language).format(file_count=actions.file_corrections_count()))
corrections = cached.stored_corrections(True)
if not corrections.empty:
    st.dataframe(localized_table(corrections, language), hide_index=True, key="corrections_table")

if "target" not in st.session_state:
    st.session_state["target"] = st.query_params.get("target", "")
target_id = st.text_input(label("target_id", language), key="target").strip()
frame.keep_in_url(target=target_id)
statement = cached.target_detail(target_id) if target_id else None
if target_id and statement is None:
    st.warning(label("no_such_statement", language))
if statement is not None:
    st.markdown(views.highlighted_paragraph(statement["paragraph"], statement["column_offset"], len(statement["quote"])))
    facts = (statement["doc"], statement["line"], statement["indicator"], f"{statement['value']:g} {statement['unit']}",
             statement["comparator"], statement["year"] if statement["year"] == statement["year"] else "—", statement["kind"])
    st.caption(" · ".join(frame.plain(fact) for fact in facts))
    fields = actions.correction_fields()
    with st.form("correction_form", clear_on_submit=True):
        action = st.radio(label("correction_action", language), ["override", "drop"], horizontal=True,
                          format_func=lambda value: label(f"correction_{value}", language), key="correction_action")
        columns = st.columns(4)
        changes = {
            "indicator": columns[0].selectbox("indicator", [""] + fields["indicator"], key="fix_indicator"),
            "value": columns[1].text_input("value", key="fix_value"),
            "unit": columns[2].selectbox("unit", [""] + fields["unit"], key="fix_unit"),
            "comparator": columns[3].selectbox("comparator", [""] + fields["comparator"], key="fix_comparator"),
            "year": columns[0].text_input("year", key="fix_year", help=label("year_none_help", language)),
            "kind": columns[1].selectbox("kind", [""] + fields["kind"], key="fix_kind"),
            "scope": columns[2].text_input("scope", key="fix_scope"),
            "value_max": columns[3].text_input("value_max", key="fix_value_max"),
        }
        reason = st.text_area(label("correction_reason", language), key="correction_reason")
        if st.form_submit_button(label("add_correction", language)):
            if refusal := actions.run_account_action("add_correction", target_id, action, changes, reason):
                st.error(refusal)
            else:
                st.session_state["flash"] = label("correction_added", language)
                st.rerun()

active = corrections[corrections["retracted_at"].isna()] if not corrections.empty else corrections
if not active.empty:
    with st.form("retract_form"):
        chosen = st.selectbox(label("retract_correction", language), list(active["correction_id"]), key="retract_id")
        why = st.text_input(label("correction_reason", language), key="retract_reason")
        if st.form_submit_button(label("retract_correction", language)):
            if refusal := actions.run_account_action("retract_correction", chosen, why):
                st.error(refusal)
            else:
                st.session_state["flash"] = label("correction_retracted", language)
                st.rerun()

st.subheader(label("rebuild", language))
st.caption(label("rebuild_explained", language))
allow_shrink = st.checkbox(label("allow_shrink", language), key="allow_shrink")
if st.button(label("rebuild", language), key="rebuild_button"):
    with st.spinner(label("rebuilding", language)):
        result, refusal = actions.rebuild_targets(allow_shrink)
    if refusal:
        st.error(refusal)
    else:
        st.session_state["flash"] = label("rebuilt", language).format(
            documents=result.documents, targets=result.targets, failures=len(result.failures))
        st.rerun()
