"""Scenarios side by side, and the teams of one organisation on one matrix.

For each scenario: its ranking (the same scores `recommend` gives), NPV, IRR and payback
with their P10-P90 (the scenario's own simulation settings, `roi.simulation`, so the figures
are the ROI page's and the report's; IRR's from the first 300 futures), and
the delay cost of the best order, and, where the scenario keeps what value realised measured
(its `realised` part), the measured levers' realised and planned value to date and the
variance. For teams: a team x category fit
matrix, and the single category or pair that serves them all best:
    coverage(team, choice) = the best score in the choice for that team / the team's top score
The choice with the highest lowest coverage wins (then the highest mean; a single category
before a pair). What it leaves uncovered: each team's stages holding at least 20% of its
wait that no category in the choice sees well (focus below 0.5).
"""

from __future__ import annotations

import datetime as dt
import itertools

from advisor import wording
from advisor.catalog import CATEGORY_IDS, Catalog
from advisor.delay import analyse as analyse_backlog
from advisor.errors import Problem, ScenarioError
from advisor.roi import analyse as analyse_roi
from advisor.scenario import ScenarioFile
from advisor.scoring import recommend

MIN_SCENARIOS, MAX_SCENARIOS = 2, 6
MONEY_FIELDS = (
    "npv",
    "npv_p10",
    "npv_p50",
    "npv_p90",
    "delay_cost_best",
    "realised_to_date",
    "planned_to_date",
    "realised_variance",
    "planned_to_date_not_measured",
    "realised_clear_of_chance",
)
IRR_RUNS = 300  # of the simulated futures, the draws whose IRR is found (a root search each)
UNCOVERED_SHARE, SEEN_FOCUS = 0.2, 0.5


def _one(s: ScenarioFile, version: int | None, catalog: Catalog) -> dict:
    rec = recommend(s.answers, catalog)
    row = {
        "name": s.name,
        "team": s.team,
        "version": version,
        "top_category": rec.ranking[0].category,
        "combination": rec.combination,
        "scores": {r.category: r.score for r in rec.ranking},
        "npv": None,
        "npv_p10": None,
        "npv_p50": None,
        "npv_p90": None,
        "irr_annual": None,
        "irr_p10": None,
        "irr_p90": None,
        "mirr_annual": None,
        "payback_month": None,
        "payback_p10": None,
        "payback_p90": None,
        "currency": s.answers.currency,
        "delay_cost_best": None,
    }
    if s.roi is not None:
        r = analyse_roi(s.roi, catalog, irr_runs=IRR_RUNS)
        row.update(
            npv=r.npv,
            irr_annual=r.irr_annual,
            mirr_annual=r.mirr_annual,
            payback_month=r.payback_month,
            currency=r.currency,
        )
        sim = r.simulation
        if sim is not None:  # none when the scenario asks for 0 runs
            row.update(
                npv_p10=sim.npv_p10,
                npv_p50=sim.npv_p50,
                npv_p90=sim.npv_p90,
                irr_p10=sim.irr_p10,
                irr_p90=sim.irr_p90,
                payback_p10=sim.payback_p10,
                payback_p90=sim.payback_p90,
            )
    if s.backlog is not None:
        row["delay_cost_best"] = analyse_backlog(s.backlog).delay_cost["best"]
    row.update(realised_figures(s, row["currency"], catalog))
    return row


REALISED_KEYS = {
    "realised_to_date": "realised_to_date",
    "planned_to_date": "planned_to_date",
    "realised_variance": "variance",
    "planned_to_date_not_measured": "planned_to_date_not_measured",
    "realised_clear_of_chance": "realised_to_date_clear_of_chance",
}


def realised_figures(s: ScenarioFile, currency: str, catalog: Catalog) -> dict:
    """The scenario's plan against actual to date, in `currency`: what its measured levers
    realised, what the plan held for them, the variance (realised - planned), what the plan
    held for the levers not measured, and the data's date. Each None where the scenario has
    no `realised` part (or its total lacks the figure). A part kept in another currency is
    converted at the catalog's stated rate; one it cannot convert is refused, named."""
    out: dict = {key: None for key in REALISED_KEYS} | {"realised_as_of": None}
    r = s.realised
    if r is None:
        return out
    rate = 1.0
    if r.currency != currency:
        rate = catalog.exchange_rates.convert(1.0, r.currency, currency)
        if rate is None:
            raise ScenarioError(
                [Problem(s.name, f"no exchange rate from {r.currency} to {currency}", "realised")]
            )
    total = r.total or {}
    for key, source in REALISED_KEYS.items():
        if total.get(source) is not None:
            out[key] = total[source] * rate
    out["realised_as_of"] = r.as_of
    return out


