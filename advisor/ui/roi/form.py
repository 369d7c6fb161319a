"""The ROI page's inputs: settings, team and costs, benefits, platform, build versus buy."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from advisor.answers import answers_from_dict
from advisor.errors import InputError
from advisor.roi import LEVERS, CapacityFreed, DowntimeAvoided, ReworkAvoided, parameters
from advisor.roi import scenario_from_dict as validate_scenario
from advisor.scoring import recommend
from advisor.ui import state as app_state
from advisor.ui.roi import state
from advisor.ui.text import md
from advisor.ui.widgets import records, seeded, set_table, table

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
        "deploys_per_year_before": 50,
        "deploys_per_year_after": 500,
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
KIND_LABELS = {
    "annual_value": "Annual value (linked to a measured figure)",
    "drivers": "Driver chain (the product of factors)",
    **LEVER_NAMES,
}
SETTINGS = ("name", "currency", "horizon_months", "discount_rate")
KEPT = (
    *SETTINGS,
    "start_date",
    "platform",
    "productivity_dip",
    "build_vs_buy",
    "simulation",
    "notes",
)


def is_simple(b: dict) -> bool:
    """A benefit the annual-value table holds: a plain annual value, linked to no measured
    figure. The rest (driver chains, DORA levers, a range, a measure) are kept whole."""
    value = b.get("annual_value")
    return value is not None and not isinstance(value, dict) and not b.get("measure")


# ---------------------------------------------------------------- from the Advisor


def advisor_context(catalog) -> dict:
    """Head count, currency, top category and a priced vendor of it, from the Advisor."""
    try:
        answers = answers_from_dict(app_state.answers(), catalog=catalog)
    except InputError:
        return {
            "engineers": 100,
            "vendor": None,
            "vendor_name": None,
            "currency": "USD",
            "category": None,
            "budget_per_year": None,
        }
    rec = recommend(answers, catalog)
    top = rec.ranking[0]
    in_top = [v for v in rec.vendors if top.category in v.categories]
    priced = [v for v in in_top if v.annual_cost is not None]
    vendor = (priced or in_top or [None])[0]
    return {
        "engineers": answers.engineers,
        "vendor": vendor.id if vendor else None,
        "vendor_name": vendor.name if vendor else None,
        "currency": answers.currency,
        "category": top.name,
        "budget_per_year": answers.budget_per_year,
    }


TEMPLATES = {
    "platform": "A platform purchase: licence, rollout, admin time, the time it frees",
    "team": "A team's case: people, their costs and what they deliver",
}


def template(kind: str, ctx: dict) -> dict:
    """A starting scenario with the Advisor's head count, vendor and currency.

    `platform`: examples/roi-platform.yaml, priced for the Advisor's vendor and its engineers,
    named for what is bought (a platform case once began from the team example and titled the
    board report "Onboarding squad"). `team`: examples/roi.yaml, a team's case, its licence
    priced for the Advisor's vendor.
    """
    from advisor.roi import load_scenario
    from advisor.ui.examples import example_path

    file = "roi-platform.yaml" if kind == "platform" else "roi.yaml"
    data = load_scenario(example_path(file)).model_dump(exclude_none=True)
    data["currency"] = ctx["currency"]
    if kind != "platform":
        data["platform"] = (
            {"vendor": ctx["vendor"], "seats": ctx["engineers"]} if ctx["vendor"] else None
        )
        return {k: v for k, v in data.items() if v is not None}
    engineers = ctx["engineers"]
    if ctx["vendor"]:
        data["platform"] = {**data["platform"], "vendor": ctx["vendor"], "seats": engineers}
        data["name"] = f"Buying {ctx['vendor_name']}"
    data["productivity_dip"]["people"] = engineers
    for benefit in data["benefits"]:
        if "capacity_freed" in benefit:
            benefit["capacity_freed"]["staff"] = engineers
    return data


def starting_kind(ctx: dict) -> str:
    """A platform purchase when the Advisor has a vendor to price, else a team's case."""
    return "platform" if ctx["vendor"] else "team"


# ---------------------------------------------------------------- loading


