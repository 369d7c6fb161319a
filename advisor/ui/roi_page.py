"""ROI page: what a team or a platform returns, how sure we can be, and build versus buy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.answers import answers_from_dict
from advisor.build_buy import compare
from advisor.errors import InputError
from advisor.report import safe_csv
from advisor.roi import (
    LEVERS,
    CapacityFreed,
    DowntimeAvoided,
    ReworkAvoided,
    analyse,
    get_path,
    parameters,
    parse_scenario,
    scenario_from_dict,
    scenario_to_yaml,
    short_money,
    summary,
    with_range,
)
from advisor.scoring import recommend
from advisor.ui import charts, state
from advisor.ui.widgets import keyed, records, set_table, table

LEVER_MODELS = {
    "capacity_freed": CapacityFreed,
    "downtime_avoided": DowntimeAvoided,
    "rework_avoided": ReworkAvoided,
}
LEVER_NAMES = {
    "capacity_freed": "Capacity freed",
    "downtime_avoided": "Downtime avoided",
    "rework_avoided": "Rework avoided",
}
LEVER_DEFAULTS = {
    "capacity_freed": {"staff": 50, "annual_cost": 150000, "time_saved": 0.05},
    "downtime_avoided": {
        "deploys_per_year": 500,
        "change_fail_rate_before": 0.2,
        "change_fail_rate_after": 0.1,
        "recovery_hours_before": 6,
        "recovery_hours_after": 2,
        "cost_per_hour": 10000,
    },
    "rework_avoided": {
        "staff": 50,
        "annual_cost": 150000,
        "rework_share_before": 0.25,
        "rework_share_after": 0.15,
    },
}
RUNS = [0, 1000, 10000, 50000]
# Label tables, not functions: page scripts run as __main__, whose functions cannot be pickled.
RUN_LABELS = {n: "none" if n == 0 else f"{n:,}" for n in RUNS}
KIND_LABELS = {"drivers": "Driver chain (the product of factors)", **LEVER_NAMES}
TABLES = ("roi_team", "roi_oneoffs", "roi_benefits")


# ---------------------------------------------------------------- state


def _advisor_defaults(catalog) -> tuple[int, str | None, str]:
    """Head count and a priced vendor of the top category, from the Advisor's answers."""
    try:
        answers = answers_from_dict(state.answers())
    except InputError:
        return 100, None, "USD"
    rec = recommend(answers, catalog)
    top = rec.ranking[0].category
    in_top = [v for v in rec.vendors if top in v.categories]
    priced = [v for v in in_top if v.annual_cost is not None]
    vendor = (priced or in_top or [None])[0]
    return answers.engineers, vendor.id if vendor else None, answers.currency


def _default_scenario(defaults: tuple[int, str | None, str]) -> dict:
    engineers, vendor, currency = defaults
    return {
        "name": "Onboarding squad",
        "currency": currency,
        "horizon_months": 36,
        "discount_rate": 0.10,
        "team": [
            {"role": "Backend engineer", "count": 2, "annual_cost": 180000},
            {"role": "Data analyst", "count": 1, "annual_cost": 140000},
        ],
        "one_off_costs": [{"name": "Recruiting", "amount": 30000, "month": 0}],
        "platform": {"vendor": vendor, "seats": engineers} if vendor else None,
        "benefits": [
            {
                "name": "Revenue kept through retention",
                "start_month": 3,
                "ramp_months": 6,
                "drivers": {
                    "customers": 2000,
                    "revenue_per_customer": 12000,
                    "retention_gain": {"low": 0.01, "likely": 0.025, "high": 0.04},
                },
            },
            {
                "name": "Capacity freed by faster onboarding",
                "start_month": 6,
                "ramp_months": 6,
                "capacity_freed": {
                    "staff": engineers,
                    "annual_cost": 150000,
                    "time_saved": {"low": 0.005, "likely": 0.01, "high": 0.02},
                },
            },
        ],
        "productivity_dip": {"people": 3, "annual_cost": 170000, "share_lost": 0.3, "months": 3},
    }


