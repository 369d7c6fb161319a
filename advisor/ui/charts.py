"""Altair charts built from the domain's typed results."""

from __future__ import annotations

import altair as alt
import pandas as pd

from advisor.catalog import LOCATIONS, Catalog
from advisor.scoring import FACTOR_LABELS, CategoryScore


def _tooltips(*fields: str) -> list[alt.Tooltip]:
    # Typed channels: Altair converts plain strings through a slow schema lookup on every call.
    return [alt.Tooltip(f) for f in fields]


def contributions_chart(ranking: list[CategoryScore]) -> alt.Chart:
    """Each category's score as a bar stacked from its contributions, best first."""
    rows = [
        {
            "category": s.short_name,
            "factor": FACTOR_LABELS[c.factor],
            "points": c.points,
            "max": c.max_points,
            "score": s.score,
            "reason": c.reason,
        }
        for s in ranking
        for c in s.contributions
    ]
    order = [s.short_name for s in ranking]
    return (
        alt.Chart(pd.DataFrame(rows), title="Score by contribution (0-100)")
        .mark_bar()
        .encode(
            x=alt.X("sum(points):Q", title="points", scale=alt.Scale(domain=[0, 100])),
            y=alt.Y(
                "category:N",
                sort=order,
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


def coverage_heatmap(catalog: Catalog, vendor_ids: list[str] | None = None) -> alt.Chart:
    """Vendors x stages, shaded by how well each vendor covers each stage (0-1)."""
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