def load(data: dict, catalog, follow: bool) -> None:
    """Put a whole scenario into the page's state; every editor starts again from it."""
    benefits = data.get("benefits") or []
    simple = [b for b in benefits if is_simple(b)]
    modelled = [b for b in benefits if not is_simple(b)]
    scenario = validate_scenario({**data, "benefits": simple + modelled}, catalog=None)
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
                if is_simple(b)
            ],
            columns=["name", "annual_value", "start_month", "ramp_months"],
        ),
    )
    old = state.get()
    state.put(
        state.RoiState(
            data={k: dump[k] for k in KEPT},
            modelled=[
                {k: v for k, v in b.items() if v is not None}
                for b in dump["benefits"]
                if not is_simple(b)
            ],
            ranges=ranges,
            version=(old.version + 1) if old else 0,
            follow=dict.fromkeys(state.FOLLOWERS, follow),
        )
    )
    for key in [k for k in st.session_state if str(k).startswith("roi_w_")]:
        del st.session_state[key]


# ---------------------------------------------------------------- inputs


def settings(data: dict, currencies: list[str]) -> dict:
    c1, c2, c3, c4 = st.columns([3, 1, 1, 1])
    name = c1.text_input("Scenario name", max_chars=200, **seeded("roi_w_name", data["name"]))
    currency = c2.selectbox(
        "Currency", currencies, **seeded("roi_w_currency", data["currency"], currencies)
    )
    horizon = c3.number_input(
        "Horizon (months)",
        min_value=1,
        max_value=240,
        **seeded("roi_w_horizon", int(data["horizon_months"])),
    )
    rate = c4.number_input(
        "Discount rate (% a year)",
        min_value=-99.0,
        max_value=1000.0,
        step=0.5,
        **seeded("roi_w_rate", float(data["discount_rate"]) * 100),
        help="Annual; converted to a monthly rate (1 + r)^(1/12) - 1.",
    )
    return {
        "name": name,
        "currency": currency,
        "horizon_months": int(horizon),
        "discount_rate": rate / 100,
    }


def costs(v: int, currency: str) -> dict:
    money = f"%,.0f {currency}"
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
            "role": st.column_config.TextColumn(required=True, max_chars=200),
            "count": st.column_config.NumberColumn(min_value=0, step=0.5),
            "annual_cost": st.column_config.NumberColumn(
                "annual cost (loaded)", min_value=0, format=money
            ),
            "start_month": st.column_config.NumberColumn(min_value=0, max_value=240, step=1),
            "end_month": st.column_config.NumberColumn(min_value=1, max_value=240, step=1),
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
            "name": st.column_config.TextColumn(max_chars=200),
            "amount": st.column_config.NumberColumn(min_value=0, format=money),
            "month": st.column_config.NumberColumn(min_value=0, max_value=240, step=1),
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


def dip(data: dict) -> dict | None:
    current = data.get("productivity_dip") or {}
    on = st.checkbox(
        "Include a productivity dip while the change beds in",
        **seeded("roi_w_dip_on", bool(current)),
    )
    if not on:
        return None
    c1, c2, c3, c4 = st.columns(4)
    return {
        "people": _amount(c1, "People affected", "roi_w_dip_people", current, "people", 10),
        "annual_cost": _amount(
            c2,
            "Loaded annual cost",
            "roi_w_dip_cost",
            current,
            "annual_cost",
            150000,
            step=5000.0,
            format="%.0f",
        ),
        "share_lost": _amount(
            c3,
            "Share of output lost",
            "roi_w_dip_share",
            current,
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
                **seeded("roi_w_dip_months", int(current.get("months", 3))),
            )
        ),
    }


def _amount(where, label: str, key: str, source: dict, name: str, default: float, **kw):
    """A non-negative number input that starts from the scenario's likely value of `name`."""
    kw.setdefault("max_value", 1e15)
    return where.number_input(
        label, min_value=0.0, **seeded(key, float(_likely(source, name, default))), **kw
    )


def _likely(d: dict, key: str, default):
    v = d.get(key, default)
    return v["likely"] if isinstance(v, dict) else (default if v is None else v)


