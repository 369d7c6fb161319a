"""Altair charts built from the domain's typed results."""

from __future__ import annotations

import functools
import json
from typing import TYPE_CHECKING

import altair as alt
import numpy as np
import pyarrow as pa

from advisor.catalog import LOCATIONS, Catalog
from advisor.evidence.statuses import FLOW_ITEMS
from advisor.scoring import FACTOR_LABELS, CategoryScore

if TYPE_CHECKING:
    import pandas as pd

# Streamlit fits charts to both width and height; fit only the width so `height` is the plot's.
FIT_WIDTH = alt.AutoSizeParams(type="fit-x", contains="padding")


def _tooltips(*fields: str) -> list[alt.Tooltip]:
    # Typed channels: Altair converts plain strings through a slow schema lookup on every call.
    return [alt.Tooltip(f) for f in fields]


def _named(name: str) -> alt.NamedData:
    """Data given by name each run (a named dataset), never built into the spec."""
    return alt.NamedData(name=name)


def contribution_rows(ranking: list[CategoryScore]) -> pa.Table:
    """One row per category and factor, ranked so every bar stacks in the same order.

    An Arrow table, not a DataFrame: Streamlit sends Arrow, and building it directly saves
    pandas' conversion on every rerun."""
    order_of = {factor: i for i, factor in enumerate(FACTOR_LABELS)}
    return pa.Table.from_pylist(
        [
            {
                "category": s.short_name,
                "factor": FACTOR_LABELS[c.factor],
                "rank": order_of[c.factor],
                "points": c.points,
                "max": c.max_points,
                "score": s.score,
                "reason": c.reason,
            }
            for s in ranking
            for c in s.contributions
        ]
    )