def _load(data: dict, catalog) -> None:
    """Put a whole scenario into the page's state; every editor starts again from it."""
    benefits = data.get("benefits") or []
    simple = [b for b in benefits if b.get("annual_value") is not None]
    modelled = [b for b in benefits if b.get("annual_value") is None]
    data = {**data, "benefits": simple + modelled}
    scenario = scenario_from_dict(data, catalog=None)
    ranges = {
        p.path: {"label": p.label, "low": p.value.low, "high": p.value.high}
        for p in parameters(scenario, catalog)
        if p.uncertain
    }
    dump = scenario.model_dump()

    def plain(v):
        return v["likely"] if isinstance(v, dict) else v

    set_table(
        "roi_team",
        pd.DataFrame(
            [
                {**r, "count": plain(r["count"]), "annual_cost": plain(r["annual_cost"])}
                for r in dump["team"]
            ],
            columns=["role", "count", "annual_cost", "start_month", "end_month"],
        ),
    )
    set_table(
        "roi_oneoffs",
        pd.DataFrame(
            [{**o, "amount": plain(o["amount"])} for o in dump["one_off_costs"]],
            columns=["name", "amount", "month"],
        ),
    )
    set_table(
        "roi_benefits",
        pd.DataFrame(
            [
                {
                    "name": b["name"],
                    "annual_value": plain(b["annual_value"]),
                    "start_month": b["start_month"],
                    "ramp_months": b["ramp_months"],
                }
                for b in dump["benefits"]
                if b.get("annual_value") is not None
            ],
            columns=["name", "annual_value", "start_month", "ramp_months"],
        ),
    )
    st.session_state["roi_modelled"] = [
        {k: v for k, v in b.items() if v is not None}
        for b in dump["benefits"]
        if b.get("annual_value") is None
    ]
    st.session_state["roi_ranges"] = ranges
    st.session_state["roi_data"] = {
        k: dump[k]
        for k in (
            "name",
            "currency",
            "horizon_months",
            "discount_rate",
            "platform",
            "productivity_dip",
            "build_vs_buy",
            "notes",
        )
    }
    st.session_state["roi_v"] = st.session_state.get("roi_v", 0) + 1
    for key in [k for k in st.session_state if str(k).startswith("roi_w_")]:
        del st.session_state[key]


def _upload(catalog) -> None:
    upload = st.file_uploader("Load a scenario (YAML)", type=["yaml", "yml"], key="roi_upload")
    if not state.new_upload("roi_upload", upload):
        return
    try:
        scenario = parse_scenario(upload.getvalue(), upload.name, catalog)
    except InputError as exc:
        state.show_input_error(exc, upload.name)
        return
    _load(scenario.model_dump(exclude_none=True), catalog)
    st.toast(f"Loaded {upload.name}")


# ---------------------------------------------------------------- inputs


def _settings(data: dict) -> dict:
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    name = c1.text_input("Scenario name", key=keyed("roi_w_name", data["name"]))
    currency = c2.selectbox(
        "Currency", ["USD", "EUR", "GBP"], key=keyed("roi_w_currency", data["currency"])
    )
    horizon = c3.number_input(
        "Horizon (months)",
        min_value=1,
        max_value=240,
        key=keyed("roi_w_horizon", int(data["horizon_months"])),
    )
    rate = c4.number_input(
        "Discount rate (% a year)",
        min_value=-99.0,
        max_value=1000.0,
        step=0.5,
        key=keyed("roi_w_rate", float(data["discount_rate"]) * 100),
        help="Annual; converted to a monthly rate (1 + r)^(1/12) - 1.",
    )
    return {
        "name": name,
        "currency": currency,
        "horizon_months": int(horizon),
        "discount_rate": rate / 100,
    }


def _costs(v: int) -> dict:
    st.markdown(
        "**Team** (each person costs annual cost / 12 in every active month; "
        "end month = first month no longer paid)"
    )
    team = table(
        "roi_team",
        pd.DataFrame(columns=["role", "count", "annual_cost", "start_month", "end_month"]),
        v,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "role": st.column_config.TextColumn(required=True),
            "count": st.column_config.NumberColumn(min_value=0, step=0.5),
            "annual_cost": st.column_config.NumberColumn(
                "annual cost (loaded)", min_value=0, format="%,.0f"
            ),
            "start_month": st.column_config.NumberColumn(min_value=0, step=1),
            "end_month": st.column_config.NumberColumn(min_value=1, step=1),
        },
    )
    st.markdown("**One-off costs** (hiring, onboarding, licences bought once)")
    oneoffs = table(
        "roi_oneoffs",
        pd.DataFrame(columns=["name", "amount", "month"]),
        v,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "amount": st.column_config.NumberColumn(min_value=0, format="%,.0f"),
            "month": st.column_config.NumberColumn(min_value=0, step=1),
        },
    )
    team_rows = records(team)
    for row in team_rows:
        row["start_month"] = int(row["start_month"] or 0)
        if row.get("end_month") is not None:
            row["end_month"] = int(row["end_month"])
        else:
            row.pop("end_month", None)
    oneoff_rows = records(oneoffs)
    for row in oneoff_rows:
        row["month"] = int(row["month"] or 0)
    return {"team": team_rows, "one_off_costs": oneoff_rows}


