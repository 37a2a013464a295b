"""The Streamlit boundary, the only code besides pages/ that imports Streamlit: frame, session, cached reads, actions, downloads."""
