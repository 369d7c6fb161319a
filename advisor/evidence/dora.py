"""DORA's five delivery metrics from deployments (and incidents) over the observation window,
under a rule set (rules.py; this product's by default), with the 2024 clusters and the
scores DORA's Quick Check gives.

This product's rules:
    change lead time        deployed_at - earliest commit_at, per successful deployment in
                            the window (median, P85)
    deployment frequency    successful deployments in the window / (window days / 7); and
                            UTC days with one the same way, at most 7
    change fail rate        failed deployments / deployments in the window, per deployment:
                            failed when its status is failed or an incident is linked to it
    incident links          by the incident's deployment_id (an id naming no deployment is
                            reported, not re-linked); without one, the last successful
                            deployment at or before the incident, within the incident window
                            (default 168 hours; Apache DevLake's rule has no bound)
    recovery time           recovered_at (else the linked incidents' latest resolution) -
                            deployed_at, per failed deployment in the window (median)
    rework rate             unplanned deployments / deployments in the window
Quick Check scores 0-10: a six-option answer scores (option - 1) / 5 x 10 (option 1 is the
slowest); a percentage scores 10 - pct / 10. Throughput = mean(lead time, deployment
frequency, recovery); instability = mean(change fail, rework); overall = mean of the five.
Every figure is defined for an empty group: no deployment, no successful one, no failed
one gives "not enough data" (a null value with a note), never a crash.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from advisor.evidence.prepare import to_ns
from advisor.evidence.rules import (
    PRODUCT,
    FailRate,
    Frequency,
    LeadTime,
    Recovery,
    RuleSet,
    Unavailable,
)
from advisor.evidence.window import DAY_NS, NAT, Window, monday_of, span

HOUR, DAY, WEEK, MONTH = 1 / 24, 1.0, 7.0, 30.0
NOT_ENOUGH = "not enough data"

# 2024 performance clusters (Accelerate State of DevOps 2024, DOMAIN section 4). Bands in
# days for times; deploys per week for frequency. Our reading of the table's gaps is stated.
CLUSTERS_NOTE = (
    "2024 clusters: lead time elite < 1 day, high < 1 week, medium < 1 month, else low; "
    "deployments elite >= 7 a week (on demand), high >= 1 a week, medium >= 1 a month, else "
    "low; change fail rate: the nearest of elite 5%, medium 10%, high 20%, low 40%; recovery "
    "elite < 1 hour, high < 1 day, medium < 1 week (the table leaves 1 day-1 week open), else "
    "low."
)


def summarise(values, statistic: str = "median") -> float | None:
    """One typical value: the interpolated median (numpy's default), the lower median (the
    smaller middle value, as SQL's percent_rank <= 0.5 picks it), or the mean."""
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if not v.size:
        return None
    if statistic == "mean":
        return float(v.mean())
    if statistic == "lower_median":
        return float(np.percentile(v, 50, method="lower"))
    return float(np.median(v))


def _p85(values) -> float | None:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.percentile(v, 85)) if v.size else None


def _time_option(days: float) -> int:
    """Quick Check's six options for a duration, slowest (1) to fastest (6)."""
    for option, bound in ((6, HOUR), (5, DAY), (4, WEEK), (3, MONTH), (2, 6 * MONTH)):
        if days < bound:
            return option
    return 1


def _frequency_option(per_week: float) -> int:
    """Six options: several a day (>= 14 a week), daily, weekly, monthly, six-monthly, fewer."""
    for option, bound in ((6, 14.0), (5, 7.0), (4, 1.0), (3, 1 / 4.3), (2, 1 / 26)):
        if per_week >= bound:
            return option
    return 1


def _option_score(option: int) -> float:
    return (option - 1) / 5 * 10


def _pct_score(rate: float) -> float:
    return 10 - rate * 100 / 10


def _lead_cluster(days: float) -> str:
    return "elite" if days < DAY else "high" if days < WEEK else "medium" if days < MONTH else "low"


def _frequency_cluster(per_week: float) -> str:
    if per_week >= 7:
        return "elite"
    if per_week >= 1:
        return "high"
    return "medium" if per_week >= 1 / 4.3 else "low"