def _dip(data: dict) -> dict | None:
    dip = data.get("productivity_dip") or {}
    on = st.checkbox(
        "Include a productivity dip while the change beds in", key=keyed("roi_w_dip_on", bool(dip))
    )
    if not on:
        return None
    c1, c2, c3, c4 = st.columns(4)
    return {
        "people": _amount(c1, "People affected", "roi_w_dip_people", dip, "people", 10),
        "annual_cost": _amount(
            c2,
            "Loaded annual cost",
            "roi_w_dip_cost",
            dip,
            "annual_cost",
            150000,
            step=5000.0,
            format="%.0f",
        ),
        "share_lost": _amount(
            c3,
            "Share of output lost",
            "roi_w_dip_share",
            dip,
            "share_lost",
            0.2,
            max_value=1.0,
            step=0.05,
        ),
        "months": int(
            c4.number_input(
                "Months",
                min_value=0,
                max_value=240,
                key=keyed("roi_w_dip_months", int(dip.get("months", 3))),
            )
        ),
    }


def _amount(where, label: str, key: str, source: dict, field: str, default: float, **kw):
    """A non-negative number input that starts from the scenario's likely value of `field`."""
    return where.number_input(
        label, min_value=0.0, key=keyed(key, float(_likely(source, field, default))), **kw
    )


def _likely(d: dict, key: str, default):
    v = d.get(key, default)
    return v["likely"] if isinstance(v, dict) else (default if v is None else v)


def _benefits(v: int) -> list[dict]:
    st.markdown("**Benefits as an annual value** (ramp: months to reach full value)")
    simple = table(
        "roi_benefits",
        pd.DataFrame(columns=["name", "annual_value", "start_month", "ramp_months"]),
        v,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "annual_value": st.column_config.NumberColumn(min_value=0, format="%,.0f"),
            "start_month": st.column_config.NumberColumn(min_value=0, step=1),
            "ramp_months": st.column_config.NumberColumn(min_value=0, step=1),
        },
    )
    rows = records(simple)
    for row in rows:
        row["start_month"] = int(row["start_month"] or 0)
        row["ramp_months"] = int(row["ramp_months"] or 0)
    modelled = st.session_state.setdefault("roi_modelled", [])
    if modelled:
        st.markdown("**Benefits from a driver chain or a DORA value lever**")
        for i, b in enumerate(modelled):
            c1, c2 = st.columns([6, 1])
            source = "drivers" if "drivers" in b else next(k for k in LEVERS if k in b)
            inputs = b[source]
            shown = ", ".join(f"{k.replace('_', ' ')} {_show(x)}" for k, x in inputs.items())
            c1.markdown(
                f"- **{b['name']}** ({LEVER_NAMES.get(source, 'driver chain')}): "
                f"{shown}; from month {b.get('start_month', 0)}, ramp "
                f"{b.get('ramp_months', 0)}"
            )
            if c2.button("Remove", key=f"roi_remove_{i}_{st.session_state.get('roi_v', 0)}"):
                modelled.pop(i)
                st.rerun()
    _add_modelled(modelled)
    return rows + modelled


def _show(x) -> str:
    if isinstance(x, dict):
        return f"{x['low']:g} / {x['likely']:g} / {x['high']:g}"
    return f"{x:g}"


def _add_modelled(modelled: list[dict]) -> None:
    with st.expander("Add a DORA value lever or a driver chain"):
        kind = st.selectbox(
            "Kind", ["drivers", *LEVERS], key="roi_add_kind", format_func=KIND_LABELS.get
        )
        name = st.text_input(
            "Name", value=LEVER_NAMES.get(kind, "Revenue kept"), key=f"roi_add_name_{kind}"
        )
        c1, c2 = st.columns(2)
        start = c1.number_input("Start month", min_value=0, value=0, key="roi_add_start")
        ramp = c2.number_input("Ramp months", min_value=0, value=3, key="roi_add_ramp")
        if kind == "drivers":
            factors = st.data_editor(
                pd.DataFrame(
                    {
                        "factor": ["customers", "revenue_per_customer", "retention_gain"],
                        "value": [1000.0, 10000.0, 0.02],
                    }
                ),
                num_rows="dynamic",
                key="roi_add_factors",
                width="stretch",
            )
            inputs = {r["factor"]: r["value"] for r in records(factors) if r.get("factor")}
        else:
            model = LEVER_MODELS[kind]
            st.caption(model.__doc__)
            cols = st.columns(3)
            inputs = {
                f: cols[i % 3].number_input(
                    f.replace("_", " "),
                    min_value=0.0,
                    value=float(LEVER_DEFAULTS[kind][f]),
                    key=f"roi_add_{kind}_{f}",
                )
                for i, f in enumerate(model.model_fields)
            }
        if st.button("Add this benefit", key="roi_add_button"):
            modelled.append(
                {"name": name, kind: inputs, "start_month": int(start), "ramp_months": int(ramp)}
            )
            st.rerun()


