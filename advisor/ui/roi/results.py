"""The ROI page's results: summary, metrics with the numbers behind them, charts, tables."""

from __future__ import annotations

import pandas as pd
import pyarrow as pa
import streamlit as st

from advisor import charts, wording
from advisor.report import safe_csv
from advisor.roi import scenario_to_yaml, summary
from advisor.ui.text import md
from advisor.wording import MISSING, money, month, short_money


def _rate(value: float | None) -> str:
    return wording.rate(value) if value is not None else "undefined"


def metrics(scenario, r) -> None:
    c = r.currency
    st.success(md(summary(r, scenario.horizon_months)))
    for w in r.warnings:
        st.warning(md(w), icon=":material/warning:")
    m = st.columns(4) + st.columns(4)
    m[0].metric(
        "NPV",
        short_money(r.npv, c),
        help=f"{money(r.npv, c)} = PV of benefits {money(r.pv_benefit, c)} - PV of costs "
        f"{money(r.pv_cost, c)}; numpy_financial.npv at {r.monthly_rate:.4%} a month, "
        "month 0 undiscounted",
    )
    irr = ("IRR (annual)", _rate(r.irr_annual), r.irr_note or "(1 + monthly IRR)^12 - 1")
    mirr = (
        "MIRR (annual)",
        _rate(r.mirr_annual),
        f"{r.mirr_note}: (1 + numpy_financial.mirr(net flows, {r.monthly_rate:.4%}, "
        f"{r.monthly_rate:.4%}))^12 - 1",
    )
    first, second = (mirr, irr) if r.lead_rate == "mirr" else (irr, mirr)
    for col, (label, value, why) in zip(m[1:3], (first, second), strict=True):
        col.metric(label, value, help=md(why))
    m[3].metric(
        "ROI",
        _rate(r.roi),
        help=f"(total benefit {money(r.total_benefit, c)} - total cost "
        f"{money(r.total_cost, c)}) / total cost, undiscounted",
    )
    m[4].metric(
        "Payback",
        month(r.payback_month),
        help="First month from which the cumulative net flow stays at or above zero to the "
        "end of the horizon (0: never below zero)",
    )
    m[5].metric(
        "Discounted payback",
        month(r.discounted_payback_month),
        help="The same rule on present values of the monthly flows",
    )
    m[6].metric("Total cost", short_money(r.total_cost, c), help=money(r.total_cost, c))
    m[7].metric("Total benefit", short_money(r.total_benefit, c), help=money(r.total_benefit, c))
    if r.lead_rate == "mirr":
        st.caption(
            f"The net flows change sign {r.sign_changes} times, so more than one rate can make "
            "NPV zero and IRR can mislead: MIRR comes first. " + md(r.irr_note)
        )
    elif r.irr_note and r.irr_annual is not None:
        st.caption(f"IRR note: {md(r.irr_note)}")


def charts_row(r) -> None:
    c = r.currency
    st.vega_lite_chart(charts.cashflow_chart(r), width="stretch")
    left, right = st.columns(2)
    if r.simulation is not None:
        sim = r.simulation
        left.vega_lite_chart(charts.npv_histogram(sim.npv_samples, r.npv, c), width="stretch")
        left.caption(
            f"{sim.runs:,} runs, seed {sim.seed}: NPV P10 {money(sim.npv_p10, c)}, P50 "
            f"{money(sim.npv_p50, c)}, P90 {money(sim.npv_p90, c)}; payback P10 "
            f"{month(sim.payback_p10)}, P50 {month(sim.payback_p50)}, P90 "
            f"{month(sim.payback_p90)}; chance of loss {sim.prob_loss:.1%}. Band drawn from "
            f"the first {sim.band_runs:,} runs."
        )
    if r.tornado:
        right.vega_lite_chart(charts.tornado_chart(r.tornado, r.npv, c), width="stretch")
    else:
        right.info("Give some inputs a low and a high (Ranges tab) to see what moves NPV most.")


def workings(scenario, r) -> None:
    c = r.currency
    with st.expander("How these numbers are computed"):
        st.markdown(
            f"Monthly rate = (1 + {scenario.discount_rate:g})^(1/12) - 1 = "
            f"{r.monthly_rate:.4%}. NPV = sum of net flow in month m / (1 + monthly "
            f"rate)^m for m = 0..{scenario.horizon_months - 1}. Present value of costs "
            f"{money(r.pv_cost, c)}, of benefits {money(r.pv_benefit, c)}."
        )
        if r.price_basis:
            st.markdown(f"Licence price: {md(r.price_basis)}.")
        st.dataframe(
            pa.Table.from_pylist(
                [
                    {
                        "line": f"{ln.kind}: {ln.label}",
                        "numbers": ln.working,
                        "total": ln.total,
                        "present value": ln.present_value,
                        "formula": ln.formula,
                    }
                    for ln in r.lines
                ]
            ),
            hide_index=True,
            width="stretch",
            column_config={
                "total": st.column_config.NumberColumn(format=f"%,.0f {c}"),
                "present value": st.column_config.NumberColumn(format=f"%,.0f {c}"),
            },
            placeholder=MISSING,
        )
    # Arrow, not pandas: Streamlit sends Arrow, and the rerun skips pandas' conversion
    monthly = pa.Table.from_pylist([vars(row) for row in r.monthly])
    with st.expander("Monthly cash flows"):
        money_column = st.column_config.NumberColumn(format=f"%,.0f {c}")
        st.dataframe(
            monthly,
            hide_index=True,
            width="stretch",
            column_config={k: money_column for k in ("cost", "benefit", "net", "cumulative")},
            placeholder=MISSING,
        )
    d1, d2 = st.columns(2)
    d1.download_button(
        "Download the scenario (YAML)",
        lambda: scenario_to_yaml(scenario),
        "scenario.yaml",
        "application/x-yaml",
        on_click="ignore",
        key="roi_dl_yaml",
    )
    d2.download_button(
        "Download the monthly table (CSV)",
        lambda: safe_csv(monthly.to_pandas()),
        "monthly.csv",
        "text/csv",
        on_click="ignore",
        key="roi_dl_csv",
    )


def build_buy(bb) -> None:
    if bb is None:
        return
    c = bb.currency
    st.subheader("Build versus buy")
    st.info(md(bb.text))
    st.vega_lite_chart(charts.build_buy_chart(bb), width="stretch")
    money_column = st.column_config.NumberColumn(format=f"%,.0f {c}")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "option": o.name,
                    "total": o.total,
                    "present value": o.present_value,
                    "first insight (month)": o.first_insight_month,
                    "numbers": o.working,
                    "formula": o.formula,
                }
                for o in (bb.buy, bb.build)
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={"total": money_column, "present value": money_column},
        placeholder=MISSING,
    )