def _fail_cluster(rate: float) -> str:
    marks = {"elite": 0.05, "medium": 0.10, "high": 0.20, "low": 0.40}
    return min(marks, key=lambda k: abs(marks[k] - rate))


def _recovery_cluster(days: float) -> str:
    return "elite" if days < HOUR else "high" if days < DAY else "medium" if days < WEEK else "low"


# ---------------------------------------------------------------- incidents


@dataclass
class Links:
    """Each incident's deployment (a row of the deployments frame, or -1) and how it was
    found: "id", "time", "dangling" (its id names no deployment), "none"."""

    target: np.ndarray
    how: np.ndarray
    dangling_ids: list[str]

    def counts(self) -> dict:
        how = self.how
        return {
            "given": len(how),
            "linked_by_id": int((how == "id").sum()),
            "linked_by_time": int((how == "time").sum()),
            "dangling": int((how == "dangling").sum()),
            "dangling_ids": self.dangling_ids[:20],
            "unlinked": int((how == "none").sum()),
        }


def link_incidents(deploys: pd.DataFrame, incidents: pd.DataFrame | None, rule: FailRate) -> Links:
    """Each incident's deployment under `rule`: by the deployment_id it names, by time (the
    last eligible deployment at or before it, within `window_hours`), or both."""
    if incidents is None or incidents.empty:
        return Links(np.array([], dtype=np.int64), np.array([], dtype=object), [])
    n = len(incidents)
    target = np.full(n, -1, dtype=np.int64)
    how = np.full(n, "none", dtype=object)
    named = (
        incidents["deployment_id"].fillna("").astype(str).to_numpy()
        if "deployment_id" in incidents
        else np.full(n, "", dtype=object)
    )
    dangling: list[str] = []
    if rule.link in ("id", "id_then_time"):
        by_id = pd.Series(np.arange(len(deploys)), index=deploys["id"].to_numpy())
        by_id = by_id[~by_id.index.duplicated() & (by_id.index != "")]
        found = pd.Series(named).map(by_id).to_numpy()
        has_id = named != ""
        ok = has_id & ~pd.isna(found)
        target[ok] = found[ok].astype(np.int64)
        how[ok] = "id"
        lost = has_id & pd.isna(found)
        how[lost] = "dangling"
        dangling = sorted({str(x) for x in named[lost]})
    timed = (named == "") if rule.link == "id_then_time" else np.full(n, rule.link == "time")
    if timed.any():
        eligible = (
            np.flatnonzero(~deploys["failed"].to_numpy())
            if rule.link_to == "successful"
            else np.arange(len(deploys))
        )
        times = to_ns(deploys["deployed_at"])[eligible]
        order = np.argsort(times, kind="stable")
        times, eligible = times[order], eligible[order]
        created = to_ns(incidents["created_at"])
        pos = np.searchsorted(times, created, side="right") - 1
        found = np.flatnonzero(timed & (pos >= 0))  # none when no deployment is eligible
        if rule.window_hours is not None:
            gap = created[found] - times[pos[found]]
            found = found[gap <= rule.window_hours * 3_600_000_000_000]
        target[found] = eligible[pos[found]]
        how[found] = "time"
    return Links(target, how, dangling)


def _incident_flags(deploys: pd.DataFrame, incidents, links: Links):
    """Per deployment: whether an incident is linked to it, and the latest resolution."""
    n = len(deploys)
    hit = np.zeros(n, dtype=bool)
    resolved = np.full(n, NAT, dtype=np.int64)
    known = links.target >= 0
    if known.any():
        rows = links.target[known]
        hit[rows] = True
        times = to_ns(incidents["resolved_at"])[known]
        np.maximum.at(resolved, rows, times)
    return hit, resolved


# ---------------------------------------------------------------- one metric under a rule


def _figure(metric, value, unit, statistic, n, window, note=None, **extra) -> dict:
    return {
        "metric": metric,
        "value": value,
        "unit": unit,
        "statistic": statistic,
        "n": int(n),
        "window": window,
        "note": note if value is None else None,
        **extra,
    }


