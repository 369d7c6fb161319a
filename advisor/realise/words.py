"""Value realised in plain lines, for the command line: the plan, each lever, the totals,
the figures behind them, the outcome cards and the bottleneck's price."""

from __future__ import annotations

from advisor.evidence.registry import show
from advisor.wording import printable, when

STATUS_WORDS = {
    "met": "met",
    "missed": "missed",
    "too_early": "too early to tell",
    "typed": "typed by hand",
    "measured": "measured",
    "not_measured": "not measured",
}


def money(x: float | None, currency: str) -> str:
    return "-" if x is None else f"{x:,.0f} {currency}"


def plan_line(doc: dict) -> str:
    plan = doc["plan"]
    if plan.get("approved_by"):
        version = f"version {plan['version']}" if plan.get("version") else "the plan"
        by = printable(plan["approved_by"])
        who = f"{version}, approved by {by} on {when(plan['approved_at'])}"
    else:
        who = "the scenario as given (no approval)"
    months = (
        f" ({doc['months_to_date']:.1f} months since the plan started on {plan['start']})"
        if doc.get("horizon_months")
        else ""  # no ROI model: no plan whose months run
    )
    name = printable(doc["name"])
    return f"{name}: {who}; split at {doc['since'][:10]}, data to {doc['as_of'][:10]}" + months


def realised_lines(doc: dict) -> list[str]:
    c = doc["currency"]
    lines = [plan_line(doc), ""]
    for lv in doc["levers"]:
        if lv["status"] == "measured":
            lines.append(
                f"  {lv['name']}: planned {money(lv['planned_to_date'], c)} to date, realised "
                f"{money(lv['realised_to_date'], c)}, variance {money(lv['variance'], c)}"
            )
        else:
            lines.append(
                f"  {lv['name']}: planned {money(lv['planned_to_date'], c)} to date, not measured"
            )
        lines.append(f"    {lv['how']}")
        if lv["status"] == "measured" and lv["could_be_chance"]:
            lines.append(
                "    could be chance: the data cannot tell the change in "
                + ", ".join(lv["could_be_chance"]).lower()
                + " from chance"
            )
    total = doc["total"]
    if total:
        lines += [
            "",
            f"Measured levers: planned {money(total['planned_to_date'], c)} to date, realised "
            f"{money(total['realised_to_date'], c)}, variance {money(total['variance'], c)}",
            f"  of which on levers whose every change is clear of chance: "
            f"{money(total['realised_to_date_clear_of_chance'], c)}",
            f"Forecast at completion: {money(total['forecast_at_completion'], c)} of benefit "
            f"(planned {money(total['planned_benefit'], c)}); NPV "
            f"{money(total['forecast_at_completion_npv'], c)} (planned "
            f"{money(total['planned_npv'], c)})",
        ]
    if doc.get("figures"):
        from advisor.realise.measure import change_text

        lines += ["", "Is the change real?"]
        for f in doc["figures"].values():
            lines.append(f"  {f['sentence']}")
            if f["interval"] is not None:
                low, high = (change_text(f["metric"], v) for v in f["interval"])
                lines.append(f"    95% interval of the change: {low} to {high}")
    if doc["outcomes"]:
        lines += ["", "Outcome cards:"]
        for o in doc["outcomes"]:
            if o["source"] == "measured":
                actual = show(o["metric"], o["actual"], "nothing measured yet")
                target = show(o["metric"], o["target"])
                if o["status"] == "not_measured":
                    actual = "cannot be measured from these files"
                lines.append(
                    f"  {o['name']}: {o['label']} {actual} against {target} "
                    f"({STATUS_WORDS[o['status']]})"
                )
            else:
                lines.append(f"  {o['name']}: {o['actual']} (typed by hand)")
    price = doc["bottleneck_price"]
    if price:
        v = price["value_per_year"]
        where = price["status"] or price["stage"]
        lines += [
            "",
            f"The wait at {where} ({price['stage']}): a median of "
            f"{price['waiting_days_median']:.1f} days an item, worth "
            f"{money(v['low'], c)} to {money(v['high'], c)} a year (likely "
            f"{money(v['likely'], c)}); each week of it removed is worth "
            f"{money(price['per_week_removed'], c)} a year",
        ]
    if doc["warnings"]:
        lines += ["", *(f"! {w}" for w in doc["warnings"])]
    return lines
