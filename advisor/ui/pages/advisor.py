"""Advisor page: the leader's questions, then the ranked categories and fitting vendors."""

from __future__ import annotations

import copy

import pandas as pd
import pyarrow as pa
import streamlit as st

from advisor import charts
from advisor.answers import answers_from_dict, answers_to_yaml, parse_answers
from advisor.catalog import LEVELS, LOCATIONS
from advisor.errors import InputError
from advisor.report import safe_csv
from advisor.scoring import FACTOR_LABELS, recommend
from advisor.shares import whole_percentages
from advisor.ui import session, state
from advisor.ui.text import md
from advisor.wording import MISSING

HELP = {
    "engineers": "People whose work the platform would measure; licences are usually per head.",
    "budget": "What you can spend on a metrics platform each year, licences included.",
    "bottlenecks": (
        "Where does work wait longest? Give each stage a weight; only the proportions matter. "
        "Development = backlog to merge; deployment = commit to production."
    ),
    "maturity": "How automated and lean delivery already is: CI/CD, small batches, little waiting.",
    "leadership_readiness": (
        "Are leaders ready to learn from flow data across the whole stream and act on it?"
    ),
    "sentiment_priority": "How much you need to see team health and developer experience.",
}
STAGE_HELP = {
    "ideation": "research, discovery, deciding what to build",
    "development": "backlog to merge: cycle time, work in progress, reviews",
    "deployment": "commit to production: lead time, failed deploys, recovery",
    "operations": "running it: monitoring, infrastructure",
    "support": "customer service, incidents, follow-up enhancements",
}
VENDOR_SCHEMA = pa.schema(
    [
        ("vendor", pa.string()),
        ("category", pa.string()),
        ("also", pa.string()),
        ("fit", pa.float64()),
        ("annual cost (low)", pa.float64()),
        ("annual cost (high)", pa.float64()),
        ("budget", pa.string()),
        ("price basis", pa.string()),
        ("fit formula", pa.string()),
    ]
)
BUDGET_KINDS = ["fits", "fits at one plan only", "over budget", "quote needed"]


def _load_answers_file(catalog) -> None:
    upload = st.file_uploader(
        "Load an answers file (YAML)", type=["yaml", "yml"], key="answers_upload", max_upload_size=1
    )
    if not state.new_upload("answers_upload", upload):
        return
    try:
        loaded = parse_answers(upload.getvalue(), upload.name, catalog)
    except InputError as exc:
        state.show_input_error(exc, upload.name)
        return
    data = loaded.model_dump()
    data["bottlenecks"] = session.weights_from_shares(loaded.bottlenecks)
    state.replace_answers(data)
    st.toast(f"Loaded {md(upload.name)}")


def _measured_note(slot, weights: dict[str, int]) -> None:
    """Say in `slot` when the bottleneck weights came from the team's data, and from which file."""
    source = st.session_state.get("bottleneck_source")
    if not source:
        return
    if weights == source["weights"]:
        slot.info(
            f"Measured from your data ({md(source['file'])}) on the Evidence page.",
            icon=":material/insights:",
        )
    else:
        slot.caption(f"Changed by you since it was measured from {md(source['file'])}.")


def _questions(currencies: list[str]) -> dict[tuple[str, ...], object]:
    """The six questions; returns each widget's value in this run, keyed by its answer's path."""
    st.subheader("Your situation")
    values: dict[tuple[str, ...], object] = {}
    # one field a line: side by side, their labels broke into pieces at 1024 px
    values[("engineers",)] = st.number_input(
        "Engineers measured",
        min_value=1,
        max_value=1_000_000,
        step=10,
        help=HELP["engineers"],
        **state.bind("q_engineers", ("engineers",)),
    )
    values[("budget_per_year",)] = st.number_input(
        "Platform budget per year",
        min_value=0.0,
        max_value=1e12,
        step=5000.0,
        format="%.0f",
        help=HELP["budget"],
        **state.bind("q_budget", ("budget_per_year",)),
    )
    values[("currency",)] = st.selectbox(
        "Currency", currencies, **state.bind("q_currency", ("currency",), currencies)
    )
    st.markdown("**Where does work wait?**", help=HELP["bottlenecks"])
    note = st.empty()  # filled once the sliders' values of this run are known
    for loc in LOCATIONS:
        values[("bottlenecks", loc)] = st.slider(
            loc.capitalize(),
            0,
            100,
            help=STAGE_HELP[loc],
            **state.bind(f"q_bn_{loc}", ("bottlenecks", loc)),
        )
    _measured_note(note, {loc: values[("bottlenecks", loc)] for loc in LOCATIONS})
    for field, label in (
        ("maturity", "Delivery maturity"),
        ("leadership_readiness", "Leadership readiness"),
        ("sentiment_priority", "Need to see team sentiment"),
    ):
        values[(field,)] = st.radio(
            label,
            LEVELS,
            horizontal=True,
            help=HELP[field],
            **state.bind(f"q_{field}", (field,), LEVELS),
        )
    return values


def _ranking(rec) -> None:
    top = rec.ranking[0]
    st.success(f"**Start with {md(top.name)}**: {top.score:.1f} of 100 points.")
    cols = [*st.columns(2), *st.columns(2)]  # two a row: names whole at 1024 px
    ready = st.session_state.get("evidence_readiness") or {}
    for col, s in zip(cols, rec.ranking, strict=True):
        col.metric(md(s.short_name), f"{s.score:.1f}", help=md(s.name))
        if s.category in ready:
            col.caption(
                f"Your data: {md(ready[s.category])}",
                help="What the files sent from the Evidence page can support for this kind of "
                "platform; the checklist is on the Evidence page.",
            )
    st.vega_lite_chart(
        charts.contribution_rows(rec.ranking),
        copy.deepcopy(charts.contributions_spec()),
        width="stretch",
    )
    for s in rec.ranking:
        with st.expander(f"Why {md(s.name)} scores {s.score:.1f}"):
            lines = [
                f"- **{FACTOR_LABELS[c.factor]}: {c.points:g} of {c.max_points:g}.** {md(c.reason)}"
                for c in s.contributions
            ]
            total = " + ".join(f"{c.points:g}" for c in s.contributions)
            st.markdown("\n".join([*lines, "", f"Score = {total} = {s.score:g}"]))


