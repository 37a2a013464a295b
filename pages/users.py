"""Users (admins only): who may sign in, with which role and for which regions; unlock and reset passwords."""
import streamlit as st

from indicators.access import ROLES
from indicators.i18n import ROLE_LABELS, label, localized_regions, localized_users, region_choice_labels
from indicators.ui import actions, cached, frame, session

language, samples = frame.page("page_users", requires="manage_users")
if message := st.session_state.pop("flash", None):
    st.success(message)
built_in = session.sign_in_method() == "accounts"

region_names = cached.region_names(language)
users = cached.users_overview()
st.dataframe(localized_users(users, language, region_names), hide_index=True, key="users_table")

region_labels = region_choice_labels(localized_regions(cached.region_choices(), region_names), language)
role_name = lambda role: ROLE_LABELS[role][language]  # noqa: E731

st.subheader(label("add_user", language))
with st.form("add_user_form", clear_on_submit=True):
    columns = st.columns(3)
    new_name = columns[0].text_input(label("user_name", language), key="new_user_name",
                                     help=None if built_in else label("external_user_name_help", language))
    new_display = columns[1].text_input(label("display_name", language), key="new_display_name")
    new_role = columns[2].selectbox(label("role", language), ROLES, format_func=role_name, key="new_role")
    new_regions = st.multiselect(label("assigned_regions", language), list(region_labels), format_func=region_labels.get,
                                 key="new_regions", placeholder=label("choose", language))
    new_subregions = st.checkbox(label("with_subregions", language), value=True, key="new_subregions")
    new_password = st.text_input(label("initial_password", language), type="password", key="new_password") if built_in else None
    if st.form_submit_button(label("add_user", language)):
        refusal = actions.run_account_action("create_user", new_name, new_role, new_display,
                                        [(code, new_subregions) for code in new_regions], new_password or None)
        if refusal:
            st.error(refusal)
        else:
            st.session_state["flash"] = label("user_added", language).format(user=frame.plain(new_name.strip()))
            st.rerun()

if users.empty:
    st.stop()
st.subheader(label("edit_user", language))
chosen = st.selectbox(label("user_name", language), list(users["user_name"]), key="edit_user")
record = cached.user_record(chosen)
with st.form("edit_user_form"):
    columns = st.columns(3)
    display = columns[0].text_input(label("display_name", language), value=record["display_name"] or "", key=f"display-{chosen}")
    role = columns[1].selectbox(label("role", language), ROLES, index=ROLES.index(record["role"]), format_func=role_name,
                                key=f"role-{chosen}")
    active = columns[2].checkbox(label("active", language), value=bool(record["active"]), key=f"active-{chosen}")
    granted = [code for code, _ in record["regions"]]
    chosen_regions = st.multiselect(label("assigned_regions", language), list(region_labels), default=granted,
                                    format_func=region_labels.get, key=f"regions-{chosen}",
                                    placeholder=label("choose", language))
    all_below = all(sub for _, sub in record["regions"]) if record["regions"] else True
    subregions = st.checkbox(label("with_subregions", language), value=all_below, key=f"subregions-{chosen}")
    if st.form_submit_button(label("save_user", language)):
        unchanged = sorted(chosen_regions) == sorted(granted) and subregions == all_below
        # Untouched regions keep each grant's own extent; a change applies the checkbox to all of them.
        grants = record["regions"] if unchanged else [(code, subregions) for code in chosen_regions]
        refusal = actions.run_account_action("update_user", chosen, role, active, display, grants, record)
        if refusal:
            st.error(refusal)
        else:
            st.session_state["flash"] = label("user_saved", language).format(user=frame.plain(chosen))
            st.rerun()

columns = st.columns(2)
if record["locked_until"] is not None or record["failed_sign_ins"]:
    if columns[0].button(label("unlock", language), key="unlock_user"):
        if refusal := actions.run_account_action("unlock", chosen):
            st.error(refusal)
        else:
            st.session_state["flash"] = label("user_unlocked", language).format(user=frame.plain(chosen))
            st.rerun()
if built_in:
    with columns[1].form("reset_password_form", clear_on_submit=True):
        password = st.text_input(label("new_password", language), type="password", key="reset_password")
        if st.form_submit_button(label("reset_password", language)):
            refusal = actions.run_account_action("reset_password", chosen, password)
            if refusal:
                st.error(refusal)
            else:
                st.session_state["flash"] = label("password_reset_done", language).format(user=frame.plain(chosen))
                st.rerun()
