"""ROI page: what a team or a platform returns, how sure we can be, and build versus buy.

form       the inputs (settings, costs, benefits, platform, build versus buy), loading
ranges     a low and a high for any number
results    summary, metrics, charts and tables of the domain's RoiResult
state      the page's one state object
"""

from __future__ import annotations

import streamlit as st

from advisor.errors import InputError
from advisor.roi import (
    DEFAULT_RUNS,
    MAX_RUNS,
    SimulationSettings,
    analyse,
    parse_scenario,
    scenario_from_dict,
)
from advisor.roi.budget import licence_against_budget
from advisor.scenario import part_of_whole
from advisor.ui import session
from advisor.ui import state as app_state
from advisor.ui.roi import form, results, state
from advisor.ui.roi.ranges import ranges
from advisor.ui.text import md
from advisor.ui.widgets import seeded

RUNS = [0, 1000, DEFAULT_RUNS, 50000]
BAR_FROM = 2_000_000  # runs x months from which a progress bar shows (about 0.1 s of work)
WIDGET_MAX_SEED = 2**53 - 1  # the largest whole number a browser holds exactly


def runs_label(n: int) -> str:
    """A module-level function: AppTest keeps widget arguments in the pickled session state."""
    return "none" if n == 0 else f"{n:,}"


def _load_or_reset(catalog, ctx: dict) -> None:
    with st.expander("Load or start over"):
        upload = st.file_uploader(
            "Load a scenario (YAML)", type=["yaml", "yml"], key="roi_upload", max_upload_size=1
        )
        if app_state.new_upload("roi_upload", upload):
            said = f"Loaded {upload.name}"
            try:
                try:
                    scenario = parse_scenario(upload.getvalue(), upload.name, catalog)
                except InputError:  # a whole scenario file: its ROI part, said so
                    whole = part_of_whole(upload.getvalue(), upload.name, "roi", catalog)
                    if whole is None:
                        raise
                    scenario, said = whole
            except InputError as exc:
                app_state.show_input_error(exc, upload.name)
            else:
                if scenario is None:
                    st.warning(md(said))
                else:
                    form.load(scenario.model_dump(exclude_none=True), catalog, follow=False)
                    session.mark_template("roi", None)
                    st.toast(md(said))
        kind = st.radio(
            "Start again from",
            list(form.TEMPLATES),
            format_func=form.TEMPLATES.get,
            index=list(form.TEMPLATES).index(form.starting_kind(ctx)),
            key="roi_template",
        )
        if st.button("Start again", key="roi_reset"):
            form.load(form.template(kind, ctx), catalog, follow=True)
            session.mark_template("roi", "")
            st.rerun()


def _inputs(roi: state.RoiState, catalog, ctx: dict) -> dict:
    """Every input, read from the widgets, as plain scenario data."""
    base = form.settings(roi.data, catalog.currencies)
    if roi.data.get("start_date"):  # month 0's date, set in the file: value realised reads it
        base["start_date"] = roi.data["start_date"]
    currency = base["currency"]
    tabs = st.tabs(["Team and costs", "Benefits", "Platform", "Ranges", "Build vs buy"])
    with tabs[0]:
        base.update(form.costs(roi.version, currency))
        base["productivity_dip"] = form.dip(roi.data)
    with tabs[1]:
        base["benefits"] = form.benefits(roi, currency)
    with tabs[2]:
        base["platform"] = form.platform(roi.data, catalog, ctx, currency)
    with tabs[4]:
        base["build_vs_buy"] = form.build_buy(roi.data, catalog, ctx, currency)
    base = {k: v for k, v in base.items() if v is not None}
    with tabs[3]:
        return ranges(base, catalog)