def _platform(data: dict, catalog, defaults: tuple[int, str | None, str]) -> dict | None:
    engineers, suggested, _ = defaults
    current = data.get("platform") or {}
    on = st.checkbox("Include a metrics platform licence", key=keyed("roi_w_pf_on", bool(current)))
    st.caption(
        f"From the Advisor page: {engineers} engineers; suggested vendor "
        f"{suggested or 'none with a public price'}."
    )
    if not on:
        return None
    ids = [v.id for v in catalog.vendors]
    names = {v.id: v.name for v in catalog.vendors}
    vendor = current.get("vendor") or suggested or ids[0]
    c1, c2, c3, c4 = st.columns([2, 1, 1, 1])
    chosen = c1.selectbox(
        "Vendor",
        ids,
        format_func=names.get,
        key=keyed("roi_w_pf_vendor", vendor if vendor in ids else ids[0]),
    )
    seats = c2.number_input(
        "Seats",
        min_value=0,
        step=10,
        key=keyed("roi_w_pf_seats", int(_likely(current, "seats", engineers))),
    )
    quote = _amount(
        c3,
        "Quote per seat-month",
        "roi_w_pf_quote",
        current,
        "price_per_seat_month",
        0.0,
        step=1.0,
        help="0 uses the catalog's public price; vendors without one need a quote.",
    )
    setup = _amount(c4, "Setup cost", "roi_w_pf_setup", current, "setup_cost", 0.0, step=1000.0)
    out = {"vendor": chosen, "seats": seats, "setup_cost": setup}
    if quote > 0:
        out["price_per_seat_month"] = quote
    return out


def _ranges(base: dict, catalog) -> dict:
    """Low and high for any number; the likely value stays the one in the tables above."""
    try:
        params = parameters(scenario_from_dict(base), catalog)
    except InputError:
        return base
    stored = st.session_state.setdefault("roi_ranges", {})
    rows = []
    for p in params:
        keep = stored.get(p.path, {})
        if keep.get("label") != p.label:
            keep = {}
        low = keep.get("low", p.value.low if p.uncertain else None)
        high = keep.get("high", p.value.high if p.uncertain else None)
        rows.append(
            {
                "input": p.label,
                "path": p.path,
                "likely": p.value.likely if hasattr(p.value, "likely") else p.value,
                "low": low,
                "high": high,
            }
        )
    frame = pd.DataFrame(rows, columns=["input", "path", "likely", "low", "high"])
    st.caption(
        "Give low and high where you are unsure; leave both empty for a fixed number. "
        "The simulation draws each range from a triangular distribution."
    )
    key = f"roi_ranges_{abs(hash(tuple(frame['path'])))}_{st.session_state.get('roi_v', 0)}"
    st.session_state["roi_ranges_key"] = key  # a new editor whenever the inputs change shape
    edited = st.data_editor(
        frame,
        key=key,
        width="stretch",
        hide_index=True,
        disabled=["input", "path", "likely"],
        num_rows="fixed",
    )
    data = base
    for row in records(edited):
        if row.get("low") is None and row.get("high") is None:
            stored.pop(row["path"], None)
            continue
        low = row["low"] if row.get("low") is not None else row["likely"]
        high = row["high"] if row.get("high") is not None else row["likely"]
        stored[row["path"]] = {"label": row["input"], "low": low, "high": high}
        try:
            get_path(data, row["path"])
        except (KeyError, IndexError, TypeError):
            continue
        data = with_range(data, row["path"], low, high)
    return data


# ---------------------------------------------------------------- results


def _month(m: int | None) -> str:
    return "beyond the horizon" if m is None else str(m)


def _money(x: float, c: str) -> str:
    return f"{x:,.0f} {c}"