def _weekly(times_ns: np.ndarray, window: Window, count: str, week_start: str) -> np.ndarray:
    """Per week touching the window (partial edge weeks included), deployments or distinct
    days with one."""
    shift = 0 if week_start == "monday" else 1  # Sunday weeks start a day before Monday's
    first = int(monday_of(np.array([window.start + shift * DAY_NS]))[0]) - shift
    last = int(monday_of(np.array([window.end + shift * DAY_NS]))[0]) - shift
    weeks = (last - first) // 7 + 1
    if count == "deployment_days":
        times_ns = np.unique(np.floor_divide(times_ns, DAY_NS)) * DAY_NS
    index = (np.floor_divide(times_ns, DAY_NS) - first) // 7
    return np.bincount(index, minlength=weeks)[:weeks].astype(float)


def frequency(successful_ns: np.ndarray, window: Window, rule: Frequency) -> dict:
    """Deployments (or days with one) per week under `rule`."""
    unit = (
        "deployments per week" if rule.count == "deployments" else "days with a deployment per week"
    )
    times = successful_ns
    if rule.count == "deployment_days":
        counted = len(np.unique(np.floor_divide(times, DAY_NS)))
    else:
        counted = len(times)
    where = span(window.start, window.end)
    if rule.summary == "rate":
        value = window.rate(counted)
        if rule.count == "deployment_days" and value is not None:
            # A week has seven days: the window's partial first and last days can count
            # a day with a deployment without counting the whole day in the window.
            value = min(value, 7.0)
        note = NOT_ENOUGH + ": the window is shorter than a day" if value is None else None
        return _figure("deployment_frequency", value, unit, "rate", counted, where, note)
    if window.days < 1:
        return _figure("deployment_frequency", None, unit, rule.summary, counted, where, NOT_ENOUGH)
    weekly = _weekly(times, window, rule.count, rule.week_start)
    if rule.summary == "floored_mean":
        days = max(1, int(np.ceil(window.days)))
        value = float(max(len(times) // len(weekly), (len(times) // days) * 7))
    else:
        value = summarise(weekly, "lower_median" if rule.summary == "lower_median" else "median")
    return _figure("deployment_frequency", value, unit, rule.summary, counted, where)


def lead_time(ok: pd.DataFrame, changes: pd.DataFrame, window: Window, rule: LeadTime) -> dict:
    """First commit to deployment, per successful deployment in the window or per change."""
    if rule.per == "change":
        rows = changes[changes["deployment"].isin(ok.index)]
        days = (
            (to_ns(rows["deployed_at"]) - to_ns(rows["commit_at"])) / DAY_NS
            if len(rows)
            else np.array([])
        )
        days = np.where(to_ns(rows["commit_at"]) == NAT, np.nan, days) if len(rows) else days
    else:
        commit = to_ns(ok["commit_at"])
        days = np.where(commit == NAT, np.nan, (to_ns(ok["deployed_at"]) - commit) / DAY_NS)
    days = np.asarray(days, dtype=float)
    n = int(np.isfinite(days).sum())
    value = summarise(days, rule.statistic)
    return _figure(
        "change_lead_time",
        value,
        "days",
        rule.statistic,
        n,
        span(window.start, window.end),
        NOT_ENOUGH + ": no successful deployment with a first commit in the window",
        p85=_p85(days),
    )


def fail_rate(inside: pd.DataFrame, incidents, links: Links, window: Window, rule: FailRate):
    """The share that failed, per `rule`."""
    where = span(window.start, window.end)
    successful = ~inside["failed"].to_numpy()
    denominator = len(inside) if rule.denominator == "all" else int(successful.sum())
    if rule.numerator == "failed_deployments":
        failed = inside["incident"].to_numpy()
        if rule.failed_when == "status_or_incident":
            failed = failed | ~successful
        if rule.denominator == "successful":
            failed = failed & successful
        numerator = int(failed.sum())
    else:
        created = to_ns(incidents["created_at"]) if incidents is not None else np.array([])
        in_window = window.contains(created)
        if rule.numerator == "linked_incidents":
            if in_window.any() and not (links.how[in_window] != "none").any():
                return _figure(
                    "change_fail_rate",
                    None,
                    "share of deployments",
                    "share",
                    0,
                    where,
                    "needs data: no incident names the deployment that caused it",
                    failed=0,
                    status="needs_data",
                )
            in_window &= links.target >= 0
        numerator = int(in_window.sum())
    if denominator == 0:
        return _figure(
            "change_fail_rate",
            None,
            "share of deployments",
            "share",
            0,
            where,
            NOT_ENOUGH + ": no deployment in the window",
            failed=numerator,
        )
    return _figure(
        "change_fail_rate",
        numerator / denominator,
        "share of deployments",
        "share",
        denominator,
        where,
        failed=numerator,
    )


def _daily_medians(end_ns: np.ndarray, days: np.ndarray) -> float | None:
    keep = np.isfinite(days)
    if not keep.any():
        return None
    frame = pd.DataFrame({"day": np.floor_divide(end_ns[keep], DAY_NS), "v": days[keep]})
    return float(frame.groupby("day")["v"].median().median())


def recovery(
    inside: pd.DataFrame, deploys: pd.DataFrame, incidents, links: Links, window, rule: Recovery
) -> dict:
    """Recovery time under `rule`, in days."""
    where = span(window.start, window.end)
    if rule.start == "failed_deployment":
        failed = inside[inside["failed"] | inside["incident"]]
        rec = to_ns(failed["recovered_at"])
        rec = np.where(rec == NAT, failed["incident_resolved"].to_numpy(dtype=np.int64), rec)
        start = to_ns(failed["deployed_at"])
        end = rec
        why = "no failed deployment in the window has a recovery time"
    else:
        if incidents is None or incidents.empty:
            return _figure(
                "failed_deployment_recovery_time",
                None,
                "days",
                rule.statistic,
                0,
                where,
                NOT_ENOUGH + ": no incident was given",
            )
        end = to_ns(incidents["resolved_at"])
        if rule.start == "incident":
            start = to_ns(incidents["created_at"])
        else:
            deployed = to_ns(deploys["deployed_at"])
            start = np.where(links.target >= 0, deployed[np.maximum(links.target, 0)], NAT)
        keep = window.contains(end)
        start, end = start[keep], end[keep]
        why = "no incident resolved in the window has a linked deployment or a start"
    days = np.where((start == NAT) | (end == NAT), np.nan, (end - start) / DAY_NS)
    days = np.where(days < 0, np.nan, days)
    if rule.statistic == "median_of_daily_medians":
        value = _daily_medians(end, days)
    else:
        value = summarise(days, rule.statistic)
    n = int(np.isfinite(days).sum())
    return _figure(
        "failed_deployment_recovery_time",
        value,
        "days",
        rule.statistic,
        n,
        where,
        f"{NOT_ENOUGH}: {why}",
    )


# ---------------------------------------------------------------- all of them


@dataclass
class Prepared:
    """Deployments inside the window, with incidents linked under one rule set."""

    deploys: pd.DataFrame  # every deployment, with `incident` and `incident_resolved`
    inside: pd.DataFrame  # those deployed inside the window
    links: Links
    window: Window


def _prepare(deploys, changes, incidents, window: Window, rules: RuleSet) -> Prepared:
    if rules.lookback_days:
        window = Window(max(window.start, window.end - rules.lookback_days * DAY_NS), window.end)
    fail = rules.change_fail_rate
    link_rule = fail if isinstance(fail, FailRate) else PRODUCT.change_fail_rate
    links = link_incidents(deploys, incidents, link_rule)
    hit, resolved = _incident_flags(deploys, incidents, links)
    d = deploys.assign(incident=hit, incident_resolved=resolved)
    inside = d[window.contains(to_ns(d["deployed_at"]))]
    return Prepared(d, inside, links, window)


def per_deployment(
    deploys: pd.DataFrame,
    changes: pd.DataFrame | None,
    incidents: pd.DataFrame | None,
    window: Window,
    rules: RuleSet = PRODUCT,
) -> pd.DataFrame:
    """One row per deployment, as this product's rules count it (value realised tests each
    figure before and after a date on these rows):

        at             deployed_at, ns UTC
        successful     its status is not failed (deployment frequency counts these)
        failed         failed status, or an incident is linked to it (the change fail rate)
        unplanned      made because of an incident (the deployment rework rate)
        lead_days      first commit to deployment, successful ones with a first commit
        recovery_days  deployment to its recovery (or its incidents' resolution), failed ones

    The incidents are linked over all deployments, as `dora_metrics` links them."""
    changes = changes if changes is not None else _changes_of(deploys)
    p = _prepare(deploys, changes, incidents, window, rules)
    d = p.deploys
    at = to_ns(d["deployed_at"])
    status_failed = d["failed"].to_numpy()
    failed = status_failed | d["incident"].to_numpy()
    commit = to_ns(d["commit_at"])
    lead = np.where((commit == NAT) | status_failed, np.nan, (at - commit) / DAY_NS)
    rec = to_ns(d["recovered_at"])
    rec = np.where(rec == NAT, d["incident_resolved"].to_numpy(dtype=np.int64), rec)
    recovery_days = np.where(failed & (rec != NAT), (rec - at) / DAY_NS, np.nan)
    recovery_days = np.where(recovery_days < 0, np.nan, recovery_days)
    return pd.DataFrame(
        {
            "at": at,
            "successful": ~status_failed,
            "failed": failed,
            "unplanned": d["unplanned"].to_numpy(dtype=bool),
            "lead_days": lead,
            "recovery_days": recovery_days,
        }
    )


def _unavailable(metric: str, rule: Unavailable, unit: str) -> dict:
    return {
        "metric": metric,
        "value": None,
        "unit": unit,
        "statistic": None,
        "n": 0,
        "window": None,
        "note": rule.note,
        "status": rule.status,
    }


UNITS = {
    "deployment_frequency": "deployments per week",
    "change_lead_time": "days",
    "change_fail_rate": "share of deployments",
    "failed_deployment_recovery_time": "days",
}


def under_rules(deploys, changes, incidents, window: Window, rules: RuleSet) -> dict:
    """The four key metrics under one rule set: {metric: figure}."""
    p = _prepare(deploys, changes, incidents, window, rules)
    ok = p.inside[~p.inside["failed"]]
    out = {}
    for metric, rule in (
        ("deployment_frequency", rules.deployment_frequency),
        ("change_lead_time", rules.change_lead_time),
        ("change_fail_rate", rules.change_fail_rate),
        ("failed_deployment_recovery_time", rules.failed_deployment_recovery_time),
    ):
        if isinstance(rule, Unavailable):
            out[metric] = _unavailable(metric, rule, UNITS[metric])
        elif metric == "deployment_frequency":
            out[metric] = frequency(to_ns(ok["deployed_at"]), p.window, rule)
        elif metric == "change_lead_time":
            out[metric] = lead_time(ok, changes, p.window, rule)
        elif metric == "change_fail_rate":
            out[metric] = fail_rate(p.inside, incidents, p.links, p.window, rule)
        else:
            out[metric] = recovery(p.inside, p.deploys, incidents, p.links, p.window, rule)
    return out


def dora_metrics(
    deploys: pd.DataFrame,
    incidents: pd.DataFrame | None,
    window: Window,
    changes: pd.DataFrame | None = None,
    rules: RuleSet = PRODUCT,
) -> dict:
    """DORA's five metrics under this product's rules, with clusters and Quick Check scores.
    `changes`: one row per change shipped (deployment, deployed_at, commit_at), for rules
    that count per change."""
    changes = changes if changes is not None else _changes_of(deploys)
    p = _prepare(deploys, changes, incidents, window, rules)
    inside = p.inside
    ok = inside[~inside["failed"]]
    where = span(window.start, window.end)
    lead = lead_time(ok, changes, window, rules.change_lead_time)
    freq = frequency(to_ns(ok["deployed_at"]), window, rules.deployment_frequency)
    days = frequency(
        to_ns(ok["deployed_at"]), window, Frequency(count="deployment_days", summary="rate")
    )
    fail = fail_rate(inside, incidents, p.links, window, rules.change_fail_rate)
    rec = recovery(
        inside, p.deploys, incidents, p.links, window, rules.failed_deployment_recovery_time
    )
    total = len(inside)
    rework = float(inside["unplanned"].sum() / total) if total else None

    def scored(figure, cluster, score):
        v = figure["value"]
        return {
            **figure,
            "cluster": cluster(v) if v is not None else None,
            "score": score(v) if v is not None else None,
        }

    metrics = {
        "change_lead_time": scored(lead, _lead_cluster, lambda v: _option_score(_time_option(v))),
        "deployment_frequency": {
            **scored(freq, _frequency_cluster, lambda v: _option_score(_frequency_option(v))),
            "deployment_days_per_week": days["value"],
        },
        "change_fail_rate": scored(fail, _fail_cluster, _pct_score),
        "failed_deployment_recovery_time": scored(
            rec, _recovery_cluster, lambda v: _option_score(_time_option(v))
        ),
        "deployment_rework_rate": {
            **_figure(
                "deployment_rework_rate",
                rework,
                "share of deployments",
                "share",
                total,
                where,
                NOT_ENOUGH + ": no deployment in the window",
            ),
            "cluster": None,
            "score": _pct_score(rework) if rework is not None else None,
        },
    }
    throughput = _mean(
        metrics[k]["score"]
        for k in ("change_lead_time", "deployment_frequency", "failed_deployment_recovery_time")
    )
    instability = _mean(metrics[k]["score"] for k in ("change_fail_rate", "deployment_rework_rate"))
    overall = _mean(m["score"] for m in metrics.values())
    window_hours = (
        rules.change_fail_rate.window_hours
        if isinstance(rules.change_fail_rate, FailRate)
        else None
    )
    all_per_week = window.rate(total)
    return {
        **metrics,
        "deployment_days": {**days, "metric": "deployment_days"},
        "score": {
            "overall": overall,
            "throughput": throughput,
            "instability": instability,
            "unit": "points of 10",
        },
        "deployments": total,
        "weeks": window.weeks,
        "deploys_per_year": {  # the count the change fail rate divides: failed ones too
            "metric": "deploys_per_year",
            "value": all_per_week * 365 / 7 if all_per_week is not None else None,
            "unit": "deployments per year",
            "statistic": "rate",
            "n": total,
            "window": where,
            "note": None if all_per_week is not None else freq["note"],
        },
        "incidents": p.links.counts(),
        "incident_window_hours": window_hours,
        "clusters": CLUSTERS_NOTE,
        "incident_rule": (
            "an incident counts against the deployment its deployment_id names (an id naming "
            "no deployment is reported, not re-linked); without an id, against the last "
            "successful deployment at or before it"
            + (
                f", within {window_hours:g} hours (--incident-window)"
                if window_hours is not None
                else ", however long before (Apache DevLake's rule)"
            )
        ),
    }


def _changes_of(deploys: pd.DataFrame) -> pd.DataFrame:
    """One change per deployment, when the export had no rows to merge."""
    return pd.DataFrame(
        {
            "deployment": deploys.index,
            "deployed_at": deploys["deployed_at"],
            "commit_at": deploys["commit_at"],
        }
    )


def _mean(values) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


def compare_rule_sets(deploys, changes, incidents, window: Window, rule_sets: list[RuleSet]):
    """The four key metrics under each rule set, why each differs from this product's
    rules, and the spread of what was computed.

    Returns (rules, spread): rules[rule_set][metric] = figure with `why`; spread[metric] =
    {low, high, unit, computed} over the rule sets whose figure shares this product's unit."""
    from advisor.evidence.rules import differences

    rules, spread = {}, {}
    for rs in rule_sets:
        figures = under_rules(deploys, changes, incidents, window, rs)
        for metric, figure in figures.items():
            rule, base = getattr(rs, metric), getattr(PRODUCT, metric)
            figure["status"] = figure.get("status") or (
                "computed" if figure["value"] is not None else "not_enough_data"
            )
            figure["why"] = differences(metric, rule, base) if rs.id != PRODUCT.id else []
        rules[rs.id] = figures
    for metric, unit in UNITS.items():
        values = [
            f[metric]["value"]
            for f in rules.values()
            if f[metric]["value"] is not None and f[metric]["unit"] == unit
        ]
        spread[metric] = {
            "low": min(values) if values else None,
            "high": max(values) if values else None,
            "unit": unit,
            "computed": len(values),
        }
    return rules, spread
