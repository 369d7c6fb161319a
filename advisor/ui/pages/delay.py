"""Cost of delay page: what waiting costs, the order that costs least, and outcome cards."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import streamlit as st

from advisor import charts
from advisor.delay import (
    EXACT_LIMIT,
    MAX_WEEKS,
    URGENCIES,
    URGENCY_LABELS,
    Backlog,
    analyse,
    cumulative_costs,
    delays_of,
)
from advisor.delay_io import (
    COLUMNS,
    backlog_frame,
    backlog_from_rows,
    backlog_to_yaml,
    load_backlog,
    parse_backlog_csv,
    parse_backlog_yaml,
)
from advisor.errors import InputError
from advisor.evidence.limits import UPLOAD_MB
from advisor.probable_delay import (
    ProbableDelay,
    Throughput,
    candidate_orders,
    order_label,
    probable_delay,
    throughput_from_files,
    throughput_of,
)
from advisor.report import safe_csv
from advisor.scenario import part_of_whole
from advisor.ui import measured, session, state
from advisor.ui.examples import example_path
from advisor.ui.text import md
from advisor.ui.widgets import seeded, set_table, table
from advisor.wording import MISSING

FIB = [1, 2, 3, 5, 8, 13, 20]
ORDER_NAMES = {"given": "Your order", "cd3": "CD3", "wsjf": "WSJF", "best": "Best found"}
ORDER_WORDS = {
    "given": "your order",
    "cd3": "the CD3 order",
    "wsjf": "the WSJF order",
    "best": "the best order found",
}


@st.cache_data(max_entries=20, show_spinner="Searching for the cheapest order...")
def _analysis(backlog_json: str, given: tuple[int, ...]):
    """The analysis, cached: a large mixed backlog's search takes up to a few seconds."""
    return analyse(Backlog.model_validate_json(backlog_json), list(given))


def _load(backlog: Backlog) -> None:
    frame = backlog_frame(backlog)
    frame.insert(0, "position", range(1, len(frame) + 1))
    set_table("delay_items", frame)
    st.session_state["delay_good"] = backlog
    st.session_state["delay_given"] = list(range(len(backlog.items)))
    st.session_state["delay_v"] = st.session_state.get("delay_v", 0) + 1
    st.session_state.pop("delay_w_currency", None)


def _import() -> None:
    upload = st.file_uploader(
        "Import a backlog (YAML or CSV)",
        type=["yaml", "yml", "csv"],
        key="delay_upload",
        max_upload_size=1,
    )
    if not state.new_upload("delay_upload", upload):
        return
    try:
        if upload.name.lower().endswith(".csv"):
            backlog = parse_backlog_csv(
                upload.getvalue(), upload.name, st.session_state.get("delay_w_currency", "USD")
            )
        else:
            backlog = _backlog_yaml(upload.getvalue(), upload.name)
    except InputError as exc:
        state.show_input_error(exc, upload.name)
        return
    if backlog is None:
        return
    _load(backlog)
    st.toast(f"Imported {len(backlog.items)} items from {md(upload.name)}")


def _backlog_yaml(data: bytes, name: str):
    """A backlog file, or the backlog of a whole scenario file (said so); None when that
    scenario has none (said so). Raises InputError as the readers do."""
    try:
        return parse_backlog_yaml(data, name)
    except InputError:
        whole = part_of_whole(data, name, "backlog", state.active_catalog())
        if whole is None:
            raise
    backlog, said = whole
    if backlog is None:
        st.warning(md(said))
    else:
        st.toast(md(said))
    return backlog


def _editor(version: int) -> pd.DataFrame:
    text = st.column_config.TextColumn
    fib = st.column_config.SelectboxColumn
    return table(
        "delay_items",
        pd.DataFrame(columns=["position", *COLUMNS]),
        version,
        num_rows="dynamic",
        width="stretch",
        hide_index=True,
        column_config={
            "position": st.column_config.NumberColumn(
                "your order",
                min_value=1,
                step=1,
                help="Your order: change the numbers to move items; ties keep the table's order",
            ),
            "id": text(required=True, max_chars=80),
            "name": text(required=True, max_chars=300),
            "cost_of_delay_per_week": st.column_config.NumberColumn(
                "cost of delay / week", min_value=0, format="%,.0f"
            ),
            "duration_weeks": st.column_config.NumberColumn("weeks", min_value=0),
            "urgency": st.column_config.SelectboxColumn(
                options=list(URGENCIES), format_func=URGENCY_LABELS.get
            ),
            "deadline_week": st.column_config.NumberColumn("deadline (week)"),
            "life_weeks": st.column_config.NumberColumn("life (weeks)"),
            "rise_weeks": st.column_config.NumberColumn("rise (weeks)"),
            "size_items": st.column_config.NumberColumn(
                "size (work items)",
                min_value=0,
                help="Work items it holds, the unit of the team's throughput: for durations "
                "from the throughput forecast",
            ),
            **{
                f"wsjf_{f}": fib(f"WSJF {f.replace('_', ' ')}", options=FIB)
                for f in ("business_value", "time_criticality", "risk_reduction", "job_size")
            },
        },
    )