def _results(scenario, result, catalog) -> None:
    c = result.currency
    st.success(summary(result, scenario.horizon_months))
    m = st.columns(3) + st.columns(3)
    m[0].metric(
        "NPV",
        short_money(result.npv, c),
        help=f"{_money(result.npv, c)}: "
        "numpy_financial.npv(monthly rate, net flows); month 0 undiscounted",
    )
    m[1].metric(
        "IRR (annual)",
        f"{result.irr_annual:.1%}" if result.irr_annual is not None else "undefined",
        help=result.irr_note or "(1 + monthly IRR)^12 - 1",
    )
    m[2].metric(
        "Payback",
        f"month {result.payback_month}" if result.payback_month is not None else "beyond horizon",
        help="First month whose cumulative net flow is 0 or more",
    )
    m[3].metric(
        "ROI",
        f"{result.roi:.1%}" if result.roi is not None else "undefined",
        help="(total benefit - total cost) / total cost, undiscounted",
    )
    m[4].metric("Total cost", short_money(result.total_cost, c), help=_money(result.total_cost, c))
    m[5].metric(
        "Total benefit", short_money(result.total_benefit, c), help=_money(result.total_benefit, c)
    )
    if result.irr_note and result.irr_annual is not None:
        st.caption(f"IRR note: {result.irr_note}")
    st.altair_chart(charts.cashflow_chart(result), width="stretch")
    left, right = st.columns(2)
    if result.simulation is not None:
        sim = result.simulation
        left.altair_chart(charts.npv_histogram(sim.npv_samples, result.npv, c), width="stretch")
        left.caption(
            f"{sim.runs:,} runs, seed {sim.seed}: NPV P10 {_money(sim.npv_p10, c)}, P50 "
            f"{_money(sim.npv_p50, c)}, P90 {_money(sim.npv_p90, c)}; payback month P10 "
            f"{_month(sim.payback_p10)}, P50 {_month(sim.payback_p50)}, P90 "
            f"{_month(sim.payback_p90)}; chance of loss {sim.prob_loss:.1%}. Band drawn from "
            "the first "
            f"{sim.band_runs:,} runs."
        )
    if result.tornado:
        right.altair_chart(charts.tornado_chart(result.tornado, result.npv, c), width="stretch")
    else:
        right.info("Give some inputs a low and a high (Ranges tab) to see what moves NPV most.")
    with st.expander("How these numbers are computed"):
        st.markdown(
            f"Monthly rate = (1 + {scenario.discount_rate:g})^(1/12) - 1 = "
            f"{result.monthly_rate:.4%}. NPV = sum of net flow in month m / (1 + monthly "
            f"rate)^m for m = 0..{scenario.horizon_months - 1}. Present value of costs "
            f"{_money(result.pv_cost, c)}, of benefits {_money(result.pv_benefit, c)}."
        )
        st.dataframe(
            pd.DataFrame([vars(ln) for ln in result.lines]),
            hide_index=True,
            width="stretch",
            column_config={
                "total": st.column_config.NumberColumn(format=f"%,.0f {c}"),
                "present_value": st.column_config.NumberColumn(format=f"%,.0f {c}"),
            },
        )
    monthly = pd.DataFrame([vars(row) for row in result.monthly])
    with st.expander("Monthly cash flows"):
        st.dataframe(monthly, hide_index=True, width="stretch")
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
        lambda: safe_csv(monthly),
        "monthly.csv",
        "text/csv",
        on_click="ignore",
        key="roi_dl_csv",
    )


