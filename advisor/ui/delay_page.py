"""Cost of delay page: what waiting costs, the order that costs least, and outcome cards."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.delay import (
    COLUMNS,
    EXACT_LIMIT,
    URGENCIES,
    Backlog,
    analyse,
    backlog_frame,
    backlog_from_rows,
    backlog_to_yaml,
    cumulative_costs,
    delay_sentence,
    order_delay,
    parse_backlog_csv,
    parse_backlog_yaml,
)
from advisor.errors import InputError
from advisor.report import safe_csv
from advisor.ui import charts, state
from advisor.ui.widgets import keyed, set_table, table

EXAMPLE = {
    "currency": "USD",
    "items": [
        {
            "id": "onboarding",
            "name": "Self-serve onboarding",
            "cost_of_delay_per_week": 20000,
            "duration_weeks": 4,
            "wsjf": {
                "business_value": 13,
                "time_criticality": 8,
                "risk_reduction": 3,
                "job_size": 5,
            },
            "outcome": {
                "problem": "New customers wait two weeks for an account",
                "expected_result": "Accounts ready the same day",
                "metric": "Days from sign-up to first use",
                "target": "Under 1 day for 90% of sign-ups",
                "owner": "Head of Growth",
                "learning": "Weekly review of the sign-up funnel",
            },
        },
        {
            "id": "metrics-platform",
            "name": "Engineering metrics platform",
            "cost_of_delay_per_week": 8000,
            "duration_weeks": 6,
            "wsjf": {
                "business_value": 8,
                "time_criticality": 5,
                "risk_reduction": 8,
                "job_size": 8,
            },
            "outcome": {
                "problem": "We cannot see where work waits",
                "expected_result": "Find and fix the delivery bottleneck",
                "metric": "Median cycle time",
                "target": "30% lower in two quarters",
                "owner": "VP Engineering",
            },
        },
        {
            "id": "regulator-export",
            "name": "Data export for the regulator",
            "cost_of_delay_per_week": 15000,
            "duration_weeks": 3,
            "urgency": "fixed_date",
            "deadline_week": 9,
            "wsjf": {
                "business_value": 5,
                "time_criticality": 20,
                "risk_reduction": 13,
                "job_size": 3,
            },
            "outcome": {"metric": "Export accepted", "owner": "CISO"},
        },
        {
            "id": "holiday-campaign",
            "name": "Holiday campaign pages",
            "cost_of_delay_per_week": 12000,
            "duration_weeks": 2,
            "urgency": "short_life",
            "life_weeks": 8,
        },
    ],
}
FIB = [1, 2, 3, 5, 8, 13, 20]
ORDER_NAMES = {"given": "Your order", "cd3": "CD3", "wsjf": "WSJF", "best": "Best found"}


def _load(backlog: Backlog) -> None:
    set_table("delay_items", backlog_frame(backlog))
    st.session_state["delay_good"] = backlog
    st.session_state["delay_v"] = st.session_state.get("delay_v", 0) + 1
    st.session_state.pop("delay_w_currency", None)


def _import() -> None:
    upload = st.file_uploader(
        "Import a backlog (YAML or CSV)", type=["yaml", "yml", "csv"], key="delay_upload"
    )
    if not state.new_upload("delay_upload", upload):
        return
    try:
        if upload.name.lower().endswith(".csv"):
            backlog = parse_backlog_csv(
                upload.getvalue(), upload.name, st.session_state.get("delay_w_currency", "USD")
            )
        else:
            backlog = parse_backlog_yaml(upload.getvalue(), upload.name)
    except InputError as exc:
        state.show_input_error(exc, upload.name)
        return
    _load(backlog)
    st.toast(f"Imported {len(backlog.items)} items from {upload.name}")


def _editor(version: int) -> pd.DataFrame:
    text = st.column_config.TextColumn
    fib = st.column_config.SelectboxColumn
    return table(
        "delay_items",
        pd.DataFrame(columns=list(COLUMNS)),
        version,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            "id": text(required=True),
            "name": text(required=True),
            "cost_of_delay_per_week": st.column_config.NumberColumn(
                "cost of delay / week", min_value=0, format="%,.0f"
            ),
            "duration_weeks": st.column_config.NumberColumn("weeks", min_value=0),
            "urgency": st.column_config.SelectboxColumn(options=list(URGENCIES)),
            "deadline_week": st.column_config.NumberColumn("deadline (week)"),
            "life_weeks": st.column_config.NumberColumn("life (weeks)"),
            "rise_weeks": st.column_config.NumberColumn("rise (weeks)"),
            **{
                f"wsjf_{f}": fib(f"WSJF {f.replace('_', ' ')}", options=FIB)
                for f in ("business_value", "time_criticality", "risk_reduction", "job_size")
            },
        },
    )


def _orders(result, backlog: Backlog) -> None:
    c = result.currency
    st.subheader("Which order costs least")
    cols = st.columns(4)
    orders = {
        "given": result.given_order,
        "cd3": result.cd3_order,
        "wsjf": result.wsjf_order,
        "best": result.best_order,
    }
    names = {it.id: it.name for it in result.items}
    for col, (key, order) in zip(cols, orders.items(), strict=True):
        with col.container(border=True):
            st.markdown(f"**{ORDER_NAMES[key]}**")
            st.markdown(f"{result.delay_cost[key]:,.0f} {c}")
            st.markdown("\n".join(f"{i}. {names[x]}" for i, x in enumerate(order, 1)))
    m1, m2 = st.columns(2)
    m1.metric("CD3 instead of your order saves", f"{result.saving:,.0f} {c}")
    m2.metric("The best order found saves", f"{result.best_saving:,.0f} {c}")
    st.caption(
        f"Best order found by {result.method}. CD3 = cost of delay per week / duration "
        f"in weeks. WSJF = (business value + time criticality + risk reduction) / job "
        "size, in points: it ranks, it is never added to money. Items without WSJF "
        f"scores come last in the WSJF order: {', '.join(result.wsjf_missing) or 'none'}."
    )
    index = {it.id: i for i, it in enumerate(backlog.items)}
    series = {
        ORDER_NAMES[k]: cumulative_costs(backlog.items, [index[x] for x in order])
        for k, order in orders.items()
    }
    st.altair_chart(charts.delay_chart(series, c), width="stretch")
    table_rows = [
        {
            "id": it.id,
            "name": it.name,
            "urgency": it.urgency,
            "cost of delay / week": it.cost_of_delay_per_week,
            "weeks": it.duration_weeks,
            "CD3": it.cd3,
            "WSJF (points)": it.wsjf,
        }
        for it in result.items
    ]
    st.dataframe(
        pd.DataFrame(table_rows),
        hide_index=True,
        width="stretch",
        column_config={
            "CD3": st.column_config.NumberColumn(format="%,.1f"),
            "cost of delay / week": st.column_config.NumberColumn(format=f"%,.0f {c}"),
        },
    )


def _what_delay_costs(result, backlog: Backlog) -> None:
    st.subheader("What a delay costs")
    c1, c2 = st.columns([2, 1])
    names = {it.id: it.name for it in backlog.items}
    chosen = c1.selectbox("Item", list(names), format_func=names.get, key="delay_item")
    weeks = c2.number_input(
        "Weeks of delay",
        min_value=0.0,
        max_value=520.0,
        value=6.0,
        step=1.0,
        format="%.0f",
        key="delay_weeks",
    )
    item = next(it for it in backlog.items if it.id == chosen)
    st.info(delay_sentence(item, weeks, backlog.currency))
    index = {it.id: i for i, it in enumerate(backlog.items)}
    best = [index[x] for x in result.best_order]
    cost = order_delay(backlog.items, best, weeks)
    st.caption(
        f"Starting the whole best order {weeks:g} weeks later costs about {cost:,.0f} "
        f"{backlog.currency}. Each item's cost follows its urgency profile: standard "
        "grows with every week; short life stops once its window has passed; fixed "
        "date costs nothing until the deadline, then all at once; intangible starts "
        "low and rises."
    )


def _outcomes(result, backlog: Backlog) -> None:
    st.subheader("Outcome cards")
    st.caption(
        "Every item should say what problem it solves, how success will be measured, "
        "and who is accountable; later, what actually happened."
    )
    for warning in result.outcome_warnings:
        st.warning(warning, icon=":material/assignment_late:")
    rows = []
    for it in backlog.items:
        card = it.outcome
        rows.append(
            {
                "item": it.name,
                "owner": card.owner if card else None,
                "problem": card.problem if card else None,
                "expected result": card.expected_result if card else None,
                "metric": card.metric if card else None,
                "target": card.target if card else None,
                "actual": card.actual if card else None,
                "loop": "closed" if card and card.actual else "open",
            }
        )
    st.markdown("**Closing the loop: expected against actual**")
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch")
    st.caption("Fill the outcome_actual column in the table above once the result is known.")


def render() -> None:
    st.title("What does waiting cost?")
    st.caption(
        "Cost of delay puts a price on time. Work the items one after another; "
        "compare your order with CD3 and WSJF and see what the cheapest order saves."
    )
    if "delay_good" not in st.session_state:
        _load(Backlog.model_validate(EXAMPLE))
    with st.expander("Import or export"):
        _import()
        export_slot = st.container()
    version = st.session_state["delay_v"]
    currency = st.selectbox(
        "Currency",
        ["USD", "EUR", "GBP"],
        key=keyed("delay_w_currency", st.session_state["delay_good"].currency),
    )
    st.markdown(f"**Backlog** (your order is the table's order; urgency: {', '.join(URGENCIES)})")
    frame = _editor(version)
    try:
        backlog = backlog_from_rows(
            frame.to_dict("records"), list(frame.columns), "the backlog table", currency
        )
        st.session_state["delay_good"] = backlog
    except InputError as exc:
        state.show_input_error(exc, "The edited backlog")
        backlog = st.session_state["delay_good"]
        st.caption("Showing the last backlog without errors.")
    export = backlog_frame(backlog)
    with export_slot:
        e1, e2 = st.columns(2)
        e1.download_button(
            "Export CSV",
            lambda: safe_csv(export),
            "backlog.csv",
            "text/csv",
            on_click="ignore",
            key="delay_csv",
        )
        e2.download_button(
            "Export YAML",
            lambda: backlog_to_yaml(backlog),
            "backlog.yaml",
            "application/x-yaml",
            on_click="ignore",
            key="delay_yaml",
        )
        st.caption(
            f"The exact order search covers up to {EXACT_LIMIT} items; larger backlogs "
            "use a search that starts from CD3 and only accepts improvements."
        )
    result = analyse(backlog)
    _orders(result, backlog)
    _what_delay_costs(result, backlog)
    _outcomes(result, backlog)


render()
