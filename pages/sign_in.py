"""Sign in and out: a built-in account's form, the OpenID provider's button, or who the proxy says you are."""
import streamlit as st

from indicators.i18n import ROLE_LABELS, label
from indicators.ui import frame, session

language, samples = frame.page("page_account" if session.actor().signed_in else "page_sign_in", requires=None)
who = session.actor()
method = session.sign_in_method()

if who.signed_in:
    st.success(label("signed_in_as", language).format(user=frame.plain(who.label), role=ROLE_LABELS[who.role][language]))
    st.write(f"{label('assigned_regions', language)}：{frame.plain(session.actor_scope(language))}")
    if method != "header" and st.button(label("sign_out", language), key="sign_out_page"):
        session.sign_out("signed out")
        st.rerun()
    if method == "accounts":
        st.subheader(label("change_password", language))
        with st.form("change_password_form", clear_on_submit=True):
            old = st.text_input(label("current_password", language), type="password", key="old_password")
            new = st.text_input(label("new_password", language), type="password", key="new_password")
            again = st.text_input(label("new_password_again", language), type="password", key="new_password_again")
            if st.form_submit_button(label("change_password", language)):
                if new != again:
                    st.error(label("passwords_differ", language))
                elif refusal := session.change_own_password(old, new):
                    st.error(refusal)
                else:
                    st.success(label("password_changed", language))
    st.stop()

if method == "accounts":
    if session.admin_missing():
        st.info(label("no_admin_yet", language))
    with st.form("sign_in_form", clear_on_submit=True):  # the password is not kept in the session
        user_name = st.text_input(label("user_name", language), key="sign_in_user")
        password = st.text_input(label("password", language), type="password", key="sign_in_password")
        submitted = st.form_submit_button(label("sign_in", language))
    if submitted:
        result = session.sign_in_with_password(user_name, password)
        if result.actor is None:
            st.error(frame.plain(result.message(language)))
        else:
            frame.return_after_sign_in()
elif method == "oidc" and session.unusable_oidc_identity():
    st.warning(label("oidc_unusable", language))
    st.button(label("sign_out", language), on_click=st.logout, key="oidc_sign_out")
elif method == "oidc" and (problem := session.oidc_configuration_problem(language)):
    st.error(frame.plain(problem))
elif method == "oidc":
    st.caption(label("oidc_explained", language))
    st.button(label("sign_in_with_provider", language), on_click=st.login, key="oidc_sign_in")
else:
    st.info(label("header_explained", language))
