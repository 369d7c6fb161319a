"""The evidence report read for people: its figures as labelled rows with units (from the
registry), the rule-set table, the readiness checklist and the summary a scenario keeps. The
command line, the Evidence page and both reports all take their wording from here.
"""

from __future__ import annotations

from dataclasses import dataclass

from advisor.evidence import registry

SECTIONS: dict[str, tuple[tuple[tuple[str, ...], str], ...]] = {
    "flow": (
        (("flow", "velocity_per_week"), "flow_velocity"),
        (("flow", "flow_time_days"), "flow_time"),
        (("flow", "flow_efficiency"), "flow_efficiency"),
        (("flow", "flow_load"), "flow_load"),
        (("flow", "feature_share"), "feature_share"),
    ),
    "sei": (
        (("sei", "cycle_time_days"), "cycle_time"),
        (("sei", "throughput_per_week"), "throughput"),
        (("sei", "wip_items"), "wip"),
        (("sei", "wip_age_days"), "wip_age"),
    ),
    "dora": (
        (("dora", "change_lead_time"), "change_lead_time"),
        (("dora", "deployment_frequency"), "deployment_frequency"),
        (("dora", "change_fail_rate"), "change_fail_rate"),
        (("dora", "failed_deployment_recovery_time"), "failed_deployment_recovery_time"),
        (("dora", "deployment_rework_rate"), "deployment_rework_rate"),
        (("dora", "deployment_days"), "deployment_days"),
    ),
    "dx_core_4": (
        (("dx_core_4", "speed"), "dx_speed"),
        (("dx_core_4", "effectiveness"), "dx_effectiveness"),
        (("dx_core_4", "quality"), "dx_quality"),
        (("dx_core_4", "impact"), "dx_impact"),
    ),
}
SECTION_TITLES = {"flow": "Flow", "sei": "SEI", "dora": "DORA", "dx_core_4": "DX Core 4"}
# The pull-request headline a scenario keeps and the reports print (only with pull requests):
# the cycle time's median and its split, merged per engineer a week, merged without review.
PULL_HEADLINE: tuple[tuple[tuple[str, ...], str], ...] = (
    *(
        (("pulls", "cycle_time", part), f"pr_{part}_time")
        for part in ("total", "coding", "pickup", "review", "deploy")
    ),
    (("pulls", "merged_per_engineer_week"), "pr_merged_per_engineer"),
    (("pulls", "merged_without_review"), "pr_merged_without_review"),
)
PULLS_TITLE = "Pull requests"
RULE_METRICS = (
    "deployment_frequency",
    "change_lead_time",
    "change_fail_rate",
    "failed_deployment_recovery_time",
)
STATISTIC_WORDS = {
    "median": "median",
    "lower_median": "lower median",
    "mean": "mean",
    "rate": "rate",
    "share": "share",
    "count": "count",
    "floored_mean": "weekly mean rounded down",
    "median_of_daily_medians": "median of daily medians",
}


@dataclass(frozen=True)
class Row:
    """One figure as people read it."""

    metric: str
    label: str
    short: str  # the label where space is tight
    unit: str
    shown: str  # "14.7 days", "9.0 hours", "26.8%", "5.6 a week": the same everywhere
    statistic: str
    n: int
    note: str
    detail: str  # P85, cluster and score, stand-in: what a tooltip holds


def _at(doc: dict, path: tuple[str, ...]):
    for step in path:
        if not isinstance(doc, dict) or step not in doc:
            return None
        doc = doc[step]
    return doc


def _detail(metric: str, f: dict) -> str:
    parts = []
    if f.get("p85") is not None and f.get("weeks"):  # a rate: its whole weeks' spread
        parts.append(
            f"week by week: median {registry.show(metric, f.get('median'))}, "
            f"P85 {registry.show(metric, f['p85'])} over {count(f['weeks'], 'whole week')}"
        )
    elif f.get("p85") is not None:
        parts.append(f"P85 {registry.show(metric, f['p85'])}")
    if f.get("cluster"):
        parts.append(f"2024 cluster {f['cluster']}")
    if f.get("score") is not None:
        parts.append(f"Quick Check {f['score']:.1f} of 10")
    definition = registry.metric(metric).definition
    if f.get("stand_in") and "stand-in" not in definition:  # said once
        parts.append(f"stand-in: {f['stand_in']}")
    if f.get("weeks_left_out"):
        parts.append("weeks in part, not among them: " + ", ".join(f["weeks_left_out"]))
    parts.append(definition)
    return "; ".join(parts)