def _advice(rec, catalog) -> None:
    names = {cid: md(c.name) for cid, c in catalog.categories.items()}
    if rec.what_would_change:
        st.info(
            f":material/swap_horiz: **What would change the answer:** "
            f"{md(rec.what_would_change[0].text)}"
        )
        if len(rec.what_would_change) > 1:
            with st.expander("Other single changes that would change the lead"):
                for change in rec.what_would_change[1:]:
                    st.markdown(f"- {md(change.text)}")
    else:
        st.info("No single change of one answer would put another category first.")
    for warning in rec.warnings:
        st.warning(md(warning), icon=":material/warning:")
    st.markdown(f"**Best pair:** {names[rec.combination[0]]} + {names[rec.combination[1]]}")
    cols = st.columns(len(rec.roadmap))
    for col, step in zip(cols, rec.roadmap, strict=True):
        col.container(border=True).markdown(
            f"**{step.phase.capitalize()}:** {', '.join(names[c] for c in step.categories)}"
            f"\n\n{md(step.why)}"
        )


def vendor_rows(rec) -> list[dict]:
    names = {s.category: s.short_name for s in rec.ranking}
    return [
        {
            "vendor": v.name,
            "category": names.get(v.category, v.category),
            "also": ", ".join(names.get(c, c) for c in v.categories[1:]),
            "fit": v.fit,
            "annual cost (low)": v.annual_cost,
            "annual cost (high)": v.annual_cost_high,
            "budget": v.budget_label,
            "price basis": v.price_note,
            "fit formula": v.breakdown,
        }
        for v in rec.vendors
    ]


def _budget_kind(label: str) -> str:
    return "fits at one plan only" if label.startswith("fits at") else label


def _vendors(rec, catalog, currency: str) -> None:
    st.subheader("Vendors")
    rows = vendor_rows(rec)
    c1, c2 = st.columns(2)
    cats = c1.multiselect(
        "Categories",
        list(catalog.categories),
        default=list(catalog.categories),
        format_func={c: x.short_name for c, x in catalog.categories.items()}.get,
        key="vendor_categories",
    )
    budget = c2.multiselect("Budget", BUDGET_KINDS, default=BUDGET_KINDS, key="vendor_budget")
    shown = [
        r
        for r, v in zip(rows, rec.vendors, strict=True)
        if set(v.categories) & set(cats) and _budget_kind(r["budget"]) in budget
    ]
    # Arrow straight from the rows: no pandas conversion on every rerun.
    table = pa.Table.from_pylist(shown, schema=VENDOR_SCHEMA)
    money = st.column_config.NumberColumn(format=f"%,.0f {currency}")
    st.dataframe(
        table,
        hide_index=True,
        width="stretch",
        column_config={
            "fit": st.column_config.ProgressColumn(min_value=0, max_value=100, format="%.1f"),
            "annual cost (low)": money,
            "annual cost (high)": money,
        },
        placeholder=MISSING,
    )
    st.caption(
        f"{len(shown)} of {len(rows)} vendors. Annual cost = engineers x list price x "
        '12; quotes, hosting and upkeep are not included. "Fits at <tier> only": the '
        "budget covers that plan, not the dearer ones. Click a column to sort."
    )
    st.download_button(
        "Download vendor table (CSV)",
        lambda: safe_csv(pd.DataFrame(shown, columns=VENDOR_SCHEMA.names)),
        "vendors.csv",
        "text/csv",
        on_click="ignore",
        key="vendors_csv",
    )


def _answered(answers) -> None:
    """The answers these results were computed from, for the eye and for the browser test."""
    where = ", ".join(f"{loc} {p}%" for loc, p in whole_percentages(answers.bottlenecks).items())
    st.caption(
        f"Computed from: {answers.engineers} engineer{'' if answers.engineers == 1 else 's'}, "
        "budget "
        f"{answers.budget_per_year:,.0f} {answers.currency}, work waits at {where}; maturity "
        f"{answers.maturity}, readiness {answers.leadership_readiness}, sentiment "
        f"{answers.sentiment_priority}.",
        help="Every figure on this page comes from exactly these answers.",
    )


def render() -> None:
    st.title("Which engineering-metrics platform fits?")
    st.caption("Answer six questions; every point of every score is explained below.")
    catalog = state.active_catalog()
    if catalog.source != "bundled":
        st.info(f"Using the custom catalog uploaded on the Catalog page ({md(catalog.source)}).")
    with st.expander("Load or save answers"):
        _load_answers_file(catalog)
        download_slot = st.empty()
    left, right = st.columns([2, 3], gap="large")
    with left:
        values = _questions(catalog.currencies)
    try:
        answers = answers_from_dict(state.take_answers(values), catalog=catalog)
    except InputError as exc:
        with right:
            state.show_input_error(exc, "These answers")
        return
    download_slot.download_button(
        "Download these answers (YAML)",
        lambda: answers_to_yaml(answers),
        "answers.yaml",
        "application/x-yaml",
        on_click="ignore",
        key="answers_yaml",
    )
    rec = recommend(answers, catalog)
    with right:
        _answered(answers)
        _ranking(rec)
        _advice(rec, catalog)
        state.goodhart_caution()
    _vendors(rec, catalog, answers.currency)
