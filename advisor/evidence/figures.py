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
    "rate": "over the window",
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
    compact: str  # "1.2 / week", "9.0 hours": a tile's value
    shown: str  # "2.1 days", "26.8%"
    text: str  # "26.8% of deployments"
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
    if f.get("p85") is not None:
        parts.append(f"P85 {registry.show(metric, f['p85'])}")
    if f.get("cluster"):
        parts.append(f"2024 cluster {f['cluster']}")
    if f.get("score") is not None:
        parts.append(f"Quick Check {f['score']:.1f} of 10")
    if f.get("stand_in"):
        parts.append(f"stand-in: {f['stand_in']}")
    if f.get("weeks_left_out"):
        parts.append("weeks the window covers in part, left out: " + ", ".join(f["weeks_left_out"]))
    parts.append(registry.metric(metric).definition)
    return "; ".join(parts)


def row(metric: str, f: dict | None) -> Row:
    f = f or {}
    value = f.get("value")
    statistic = STATISTIC_WORDS.get(f.get("statistic") or "", f.get("statistic") or "")
    return Row(
        metric,
        registry.label(metric),
        registry.short(metric),
        f.get("unit") or registry.unit(metric),
        registry.compact(metric, value),
        registry.show(metric, value),
        registry.text(metric, value),
        statistic,
        int(f.get("n") or 0),
        f.get("note") or "",
        _detail(metric, f),
    )


def rows(doc: dict, section: str) -> list[Row]:
    """The section's figures (flow, sei, dora, dx_core_4) as rows; none for a section the
    report does not hold (no deployments: no DORA)."""
    if doc.get(section) is None:
        return []
    return [row(metric, _at(doc, path)) for path, metric in SECTIONS[section]]


def window_text(doc: dict) -> str:
    w = doc["window"]
    how = "as given" if w["source"] == "given" else "the span of the files"
    return (
        f"{w['from'][:16].replace('T', ' ')} to {w['to'][:16].replace('T', ' ')} UTC "
        f"({w['days']:.1f} days, {w['whole_weeks']} whole weeks; {how})"
    )


UNIT_WORDS = {"days with a deployment per week": "deployment days / week"}


def rule_cell(metric: str, f: dict) -> str:
    """One DORA figure under one rule set, as short as a table cell allows, with its unit
    where it is not this product's."""
    if f["status"] in ("not_public", "needs_data"):
        return "not public" if f["status"] == "not_public" else "needs other data"
    if f["value"] is None:
        return "not enough data"
    if f["unit"] == registry.unit(metric):
        return registry.compact(metric, f["value"])
    return f"{registry.show(metric, f['value'])} {UNIT_WORDS.get(f['unit'], f['unit'])}"


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
    lines = []
    for metric, s in (doc.get("rules_spread") or {}).items():
        if s["computed"] > 1 and s["low"] is not None:
            low, high = registry.show(metric, s["low"]), registry.show(metric, s["high"])
            lines.append(
                f"{registry.label(metric)}: {low} to {high} across {s['computed']} rule sets"
                if low != high
                else f"{registry.label(metric)}: {low} under all {s['computed']} rule sets"
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


def summary(doc: dict) -> dict:
    """What a scenario keeps of the evidence: the headline figures by registry id (and
    their window), the bottleneck, and the DORA figures under each rule set, never the
    files."""
    dora = {}
    if doc.get("dora"):
        for path, metric in SECTIONS["dora"]:
            dora[metric] = _at(doc, path)["value"]
        dora["dora_score"] = doc["dora"]["score"]["overall"]
    flow = {
        "flow_time": doc["flow"]["flow_time_days"]["value"],
        "flow_efficiency": doc["flow"]["flow_efficiency"]["value"],
        "flow_velocity": doc["flow"]["velocity_per_week"]["value"],
        "cycle_time": doc["sei"]["cycle_time_days"]["value"],
        "feature_share": doc["flow"]["feature_share"]["value"],
    }
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
    return {
        "source": str(doc.get("source", ""))[:500],
        "window": {"from": doc["window"]["from"], "to": doc["window"]["to"]},
        "bottlenecks": dict(doc["bottlenecks"]),  # a copy: the report may be shared, read-only
        "dora": dora,
        "flow": flow,
        "rules": rules,
        "readiness": {k: readiness_line(r) for k, r in doc["readiness"].items()},
    }


UNAVAILABLE = {"not_public": "not public", "needs_data": "needs other data"}
STAGE_ORDER = ("ideation", "development", "deployment", "operations", "support")


def report_view(evidence) -> dict:
    """A stored summary (scenario.EvidenceSummary) as the reports print it: labels and values
    with units from the registry (keys written before the registry read the same), the
    window, the DORA figures under each rule set and the readiness per category."""
    from advisor.evidence.readiness import CATEGORY_NAMES

    window = evidence.window
    rows = []
    for part in (evidence.flow, evidence.dora):
        for key, value in part.items():
            number = value if isinstance(value, int | float) or value is None else None
            shown = (
                registry.text(key, number) if number is not None or value is None else str(value)
            )
            rows.append((registry.label(key), shown))
    rules, notes = [], []
    for name, figures in evidence.rules.items():
        cells = []
        for metric in RULE_METRICS:
            f = figures.get(metric)
            if f is None or f.value is None:
                cells.append(UNAVAILABLE.get(f.status if f else "", "not enough data"))
                if f is not None and f.note:
                    notes.append(f"{name}, {registry.label(metric).lower()}: {f.note}")
                continue
            same = f.unit == registry.unit(metric)
            shown = registry.text(metric, f.value) if same else registry.show(metric, f.value)
            cells.append(shown if same else f"{shown} ({f.unit})")
        rules.append((name, cells))
    waits = ", ".join(
        f"{k} {v:.0%}"
        for k, v in sorted(
            evidence.bottlenecks.items(),
            key=lambda kv: STAGE_ORDER.index(kv[0]) if kv[0] in STAGE_ORDER else 9,
        )
    )
    return {
        "source": evidence.source or "the team's exports",
        "window": (
            f"{window['from'][:10]} to {window['to'][:10]} (UTC)"
            if window.get("from") and window.get("to")
            else "the span of the files"
        ),
        "waits": waits or "no waiting measured",
        "figures": rows,
        "rule_labels": [registry.label(m) for m in RULE_METRICS],
        "rules": rules,
        "rule_notes": notes,
        "readiness": [
            (CATEGORY_NAMES.get(k, registry.label(k)), line)
            for k, line in evidence.readiness.items()
        ],
    }
