"""Baseline for the rerun benchmark: the Advisor page's widgets (its sidebar included), and
nothing else."""

import streamlit as st

c1, c2 = st.columns(2)
c1.number_input("Engineers measured", min_value=1, value=120, key="q_engineers")
c2.number_input("Platform budget per year", min_value=0.0, value=60000.0, key="q_budget")
c1.selectbox("Currency", ["USD", "EUR", "GBP"], key="q_currency")
for loc, value in (
    ("ideation", 0),
    ("development", 70),
    ("deployment", 30),
    ("operations", 0),
    ("support", 0),
):
    st.slider(loc.capitalize(), 0, 100, value, key=f"q_bn_{loc}")
for field in ("maturity", "leadership_readiness", "sentiment_priority"):
    st.radio(field, ["low", "medium", "high"], index=1, horizontal=True, key=f"q_{field}")
# The scenario picker every page now carries in its sidebar: the same widgets, no work.
with st.sidebar.expander("Scenario"):
    st.caption("Nothing opened yet.")
    st.selectbox("Example scenarios", ["a", "b"], index=None, key="scn_example")
    st.text_input("Name", "My scenario", key="scn_name")
    st.text_input("Team", "", key="scn_team")
    st.text_input("Author", "", key="scn_author")
    st.text_area("Notes", "", key="scn_notes")
    st.download_button("Download as a scenario file", "x", "s.yaml", on_click="ignore")
    st.button("Save as a new version", key="scn_save")