MISSING = "-"  # a figure with no value: its note says why


def row(metric: str, f: dict | None) -> Row:
    f = f or {}
    value = f.get("value")
    statistic = STATISTIC_WORDS.get(f.get("statistic") or "", f.get("statistic") or "")
    return Row(
        metric,
        registry.label(metric),
        registry.short(metric),
        f.get("unit") or registry.unit(metric),
        registry.show(metric, value, MISSING, f.get("unit")),
        statistic,
        int(f.get("n") or 0),
        f.get("note") or "",
        _detail(metric, f),
    )


# A figure measured another way names its own registry entry (DX Core 4's speed from merged
# pull requests rather than items finished): its label, unit and definition are that one's.
MEASURED_OTHERWISE = {"dx_speed": ("dx_speed_pulls",)}


def _metric_of(metric: str, f) -> str:
    named = f.get("metric") if isinstance(f, dict) else None
    return named if named in MEASURED_OTHERWISE.get(metric, ()) else metric


def rows(doc: dict, section: str) -> list[Row]:
    """The section's figures (flow, sei, dora, dx_core_4) as rows; none for a section the
    report does not hold (no deployments: no DORA)."""
    if doc.get(section) is None:
        return []
    return [
        row(_metric_of(metric, _at(doc, path)), _at(doc, path))
        for path, metric in SECTIONS[section]
    ]


PULL_PARTS = ("total", "coding", "pickup", "review", "deploy")


def pull_rows(pulls: dict | None) -> list[Row]:
    """The pull-request figures (`pulls` of the report) as rows, in the registry's words:
    the cycle time and its split, size, merged per engineer, merged without review, the
    reviews given and the pull requests waiting for review. None without pull requests."""
    if not pulls:
        return []
    out = [row(f"pr_{part}_time", pulls["cycle_time"][part]) for part in PULL_PARTS]
    out.append(row("pr_size", pulls["size"]))
    out.append(row("pr_merged_per_engineer", pulls["merged_per_engineer_week"]))
    out.append(row("pr_merged_without_review", pulls["merged_without_review"]))
    load = pulls["review_load"]
    out.append(
        row(
            "pr_review_load",
            {
                "value": load["reviews_per_week"],
                "statistic": "rate",
                "n": load["reviews"],
                "unit": load["unit"],
            },
        )
    )
    out.append(
        row(
            "pr_waiting_for_review",
            {
                "value": load["waiting_for_review"],
                "statistic": "count",
                "n": load["waiting_for_review"],
            },
        )
    )
    return out


def hidden_group_text(load: dict) -> str:
    """What a hidden reviewer group shows instead of its review load."""
    return f"not shown (fewer than {load['min_reviewers']} reviewers)"


def pull_privacy_notes(pulls: dict) -> list[str]:
    """The small-group rule's notes for the pull-request figures and the review load: how
    many teams or groups were hidden and whether the rest was left out of the overall."""
    notes = [pulls["privacy"]["note"], pulls["review_load"]["privacy_note"]]
    return [n for n in notes if n]


def speed_source_text(doc: dict) -> str:
    """Which figure DX Core 4's speed is, in words."""
    speed = doc["dx_core_4"]["speed"]
    if speed.get("source") == "pull_requests":
        how = "given" if speed.get("engineers_source") == "given" else "counted from the authors"
        return f"Speed is measured from merged pull requests (engineers {how})."
    return (
        "Speed is a stand-in: items finished per engineer (give pull requests to measure "
        "merged pull requests per engineer)."
    )


def count(n: int, word: str) -> str:
    """`1 item`, `1,627 transitions`."""
    return f"{n:,} {word}{'' if n == 1 else 's'}"


def window_text(doc: dict) -> str:
    w = doc["window"]
    how = "as given" if w["source"] == "given" else "the span of the files"
    weeks = count(w["whole_weeks"], "whole week")
    business = (
        "; flow, cycle, status and pull-request times in business days"
        if w["business_days"]
        else ""
    )
    return (
        f"{w['from'][:16].replace('T', ' ')} to {w['to'][:16].replace('T', ' ')} UTC "
        f"({w['days']:.1f} days, {weeks}; {how}{business})"
    )


UNIT_WORDS = {"days with a deployment per week": "deployment days a week"}
UNAVAILABLE = {"not_public": "not public", "needs_data": "needs other data"}


