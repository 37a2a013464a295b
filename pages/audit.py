"""Audit trail (admins only): every change with who, when, what and from which file; filtered and exported."""
import datetime as dt

import streamlit as st

from indicators.i18n import ACTION_LABELS, label, localized_table
from indicators.ui import cached, download_controls, frame

language, samples = frame.page("page_audit", requires="audit")

breaks = cached.audit_chain_breaks()
if breaks:
    st.error(label("audit_chain_broken", language).format(sequences="、".join(map(str, breaks[:20]))))
else:
    st.success(label("audit_chain_intact", language))

columns = st.columns([2, 1, 1, 1])
known = cached.audit_actions()
chosen_actions = columns[0].multiselect(label("audit_action", language), known,
                                 format_func=lambda action: ACTION_LABELS.get(action, {}).get(language, action),
                                 key="audit_actions", placeholder=label("choose", language))
actor = columns[1].text_input(label("audit_actor", language), key="audit_actor")
since = columns[2].date_input(label("since", language), value=None, key="audit_since")
until = columns[3].date_input(label("until", language), value=None, key="audit_until")
filters = (tuple(chosen_actions), actor.strip() or None, since, until)
entries = cached.audit_entries(*filters)
shown = entries.assign(action=[ACTION_LABELS.get(action, {}).get(language, action) for action in entries["action"]])
st.caption(label("audit_count", language).format(rows=len(entries), total=cached.audit_count()))
st.dataframe(localized_table(shown.drop(columns=["previous_hash"]), language), hide_index=True, key="audit_table")
# The files hold every matching entry, not only the newest shown above.
download_controls.download_buttons(lambda: cached.audit_entries(*filters, limit=None), "audit",
                    {"actions": ",".join(chosen_actions), "actor": actor.strip(), "since": since or "", "until": until or "",
                     "exported": dt.date.today()}, label("page_audit", language), [])