@functools.cache
def contributions_spec() -> dict:
    """The Vega-Lite spec of the contributions chart, built once; data is given per run."""
    chart = (
        alt.Chart(_named("rows"), title="Score by contribution (0-100)")
        .mark_bar()
        .encode(
            x=alt.X("sum(points):Q", title="points", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y(
                "category:N",
                sort="-x",  # best first: the bar's length is the score
                title=None,
                axis=alt.Axis(labelFontSize=13, labelFontWeight="bold"),
            ),
            color=alt.Color(
                "factor:N",
                sort=list(FACTOR_LABELS.values()),
                legend=alt.Legend(orient="bottom", title=None, columns=3),
            ),
            order=alt.Order("rank:Q"),
            tooltip=_tooltips("category:N", "factor:N", "points:Q", "max:Q", "score:Q", "reason:N"),
        )
        .properties(height=alt.Step(34))  # a fixed band per category; never squeezed
    )
    spec = chart.to_dict()
    spec.pop("data", None)
    spec.pop("datasets", None)
    return spec


def coverage_heatmap(catalog: Catalog, vendor_ids: list[str] | None = None) -> alt.Chart:
    """Vendors x stages, shaded by how well each vendor covers each stage (0-1)."""
    import pandas as pd

    vendors = [v for v in catalog.vendors if vendor_ids is None or v.id in vendor_ids]
    rows = [
        {"vendor": v.name, "category": v.category, "stage": loc, "coverage": v.stages.get(loc)}
        for v in vendors
        for loc in LOCATIONS
    ]
    base = alt.Chart(pd.DataFrame(rows), title="Stage coverage (0 = none, 1 = strong)").encode(
        x=alt.X(
            "stage:N", sort=list(LOCATIONS), title=None, axis=alt.Axis(orient="top", labelAngle=0)
        ),
        y=alt.Y(
            "vendor:N",
            sort=[v.name for v in vendors],
            title=None,
            axis=alt.Axis(labelOverlap=False, labelLimit=260),
        ),
    )
    cells = base.mark_rect().encode(
        color=alt.Color("coverage:Q", scale=alt.Scale(domain=[0, 1], scheme="blues")),
        tooltip=_tooltips("vendor:N", "category:N", "stage:N", "coverage:Q"),
    )
    labels = base.mark_text(fontSize=11).encode(
        text=alt.Text("coverage:Q", format=".1f"),
        color=alt.condition("datum.coverage > 0.6", alt.value("white"), alt.value("black")),
    )
    return (cells + labels).properties(height=alt.Step(24))


def with_data(spec: dict, **datasets) -> dict:
    """A cached spec with this run's data as named datasets (Arrow tables or plain rows).

    The spec is built and validated by Altair once for each shape; a rerun hands over data
    (building and validating a layered chart took 5-10 ms a chart). A shallow copy: its parts
    are shared with the cache and read only (Streamlit copies the top level it changes)."""
    return {**spec, "datasets": datasets}


def spec_json(spec: dict, width: int | None = None) -> str:
    """The spec as Vega-Lite JSON with its data inline, for a converter outside the browser."""
    out = dict(spec)
    if width is not None:
        out["width"] = width
    out["datasets"] = {
        k: v.to_pylist() if isinstance(v, pa.Table) else v
        for k, v in spec.get("datasets", {}).items()
    }
    return json.dumps(out)


@functools.cache
def _cashflow_spec(currency: str, simulated: bool, payback: bool) -> dict:
    money = f"cumulative net ({currency})"
    x = alt.X("month:Q", title="month", scale=alt.Scale(nice=False))
    layers = []
    if simulated:
        layers.append(
            alt.Chart(_named("flows"))
            .mark_area(opacity=0.25, color="#4c78a8")
            .encode(
                x=x,
                y=alt.Y("p10:Q", title=money, axis=alt.Axis(format="~s")),
                y2=alt.Y2("p90:Q"),
                tooltip=_tooltips("month:Q", "p10:Q", "p90:Q"),
            )
        )
    layers.append(
        alt.Chart(_named("flows"))
        .mark_line(color="#1f4e79", strokeWidth=2.5)
        .encode(
            x=x,
            y=alt.Y("cumulative:Q", title=money, axis=alt.Axis(format="~s")),
            tooltip=_tooltips("month:Q", "cumulative:Q"),
        )
    )
    layers.append(alt.Chart(_named("zero")).mark_rule(color="grey").encode(y=alt.Y("zero:Q")))
    if payback:
        layers.append(
            alt.Chart(_named("payback"))
            .mark_point(size=140, filled=True, color="#2ca02c")
            .encode(x=x, y=alt.Y("cumulative:Q"))
        )
        layers.append(
            alt.Chart(_named("payback"))
            .mark_text(dy=-14, fontWeight="bold")
            .encode(x=x, y=alt.Y("cumulative:Q"), text=alt.Text("label:N"))
        )
    band = " (shaded: P10-P90)" if simulated else ""
    return (
        alt.layer(*layers)
        .properties(title=f"Cumulative cash flow{band}", height=300, autosize=FIT_WIDTH)
        .to_dict()
    )


def cashflow_chart(result) -> dict:
    """Cumulative net cash flow, the P10-P90 band when simulated, and the payback month.

    A Vega-Lite spec with named datasets: `flows` (month, cumulative, p10, p90), `zero`,
    `payback` (month, cumulative, label)."""
    flows = {
        "month": [m.month for m in result.monthly],
        "cumulative": [m.cumulative for m in result.monthly],
    }
    sim = result.simulation
    if sim is not None:
        flows["p10"], flows["p90"] = sim.cumulative_p10, sim.cumulative_p90
    data = {"flows": pa.table(flows), "zero": pa.table({"zero": [0]})}
    month = result.payback_month
    if month is not None:
        data["payback"] = pa.table(
            {
                "month": [month],
                "cumulative": [result.monthly[month].cumulative],
                "label": [f"payback, month {month}"],
            }
        )
    spec = _cashflow_spec(result.currency, sim is not None, month is not None)
    return with_data(spec, **data)


@functools.cache
def _histogram_spec(currency: str) -> dict:
    bars = (
        alt.Chart(_named("bins"))
        .mark_bar()
        .encode(
            x=alt.X("from:Q", title=f"NPV ({currency})", axis=alt.Axis(format="~s")),
            x2=alt.X2("to:Q"),
            y=alt.Y("runs:Q", title="simulated runs"),
            y2=alt.datum(0),
            color=alt.Color(
                "side:N",
                scale=alt.Scale(domain=["loss", "gain"], range=["#d62728", "#4c78a8"]),
                legend=None,
            ),
            tooltip=_tooltips("from:Q", "to:Q", "runs:Q"),
        )
    )
    rules = (
        alt.Chart(_named("marks"))
        .mark_rule(strokeDash=[4, 3])
        .encode(x=alt.X("x:Q"), color=alt.value("black"), tooltip=_tooltips("what:N", "x:Q"))
    )
    return (
        alt.layer(bars, rules)
        .properties(title="NPV across simulated futures", height=260, autosize=FIT_WIDTH)
        .to_dict()
    )


def npv_histogram(samples: list[float], npv: float, currency: str) -> dict:
    """Distribution of simulated NPVs, binned here so the chart carries 40 rows, not 100,000."""
    counts, edges = np.histogram(np.asarray(samples), bins=40)
    bins = pa.table(
        {
            "from": edges[:-1],
            "to": edges[1:],
            "runs": counts,
            "side": np.where(edges[1:] <= 0, "loss", "gain"),
        }
    )
    marks = pa.table({"x": [0.0, npv], "what": ["break-even", "likely case"]})
    return with_data(_histogram_spec(currency), bins=bins, marks=marks)


@functools.cache
def _tornado_spec(currency: str, labels: tuple[str, ...]) -> dict:
    return (
        alt.Chart(_named("bars"))
        .mark_bar()
        .encode(
            y=alt.Y("input:N", sort=list(labels), title=None, axis=alt.Axis(labelLimit=320)),
            x=alt.X("from:Q", title=f"NPV ({currency})", axis=alt.Axis(format="~s")),
            x2=alt.X2("to:Q"),
            color=alt.Color("end:N", legend=alt.Legend(orient="bottom", title=None)),
            tooltip=_tooltips("input:N", "end:N", "value:Q", "to:Q"),
        )
        .properties(title="What moves NPV most", height=alt.Step(26))
        .to_dict()
    )


def tornado_chart(bars, npv: float, currency: str) -> dict:
    """How far NPV moves when each range goes to its low and its high, largest swing on top."""
    rows = []
    for b in bars:
        rows.append(
            {"input": b.label, "end": "at low", "from": npv, "to": b.npv_at_low, "value": b.low}
        )
        rows.append(
            {"input": b.label, "end": "at high", "from": npv, "to": b.npv_at_high, "value": b.high}
        )
    spec = _tornado_spec(currency, tuple(b.label for b in bars))
    return with_data(spec, bars=pa.Table.from_pylist(rows))


@functools.cache
def _build_buy_spec(currency: str) -> dict:
    return (
        alt.Chart(_named("costs"))
        .mark_line(strokeWidth=2.5)
        .encode(
            x=alt.X("month:Q"),
            y=alt.Y(
                "cumulative cost:Q",
                title=f"cumulative cost ({currency})",
                axis=alt.Axis(format="~s"),
            ),
            color=alt.Color("option:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=_tooltips("month:Q", "option:N", "cumulative cost:Q"),
        )
        .properties(
            title="Total cost of ownership: build versus buy", height=280, autosize=FIT_WIDTH
        )
        .to_dict()
    )


def build_buy_chart(result) -> dict:
    rows = {"month": [], "option": [], "cumulative cost": []}
    for opt in (result.buy, result.build):
        rows["month"] += range(len(opt.cumulative))
        rows["option"] += [opt.name] * len(opt.cumulative)
        rows["cumulative cost"] += list(opt.cumulative)
    return with_data(_build_buy_spec(result.currency), costs=pa.table(rows))


def delay_chart(series: dict[str, list[tuple[float, float, str]]], currency: str) -> alt.Chart:
    """Cumulative delay cost as each order's items finish, one line per order."""
    import pandas as pd

    rows = [
        {"order": name, "week": 0.0, "cumulative delay cost": 0.0, "item": "start"}
        for name in series
    ]
    rows += [
        {"order": name, "week": w, "cumulative delay cost": c, "item": item}
        for name, points in series.items()
        for w, c, item in points
    ]
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True, interpolate="step-after")
        .encode(
            x=alt.X("week:Q", title="week the item is finished"),
            y=alt.Y(
                "cumulative delay cost:Q",
                title=f"cumulative delay cost ({currency})",
                axis=alt.Axis(format="~s"),
            ),
            color=alt.Color("order:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=_tooltips("order:N", "item:N", "week:Q", "cumulative delay cost:Q"),
        )
        .properties(title="What each order costs as items finish", height=300, autosize=FIT_WIDTH)
    )


def waiting_chart(detail: dict) -> alt.Chart:
    """Where work waits: each stage's share of waiting inside flow time, by status."""
    import pandas as pd

    rows = [
        {
            "stage": stage,
            "status": r["status"],
            "waiting days": r["waiting_days"],
            "share": r["waiting_days"] / detail["waiting_days"] if detail["waiting_days"] else 0,
        }
        for stage, statuses in detail["statuses"].items()
        for r in statuses
    ]
    return (
        alt.Chart(pd.DataFrame(rows, columns=["stage", "status", "waiting days", "share"]))
        .mark_bar()
        .encode(
            x=alt.X("sum(share):Q", title="share of waiting time", axis=alt.Axis(format="%")),
            y=alt.Y("stage:N", sort="-x", title=None),
            # many statuses: a grid of legend entries, none cut at a laptop's width
            color=alt.Color("status:N", legend=alt.Legend(orient="bottom", title=None, columns=3)),
            tooltip=_tooltips("stage:N", "status:N", "waiting days:Q", "share:Q"),
        )
        .properties(title="Where work waits (inside flow time)", height=alt.Step(30))
    )


def cfd_chart(frame: pd.DataFrame) -> alt.Chart:
    """Cumulative flow diagram: items in each stage at the start of each week."""
    order = ["done", "support", "operations", "deployment", "development", "ideation", "backlog"]
    long = frame.reset_index(names="week").melt("week", var_name="stage", value_name="items")
    return (
        alt.Chart(long)
        .mark_area()
        .encode(
            x=alt.X("week:T", title=None),
            y=alt.Y("items:Q", stack=True, title="items", axis=alt.Axis(tickMinStep=1)),
            color=alt.Color(  # a fixed domain: each stage keeps its colour in any data
                "stage:N",
                sort=order,
                scale=alt.Scale(domain=order),
                legend=alt.Legend(orient="bottom", title=None, columns=4),
            ),
            order=alt.Order("stage_rank:Q"),
            tooltip=_tooltips("week:T", "stage:N", "items:Q"),
        )
        .transform_calculate(stage_rank=f"indexof({order}, datum.stage)")
        .properties(title="Cumulative flow", height=260, autosize=FIT_WIDTH)
    )


def cycle_scatter(items: pd.DataFrame, p50: float | None, p85: float | None) -> alt.LayerChart:
    """Each finished item's cycle time against its finish date, with P50 and P85 lines."""
    import pandas as pd

    done = items[items["done"].notna() & items["cycle_days"].notna()]
    points = pd.DataFrame(
        {
            "done": done["done"].dt.tz_localize(None),
            "cycle days": done["cycle_days"].to_numpy(),
            "flow item": done["flow_item"].to_numpy(),
        }
    )
    dots = (
        alt.Chart(points)
        .mark_circle(size=40, opacity=0.6)
        .encode(
            x=alt.X("done:T", title="finished"),
            y=alt.Y("cycle days:Q", title="cycle time (days)"),
            color=alt.Color(
                "flow item:N",
                scale=alt.Scale(domain=list(FLOW_ITEMS)),
                legend=alt.Legend(orient="bottom", title=None, columns=2),
            ),
            tooltip=_tooltips("done:T", "cycle days:Q", "flow item:N"),
        )
    )
    marks = pd.DataFrame({"days": [p50 or 0, p85 or 0], "line": ["P50", "P85"]})
    rules = (
        alt.Chart(marks)
        .mark_rule(strokeDash=[5, 3])
        .encode(y=alt.Y("days:Q"), color=alt.value("black"), tooltip=_tooltips("line:N", "days:Q"))
    )
    return alt.layer(dots, rules).properties(
        title=alt.Title("Cycle time per finished item", subtitle="dashed lines: P50 and P85"),
        height=260,
        autosize=FIT_WIDTH,
    )


def distribution_chart(by_week: dict[str, dict[str, int]]) -> alt.Chart:
    """Flow distribution over time: the share of each flow item among items done each week."""
    import pandas as pd

    rows = [
        {"week": week, "flow item": item, "items": n}
        for week, counts in by_week.items()
        for item, n in counts.items()
    ]
    return (
        alt.Chart(pd.DataFrame(rows, columns=["week", "flow item", "items"]))
        .mark_bar()
        .encode(
            x=alt.X("week:T", title=None),
            y=alt.Y("items:Q", stack="normalize", title="share", axis=alt.Axis(format="%")),
            color=alt.Color(
                "flow item:N",
                scale=alt.Scale(domain=list(FLOW_ITEMS)),
                legend=alt.Legend(orient="bottom", title=None, columns=2),
            ),
            tooltip=_tooltips("week:T", "flow item:N", "items:Q"),
        )
        .properties(
            title=alt.Title("Flow distribution", subtitle="share of items done each week"),
            height=220,
            autosize=FIT_WIDTH,
        )
    )


def realised_chart(monthly: list[dict], months: float, currency: str) -> alt.LayerChart:
    """Cumulative benefit, month by month: the plan, what was realised to date, and the
    forecast at completion (realised so far, then the plan for the months left)."""
    import pandas as pd

    rows = []
    for r in monthly:
        end = r["month"] + 1  # the total at the end of the month
        rows.append({"month": end, "line": "plan", "benefit": r["planned"]})
        if r["realised"] is not None:
            rows.append({"month": end, "line": "realised", "benefit": r["realised"]})
        rows.append({"month": end, "line": "forecast at completion", "benefit": r["forecast"]})
    frame = pd.DataFrame(rows)
    colours = alt.Scale(
        domain=["plan", "realised", "forecast at completion"],
        range=["#4c78a8", "#2ca02c", "#9e9e9e"],
    )
    lines = (
        alt.Chart(frame)
        .mark_line(point=True)
        .encode(
            x=alt.X("month:Q", title="months since the plan started"),
            y=alt.Y(
                "benefit:Q", title=f"cumulative benefit ({currency})", axis=alt.Axis(format="~s")
            ),
            color=alt.Color("line:N", scale=colours, legend=alt.Legend(orient="top", title=None)),
            strokeDash=alt.condition(
                alt.datum.line == "forecast at completion",
                alt.value([5, 4]),
                alt.value([1, 0]),
            ),
            tooltip=_tooltips("line:N", "month:Q", "benefit:Q"),
        )
    )
    today = (
        alt.Chart(pd.DataFrame({"month": [months]}))
        .mark_rule(color="#888")
        .encode(x="month:Q", tooltip=_tooltips("month:Q"))
    )
    return (lines + today).properties(
        title="Plan against realised benefit, and the forecast at completion",
        height=320,
        autosize=FIT_WIDTH,
    )


def trend_chart(trend: list[dict]) -> alt.Chart | None:
    """Median cycle time per calendar month and team (items finished that month)."""
    import pandas as pd

    rows = [
        {
            "month": r["month"],
            "team": r["team"] or "(no team)",
            "cycle time (days)": r["cycle_time"],
        }
        for r in trend
        if "cycle_time" in r and r["cycle_time"] is not None
    ]
    if not rows:
        return None
    return (
        alt.Chart(pd.DataFrame(rows))
        .mark_line(point=True)
        .encode(
            x=alt.X("month:O", title="month (UTC)"),
            y=alt.Y("cycle time (days):Q", title="median cycle time (days)"),
            color=alt.Color("team:N", legend=alt.Legend(orient="top", title=None)),
            tooltip=_tooltips("month:O", "team:N", "cycle time (days):Q"),
        )
        .properties(title="Cycle time by month and team", height=260, autosize=FIT_WIDTH)
    )
