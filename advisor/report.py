"""Exports: the board-ready report (HTML and Markdown), the ROI workbook, and safe CSV.

CSV and workbook cells follow OWASP's rule on every line of a cell: a line that starts with
= + - @, a tab or a carriage return gets a leading apostrophe, so a spreadsheet shows it as
text. A line that already starts with an apostrophe gets one more, so `undefuse` gives back
the exact text. The HTML report is rendered by Jinja2 with autoescape: user text is text.
Its charts are SVG drawn by vl-convert (no browser, no script), so it opens offline.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import pandas as pd

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_LINE_START = re.compile(r"(^|\r\n|\r|\n)(?=[=+\-@\t\r'])")
_GUARDED = re.compile(r"(^|\r\n|\r|\n)'(?=[=+\-@\t\r'])")
TEMPLATES = Path(__file__).resolve().parent / "templates"


def defuse(value: object) -> object:
    """Text with every line a spreadsheet would run as a formula quoted; others unchanged."""
    if isinstance(value, str):
        return _LINE_START.sub(r"\1'", value)
    return value


def undefuse(text: str) -> str:
    """The text `defuse` was given: one apostrophe taken off each guarded line."""
    return _GUARDED.sub(r"\1", text)


def safe_csv(frame: pd.DataFrame) -> str:
    """CSV of `frame` with every text cell defused; numbers are left as numbers."""
    import pandas as pd

    clean = frame.copy()
    for column in clean.columns:
        if not pd.api.types.is_numeric_dtype(clean[column]):
            clean[column] = clean[column].map(defuse)
    clean.columns = [defuse(str(c)) for c in clean.columns]
    # CRLF ends a row (RFC 4180), so the writer quotes a cell holding a bare carriage return
    # too: with "\n" alone, a name with "\r" split its row and could not be read back.
    return clean.to_csv(index=False, lineterminator="\r\n")


# ---------------------------------------------------------------- the report's figures


def figures(s, catalog, version: int | None = None, today: dt.date | None = None) -> dict:
    """Everything the report shows, computed once: the HTML and Markdown print the same."""
    from advisor.delay import analyse as analyse_backlog
    from advisor.evidence.figures import report_view
    from advisor.roi import analyse as analyse_roi
    from advisor.roi import summary
    from advisor.scoring import FACTOR_LABELS, recommend
    from advisor.wording import simulation_note

    rec = recommend(s.answers, catalog)
    roi = analyse_roi(s.roi, catalog) if s.roi else None
    delay = analyse_backlog(s.backlog) if s.backlog else None
    return {
        "s": s,
        "version": version,
        "today": (today or dt.date.today()).isoformat(),
        "catalog_version": f"{catalog.source}, exchange rates as of {catalog.exchange_rates.as_of}",
        "rates": ", ".join(
            f"1 {k} = {v:g} {catalog.exchange_rates.base}"
            for k, v in catalog.exchange_rates.rates.items()
        ),
        "rec": rec,
        "names": {cid: c.name for cid, c in catalog.categories.items()},
        "factor_labels": FACTOR_LABELS,
        "roi": roi,
        "roi_summary": summary(roi, s.roi.horizon_months) if roi else "",
        "simulation_note": (
            simulation_note(s.roi.simulation.runs, s.roi.simulation.seed) if roi else ""
        ),
        "delay": delay,
        "evidence": report_view(s.evidence) if s.evidence else None,
        "realised": realised_view(s.realised) if getattr(s, "realised", None) else None,
    }


# ---------------------------------------------------------------- value realised

STATUS_WORDS = {
    "measured": "measured",
    "not_measured": "not measured",
    "met": "met",
    "missed": "missed",
    "too_early": "too early to tell",
    "typed": "typed",
}
SOURCE_WORDS = {"measured": "measured from the exports", "typed": "typed by the owner"}
NOT_MEASURED = "not measured"


def _finite(x: object) -> float | None:
    import math

    if isinstance(x, bool) or not isinstance(x, int | float) or not math.isfinite(x):
        return None
    return float(x)


def _cash(x: object, currency: str) -> str:
    """`12,345 USD`; "-" where there is no figure."""
    from advisor.wording import MISSING, money

    value = _finite(x)
    return MISSING if value is None else money(value, currency)


def _day(iso: object) -> str:
    """The date of a stored moment (`2026-05-15`); the text as it is when it is not one."""
    try:
        return dt.datetime.fromisoformat(str(iso)).date().isoformat()
    except ValueError:
        return str(iso)


def _outcome_figure(value: object, label: str | None, unit: str | None, missing: str) -> str:
    """A card's target or actual with its unit: a registry figure as every page shows it
    (`1.2 days`, `8.7%`), another number with the card's unit, typed text as typed."""
    from advisor.evidence.registry import METRICS, number, show

    if value is None:
        return missing
    if isinstance(value, str):
        return value
    figure = _finite(value)
    if figure is None:
        return missing
    key = next((k for k, m in METRICS.items() if label and m.label == label), None)
    if key is not None:
        return show(key, figure)
    return f"{number(figure)} {unit}" if unit else number(figure)


