"""Baseline for the rerun benchmark: the Advisor page's widgets and nothing else."""

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
