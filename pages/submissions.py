"""Submissions: every uploaded progress sheet with what it changed; any can be withdrawn and the replaced values return."""
import streamlit as st

from indicators.i18n import label, localized_regions, localized_table
from indicators.ui import actions, cached, download_controls, frame, session

language, samples = frame.page("page_submissions")
if message := st.session_state.pop("flash", None):
    st.success(message)

submissions = cached.submissions_overview()
if submissions.empty:
    st.caption(label("no_submissions", language))
    st.stop()
shown = submissions[["submission_id", "file_name", "uploaded_by", "uploaded_at", "row_count", "current_values",
                     "replaced_values", "status", "withdrawn_at", "withdrawn_by", "file_sha256"]]
picked = st.dataframe(localized_table(shown, language), hide_index=True, on_select="rerun",
                      selection_mode="single-row", key="submissions_table")
frame.choice_from_url("submission", list(submissions["submission_id"]), default=None, first_if_unknown=False)
if picked and picked.selection.rows:
    st.session_state["submission"] = submissions.iloc[picked.selection.rows[0]]["submission_id"]
selected = st.session_state.get("submission")
frame.keep_in_url(submission=selected)
if not selected:
    st.caption(label("pick_submission", language))
    st.stop()

st.subheader(f"{label('submission_changes', language)} · {selected}")
changes = localized_regions(cached.submission_changes(selected), cached.region_names(language))
st.dataframe(localized_table(changes, language), hide_index=True, key="submission_changes")
download_controls.download_buttons(changes, "submission", {"submission": selected}, label("submission_changes", language),
                    list(changes["indicator"].unique()))
record = submissions.set_index("submission_id").loc[selected]
if record["status"] == "active" and session.can("withdraw"):
    if not actions.may_withdraw(selected):
        st.caption(label("withdraw_outside_regions", language))
        st.stop()
    reason = st.text_input(label("withdraw_reason", language), key="withdraw_reason")
    confirmed = st.checkbox(label("withdraw_confirm", language), key="withdraw_confirm")
    if st.button(label("withdraw", language), disabled=not confirmed, key="withdraw_button"):
        restored, refusal = actions.withdraw_submission(selected, reason.strip())
        if refusal:
            st.error(refusal)
        else:
            st.session_state["flash"] = label("withdrawn_done", language).format(restored=restored)
            st.rerun()