def _plan_sentence(r) -> str:
    from advisor.wording import when

    plan = r.plan or {}
    start = plan.get("start")
    started = f"; the plan started on {_day(start)}" if start else ""
    if plan.get("approved_by") or plan.get("approved_at"):
        version = plan.get("version")
        what = f"version {version}" if version is not None else "the approved version"
        by = f", approved by {plan['approved_by']}" if plan.get("approved_by") else ""
        at = f" on {when(str(plan['approved_at']))}" if plan.get("approved_at") else ""
        return f"The approved plan: {what}{by}{at}{started}."
    return f"The plan: the scenario as given (no approval recorded){started}."


def _lever_rows(r) -> list[tuple[str, str, str, str, str, str]]:
    """(name, status, planned to date, realised to date, variance, how); a lever not
    measured says so where its realised figure and its variance would be."""
    c = r.currency
    rows = []
    for lv in r.levers:
        measured = lv.status == "measured" and _finite(lv.realised_to_date) is not None
        rows.append(
            (
                lv.name,
                _chance_status(lv) if measured else NOT_MEASURED,
                _cash(lv.planned_to_date, c),
                _cash(lv.realised_to_date, c) if measured else NOT_MEASURED,
                _cash(
                    lv.variance
                    if _finite(lv.variance) is not None
                    else lv.realised_to_date - lv.planned_to_date,
                    c,
                )
                if measured
                else NOT_MEASURED,
                lv.how,
            )
        )
    return rows


def _chance_status(lv) -> str:
    """A measured lever's status with whether the data can tell its changes from chance."""
    word = STATUS_WORDS.get(lv.status, lv.status)
    if lv.clear_of_chance is None:
        return word
    if lv.clear_of_chance:
        return f"{word}, clear of chance"
    return f"{word}; could be chance: {', '.join(lv.could_be_chance)}"


def _total_rows(r) -> list[tuple[str, str, str]]:
    """(figure, value, what it is) for each total the summary holds."""
    c, t = r.currency, r.total or {}
    wanted = [
        ("planned_to_date", "Planned to date, measured levers", "the plan's benefit so far"),
        (
            "realised_to_date",
            "Realised to date, measured levers",
            "each lever's own plan formula with the measured figures",
        ),
        (
            "realised_to_date_clear_of_chance",
            "Realised to date, clear of chance",
            "the levers whose every change the data can tell from chance",
        ),
        ("variance", "Variance to date", "realised - planned, measured levers"),
        (
            "planned_to_date_not_measured",
            "Planned to date, levers not measured",
            "counted as nothing realised (never assumed met)",
        ),
        ("planned_benefit", "Planned benefit, whole horizon", "the approved plan's benefits"),
        (
            "forecast_at_completion",
            "Forecast at completion",
            "realised to date plus the plan for the months left",
        ),
        ("planned_npv", "Planned NPV", "the approved plan's costs and benefits"),
        (
            "forecast_at_completion_npv",
            "NPV at completion, forecast",
            "the plan's costs; the realised value to date, the plan after",
        ),
    ]
    rows = [(label, _cash(t[key], c), how) for key, label, how in wanted if key in t]
    npv, planned = _finite(t.get("forecast_at_completion_npv")), _finite(t.get("planned_npv"))
    if npv is not None and planned is not None:
        rows.append(("NPV against the plan", _cash(npv - planned, c), "forecast - planned NPV"))
    return rows


def _outcome_rows(r) -> list[tuple[str, str, str, str, str, str]]:
    """(item, figure, target, actual, measured or typed, status)."""
    rows = []
    for o in r.outcomes:
        missing = "nothing measured yet" if o.source == "measured" else "-"
        rows.append(
            (
                o.name or o.item,
                o.label or "-",
                _outcome_figure(o.target, o.label, o.unit, "-"),
                _outcome_figure(o.actual, o.label, o.unit, missing),
                SOURCE_WORDS.get(o.source, o.source),
                STATUS_WORDS.get(o.status, o.status),
            )
        )
    return rows


def _price_rows(price: dict, currency: str) -> tuple[str, list[tuple[str, str, str]]]:
    """The bottleneck's price: a sentence, and (figure, value, what it is) rows."""
    from advisor.evidence.registry import number

    c = str(price.get("currency") or currency)
    stage, status = price.get("stage"), price.get("status")
    where = f"{status} ({stage})" if status and stage else str(status or stage or "-")
    value = price.get("value_per_year") if isinstance(price.get("value_per_year"), dict) else {}
    waits = price.get("waiting_days") if isinstance(price.get("waiting_days"), dict) else {}
    likely = _finite(value.get("likely"))
    sentence = f"The wait at {where}"
    if likely is not None:
        low, high = _finite(value.get("low")), _finite(value.get("high"))
        span = (
            f" ({_cash(low, c)} to {_cash(high, c)})"
            if low is not None and high is not None and low != high
            else ""
        )
        sentence += f" costs {_cash(likely, c)} a year{span}."
    else:
        return sentence + " has no price: the data gives no figure for it.", []

    def days(x: object) -> str:
        v = _finite(x)
        return "-" if v is None else f"{number(v)} days"

    def three(d: dict, show) -> str:
        return " / ".join(show(d.get(k)) for k in ("low", "likely", "high"))

    source = price.get("cost_of_delay_source")
    rows = [
        ("Where work waits", where, "the bottleneck the evidence found"),
        (
            "Median wait",
            days(price.get("waiting_days_median")),
            "per item finished since the split",
        ),
        ("Wait, low / likely / high", three(waits, days), "25th / 50th / 75th percentile"),
        (
            "Items a year",
            "-"
            if _finite(price.get("items_per_year")) is None
            else f"{price['items_per_year']:,.0f} items",
            "items finished x 365.25 / days measured",
        ),
        (
            "Cost of delay per item and week",
            _cash(price.get("cost_of_delay_per_item_week"), c),
            {
                "backlog": "the backlog's cost of delay per week / the work items it holds",
                "given": "as given",
            }.get(str(source), ""),
        ),
        (
            "Each week of waiting removed",
            f"{_cash(price.get('per_week_removed'), c)} a year",
            "items a year x cost of delay per item and week",
        ),
        (
            "The wait's price, low / likely / high",
            f"{three(value, lambda x: _cash(x, c))} a year",
            "items a year x wait in weeks x cost of delay per item and week",
        ),
    ]
    return sentence, rows