def _simulation_settings(roi: state.RoiState) -> dict:
    """The scenario's simulation settings (kept with it: the report, Compare and the workbook
    draw the same futures)."""
    kept = SimulationSettings.model_validate(roi.data.get("simulation") or {})
    c1, c2 = st.columns(2)
    choices = sorted({*RUNS, kept.runs})
    runs = c1.selectbox(
        "Simulated futures",
        choices,
        **seeded("roi_w_runs", kept.runs, choices),
        format_func=runs_label,
        help="Kept with the scenario: the report, Compare and the workbook use the same.",
    )
    seed = c2.number_input(
        "Seed",
        min_value=0,
        max_value=max(WIDGET_MAX_SEED, kept.seed),
        step=1,
        **seeded("roi_w_seed", kept.seed),
        help=f"The same seed gives the same simulation (at most {MAX_RUNS:,} runs).",
    )
    return {"runs": int(runs), "seed": int(seed)}


def _budget_check(scenario, catalog, ctx: dict) -> None:
    """The licence against the budget given on the Advisor page."""
    if ctx["budget_per_year"] is None:
        return
    check = licence_against_budget(scenario, catalog, ctx["budget_per_year"], ctx["currency"])
    if check is None:
        return
    if check.fits:
        st.caption(md(check.text))
    else:
        st.warning(md(check.text), icon=":material/account_balance_wallet:")


def _analysed(roi: state.RoiState, scenario, body: str, catalog):
    """The scenario's analysis, reused while neither the scenario (`body`, its JSON) nor the
    catalog changed. Raises InputError as `analyse` does."""
    catalog_key = app_state.catalog_key()
    if roi.analysed is not None and roi.analysed[:2] == (body, catalog_key):
        return roi.analysed[2]
    draws = scenario.simulation.runs * scenario.horizon_months
    bar = st.progress(0.0, text="Simulating...") if draws >= BAR_FROM else None
    result = analyse(
        scenario,
        catalog,
        progress=(lambda done: bar.progress(done, text=f"Simulating... {done:.0%}"))
        if bar
        else None,
    )
    if bar:
        bar.empty()
    roi.analysed = (body, catalog_key, result)
    return result


def render() -> None:
    st.title("What does it return?")
    st.caption(
        "Team and platform cost against outcome: NPV, IRR, payback and ROI, with the "
        "uncertainty of every estimate. Money is in one currency per scenario."
    )
    catalog = app_state.active_catalog()
    ctx = form.advisor_context(catalog)  # once a run: head count, vendor, currency
    opened = session.receive_roi()  # an opened scenario's ROI part, sent by the sidebar
    if opened is not None:
        form.load(opened.data, catalog, follow=opened.follow)
        session.mark_template("roi", None)
    elif state.get() is None:
        form.load(form.template(form.starting_kind(ctx), ctx), catalog, follow=True)
        session.mark_template("roi", "")  # its text is known once computed
    _load_or_reset(catalog, ctx)
    roi = state.get()
    pending = session.receive_levers()
    if pending:  # sent from the Evidence page: a lever sent again replaces its namesake
        names = {lever["name"] for lever in pending}
        roi.modelled[:] = [b for b in roi.modelled if b.get("name") not in names]
        roi.modelled.extend(pending)
        session.mark_template("roi", None)  # a lever sent is the user's change
        names = ", ".join(lever["name"] for lever in pending)
        st.toast(md(f"Added to the benefits: {names}"))
    data = _inputs(roi, catalog, ctx)
    data["simulation"] = _simulation_settings(roi)
    # Widgets forget their values when the user visits another page; the state does not.
    roi.data = {k: data.get(k) for k in form.KEPT}
    try:
        scenario = scenario_from_dict(data, "the ROI form", catalog)
        body = scenario.model_dump_json(exclude_none=True)
        result = _analysed(roi, scenario, body, catalog)
    except InputError as exc:
        app_state.show_input_error(exc, "This scenario")
        return
    if session.template_pending("roi"):
        session.mark_template("roi", body)
    if session.is_untouched_template("roi", body):
        st.session_state.pop("roi_last", None)
        st.caption(
            "A template: it becomes part of your scenario (saved, reported, compared) once "
            "you change something."
        )
    else:
        session.mark_template("roi", None)  # changed once, it stays the user's
        st.session_state["roi_last"] = scenario.model_dump(exclude_none=True)
    results.metrics(scenario, result)
    _budget_check(scenario, catalog, ctx)
    results.charts_row(result)
    results.workings(scenario, result)
    results.build_buy(result.build_vs_buy)