def rule_cell(metric: str, f) -> str:
    """One DORA figure under one rule set (a report's figure, or a scenario's stored one), as
    short as a table cell allows, with its unit where it is not this product's."""
    get = f.get if isinstance(f, dict) else lambda k: getattr(f, k, None)
    status, value, unit = get("status"), get("value"), get("unit")
    if status in UNAVAILABLE:
        return UNAVAILABLE[status]
    if value is None:
        return "not enough data"
    if unit == registry.unit(metric):
        return registry.show(metric, value)
    return f"{registry.number(value)} {UNIT_WORDS.get(unit, unit)}"


def rule_rows(doc: dict) -> list[dict]:
    """The rule-set table: one row per rule set, each DORA figure as shown, and why it
    differs from this product's rules (a list of reasons per figure)."""
    out = []
    for rule_id, figures in (doc.get("rules") or {}).items():
        info = (doc.get("rule_sets") or {}).get(rule_id, {})
        line = {"rule_set": info.get("name", rule_id), "checked": info.get("checked", "")}
        why = {}
        for metric in RULE_METRICS:
            line[metric] = rule_cell(metric, figures[metric])
            if figures[metric]["why"]:
                why[registry.label(metric)] = figures[metric]["why"]
        line["why"] = " | ".join(f"{k}: {'; '.join(v)}" for k, v in why.items()) or (
            "this product's rules"
        )
        line["reasons"] = why
        out.append(line)
    return out


def spread_text(doc: dict) -> list[str]:
    """Per DORA figure, the lowest and the highest value across the rule sets that give it in
    this product's unit (days with a deployment are not deployments: they stay out)."""
    lines = []
    for metric, s in (doc.get("rules_spread") or {}).items():
        if s["computed"] > 1 and s["low"] is not None:
            low, high = registry.show(metric, s["low"]), registry.show(metric, s["high"])
            sets = f"{s['computed']} rule sets measuring it alike"  # the same unit, shown alike
            lines.append(
                f"{registry.label(metric)}: from {low} to {high} across {sets}"
                if low != high
                else f"{registry.label(metric)}: {low} under all {sets}"
            )
    return lines


def readiness_rows(doc: dict) -> list[dict]:
    out = []
    for category, r in doc["readiness"].items():
        for c in r["checks"]:
            out.append(
                {
                    "category": r["label"],
                    "check": c["label"],
                    "status": c["status"],
                    "figure": c["figure"],
                    "id": category,
                }
            )
    return out


def readiness_line(r: dict) -> str:
    """`partly ready: 2 of 4 met`."""
    return f"{r['status']}: {r['met']} of {r['of']} met"


MAX_SUMMARY_TEAMS = 50  # teams a scenario keeps figures for


def summary(doc: dict) -> dict:
    """What a scenario keeps of the evidence, never the files: every figure the page shows by
    section and registry id (with pull requests, `pulls`: their headline, PULL_HEADLINE), the
    window, the bottleneck (overall and per team), the forecast,
    the DORA figures under each rule set and the readiness per category."""
    sections = {
        section: {metric: (_at(doc, path) or {}).get("value") for path, metric in paths}
        for section, paths in SECTIONS.items()
        if doc.get(section) is not None
    }
    if doc.get("dora"):
        sections["dora"]["dora_score"] = doc["dora"]["score"]["overall"]
    rules = {}
    for rule_id, figures in (doc.get("rules") or {}).items():
        name = (doc.get("rule_sets") or {}).get(rule_id, {}).get("name", rule_id)
        rules[name[:100]] = {
            metric: {
                "value": figures[metric]["value"],
                "unit": figures[metric]["unit"],
                "note": (figures[metric]["note"] or "")[:300],
                "status": figures[metric]["status"],
            }
            for metric in RULE_METRICS
        }
    forecast = doc["forecast"]
    weeks = forecast.get("weeks_for_items") or {}
    teams = team_figures(dict(list(doc["teams"].items())[:MAX_SUMMARY_TEAMS]))
    not_kept = max(0, len(doc["teams"]) - MAX_SUMMARY_TEAMS)
    pulls = (
        {metric: (_at(doc, path) or {}).get("value") for path, metric in PULL_HEADLINE}
        if doc.get("pulls")
        else {}
    )
    return {
        "source": str(doc.get("source", ""))[:500],
        "window": {
            "from": doc["window"]["from"],
            "to": doc["window"]["to"],
            "days": "business" if doc["window"].get("business_days") else "calendar",
        },
        "bottlenecks": dict(doc["bottlenecks"]),  # a copy: the report may be shared, read-only
        "flow": sections.get("flow", {}),
        "sei": sections.get("sei", {}),
        "dora": sections.get("dora", {}),
        "dx_core_4": sections.get("dx_core_4", {}),
        **({"pulls": pulls} if pulls else {}),
        "forecast": {
            "items": forecast.get("items"),
            **{k: weeks.get(k) for k in ("p50", "p85", "p95")},
        }
        if weeks
        else {},
        "teams": teams,
        **({"teams_not_kept": not_kept} if not_kept else {}),
        "rules": rules,
        "readiness": {k: readiness_line(r) for k, r in doc["readiness"].items()},
        "notes": notes_of(doc),
        "readiness_gaps": {
            k: [readiness_check(c) for c in r["checks"] if c["status"] != "met"][:20]
            for k, r in doc["readiness"].items()
        },
        "rules_spread": [line[:300] for line in spread_text(doc)][:10],
    }