def realised_view(r) -> dict:
    """What the report shows of a scenario's `realised` part (scenario.RealisedSummary), every
    figure worded with its currency or unit, read alike by the HTML and the Markdown. User
    text (names, sentences) stays as given: each format escapes it."""
    months = _finite(r.months_to_date)
    price = r.bottleneck_price
    sentence, price_rows = _price_rows(price, r.currency) if price else ("", [])
    return {
        "currency": r.currency,
        "plan": _plan_sentence(r),
        "window": (
            f"Before and after split at {_day(r.since)}; data as of {_day(r.as_of)}"
            + (f", {months:.1f} months of the plan to date" if months is not None else "")
            + f". Money in {r.currency}."
        ),
        "levers": _lever_rows(r),
        "totals": _total_rows(r),
        "outcomes": _outcome_rows(r),
        "price": sentence,
        "price_rows": price_rows,
        "findings": list(r.findings),
        "warnings": list(r.warnings),
    }


def _charts(f: dict) -> dict[str, str]:
    from advisor import charts, svg

    out = {}
    spec = dict(charts.contributions_spec())
    spec["data"] = {"values": charts.contribution_rows(f["rec"].ranking).to_pylist()}
    out["contributions"] = svg.draw(charts.spec_json(spec, width=600))
    if f["roi"] is not None:
        out["cashflow"] = svg.draw(charts.spec_json(charts.cashflow_chart(f["roi"]), width=640))
        if f["roi"].tornado:
            tornado = charts.tornado_chart(f["roi"].tornado, f["roi"].npv, f["roi"].currency)
            out["tornado"] = svg.draw(charts.spec_json(tornado))
    return out


def _formatters(currency: str) -> dict:
    from advisor.wording import MISSING, money, month

    return {
        "missing": MISSING,
        "money": lambda x, c=currency: "-" if x is None else money(x, c),
        "pct": lambda x: "undefined" if x is None else f"{x:.1%}",
        "month": month,
    }