def _given_order(frame: pd.DataFrame, backlog: Backlog) -> list[int]:
    """The user's order: by the position column, ties and blanks in table order."""
    ids = [it.id for it in backlog.items]
    rows = frame[frame["id"].astype("string").str.strip().isin(ids)]
    position = pd.to_numeric(rows["position"], errors="coerce").to_numpy(dtype=float)
    position = np.where(np.isfinite(position), position, np.inf)
    order = np.argsort(position, kind="stable")
    index = {x: i for i, x in enumerate(ids)}
    seen = [index[str(x).strip()] for x in rows["id"].iloc[order]]
    return seen if sorted(seen) == list(range(len(ids))) else list(range(len(ids)))


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
            st.markdown("\n".join(f"{i}. {md(names[x])}" for i, x in enumerate(order, 1)))
    m1, m2 = st.columns(2)
    m1.metric("CD3 instead of your order saves", f"{result.saving:,.0f} {c}")
    m2.metric("The best order found saves", f"{result.best_saving:,.0f} {c}")
    st.caption(
        f"Best order found by {md(result.method)}. CD3 = cost of delay per week / duration "
        f"in weeks. WSJF = (business value + time criticality + risk reduction) / job "
        "size, in points: it ranks, it is never added to money. Items without WSJF "
        f"scores come last in the WSJF order: {md(', '.join(result.wsjf_missing) or 'none')}."
    )
    index = {it.id: i for i, it in enumerate(backlog.items)}
    series = {
        ORDER_NAMES[k]: cumulative_costs(backlog.items, [index[x] for x in order])
        for k, order in orders.items()
    }
    st.altair_chart(charts.delay_chart(series, c), width="stretch")
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "id": it.id,
                    "name": it.name,
                    "urgency": URGENCY_LABELS[it.urgency],
                    "cost of delay / week": it.cost_of_delay_per_week,
                    "weeks": it.duration_weeks,
                    "CD3": it.cd3,
                    "WSJF (points)": it.wsjf,
                }
                for it in result.items
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "CD3": st.column_config.NumberColumn(
                f"CD3 ({c} a week, per week of work)", format="%,.0f"
            ),
            "WSJF (points)": st.column_config.NumberColumn(format="%.2f"),
            "cost of delay / week": st.column_config.NumberColumn(format=f"%,.0f {c}"),
        },
        placeholder=MISSING,
    )
    _schedules(result)


def _schedules(result) -> None:
    c = result.currency
    with st.expander("When each item starts and finishes, in every order"):
        tabs = st.tabs([ORDER_NAMES[k] for k in ORDER_NAMES])
        for tab, key in zip(tabs, ORDER_NAMES, strict=True):
            plan = result.schedules[key]
            tab.dataframe(
                pd.DataFrame(
                    {
                        "item": plan.names,
                        "start (week)": plan.start,
                        "finish (week)": plan.finish,
                        "delay cost": plan.cost,
                        "note": plan.notes,
                    }
                ),
                hide_index=True,
                width="stretch",
                column_config={"delay cost": st.column_config.NumberColumn(format=f"%,.0f {c}")},
                placeholder=MISSING,
            )


def _what_delay_costs(result, backlog: Backlog) -> None:
    st.subheader("What a delay costs")
    c1, c2, c3 = st.columns([2, 1, 1])
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
    which = c3.selectbox(
        "Counted from its finish in",
        list(ORDER_NAMES),
        index=3,
        format_func=ORDER_NAMES.get,
        key="delay_from_order",
    )
    order = getattr(result, f"{which}_order")
    delays = delays_of(backlog, order, weeks, ORDER_WORDS[which])
    index = [it.id for it in backlog.items].index(chosen)
    st.info(md(delays["sentences"][index]))
    st.caption(
        f"Starting every item of {ORDER_WORDS[which]} {weeks:g} weeks later costs about "
        f"{delays['whole_order']:,.0f} {backlog.currency}. Each item's cost follows its "
        "urgency profile: standard grows with every week; short life stops once its window "
        "has passed; fixed date costs nothing until the deadline, then all at once; "
        "intangible starts low and rises."
    )