def notes_of(doc: dict) -> dict[str, str]:
    """What a report prints beside a figure, by registry id: its stand-in, or why it has no
    value; DX Core 4's effectiveness also says which teams the survey leaves out, the pull
    requests' cycle time which small teams their overall leaves out."""
    out = {}
    for paths in (*SECTIONS.values(), PULL_HEADLINE if doc.get("pulls") else ()):
        for path, metric in paths:
            f = _at(doc, path)
            if not isinstance(f, dict):
                continue
            if f.get("value") is None and f.get("note"):
                out[metric] = str(f["note"])[:300]
            elif f.get("stand_in"):
                out[metric] = f"stand-in: {f['stand_in']}"[:300]
            elif f.get("source") == "pull_requests":
                out[metric] = "from merged pull requests per engineer"
    effectiveness = (doc.get("dx_core_4") or {}).get("effectiveness") or {}
    if effectiveness.get("hidden_teams") and effectiveness.get("note"):
        note = str(effectiveness["note"])
        before = out.get("dx_effectiveness")
        if before:  # one sentence: the stand-in, then which teams it leaves out
            note = f"{before}; {note[:1].lower()}{note[1:]}"
        out["dx_effectiveness"] = note[:400]
    privacy = (doc.get("pulls") or {}).get("privacy") or {}
    if privacy.get("left_out_of_overall") and privacy.get("note"):
        out["pr_total_time"] = str(privacy["note"])[:400]  # the pull requests' first row
    return out


def readiness_check(c: dict) -> str:
    """`partly met: Incidents linked to deployments (linked by id: 0 of 4 ...)`."""
    return f"{c['status']}: {c['label']} ({c['figure']})"


STAGE_ORDER = ("ideation", "development", "deployment", "operations", "support")


TEAM_COLUMNS = {
    "finished": ("Finished", None),
    "flow_time": ("Flow time", "flow_time"),
    "cycle_time": ("Cycle time", "cycle_time"),
    "flow_efficiency": ("Flow efficiency", "flow_efficiency"),
    "throughput": ("Throughput", "throughput"),
}


def _shown(key: str, value, business: bool = False) -> str:
    try:
        unit = registry.days_unit(key, business)
    except KeyError:  # a key written before the registry: shown as a number
        unit = None
    return registry.show(key, value, unit=unit)


def team_figures(teams: dict[str, dict]) -> dict[str, dict]:
    """A report's teams (`teams` of `evidence --json`) as a summary keeps them: per team its
    share of waiting per stage (`waits_<stage>`), finished items and medians, flat."""
    return {
        team[:200]: {
            **{f"waits_{k}": v for k, v in t["bottlenecks"].items()},
            "finished": t["finished"],
            "flow_time": t["flow_time_median_days"],
            "cycle_time": t["cycle_time_median_days"],
            "flow_efficiency": t["flow_efficiency_median"],
            "throughput": t["throughput_per_week"],
        }
        for team, t in teams.items()
    }