@functools.cache
def _templates():
    """The report's Jinja2 environment, made once a process: it compiles each template once
    (the HTML template took 65 ms to compile, a third of a report)."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    return Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(default=True, default_for_string=True),
    )


def build_html(
    s, catalog, version: int | None = None, today: dt.date | None = None, f: dict | None = None
) -> str:
    """A self-contained HTML report: no script, no external file, charts as inline SVG.
    `f`: `figures(s, catalog, version, today)` when already computed (read, never changed)."""
    f = f or figures(s, catalog, version, today)
    currency = s.roi.currency if s.roi else s.answers.currency
    return (
        _templates()
        .get_template("report.html.j2")
        .render(**f, charts=_charts(f), **_formatters(currency))
    )


_PLAIN = re.compile(r"[A-Za-z0-9 ,.:;%'()/-]*")  # no character Markdown gives a meaning mid-line
_STARTS_BLOCK = re.compile(r"\s*(\d+[.)]|-+)(\s|$)")  # a list item or a rule at a line's start


def _md(text: object) -> str:
    """Text for Markdown, shown as text: plain words and figures (`1.2 days`, `26.8%`) as
    they are; anything else with every punctuation mark escaped, so nothing renders, links
    (`www.` or a scheme) or starts a list."""
    text = str(text).replace("\n", " ")
    if (
        _PLAIN.fullmatch(text)
        and not _STARTS_BLOCK.match(text)
        and "www." not in text.lower()
        and "//" not in text
    ):
        return text
    return re.sub(r"([\\`*_{}\[\]()#+\-.!|<>~$:&=\"'^%@,;?/])", r"\\\1", text)


def build_markdown(
    s, catalog, version: int | None = None, today: dt.date | None = None, f: dict | None = None
) -> str:
    """The same report in Markdown, user text escaped; `f` as for `build_html`."""
    f = f or figures(s, catalog, version, today)
    fmt = _formatters(s.roi.currency if s.roi else s.answers.currency)
    rec = f["rec"]
    lines = [
        f"# {_md(s.name)}",
        "",
        f"Report date {f['today']}; scenario version {version or 'not stored'}; catalog "
        f"{_md(f['catalog_version'])}.",
        "",
        "## Recommendation",
        "",
        f"Start with **{_md(rec.ranking[0].name)}** ({rec.ranking[0].score:.1f} of 100).",
        "",
        "| Category | Score |",
        "|---|---|",
        *[f"| {_md(r.name)} | {r.score:.1f} |" for r in rec.ranking],
        "",
        *[
            f"- {f['factor_labels'][c.factor]} ({c.points:g} of {c.max_points:g}): {_md(c.reason)}"
            for c in rec.ranking[0].contributions
        ],
        "",
        *[f"> {_md(w)}" for w in rec.warnings],
        "",
        "## Vendors and costs",
        "",
        "| Vendor | Category | Fit | Annual cost | Budget |",
        "|---|---|---|---|---|",
        *[
            f"| {_md(v.name)} | {_md(f['names'].get(v.category, v.category))} | {v.fit:.1f} | "
            f"{'quote needed' if v.annual_cost is None else fmt['money'](v.annual_cost)} | "
            f"{_md(v.budget_label)} |"
            for v in rec.vendors[:10]
        ],
    ]
    roi = f["roi"]
    if roi is not None:
        sim = roi.simulation
        lines += [
            "",
            f"## Return on investment: {_md(s.roi.name)}",
            "",
            _md(f["roi_summary"]),
            "",
            "| NPV | P10 | P50 | P90 | IRR | MIRR | Payback | Discounted payback |",
            "|---|---|---|---|---|---|---|---|",
            f"| {fmt['money'](roi.npv)} | {fmt['money'](sim.npv_p10 if sim else None)} | "
            f"{fmt['money'](sim.npv_p50 if sim else None)} | "
            f"{fmt['money'](sim.npv_p90 if sim else None)} | {fmt['pct'](roi.irr_annual)} | "
            f"{fmt['pct'](roi.mirr_annual)} | {fmt['month'](roi.payback_month)} | "
            f"{fmt['month'](roi.discounted_payback_month)} |",
            "",
            _md(f["simulation_note"]),
            "",
            *[f"- {_md(ln.label)}: {_md(ln.working)}" for ln in roi.lines],
        ]
    ev = f["evidence"]
    if ev is not None:
        lines += [
            "",
            "## Measured evidence",
            "",
            f"Measured from {_md(ev['source'])}, over {_md(ev['window'])}. Where work waits: "
            f"{_md(ev['waits'])}.",
        ]
        for title, rows in ev["sections"]:
            lines += [
                "",
                f"| {title} | Value | Note |",
                "|---|---|---|",
                *[f"| {_md(label)} | {_md(value)} | {_md(note)} |" for label, value, note in rows],
            ]
        if ev["forecast"]:
            lines += ["", f"Forecast: {_md(ev['forecast'])}."]
        if ev["teams"]:
            lines += [
                "",
                "| Team | " + " | ".join(ev["team_header"]) + " |",
                "|---" * (len(ev["team_header"]) + 1) + "|",
                *[
                    f"| {_md(team)} | " + " | ".join(_md(c) for c in cells) + " |"
                    for team, cells in ev["teams"]
                ],
            ]
            if ev["teams_note"]:
                lines += ["", ev["teams_note"]]
        if ev["rules"]:
            lines += [
                "",
                "DORA figures of the same data under each tool's rules:",
                "",
                "| Rule set | " + " | ".join(ev["rule_labels"]) + " |",
                "|---" * (len(ev["rule_labels"]) + 1) + "|",
                *[
                    f"| {_md(name)} | " + " | ".join(_md(c) for c in cells) + " |"
                    for name, cells in ev["rules"]
                ],
                "",
                *(
                    [f"Spread: {_md('; '.join(ev['rules_spread']))}.", ""]
                    if ev["rules_spread"]
                    else []
                ),
                *[f"- {_md(note)}" for note in ev["rule_notes"]],
            ]
        if ev["readiness"]:
            lines += ["", "### What the data can support", ""]
            for label, line, gaps in ev["readiness"]:
                lines += [f"- {label}: {_md(line)}", *[f"  - {_md(gap)}" for gap in gaps]]
    lines += _realised_markdown(f["realised"])
    delay = f["delay"]
    if delay is not None:
        plan = delay.schedules["best"]
        lines += [
            "",
            "## Cost of delay",
            "",
            f"Best order: {fmt['money'](delay.delay_cost['best'])} of delay cost "
            f"(as given: {fmt['money'](delay.delay_cost['given'])}).",
            "",
            "| # | Item | Finish (week) | Delay cost | Note |",
            "|---|---|---|---|---|",
            *[
                f"| {i + 1} | {_md(plan.names[i])} | {plan.finish[i]:g} | "
                f"{fmt['money'](plan.cost[i])} | {_md(plan.notes[i])} |"
                for i in range(len(plan.ids))
            ],
        ]
    if s.notes:
        lines += ["", "## Notes", "", _md(s.notes)]
    lines += [
        "",
        "## Assumptions and sources",
        "",
        "Scores follow the catalog's weights; prices are published list prices where they "
        "exist; DORA clusters are the 2024 figures; metrics are for learning, never for "
        "ranking people.",
        "",
    ]
    return "\n".join(lines)


def _realised_markdown(v: dict | None) -> list[str]:
    """The "Value realised" section in Markdown (none without a realised part)."""
    if v is None:
        return []
    lines = ["", "## Value realised", "", _md(v["plan"]), "", _md(v["window"])]
    if v["levers"]:
        lines += [
            "",
            "| Lever | Status | Planned to date | Realised to date | Variance | How |",
            "|---|---|---|---|---|---|",
            *["| " + " | ".join(_md(c) for c in row) + " |" for row in v["levers"]],
        ]
    if v["totals"]:
        lines += [
            "",
            "| Total | Value | What it is |",
            "|---|---|---|",
            *["| " + " | ".join(_md(c) for c in row) + " |" for row in v["totals"]],
        ]
    if v["outcomes"]:
        lines += [
            "",
            "### Outcome cards, measured and typed",
            "",
            "| Item | Figure | Target | Actual | Source | Status |",
            "|---|---|---|---|---|---|",
            *["| " + " | ".join(_md(c) for c in row) + " |" for row in v["outcomes"]],
        ]
    if v["price"]:
        lines += ["", "### The price of the bottleneck", "", _md(v["price"])]
    if v["price_rows"]:
        lines += [
            "",
            "| Figure | Value | What it is |",
            "|---|---|---|",
            *["| " + " | ".join(_md(c) for c in row) + " |" for row in v["price_rows"]],
        ]
    if v["findings"]:
        lines += ["", "### What the data shows", "", *[f"- {_md(x)}" for x in v["findings"]]]
    for w in v["warnings"]:  # one quote each: lines in a row would join into one
        lines += ["", f"> {_md(w)}"]
    return lines


# ---------------------------------------------------------------- the ROI workbook


def _irr_rows(r, net: str, months: str) -> tuple[tuple, list[tuple]]:
    """The IRR row, saying what the app says, and the rows that check it. Where the flows
    change sign once there is one rate and every engine's IRR() finds it. Where they change
    sign more than once a spreadsheet's IRR() returns whichever root its method reaches (one
    engine gave -100%, another +29,255,603% for the same cells), so the cell holds the app's
    rate and a check row computes NPV at it (zero); where the app finds no one IRR the cell
    says so in words. `r` is the app's RoiResult for the scenario."""
    if r.irr_annual is None:
        return ("IRR (annual)", defuse(r.irr_note), "no one rate: read MIRR below"), []
    if r.sign_changes <= 1:
        return ("IRR (annual)", f"=(1+IRR({net}))^12-1", "(1 + monthly IRR)^12 - 1"), []
    monthly = (1 + r.irr_annual) ** (1 / 12) - 1
    return (
        ("IRR (annual)", f"=(1+{monthly!r})^12-1", f"(1 + monthly IRR)^12 - 1; {r.irr_note}"),
        [
            (
                "NPV at the IRR (a check)",
                f"=SUMPRODUCT({net}/(1+{monthly!r})^{months})",
                "zero to rounding: the monthly rate above makes NPV zero (a spreadsheet's "
                "IRR() may reach another root where the flows change sign more than once)",
            )
        ],
    )


