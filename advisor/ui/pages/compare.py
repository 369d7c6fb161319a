"""Compare page: two to six scenarios side by side, and teams of one organisation together."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.compare import (
    MAX_SCENARIOS,
    MIN_SCENARIOS,
    compare,
    compare_table,
    grouping_sentence,
    rates_sentence,
)
from advisor.errors import InputError
from advisor.scenario import load_scenario_file
from advisor.ui import scenarios, state
from advisor.ui.examples import example_path
from advisor.ui.text import md
from advisor.ui.widgets import text_table


@st.cache_data(max_entries=16, show_spinner="Comparing...")
def _compare(keys: tuple[tuple[str, int | None], ...], catalog: str, currency: str, _chosen: list):
    """Cached for every session by each scenario's label and stored version (a new save is
    compared afresh), by the catalog scored with (state.catalog_key: a session that uploaded
    its own catalog was shown another session's rankings) and by the currency shown."""
    return compare(_chosen, state.active_catalog(), currency)


def _choices() -> dict[str, tuple]:
    """Every scenario one can compare: stored ones (latest version) and the examples."""
    out = {}
    try:
        db = scenarios.store(scenarios.store_url())
        for row in db.list():
            out[f"stored: {row.name}"] = ("store", row.name)
    except InputError:
        pass
    for file, label in scenarios.EXAMPLES.items():
        out[f"example: {label}"] = ("example", file)
    return out


def _load(kind: str, ref: str):
    if kind == "example":
        return load_scenario_file(example_path("scenarios") / ref), None
    db = scenarios.store(scenarios.store_url())
    version = db.latest_version(ref)
    return db.load(ref, version), version


def heatmap(matrix: dict[str, dict[str, float]]):
    import altair as alt

    rows = [
        {"team": team, "category": cat, "score": score}
        for team, scores in matrix.items()
        for cat, score in scores.items()
    ]
    base = alt.Chart(pd.DataFrame(rows), title="Fit of each category for each team (0-100)")
    cells = base.mark_rect().encode(
        x=alt.X("category:N", title=None, axis=alt.Axis(labelAngle=0, orient="top")),
        y=alt.Y("team:N", title=None),
        color=alt.Color("score:Q", scale=alt.Scale(domain=[0, 100], scheme="blues")),
        tooltip=[alt.Tooltip("team:N"), alt.Tooltip("category:N"), alt.Tooltip("score:Q")],
    )
    text = base.mark_text().encode(
        x=alt.X("category:N"),
        y=alt.Y("team:N"),
        text=alt.Text("score:Q", format=".0f"),
        color=alt.condition("datum.score > 60", alt.value("white"), alt.value("black")),
    )
    return (cells + text).properties(height=alt.Step(34))


def render() -> None:
    st.title("Scenarios side by side")
    st.caption(
        "Pick two to six scenarios: stored ones (their latest version) or the examples. Teams "
        "of one organisation also get a fit matrix and the platform that serves them all."
    )
    options = _choices()
    default = [k for k in options if "Northwind" in k][:3]
    picked = st.multiselect(
        "Scenarios",
        list(options),
        default=default,
        max_selections=MAX_SCENARIOS,
        key="cmp_pick",
    )
    if len(picked) < MIN_SCENARIOS:
        st.info(f"Pick at least {MIN_SCENARIOS} scenarios.")
        return
    try:
        chosen = [_load(*options[p]) for p in picked]
    except InputError as exc:
        state.show_input_error(exc, "A scenario")
        return
    keys = tuple((p, v) for p, (_, v) in zip(picked, chosen, strict=True))
    catalog = state.active_catalog()
    first = chosen[0][0].answers.currency
    currency = st.selectbox(
        "Show money in",
        catalog.currencies,
        index=catalog.currencies.index(first) if first in catalog.currencies else 0,
        key="cmp_currency",
        help="Every scenario's money converted at the catalog's stated rates.",
    )
    try:
        doc = _compare(keys, state.catalog_key(), currency, chosen)
    except InputError as exc:
        state.show_input_error(exc, "These scenarios")
        return
    rows = doc["scenarios"]
    names = {k: c.name for k, c in catalog.categories.items()}
    header, lines = compare_table(doc, catalog)
    table = pd.DataFrame(
        [cells for _, cells in lines],
        index=pd.Index([label for label, _ in lines], name="figure"),
        columns=pd.Index(header, name=None),
    )
    text_table(table)  # wraps: a column a scenario fits a laptop's width, nothing cut
    custom = st.session_state.get("custom_catalog")
    scored = (
        f"Scored with your own catalog ({md(custom.source)}, uploaded on the Catalog page)"
        if custom is not None
        else "Scored with the bundled catalog"
    )
    st.caption(f"{scored}. {md(rates_sentence(doc))}")
    if any(r["realised_as_of"] is not None for r in rows):
        st.caption(
            "Realised and plan to date: each scenario's value realised part as last measured, "
            "over its measured levers (a lever not measured counts as nothing realised, never "
            "as met); variance = realised - planned."
        )
    if doc["agree"]:
        top = doc["top_categories"][0]
        st.success(f"Every scenario starts with the same category: {md(names.get(top, top))}.")
    else:
        st.warning(
            "The scenarios start with different categories: "
            + md(
                ", ".join(
                    f"{r['name']}: {names.get(r['top_category'], r['top_category'])}" for r in rows
                )
            )
        )
    if doc["shared"] is None:
        st.info(md(grouping_sentence(doc)))
        _notes()
        return
    st.caption(md(grouping_sentence(doc)))
    short = {k: c.short_name for k, c in catalog.categories.items()}
    matrix = {
        t: {short.get(k, k): v for k, v in scores.items()} for t, scores in doc["matrix"].items()
    }
    st.altair_chart(heatmap(matrix), width="stretch")
    shared = doc["shared"]
    covers = ", ".join(f"{t} {v:.0%}" for t, v in shared["covers"].items())
    choice = " + ".join(names.get(c, c) for c in shared["categories"])
    st.info(
        f"One choice for them all: **{md(choice)}**, covering "
        f"{md(covers)} of each team's best score."
    )
    for u in shared["uncovered"]:
        st.caption(
            f"Leaves {md(u['team'])}'s {md(u['stage'])} uncovered ({u['share_of_wait']:.0%} of "
            f"its wait; best focus {u['best_focus']:.1f})."
        )
    st.caption("Coverage = the best score in the choice for a team / that team's own top score.")
    _notes()


def _notes() -> None:
    st.caption(
        "P10-P90 from each scenario's own simulation settings (runs and seed, as on the ROI "
        "page and in the report; IRR's from the first 300 futures)."
    )