@st.cache_data(max_entries=20, show_spinner="Drawing the team's throughput...")
def _probable_for(backlog_json: str, orders_json: str, weekly: tuple[float, ...]):
    """The probable cost of delay, cached: seeded, so the same inputs give the same figures."""
    return probable_delay(
        Backlog.model_validate_json(backlog_json), weekly, json.loads(orders_json)
    )


@st.cache_data(max_entries=8, show_spinner="Measuring the team's throughput...")
def _throughput_of(files: tuple[tuple[str, bytes], ...]) -> Throughput:
    return throughput_from_files(list(files))


def _throughput_upload() -> None:
    """An items file (and a status map) for this page alone; a refused one changes nothing."""
    files = st.file_uploader(
        "Work items (a transitions CSV, or Jira JSON files) and, optionally, a status map "
        "(YAML), as the Evidence page reads them",
        type=["csv", "json", "yaml", "yml"],
        accept_multiple_files=True,
        key="delay_tp_upload",
        max_upload_size=UPLOAD_MB,
    )
    if not files or not state.new_upload("delay_tp_upload", files):
        return
    try:
        measured = _throughput_of(tuple((f.name, f.getvalue()) for f in files))
    except InputError as exc:
        state.show_input_error(exc, ", ".join(f.name for f in files))
        return
    st.session_state["delay_throughput"] = measured


def _throughput_sources() -> dict[str, Throughput]:
    sources = {}
    if session.throughput() is not None:
        sources["evidence"] = session.throughput()
    else:  # the exports in use, before the Evidence page has been drawn (an example's)
        ev = measured.in_use()
        if ev is not None:
            sources["evidence"] = throughput_of(ev)
    if st.session_state.get("delay_throughput") is not None:
        sources["upload"] = st.session_state["delay_throughput"]
    return sources


def _source_words(key: str, t: Throughput) -> str:
    where = "the Evidence page's files" if key == "evidence" else "the file uploaded here"
    return f"{where} ({t.source})" if t.source else where


def _probable(result, backlog: Backlog) -> None:
    st.subheader("Probable cost of delay")
    with st.expander("Throughput from a work-items file", expanded=False):
        _throughput_upload()
    sources = _throughput_sources()
    if not sources:
        st.caption(
            "Measure the team's throughput on the Evidence page, or upload its work items "
            "above, to take durations from its throughput forecast instead of the weeks in "
            "the table."
        )
        return
    if not st.toggle("Durations from the team's throughput forecast", key="delay_probable"):
        return
    which = next(iter(sources))
    if len(sources) > 1:
        labels = {k: md(_source_words(k, t)) for k, t in sources.items()}
        which = st.radio(
            "Throughput from",
            list(sources),
            format_func=labels.get,  # a dict's method: session state must pickle it
            horizontal=True,
            key="delay_tp_source",
        )
    t = sources[which]
    orders = json.dumps(candidate_orders(result))
    try:
        p = _probable_for(backlog.model_dump_json(), orders, tuple(t.weekly))
    except ValueError as exc:  # the domain refuses what it cannot draw from; say why
        st.error(md(f"No probable cost of delay: {exc}"))
        return
    _probable_figures(p, backlog, _source_words(which, t), t)