def _simulation_rows(scenario, r) -> list[tuple]:
    """The simulation's figures as values: the same settings and draws as the page, the
    reports and Compare (a spreadsheet cannot redraw them)."""
    settings = scenario.simulation
    how = "the scenario's simulation settings"
    rows = [("Simulated futures", settings.runs, how), ("Seed", settings.seed, how)]
    sim = r.simulation
    if sim is None:
        return rows
    drawn = f"value from the app's simulation ({settings.runs:,} futures, seed {settings.seed})"
    return [
        *rows,
        ("NPV P10", sim.npv_p10, drawn),
        ("NPV P50", sim.npv_p50, drawn),
        ("NPV P90", sim.npv_p90, drawn),
        ("Chance of a loss", sim.prob_loss, drawn),
    ]


def build_workbook(s, catalog, path: str | Path) -> None:
    """The ROI as a workbook whose monthly table, totals, NPV, IRR, MIRR and payback are live
    formulas over the inputs sheet, so a finance partner can audit every figure."""
    from openpyxl import Workbook
    from openpyxl.styles import Font
    from openpyxl.utils import get_column_letter

    from advisor.roi import analyse, build_lines
    from advisor.roi.analysis import values_at

    scenario = s.roi if hasattr(s, "roi") else s
    result = analyse(scenario, catalog)  # once: the IRR row, the simulation, the cached values
    lines, params, _ = build_lines(scenario, catalog)
    values = values_at(params)
    T = scenario.horizon_months
    wb = Workbook()
    inputs = wb.active
    inputs.title = "Inputs"
    bold = Font(bold=True)
    inputs.append(["Scenario", defuse(scenario.name)])
    inputs.append(["Currency", scenario.currency])
    inputs.append(["Annual discount rate", scenario.discount_rate])
    inputs.append(["Monthly rate", "=(1+B3)^(1/12)-1"])
    inputs.append([])
    inputs.append(["Line", "Kind", "Monthly amount", "Formula", "The numbers"])
    for cell in inputs[6]:
        cell.font = bold
    first_line_row = 7
    for i, ln in enumerate(lines):
        amount = float(ln.amount(values))
        inputs.append([defuse(ln.label), ln.kind, amount, defuse(ln.formula), ""])
        inputs.cell(row=first_line_row + i, column=5).value = defuse(
            ", ".join(f"{n} {values[p]:g}" for n, p in zip(ln.names, ln.params, strict=True))
        )
    # Profiles: each line's share of its monthly amount in each month (1 active, ramp, 0).
    prof = wb.create_sheet("Profiles")
    prof.append(["Line", *[f"m{m}" for m in range(T)]])
    for ln in lines:
        prof.append([defuse(ln.label), *[float(x) for x in ln.profile]])
    monthly = wb.create_sheet("Monthly")
    headers = ["Month", *[defuse(f"{ln.kind}: {ln.label}") for ln in lines]]
    headers += [
        "Cost",
        "Benefit",
        "Net",
        "Cumulative",
        "Discount factor",
        "Present value",
        "Discounted cumulative",
    ]
    monthly.append(headers)
    for cell in monthly[1]:
        cell.font = bold
    n = len(lines)
    col = {
        name: get_column_letter(n + 2 + k)
        for k, name in enumerate(["cost", "benefit", "net", "cum", "disc", "pv", "dcum"])
    }
    for m in range(T):
        r = m + 2
        row = [m]
        for i in range(n):
            pcol = get_column_letter(m + 2)
            row.append(f"=Inputs!$C${first_line_row + i}*Profiles!{pcol}{i + 2}")
        line_cols = [get_column_letter(i + 2) for i in range(n)]
        costs = [c for c, ln in zip(line_cols, lines, strict=True) if ln.kind == "cost"]
        gains = [c for c, ln in zip(line_cols, lines, strict=True) if ln.kind == "benefit"]
        row.append("=" + ("+".join(f"{c}{r}" for c in costs) or "0"))
        row.append("=" + ("+".join(f"{c}{r}" for c in gains) or "0"))
        row.append(f"={col['benefit']}{r}-{col['cost']}{r}")
        row.append(f"={col['net']}{r}" if m == 0 else f"={col['cum']}{r - 1}+{col['net']}{r}")
        row.append(f"=1/(1+Inputs!$B$4)^A{r}")
        row.append(f"={col['net']}{r}*{col['disc']}{r}")
        row.append(f"={col['pv']}{r}" if m == 0 else f"={col['dcum']}{r - 1}+{col['pv']}{r}")
        monthly.append(row)
    last = T + 1
    rng = lambda c: f"Monthly!{c}2:{c}{last}"  # noqa: E731
    results = wb.create_sheet("Results", 0)
    results.append(["Figure", "Value", "How"])
    for cell in results[1]:
        cell.font = bold
    payback = (
        f'IF(COUNTIF({{c}},"<-0.005")=0,0,IF(INDEX({{c}},{T})<-0.005,"beyond the horizon",'
        f"SUMPRODUCT(MAX(({{c}}<-0.005)*{rng('A')}))+1))"
    )
    irr_row, checks = _irr_rows(result, rng(col["net"]), rng("A"))
    rows = [
        ("Total cost", f"=SUM({rng(col['cost'])})", "sum of monthly costs"),
        ("Total benefit", f"=SUM({rng(col['benefit'])})", "sum of monthly benefits"),
        (
            "NPV",
            f"=SUM({rng(col['pv'])})",
            "sum of net x 1/(1+monthly rate)^month; month 0 undiscounted",
        ),
        irr_row,
        (
            "MIRR (annual)",
            f"=(1+MIRR({rng(col['net'])},Inputs!B4,Inputs!B4))^12-1",
            "finance and reinvestment at the monthly rate",
        ),
        (
            "Payback month",
            "=" + payback.replace("{c}", rng(col["cum"])),
            "first month from which the cumulative stays >= 0 (0.005 = half a cent)",
        ),
        (
            "Discounted payback month",
            "=" + payback.replace("{c}", rng(col["dcum"])),
            "the same on discounted flows",
        ),
        ("ROI", "=(B3-B2)/B2", "(total benefit - total cost) / total cost"),
        *checks,
    ]
    for label, formula, how in rows:
        results.append([label, formula, how])
    results.append([])
    for label, value, how in _simulation_rows(scenario, result):
        results.append([label, value, how])
    realised = getattr(s, "realised", None)
    realised_cached = _realised_sheet(wb, realised) if realised is not None else {}
    for sheet in wb.worksheets:
        sheet.column_dimensions["A"].width = 28
    wb.save(path)
    cached = _cached_values(result, scenario, lines, values, col, results)
    _cache_values(path, wb, {**cached, **realised_cached})