def benefits(roi: state.RoiState, currency: str) -> list[dict]:
    st.markdown("**Benefits as an annual value** (ramp: months to reach full value)")
    simple = table(
        "roi_benefits",
        pd.DataFrame(columns=["name", "annual_value", "start_month", "ramp_months"]),
        roi.version,
        num_rows="dynamic",
        width="stretch",
        column_config={
            "name": st.column_config.TextColumn(max_chars=200),
            "annual_value": st.column_config.NumberColumn(min_value=0, format=f"%,.0f {currency}"),
            "start_month": st.column_config.NumberColumn(min_value=0, max_value=240, step=1),
            "ramp_months": st.column_config.NumberColumn(min_value=0, max_value=240, step=1),
        },
    )
    rows = records(simple)
    for row in rows:
        row["start_month"] = int(row["start_month"] or 0)
        row["ramp_months"] = int(row["ramp_months"] or 0)
    if roi.modelled:
        st.markdown(
            "**Benefits from a driver chain, a DORA value lever, a range or a measured figure**"
        )
        for i, b in enumerate(roi.modelled):
            c1, c2 = st.columns([4, 1])
            c1.markdown(
                f"- **{md(b['name'])}** ({md(_kind_of(b))}): {md(_numbers_of(b, currency))}; "
                f"from month {b.get('start_month', 0)}, ramp {b.get('ramp_months', 0)}"
                + (f"; {md(_measure_text(b['measure']))}" if b.get("measure") else "")
            )
            if c2.button("Remove", key=f"roi_remove_{i}_{roi.version}"):
                roi.modelled.pop(i)
                st.rerun()
    _add_modelled(roi.modelled)
    return rows + roi.modelled


def _kind_of(b: dict) -> str:
    if "drivers" in b:
        return "driver chain"
    if b.get("annual_value") is not None:
        return "annual value"
    return LEVER_NAMES[next(k for k in LEVERS if k in b)]


def _numbers_of(b: dict, currency: str) -> str:
    if b.get("annual_value") is not None:
        return f"{_show(b['annual_value'], currency)} a year"
    source = "drivers" if "drivers" in b else next(k for k in LEVERS if k in b)
    return ", ".join(
        f"{k.replace('_', ' ')} {_show(x, _unit_of(k, currency))}"
        for k, x in b[source].items()
        if x is not None  # a stored lever keeps its unused fields as null
    )


def _measure_text(m: dict) -> str:
    """How the benefit's coming true is measured, in words (value realised)."""
    from advisor.evidence.registry import label

    text = f"measured by {label(m['metric']).lower()}"
    if m.get("team"):
        text += f" of {m['team']}"
    if m.get("expected_change") is not None:
        text += f", expected to change {m['expected_change']:+.0%}"
    return text


def _unit_of(field: str, currency: str) -> str:
    """How a lever's field reads: shares in percent, money in the scenario's currency."""
    if field in SHARE_FIELDS:
        return "%"
    if field in MONEY_FIELDS:
        return currency
    return ""


SHARE_FIELDS = {  # fractions in the scenario file (roi/schema.py: Share)
    "time_saved",
    "change_fail_rate_before",
    "change_fail_rate_after",
    "rework_share_before",
    "rework_share_after",
}
MONEY_FIELDS = {"annual_cost", "cost_per_hour"}


def _show(x, unit: str = "") -> str:
    """`10.2%`, `10,000 USD`, `290`; a range as low / likely / high."""
    if isinstance(x, dict):
        return " / ".join(_show(x[k], unit) for k in ("low", "likely", "high"))
    if unit == "%":
        return f"{x:.1%}"
    number = f"{x:,.0f}" if abs(x) >= 100 else f"{x:,.4g}"
    return f"{number} {unit}" if unit else number