def _probable_figures(p: ProbableDelay, backlog: Backlog, source: str, t: Throughput) -> None:
    c = p.currency
    for warning in p.warnings:
        st.warning(md(warning))
    if p.note:
        st.info(md(p.note))
        return
    names = {it.id: it.name for it in backlog.items}
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "order": order_label(k),
                    "expected cost": o.mean,
                    "P50 cost": o.p50,
                    "P85 cost": o.p85,
                    "items in order": " > ".join(names[x] for x in o.order),
                }
                for k, o in p.orders.items()
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            k: st.column_config.NumberColumn(f"{k} ({c})", format=f"%,.0f {c}")
            for k in ("expected cost", "P50 cost", "P85 cost")
        },
    )
    best = p.orders[p.best]
    st.success(
        md(
            f"Best order on the expected cost ({best.mean:,.0f} {c}; P50 {best.p50:,.0f} {c}, "
            f"P85 {best.p85:,.0f} {c}): {' > '.join(names[x] for x in p.best_order)}"
        )
    )
    st.caption(md(p.method))
    st.dataframe(
        pd.DataFrame(
            [
                {
                    "item": names[x],
                    "size (work items)": p.sizes[x],
                    "size from": "weeks x mean throughput"
                    if x in p.sized_from_duration
                    else "size_items",
                    "finish P50 (weeks)": f.finish_p50,
                    "finish P85 (weeks)": f.finish_p85,
                }
                for x, f in p.items.items()
            ]
        ),
        hide_index=True,
        width="stretch",
        column_config={
            "size (work items)": st.column_config.NumberColumn(format="%,.1f items"),
            "finish P50 (weeks)": st.column_config.NumberColumn(format="%.1f weeks"),
            "finish P85 (weeks)": st.column_config.NumberColumn(format="%.1f weeks"),
        },
    )
    span = f" (the weeks of {t.sample_from} to {t.last_week})" if t.last_week else ""
    st.caption(
        md(
            f"Throughput from {source}: {p.trials:,} trials, each future week drawn from the "
            f"last {p.sample_weeks} whole weeks{span}, zero weeks included; mean "
            f"{p.mean_throughput:,.2f} items a week. An item takes its size_items (else its "
            "weeks x the mean throughput) of that throughput; its cost follows its urgency "
            "profile at the week it finishes. Expected: the mean over the trials; P50: half "
            "the trials cost less; P85: 85 in 100 cost no more."
        )
    )


def _outcomes(backlog: Backlog, result) -> None:
    st.subheader("Outcome cards")
    st.caption(
        "Every item should say what problem it solves, how success will be measured, "
        "and who is accountable; later, what actually happened."
    )
    for warning in result.outcome_warnings:
        st.warning(md(warning), icon=":material/assignment_late:")
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
    st.dataframe(pd.DataFrame(rows), hide_index=True, width="stretch", placeholder=MISSING)
    st.caption(
        "Fill the outcome_actual column in the table above once the result is known, or name "
        "a figure to measure it by (outcome_measure_metric and _target): the Value realised "
        "page then reads the actual from the team's exports."
    )


def render() -> None:
    st.title("What does waiting cost?")
    st.caption(
        "Cost of delay puts a price on time. Work the items one after another; "
        "compare your order with CD3 and WSJF and see what the cheapest order saves."
    )
    sent = session.receive_backlog()  # an opened scenario's, or a forecast duration
    if sent is not None:
        given = st.session_state.get("delay_given")
        _load(sent.backlog)
        if sent.keep_order and given is not None:
            st.session_state["delay_given"] = given
    elif session.backlog() is None:  # the example, in the Advisor's currency, as a template
        example = load_backlog(example_path("backlog.yaml"))
        currency = state.answers().get("currency") or example.currency
        example = example.model_copy(update={"currency": currency})
        _load(example)
        session.mark_template("backlog", example.model_dump_json(exclude_none=True))
    if sent is not None:
        session.mark_template("backlog", None)
    with st.expander("Import or export"):
        _import()
        export_slot = st.container()
    version = st.session_state["delay_v"]
    currencies = state.active_catalog().currencies
    currency = st.selectbox(
        "Currency",
        currencies,
        **seeded("delay_w_currency", st.session_state["delay_good"].currency, currencies),
    )
    kinds = ", ".join(URGENCY_LABELS[u] for u in URGENCIES)
    st.markdown(f"**Backlog** (urgency: {kinds}; weeks at most {MAX_WEEKS:,.0f})")
    frame = _editor(version)
    try:
        rows = frame.drop(columns=["position"], errors="ignore")
        backlog = backlog_from_rows(
            rows.to_dict("records"), list(rows.columns), "the backlog table", currency
        )
        given = _given_order(frame, backlog)
        if not session.is_untouched_template("backlog", backlog.model_dump_json(exclude_none=True)):
            session.mark_template("backlog", None)  # changed once, it stays the user's
        st.session_state["delay_good"] = backlog
        st.session_state["delay_given"] = given
    except InputError as exc:
        state.show_input_error(exc, "The edited backlog")
        backlog = st.session_state["delay_good"]
        given = st.session_state["delay_given"]
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
            "use a local search that reports a lower bound and is never worse than CD3."
        )
    result = _analysis(backlog.model_dump_json(), tuple(given))
    _orders(result, backlog)
    _probable(result, backlog)
    _what_delay_costs(result, backlog)
    _outcomes(backlog, result)