def shared_choice(rows: list[dict], scenarios: list[ScenarioFile], catalog: Catalog) -> dict:
    """The category or pair that serves every team best, and what it leaves uncovered."""
    choices = [(c,) for c in CATEGORY_IDS] + list(itertools.combinations(CATEGORY_IDS, 2))

    def coverage(choice) -> dict[str, float]:
        out = {}
        for row in rows:
            top = max(row["scores"].values())
            best = max(row["scores"][c] for c in choice)
            out[row["team"] or row["name"]] = best / top if top > 0 else 0.0
        return out

    def rank(choice):
        cov = coverage(choice).values()
        return (round(min(cov), 4), round(sum(cov) / len(cov), 4), -len(choice))

    best = max(choices, key=rank)
    uncovered = []
    for row, s in zip(rows, scenarios, strict=True):
        for loc, weight in s.answers.bottlenecks.items():
            seen = max(catalog.categories[c].focus.get(loc) for c in best)
            if weight >= UNCOVERED_SHARE and seen < SEEN_FOCUS:
                uncovered.append(
                    {
                        "team": row["team"] or row["name"],
                        "stage": loc,
                        "share_of_wait": round(weight, 4),
                        "best_focus": seen,
                    }
                )
    return {
        "categories": list(best),
        "covers": {k: round(v, 4) for k, v in coverage(best).items()},
        "uncovered": uncovered,
    }


def convert_rows(rows: list[dict], currency: str, catalog: Catalog) -> dict[str, float]:
    """Every money figure of `rows` in `currency`, at the catalog's stated rates (in place).

    A converted row keeps `converted_from` (its own currency) and `rate` (units of `currency`
    for one of its own). Returns the rates used, `{from: rate}`. A currency the catalog cannot
    convert is refused, the scenario named: figures in two currencies are never set side by
    side as if they were one."""
    rates: dict[str, float] = {}
    problems = []
    for row in rows:
        own = row["currency"]
        if own == currency:
            continue
        rate = catalog.exchange_rates.convert(1.0, own, currency)
        if rate is None:
            problems.append(
                Problem(row["name"], f"no exchange rate from {own} to {currency}", "currency")
            )
            continue
        rates[own] = rate
        for key in MONEY_FIELDS:
            if row[key] is not None:
                row[key] = row[key] * rate
        row.update(currency=currency, converted_from=own, rate=rate)
    if problems:
        raise ScenarioError(problems)
    return rates


def organisation_of(scenarios: list[ScenarioFile]) -> str | None:
    """The organisation every scenario names, or None when they do not all name the same."""
    names = {s.organisation for s in scenarios}
    return next(iter(names)) if len(names) == 1 and None not in names else None


def compare(
    scenarios: list[tuple[ScenarioFile, int | None]],
    catalog: Catalog,
    currency: str | None = None,
) -> dict:
    """The `compare --json` document (DESIGN.md).

    Money is shown in one `currency` (default: the first scenario's), converted at the
    catalog's stated rates (`rates`, `rates_as_of`). Teams are set on one matrix, with the
    category or pair that serves them all (`shared`), only when every scenario names the same
    `organisation`; otherwise `shared` is None and `organisation` says why."""
    rows = [_one(s, v, catalog) for s, v in scenarios]
    files = [s for s, _ in scenarios]
    target = currency or rows[0]["currency"]
    rates = convert_rows(rows, target, catalog)
    tops = {r["top_category"] for r in rows}
    organisation = organisation_of(files)
    return {
        "scenarios": rows,
        "currency": target,
        "rates": rates,
        "rates_as_of": catalog.exchange_rates.as_of.isoformat(),
        "organisation": organisation,
        "matrix": {(r["team"] or r["name"]): r["scores"] for r in rows},
        "shared": shared_choice(rows, files, catalog) if organisation else None,
        "agree": len(tops) == 1,
        "top_categories": sorted(tops),
    }


def rates_sentence(doc: dict) -> str:
    """How the money was brought to one currency, in words: `Money in USD; converted at 1 EUR
    = 1.08 USD (the catalog's rates as of 2026-11-24).`"""
    if not doc["rates"]:
        return f"Money in {doc['currency']}, every scenario's own currency: nothing converted."
    used = ", ".join(f"1 {c} = {r:.4g} {doc['currency']}" for c, r in sorted(doc["rates"].items()))
    return (
        f"Money in {doc['currency']}; converted at {used} (the catalog's rates as of "
        f"{doc['rates_as_of']}; indicative, use your finance team's rate for a decision)."
    )


def grouping_sentence(doc: dict) -> str:
    """Whether the scenarios were read as teams of one organisation, in words."""
    if doc["organisation"]:
        return f"Teams of {doc['organisation']}: one matrix and the choice that serves them all."
    return (
        "Compared side by side, not as teams: they do not all name the same organisation "
        "(set `organisation:` in each, or the Organisation field, to see the shared choice)."
    )