def team_table(
    teams: dict[str, dict], business: bool = False
) -> tuple[list[str], list[tuple[str, list[str]]]]:
    """The per-team table as the page and both reports print it: a header, then per team
    its name and its cells (each share of waiting per stage, finished items, and the medians),
    in the registry's words. `teams`: a summary's teams (`summary()["teams"]`); `business`:
    its times were counted in weekdays."""
    stages = sorted(
        {k.removeprefix("waits_") for t in teams.values() for k in t if k.startswith("waits_")},
        key=lambda s: STAGE_ORDER.index(s) if s in STAGE_ORDER else 9,
    )
    header = [f"Waits in {s}" for s in stages] + [label for label, _ in TEAM_COLUMNS.values()]
    rows = [
        (
            team,
            [registry.show("waiting_share", t.get(f"waits_{s}") or 0) for s in stages]
            + [
                f"{int(t.get(k) or 0):,}"
                if key is None
                else registry.show(key, t.get(k), MISSING, registry.days_unit(key, business))
                for k, (_, key) in TEAM_COLUMNS.items()
            ],
        )
        for team, t in teams.items()
    ]
    return header, rows


def _headline_place(key: str) -> int:
    """Where a pull-request figure stands in the headline (a YAML file may sort its keys)."""
    order = [metric for _, metric in PULL_HEADLINE]
    return order.index(key) if key in order else len(order)


def report_view(evidence) -> dict:
    """A stored summary (scenario.EvidenceSummary) as the reports print it, in the page's
    words: each section's figures with labels and units from the registry (keys written
    before the registry read the same), the window, the forecast, the teams, the DORA
    figures under each rule set and the readiness per category."""
    from advisor.evidence.readiness import CATEGORY_NAMES

    window = evidence.window
    sections = []
    for section, part in (
        ("flow", evidence.flow),
        ("sei", evidence.sei),
        ("dora", evidence.dora),
        ("dx_core_4", evidence.dx_core_4),
        ("pulls", dict(sorted(evidence.pulls.items(), key=lambda kv: _headline_place(kv[0])))),
    ):
        if part:
            rows = [
                (
                    registry.label(key),
                    _shown(key, value, window.get("days") == "business"),
                    evidence.notes.get(key, ""),
                )
                for key, value in part.items()
            ]
            sections.append((SECTION_TITLES.get(section, PULLS_TITLE), rows))
    rules, notes = [], []
    for name, figures in evidence.rules.items():
        rules.append((name, [rule_cell(m, figures.get(m) or {}) for m in RULE_METRICS]))
        for metric in RULE_METRICS:
            f = figures.get(metric)
            if f is not None and f.value is None and f.note:
                notes.append(f"{name}, {registry.label(metric).lower()}: {f.note}")
    business = window.get("days") == "business"
    team_header, team_rows = team_table(evidence.teams, business)
    f = evidence.forecast
    forecast = (
        f"{int(f['items']):,} items take {_shown('forecast_weeks', f.get('p50'))} (P50), "
        f"{_shown('forecast_weeks', f.get('p85'))} (P85), "
        f"{_shown('forecast_weeks', f.get('p95'))} (P95)"
        if f.get("p50") is not None and f.get("items") is not None
        else ""
    )
    return {
        "source": evidence.source or "the team's exports",
        "window": (
            f"{window['from'][:10]} to {window['to'][:10]} (UTC)"
            if window.get("from") and window.get("to")
            else "the span of the files"
        )
        + (
            "; flow, cycle and pull-request times in business days (weekdays)"
            if window.get("days") == "business"
            else ""
        ),
        "waits": percentages_text(evidence.bottlenecks) or "no waiting measured",
        "sections": sections,
        "figures": [(label, value) for _, rows in sections for label, value, _ in rows],
        "forecast": forecast,
        "team_header": team_header,
        "teams": team_rows,
        "teams_note": (
            f"The first {len(team_rows):,} teams; {evidence.teams_not_kept:,} more were measured "
            "and are on the Evidence page (a scenario keeps 50)."
            if evidence.teams_not_kept
            else ""
        ),
        "rule_labels": [registry.label(m) for m in RULE_METRICS],
        "rules": rules,
        "rule_notes": notes,
        "rules_spread": list(evidence.rules_spread),
        "readiness": [
            (CATEGORY_NAMES.get(k, registry.label(k)), line, evidence.readiness_gaps.get(k, []))
            for k, line in evidence.readiness.items()
        ],
    }


def percentages_text(weights: dict[str, float]) -> str:
    """`ideation 5%, development 89%, deployment 6%`: whole percentages that add up to 100,
    in the order of the stages."""
    from advisor.shares import whole_percentages

    ordered = dict(
        sorted(
            weights.items(), key=lambda kv: STAGE_ORDER.index(kv[0]) if kv[0] in STAGE_ORDER else 9
        )
    )
    return ", ".join(f"{k} {v}%" for k, v in whole_percentages(ordered).items())