def _add_modelled(modelled: list[dict]) -> None:
    with st.expander("Add a DORA value lever, a driver chain or a measured benefit"):
        kind = st.selectbox(
            "Kind",
            ["drivers", *LEVERS, "annual_value"],
            key="roi_add_kind",
            format_func=KIND_LABELS.get,
        )
        name = st.text_input(
            "Name",
            value=LEVER_NAMES.get(kind, "Revenue kept"),
            max_chars=200,
            key=f"roi_add_name_{kind}",
        )
        c1, c2 = st.columns(2)
        start = c1.number_input(
            "Start month", min_value=0, max_value=240, value=0, key="roi_add_start"
        )
        ramp = c2.number_input(
            "Ramp months", min_value=0, max_value=240, value=3, key="roi_add_ramp"
        )
        if kind == "annual_value":
            inputs = st.number_input(
                "Annual value", min_value=0.0, max_value=1e15, value=100000.0, key="roi_add_value"
            )
        elif kind == "drivers":
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
                placeholder="",
            )
            inputs = {r["factor"]: r["value"] for r in records(factors) if r.get("factor")}
        else:
            st.caption(md(" ".join(LEVER_MODELS[kind].__doc__.split())))
            cols = st.columns(3)
            inputs = {
                f: cols[i % 3].number_input(
                    f.replace("_", " "),
                    min_value=0.0,
                    max_value=1e15,
                    value=float(default),
                    key=f"roi_add_{kind}_{f}",
                )
                for i, (f, default) in enumerate(LEVER_DEFAULTS[kind].items())
            }
        measure = _measure_inputs(kind)
        if st.button("Add this benefit", key="roi_add_button", disabled=measure is False):
            benefit = {
                "name": name,
                kind: inputs,
                "start_month": int(start),
                "ramp_months": int(ramp),
            }
            if measure:
                benefit["measure"] = measure
            modelled.append(benefit)
            st.rerun()


def _measure_inputs(kind: str) -> dict | bool | None:
    """The measured figure that will show whether the benefit came true (value realised):
    a figure, and the relative change the plan counts on. None: not linked; False: a link
    the kind needs is missing."""
    from advisor.evidence.registry import BETTER, TEAM_FIGURES, label

    needs = kind in ("annual_value", "drivers")
    if kind in ("downtime_avoided", "rework_avoided"):
        st.caption("Measured from deployments on the Value realised page, as planned here.")
        return None
    c1, c2, c3 = st.columns(3)
    metric = c1.selectbox(
        "Measured by" + ("" if needs else " (optional; default cycle time)"),
        list(BETTER),
        index=None,
        format_func=label,
        key=f"roi_add_measure_{kind}",
        placeholder="a figure of the team's exports",
    )
    change = c2.number_input(
        "Expected change (%)",
        min_value=-100.0,
        max_value=10_000.0,
        value=None,
        key=f"roi_add_change_{kind}",
        help="The relative change of the figure the plan counts on: -30 for a 30% fall.",
    )
    team = c3.text_input(
        "Team (optional)",
        max_chars=200,
        key=f"roi_add_team_{kind}",
        disabled=metric not in TEAM_FIGURES,
        help="Items figures can be one team's; deployments name no team.",
    )
    if metric is None:
        if needs and kind == "annual_value":
            st.caption("Choose the figure that will show whether this value came true.")
            return False
        return None
    if needs and not change:
        st.caption("Give the change the plan counts on (not 0).")
        return False
    link: dict = {"metric": metric}
    if change:
        link["expected_change"] = change / 100
    if team.strip() and metric in TEAM_FIGURES:
        link["team"] = team.strip()
    return link


def _followed(key: str, advisor_value, saved, options: list | None = None) -> dict:
    """Widget arguments for a field that follows the Advisor until the user edits it."""
    roi = state.get()
    following = roi.follow.get(key) and advisor_value is not None
    if following:
        st.session_state[key] = advisor_value
    seed = advisor_value if following or saved is None else saved
    return {**seeded(key, seed, options), "on_change": state.stop_following, "args": (key,)}


def _known(vendor: str | None, ids: list[str]) -> str | None:
    return vendor if vendor in ids else None


def _whole(value) -> int | None:
    value = value["likely"] if isinstance(value, dict) else value
    return None if value is None else int(value)