def _build_buy(data: dict, catalog, defaults: tuple[int, str | None, str]) -> dict | None:
    current = data.get("build_vs_buy") or {}
    on = st.checkbox(
        "Compare building our own with buying", key=keyed("roi_w_bb_on", bool(current))
    )
    if not on:
        return None
    buy, build = current.get("buy", {}), current.get("build", {})
    engineers, suggested, _ = defaults
    ids = [v.id for v in catalog.vendors]
    b1, b2 = st.columns(2)
    with b1:
        st.markdown("**Buy**")
        vendor = st.selectbox(
            "Vendor", ids, key=keyed("roi_w_bb_vendor", buy.get("vendor") or suggested or ids[0])
        )
        seats = st.number_input(
            "Seats", min_value=0, key=keyed("roi_w_bb_seats", int(_likely(buy, "seats", engineers)))
        )
        quote = _amount(
            st,
            "Quote per seat-month (0: catalog price)",
            "roi_w_bb_quote",
            buy,
            "price_per_seat_month",
            0.0,
        )
        setup = _amount(st, "Setup cost", "roi_w_bb_setup", buy, "setup_cost", 20000, step=1000.0)
        admin = _amount(
            st, "People to run it (FTE)", "roi_w_bb_admin", buy, "admin_fte", 0.25, step=0.25
        )
    with b2:
        st.markdown("**Build**")
        team = _amount(st, "Team building it", "roi_w_bd_team", build, "team", 3)
        months = st.number_input(
            "Months to build",
            min_value=0,
            max_value=240,
            key=keyed("roi_w_bd_months", int(build.get("build_months", 12))),
        )
        upkeep = _amount(
            st,
            "People to keep it running (FTE)",
            "roi_w_bd_upkeep",
            build,
            "upkeep_fte",
            1.0,
            step=0.25,
        )
        infra = _amount(
            st,
            "Infrastructure per month",
            "roi_w_bd_infra",
            build,
            "infrastructure_per_month",
            1000,
            step=100.0,
        )
    cost = _amount(
        st,
        "Loaded annual cost of one engineer",
        "roi_w_bd_cost",
        build,
        "annual_cost",
        160000,
        step=5000.0,
    )
    out_buy = {
        "vendor": vendor,
        "seats": seats,
        "setup_cost": setup,
        "admin_fte": admin,
        "fte_annual_cost": cost,
    }
    if quote > 0:
        out_buy["price_per_seat_month"] = quote
    return {
        "buy": out_buy,
        "build": {
            "team": team,
            "annual_cost": cost,
            "build_months": int(months),
            "upkeep_fte": upkeep,
            "infrastructure_per_month": infra,
        },
    }


def render() -> None:
    st.title("What does it return?")
    st.caption(
        "Team and platform cost against outcome: NPV, IRR, payback and ROI, with the "
        "uncertainty of every estimate. Money is in one currency per scenario."
    )
    catalog = state.active_catalog()
    defaults = _advisor_defaults(catalog)  # once a run: head count, vendor, currency
    if "roi_data" not in st.session_state:
        _load(_default_scenario(defaults), catalog)
    with st.expander("Load or start over"):
        _upload(catalog)
        if st.button("Start from the example again", key="roi_reset"):
            _load(_default_scenario(defaults), catalog)
            st.rerun()
    data = st.session_state["roi_data"]
    v = st.session_state["roi_v"]

    base = _settings(data)
    tabs = st.tabs(["Team and costs", "Benefits", "Platform", "Ranges", "Build vs buy"])
    with tabs[0]:
        base.update(_costs(v))
        base["productivity_dip"] = _dip(data)
    with tabs[1]:
        base["benefits"] = _benefits(v)
    with tabs[2]:
        base["platform"] = _platform(data, catalog, defaults)
    with tabs[4]:
        base["build_vs_buy"] = _build_buy(data, catalog, defaults)
    base = {k: val for k, val in base.items() if val is not None}
    with tabs[3]:
        full = _ranges(base, catalog)
    c1, c2 = st.columns(2)
    runs = c1.selectbox(
        "Simulated futures", RUNS, key=keyed("roi_w_runs", 10000), format_func=RUN_LABELS.get
    )
    seed = c2.number_input(
        "Seed",
        min_value=0,
        step=1,
        key=keyed("roi_w_seed", 0),
        help="The same seed gives the same simulation.",
    )
    try:
        scenario = scenario_from_dict(full, "the ROI form", catalog)
    except InputError as exc:
        state.show_input_error(exc, "This scenario")
        return
    bar = st.progress(0.0, text="Simulating...") if runs else None
    result = analyse(
        scenario,
        catalog,
        simulations=int(runs),
        seed=int(seed),
        progress=(lambda done: bar.progress(done, text=f"Simulating... {done:.0%}"))
        if bar
        else None,
    )
    if bar:
        bar.empty()
    _results(scenario, result, catalog)
    if scenario.build_vs_buy is not None:
        st.subheader("Build versus buy")
        bb = compare(scenario, scenario.build_vs_buy, catalog)
        st.info(bb.text)
        st.altair_chart(charts.build_buy_chart(bb), width="stretch")
        st.dataframe(
            pd.DataFrame(
                [
                    {
                        "option": o.name,
                        "total": o.total,
                        "present value": o.present_value,
                        "first insight (month)": o.first_insight_month,
                        "formula": o.formula,
                    }
                    for o in (bb.buy, bb.build)
                ]
            ),
            hide_index=True,
            width="stretch",
        )


render()