REALISED_SHEET = "Value realised"


def _realised_sheet(wb, r) -> dict[tuple[str, str], object]:
    """The "Value realised" sheet: the plan on top, then per lever its plan to date, what was
    realised (blank where not measured, the status says so) and the variance as a formula;
    the totals as SUM formulas over the levers; the forecast at completion as a formula over
    them. Returns the cached values of its formula cells (the same arithmetic in Python).

    Forecast at completion = realised to date (measured levers) + planned benefit over the
    horizon - plan to date (every lever): realised so far plus the plan for the months left,
    a lever not measured adding its plan only (advisor.realise.value)."""
    from openpyxl.styles import Font

    from advisor.wording import when

    bold = Font(bold=True)
    money_format = "#,##0"
    c = r.currency
    ws = wb.create_sheet(REALISED_SHEET)
    plan = r.plan or {}
    version = plan.get("version")
    approved = plan.get("approved_by") or plan.get("approved_at")
    top = [
        ("Figure", "Value", "How"),
        (
            "Approved plan",
            (f"version {version}" if version is not None else "approved")
            if approved
            else "no approval: the scenario as given",
            "the plan this sheet measures against",
        ),
        ("Approved by", plan.get("approved_by") or "not recorded", ""),
        (
            "Approved at",
            when(str(plan["approved_at"])) if plan.get("approved_at") else "not recorded",
            "",
        ),
        ("Plan started", _day(plan["start"]) if plan.get("start") else "not recorded", ""),
        ("Split at", _day(r.since), "before this date: before the plan; from it: after"),
        ("Data as of", _day(r.as_of), "the last moment the exports cover"),
        ("Months to date", _finite(r.months_to_date), "months of the plan to the data's end"),
        ("Currency", c, "every money figure on this sheet"),
    ]
    for label, value, how in top:
        ws.append([defuse(label), defuse(value), defuse(how)])
    for cell in ws[1]:
        cell.font = bold
    ws.append([])
    header = [
        "Lever",
        "Kind",
        "Status",
        f"Planned to date ({c})",
        f"Realised to date ({c})",
        f"Variance ({c})",
        "How",
    ]
    ws.append(header)
    for cell in ws[ws.max_row]:
        cell.font = bold
    cached: dict[tuple[str, str], object] = {}
    first = ws.max_row + 1
    planned_sum = {"measured": 0.0, "not measured": 0.0}
    realised_sum = 0.0
    for i, lv in enumerate(r.levers):
        at = first + i
        planned = _finite(lv.planned_to_date) or 0.0
        realised = _finite(lv.realised_to_date)
        measured = lv.status == "measured" and realised is not None
        status = "measured" if measured else NOT_MEASURED
        planned_sum[status] += planned
        row = [defuse(lv.name), defuse(lv.kind), status, planned, None, None, defuse(lv.how)]
        if measured:
            row[4], row[5] = realised, f"=E{at}-D{at}"
            cached[(REALISED_SHEET, f"F{at}")] = realised - planned
            realised_sum += realised
        ws.append(row)
    last = first + len(r.levers) - 1
    rng = lambda col: f"{col}{first}:{col}{last}"  # noqa: E731
    have = bool(r.levers)
    total = ws.max_row + 1
    rows = [
        (
            "Measured levers",
            "measured",
            f'=SUMIF({rng("C")},"measured",{rng("D")})' if have else "=0",
            f"=SUM({rng('E')})" if have else "=0",
            f"=E{total}-D{total}",
            "sums over the measured levers; variance = realised - planned",
        ),
        (
            "Levers not measured",
            NOT_MEASURED,
            f'=SUMIF({rng("C")},"{NOT_MEASURED}",{rng("D")})' if have else "=0",
            None,
            None,
            "counted as nothing realised to date (never assumed met)",
        ),
        (
            "Every lever",
            "",
            f"=SUM({rng('D')})" if have else "=0",
            None,
            None,
            "the plan to date of every lever",
        ),
    ]
    sums = {
        "D0": planned_sum["measured"],
        "E0": realised_sum,
        "F0": realised_sum - planned_sum["measured"],
        "D1": planned_sum[NOT_MEASURED],
        "D2": planned_sum["measured"] + planned_sum[NOT_MEASURED],
    }
    for k, (label, status, planned, realised, variance, how) in enumerate(rows):
        ws.append([label, "", status, planned, realised, variance, how])
        for cell in ws[ws.max_row][:1]:
            cell.font = bold
        for col in "DEF":
            if f"{col}{k}" in sums:
                cached[(REALISED_SHEET, f"{col}{total + k}")] = sums[f"{col}{k}"]
    for row in ws.iter_rows(min_row=first, max_row=ws.max_row, min_col=4, max_col=6):
        for cell in row:
            cell.number_format = money_format
    ws.append([])
    ws.append(["At completion", f"Value ({c})", "How"])
    for cell in ws[ws.max_row]:
        cell.font = bold
    t = r.total or {}
    given = "value from the app's value realised analysis"
    planned_benefit = _finite(t.get("planned_benefit"))
    for label, key, how in (
        ("Planned benefit, whole horizon", "planned_benefit", f"the approved plan's; {given}"),
        ("Forecast at completion", None, ""),
        ("Planned NPV", "planned_npv", f"the approved plan's costs and benefits; {given}"),
        (
            "NPV at completion, forecast",
            "forecast_at_completion_npv",
            f"the plan's costs; the realised value to date, the plan after; {given}",
        ),
    ):
        at = ws.max_row + 1
        if key is None:
            if planned_benefit is None:
                continue
            ws.append(
                [
                    label,
                    f"=E{total}+B{at - 1}-D{total + 2}",
                    "realised to date (measured levers) + planned benefit - plan to date of "
                    "every lever: what was realised plus the plan for the months left",
                ]
            )
            cached[(REALISED_SHEET, f"B{at}")] = realised_sum + planned_benefit - sums["D2"]
        else:
            ws.append([label, _finite(t.get(key)), how])
        ws.cell(row=at, column=2).number_format = money_format
    npv, planned_npv = _finite(t.get("forecast_at_completion_npv")), _finite(t.get("planned_npv"))
    if npv is not None and planned_npv is not None:
        at = ws.max_row + 1
        ws.append(["NPV against the plan", f"=B{at - 1}-B{at - 2}", "forecast - planned NPV"])
        ws.cell(row=at, column=2).number_format = money_format
        cached[(REALISED_SHEET, f"B{at}")] = npv - planned_npv
    for title, texts in (("What the data shows", r.findings), ("Warnings", r.warnings)):
        if texts:
            ws.append([])
            ws.append([title])
            ws[ws.max_row][0].font = bold
            for text in texts:
                ws.append([defuse(text)])
    ws.column_dimensions["B"].width = 18
    ws.column_dimensions["G"].width = 60
    return cached