def _follow_note(where, key: str, what: str, advisor_value) -> None:
    roi = state.get()
    if roi.follow.get(key):
        where.caption(f"Follows the Advisor ({md(what)}: {md(advisor_value)}) until you edit it.")
    else:
        where.caption(f"Edited by you; the Advisor says {md(advisor_value)}.")
        where.button(
            "Follow the Advisor again",
            key=f"{key}_refollow",
            on_click=state.follow_again,
            args=(key,),
        )


def _vendor_and_seats(at_vendor, at_seats, prefix: str, current: dict, catalog, ctx: dict):
    """Vendor and seats, each following the Advisor (top category, head count) until edited."""
    ids = [v.id for v in catalog.vendors]
    names = {v.id: v.name for v in catalog.vendors}
    suggested = ctx["vendor"] if ctx["vendor"] in ids else None
    vendor = at_vendor.selectbox(
        "Vendor",
        ids,
        format_func=names.get,
        **_followed(
            f"{prefix}_vendor", suggested or ids[0], _known(current.get("vendor"), ids), ids
        ),
    )
    top = f"top category {ctx['category']}"
    _follow_note(at_vendor, f"{prefix}_vendor", top, names.get(suggested))
    seats = at_seats.number_input(
        "Seats",
        min_value=0,
        max_value=10_000_000,
        step=10,
        **_followed(f"{prefix}_seats", int(ctx["engineers"]), _whole(current.get("seats"))),
    )
    _follow_note(at_seats, f"{prefix}_seats", "engineers", ctx["engineers"])
    return vendor, seats


def platform(data: dict, catalog, ctx: dict, currency: str) -> dict | None:
    current = data.get("platform") or {}
    on = st.checkbox("Include a metrics platform licence", **seeded("roi_w_pf_on", bool(current)))
    if not on:
        return None
    c1, c2, c3, c4, c5 = st.columns([2, 1, 1, 1, 1])
    chosen, seats = _vendor_and_seats(c1, c2, "roi_w_pf", current, catalog, ctx)
    vendor = catalog.vendor(chosen)
    tiers = [t.name for t in vendor.pricing.tiers] if vendor else []
    tier = None
    if tiers:
        tier = c3.selectbox(
            "Plan",
            tiers,
            **seeded("roi_w_pf_tier", current.get("tier") or tiers[0], tiers),
            help="The catalog's published plans; the simulation can range between them.",
        )
    quote = _amount(
        c4,
        f"Quote per seat-month ({currency})",
        "roi_w_pf_quote",
        current,
        "price_per_seat_month",
        0.0,
        step=1.0,
        help="0 uses the catalog's price for the plan; vendors without one need a quote.",
    )
    setup = _amount(
        c5, f"Setup cost ({currency})", "roi_w_pf_setup", current, "setup_cost", 0.0, step=1000.0
    )
    out = {"vendor": chosen, "seats": seats, "setup_cost": setup}
    if tier and tier in tiers:
        out["tier"] = tier
    if quote > 0:
        out["price_per_seat_month"] = quote
    return out


def build_buy(data: dict, catalog, ctx: dict, currency: str) -> dict | None:
    current = data.get("build_vs_buy") or {}
    on = st.checkbox("Compare building our own with buying", **seeded("roi_w_bb_on", bool(current)))
    if not on:
        return None
    buy, build = current.get("buy", {}), current.get("build", {})
    b1, b2 = st.columns(2)
    with b1:
        st.markdown("**Buy**")
        vendor, seats = _vendor_and_seats(st, st, "roi_w_bb", buy, catalog, ctx)
        quote = _amount(
            st,
            f"Quote per seat-month ({currency}; 0: catalog price)",
            "roi_w_bb_quote",
            buy,
            "price_per_seat_month",
            0.0,
        )
        setup = _amount(
            st, f"Setup cost ({currency})", "roi_w_bb_setup", buy, "setup_cost", 20000, step=1000.0
        )
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
            **seeded("roi_w_bd_months", int(build.get("build_months", 12))),
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
            f"Infrastructure per month ({currency})",
            "roi_w_bd_infra",
            build,
            "infrastructure_per_month",
            1000,
            step=100.0,
        )
    cost = _amount(
        st,
        f"Loaded annual cost of one engineer ({currency})",
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
