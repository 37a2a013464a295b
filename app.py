"""Home: what the database holds, how far targets are met, coverage by region and family, latest uploads."""
import streamlit as st

from indicators.i18n import STATUS_LABELS, column_labels, label, localized_regions, localized_targets
from indicators.ui import cached, download_controls, frame
from indicators.vocabulary import FAMILIES


def home(language: str, samples: bool) -> None:
    st.title(label("app_title", language))
    st.caption(label("app_caption", language))
    if message := st.session_state.pop("auth_notice", None):
        st.warning(message)
    database = cached.database()
    if database is None:
        st.warning(label("no_database", language))
        return

    summary = cached.database_summary()
    columns = st.columns(4)
    columns[0].metric(label("documents", language), summary["documents"])
    columns[1].metric(label("targets", language), summary["targets"])
    columns[2].metric(label("regions", language), summary["regions_with_targets"])
    columns[3].metric(label("reported_values", language), summary["reported_values"])

    st.subheader(label("status_shares", language))
    shares = cached.status_shares(samples)
    share_columns = st.columns(len(shares))
    total = max(int(shares.sum()), 1)
    for column, (status, count) in zip(share_columns, shares.items()):
        column.metric(STATUS_LABELS[status][language], f"{count / total:.0%}", help=f"{count} / {total}")

    st.subheader(label("by_family", language))
    by_family = summary["by_family"].pivot_table(index="category", columns="kind", values="n", fill_value=0)
    by_family.index = [label(family, language) for family in by_family.index]
    by_family.columns = [label(kind, language) for kind in by_family.columns]
    st.dataframe(by_family, width="stretch")

    st.subheader(label("coverage_matrix", language))
    st.dataframe(cached.coverage_matrix(language), width="stretch")

    options = ["all", *FAMILIES]
    family = st.selectbox(
        label("filter_family", language), options, format_func=lambda key: label(key, language), key="family"
    )
    region_names = cached.region_names(language)
    statements = localized_regions(cached.targets_table(family=None if family == "all" else family), region_names)
    st.caption(f"{label('statements_of_family', language)}: {len(statements)}")
    st.dataframe(localized_targets(statements, language), width="stretch", hide_index=True)

    st.subheader(label("document_list", language))
    documents = localized_regions(cached.documents_overview(), region_names).drop(columns="region_code")
    st.dataframe(documents.rename(columns=column_labels(documents.columns, language)), width="stretch", hide_index=True)

    st.subheader(label("latest_uploads", language))
    uploads = cached.latest_submissions()
    if uploads.empty:
        st.caption(label("no_uploads", language))
    else:
        st.dataframe(uploads, width="stretch", hide_index=True)

    download_controls.full_download()

    failures = cached.latest_build_failures()
    if not failures.empty:
        st.subheader(label("failed_files", language))
        st.dataframe(failures.rename(columns=column_labels(failures.columns, language)), width="stretch", hide_index=True)


st.set_page_config(page_title="bizenv", layout="wide")
language_code, show_samples = frame.sidebar()
frame.gate("view", language_code, "page_home")
home(language_code, show_samples)