def _cached_values(r, scenario, lines, values, col: dict, results) -> dict[tuple[str, str], object]:
    """The app's own figures for the workbook's formula cells, so a viewer that does not
    recalculate (a preview, a mail client) shows numbers, not empty cells. A spreadsheet that
    recalculates replaces them with what its formulas give: the same, as the tests check."""
    import numpy as np
    from openpyxl.utils import get_column_letter

    from advisor.money import discount_factors

    cached: dict[tuple[str, str], object] = {("Inputs", "B4"): r.monthly_rate}
    amounts = [float(ln.amount(values)) for ln in lines]
    disc = discount_factors(scenario.discount_rate, len(r.monthly))
    pv = np.array([row.net for row in r.monthly]) * disc
    dcum = np.cumsum(pv)
    for m, row in enumerate(r.monthly):
        at = m + 2
        for i, (ln, amount) in enumerate(zip(lines, amounts, strict=True)):
            cached[("Monthly", f"{get_column_letter(i + 2)}{at}")] = amount * float(ln.profile[m])
        for name, value in (
            ("cost", row.cost),
            ("benefit", row.benefit),
            ("net", row.net),
            ("cum", row.cumulative),
            ("disc", disc[m]),
            ("pv", pv[m]),
            ("dcum", dcum[m]),
        ):
            cached[("Monthly", f"{col[name]}{at}")] = float(value)
    figures = {
        "Total cost": r.total_cost,
        "Total benefit": r.total_benefit,
        "NPV": r.npv,
        "IRR (annual)": r.irr_annual,
        "MIRR (annual)": r.mirr_annual,
        "Payback month": "beyond the horizon" if r.payback_month is None else r.payback_month,
        "Discounted payback month": "beyond the horizon"
        if r.discounted_payback_month is None
        else r.discounted_payback_month,
        "ROI": r.roi,
        "NPV at the IRR (a check)": 0.0,
    }
    for row in results.iter_rows(min_row=2):
        label, cell = row[0].value, row[1]
        formula = isinstance(cell.value, str) and cell.value.startswith("=")
        if formula and figures.get(label) is not None:
            cached[("Results", cell.coordinate)] = figures[label]
    return cached