def _money(x: float | None, currency: str) -> str:
    return "-" if x is None else wording.money(x, currency)


def _rate(x: float | None) -> str:
    return "-" if x is None else wording.rate(x)


def _month(x: int | None, modelled: bool) -> str:
    return wording.month(x) if modelled else "-"


def _months(low: int | None, high: int | None) -> str:
    """`month 9 to month 14`; one phrase where both ends read alike."""
    a, b = wording.month(low), wording.month(high)
    return a if a == b else f"{a} to {b}"


def compare_table(doc: dict, catalog: Catalog) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The `compare` document as a person reads it: one column a scenario, one row a figure,
    each cell worded with its unit and currency; category names, never ids; "-" where a
    scenario has no such part (no ROI model, no backlog). The value realised rows (realised
    and plan to date, variance, the data's date) are shown when any scenario has that part.

    Returns the column headers (the scenarios' names) and the rows (label, cells)."""
    names = {k: c.name for k, c in catalog.categories.items()}
    short = {k: c.short_name for k, c in catalog.categories.items()}
    rows = doc["scenarios"]

    def line(label: str, cell) -> tuple[str, list[str]]:
        return label, [cell(r) for r in rows]

    def modelled(r: dict) -> bool:
        return r["npv"] is not None

    def irr(r: dict) -> str:
        if not modelled(r):
            return "-"
        return "undefined: read MIRR" if r["irr_annual"] is None else _rate(r["irr_annual"])

    table = [
        line("Team", lambda r: r["team"] or "-"),
        line("Version", lambda r: "not stored" if r["version"] is None else f"v{r['version']}"),
        line("Top category", lambda r: names.get(r["top_category"], r["top_category"])),
        line("Best pair", lambda r: " + ".join(short.get(c, c) for c in r["combination"])),
        line("NPV", lambda r: _money(r["npv"], r["currency"])),
        line(
            "NPV, P10 / P50 / P90",
            lambda r: (
                "-"
                if r["npv_p10"] is None
                else f"{r['npv_p10']:,.0f} / {r['npv_p50']:,.0f} / {r['npv_p90']:,.0f} "
                f"{r['currency']}"
            ),
        ),
        line("IRR (annual)", irr),
        line(
            "IRR, P10 to P90",
            lambda r: (
                "-" if r["irr_p10"] is None else f"{_rate(r['irr_p10'])} to {_rate(r['irr_p90'])}"
            ),
        ),
        line("MIRR (annual)", lambda r: _rate(r["mirr_annual"]) if modelled(r) else "-"),
        line("Payback", lambda r: _month(r["payback_month"], modelled(r))),
        line(
            "Payback, P10 to P90",
            lambda r: "-" if not modelled(r) else _months(r["payback_p10"], r["payback_p90"]),
        ),
        line("Delay cost, best order", lambda r: _money(r["delay_cost_best"], r["currency"])),
    ]
    if any(r.get("realised_as_of") is not None for r in rows):
        table += [
            line("Realised to date", lambda r: _money(r["realised_to_date"], r["currency"])),
            line(
                "of which clear of chance",
                lambda r: _money(r["realised_clear_of_chance"], r["currency"]),
            ),
            line("Plan to date", _plan_to_date),
            line("Variance to date", lambda r: _money(r["realised_variance"], r["currency"])),
            line("Realised, data as of", lambda r: _day(r["realised_as_of"])),
        ]
    return column_names(rows), table


def _plan_to_date(r: dict) -> str:
    """The measured levers' plan to date, and what the plan holds for the levers not measured
    (counted as nothing realised), so the two rows above it read alike."""
    planned = r["planned_to_date"]
    if planned is None:
        return "-"
    text = _money(planned, r["currency"])
    more = r.get("planned_to_date_not_measured")
    if more:
        text += f" (and {_money(more, r['currency'])} on levers not measured)"
    return text


def _day(iso: str | None) -> str:
    """`2026-07-30` of a stored moment; "-" where there is none."""
    if iso is None:
        return "-"
    try:
        return dt.datetime.fromisoformat(iso).date().isoformat()
    except ValueError:
        return iso


def column_names(rows: list[dict]) -> list[str]:
    """One header a scenario, each different: a stored scenario may carry an example's name
    (the page crashed on the duplicate column), so a repeated name says which it is."""
    names = [r["name"] for r in rows]
    out = []
    for r, name in zip(rows, names, strict=True):
        if names.count(name) > 1:
            name = f"{name} ({'example' if r['version'] is None else 'v' + str(r['version'])})"
        while name in out:
            name += " (again)"
        out.append(name)
    return out