def _cache_values(path, wb, cached: dict[tuple[str, str], object]) -> None:
    """Write `cached` into the saved workbook's formula cells (openpyxl writes a formula with
    an empty value, `<v />`): each sheet's XML is rewritten inside the zip, nothing else."""
    import re
    import shutil
    import tempfile
    import zipfile
    from xml.sax.saxutils import escape

    files = {f"xl/worksheets/sheet{i + 1}.xml": ws.title for i, ws in enumerate(wb.worksheets)}
    cell = re.compile(r'<c r="([A-Z]+[0-9]+)"([^>]*)><f>(.*?)</f><v ?/></c>', re.S)

    def fill(sheet: str, m: re.Match) -> str:
        ref, attrs, formula = m.groups()
        value = cached.get((sheet, ref))
        if value is None:
            return m.group(0)
        if isinstance(value, str):
            return f'<c r="{ref}"{attrs} t="str"><f>{formula}</f><v>{escape(value)}</v></c>'
        number = value if isinstance(value, int) else float(value)
        return f'<c r="{ref}"{attrs}><f>{formula}</f><v>{number!r}</v></c>'

    with tempfile.NamedTemporaryFile(delete=False, suffix=".xlsx") as tmp:
        out = tmp.name
    with zipfile.ZipFile(path) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            sheet = files.get(item.filename)
            if sheet is not None:
                text = data.decode("utf-8")
                data = cell.sub(lambda m, s=sheet: fill(s, m), text).encode("utf-8")
            dst.writestr(item, data)
    shutil.move(out, path)
