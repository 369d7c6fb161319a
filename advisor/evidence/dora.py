"""DORA's five delivery metrics from deployments (and incidents), their 2024 clusters, and
scores the way DORA's Quick Check computes them; DX Core 4's four figures.

    change lead time        deployed_at - commit_at of successful deployments (median, P85)
    deployment frequency    successful deployments per week, and deployment days per week
    change fail rate        failed deployments / all deployments, per deployment; a deployment
                            counts as failed when its status is failed or an incident is linked
                            to it (by deployment_id, else to the last successful deployment
                            before the incident: Apache DevLake's rule)
    recovery time           recovered_at (or the linked incident's resolved_at) - deployed_at
                            of each failed deployment (median)
    rework rate             unplanned deployments / all deployments
Quick Check scores 0-10: a six-option answer scores (option - 1) / 5 x 10 (option 1 is the
slowest); a percentage scores 10 - pct / 10. Throughput = mean(lead time, deployment
frequency, recovery); instability = mean(change fail, rework); overall = mean of the five.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

HOUR, DAY, WEEK, MONTH = 1 / 24, 1.0, 7.0, 30.0

# 2024 performance clusters (Accelerate State of DevOps 2024, DOMAIN section 4). Bands in
# days for times; deploys per week for frequency. Our reading of the table's gaps is stated.
CLUSTERS_NOTE = (
    "2024 clusters: lead time elite < 1 day, high < 1 week, medium < 1 month, else low; "
    "deployments elite >= 7 a week (on demand), high >= 1 a week, medium >= 1 a month, else "
    "low; change fail rate: the nearest of elite 5%, medium 10%, high 20%, low 40%; recovery "
    "elite < 1 hour, high < 1 day, medium < 1 week (the table leaves 1 day-1 week open), else "
    "low."
)


def _median(values) -> float | None:
    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    return float(np.median(v)) if v.size else None


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


def link_incidents(deploys: pd.DataFrame, incidents: pd.DataFrame | None) -> pd.DataFrame:
    """Each incident's deployment: its deployment_id, else the last successful deployment
    before it was created. Returns deploys with `incident` and `incident_resolved` columns."""
    out = deploys.reset_index(drop=True).copy()
    out["incident"] = False
    out["incident_resolved"] = pd.Series(pd.NaT, index=out.index, dtype="datetime64[ns, UTC]")
    if incidents is None or incidents.empty:
        return out
    ok = out[~out["failed"]].sort_values("deployed_at")
    from advisor.evidence.prepare import to_ns

    positions = np.searchsorted(
        to_ns(ok["deployed_at"]), to_ns(incidents["created_at"]), side="right"
    )
    before = np.where(positions > 0, ok.index.to_numpy()[np.maximum(positions - 1, 0)], -1)
    by_id = pd.Series(out.index, index=out["id"])
    by_id = by_id[~by_id.index.duplicated()]
    named = incidents["deployment_id"].map(by_id) if "deployment_id" in incidents else None
    target = before if named is None else np.where(named.notna(), named.fillna(-1), before)
    target = pd.Series(target.astype(int), index=incidents.index)
    known = target >= 0
    hit = target[known]
    out.loc[hit.unique(), "incident"] = True
    resolved = incidents.loc[known, "resolved_at"].groupby(hit).max()
    out.loc[resolved.index, "incident_resolved"] = resolved.to_numpy()
    return out


def dora_metrics(deploys: pd.DataFrame, incidents: pd.DataFrame | None = None) -> dict:
    d = link_incidents(deploys, incidents)
    total = len(d)
    success = d[~d["failed"]]
    failed = d["failed"] | d["incident"]
    span_days = max(1.0, (d["deployed_at"].max() - d["deployed_at"].min()).total_seconds() / 86400)
    weeks = span_days / 7
    lead = (success["deployed_at"] - success["commit_at"]).dt.total_seconds() / 86400
    recovered = d["recovered_at"].where(d["recovered_at"].notna(), d["incident_resolved"])
    recovery = ((recovered - d["deployed_at"]).dt.total_seconds() / 86400)[failed]
    per_week = len(success) / weeks
    days_per_week = success["deployed_at"].dt.normalize().nunique() / weeks
    fail_rate = float(failed.sum() / total) if total else 0.0
    rework = float(d["unplanned"].sum() / total) if total else 0.0
    lead_median, recovery_median = _median(lead), _median(recovery)
    metrics = {
        "change_lead_time": {
            "value": lead_median,
            "p85": _p85(lead),
            "unit": "days (median)",
            "cluster": _lead_cluster(lead_median) if lead_median is not None else None,
            "score": _option_score(_time_option(lead_median)) if lead_median is not None else None,
        },
        "deployment_frequency": {
            "value": per_week,
            "deployment_days_per_week": days_per_week,
            "unit": "successful deployments per week",
            "cluster": _frequency_cluster(per_week),
            "score": _option_score(_frequency_option(per_week)),
        },
        "change_fail_rate": {
            "value": fail_rate,
            "unit": "share of deployments (failed, or with an incident linked)",
            "cluster": _fail_cluster(fail_rate),
            "score": _pct_score(fail_rate),
        },
        "failed_deployment_recovery_time": {
            "value": recovery_median,
            "unit": "days (median, from the failed deployment)",
            "cluster": _recovery_cluster(recovery_median) if recovery_median is not None else None,
            "score": _option_score(_time_option(recovery_median))
            if recovery_median is not None
            else None,
            "unrecovered": int(failed.sum() - recovery.notna().sum()),
        },
        "deployment_rework_rate": {
            "value": rework,
            "unit": "share of deployments that were unplanned",
            "cluster": None,
            "score": _pct_score(rework),
        },
    }
    throughput = _mean(
        metrics[k]["score"]
        for k in ("change_lead_time", "deployment_frequency", "failed_deployment_recovery_time")
    )
    instability = _mean(metrics[k]["score"] for k in ("change_fail_rate", "deployment_rework_rate"))
    overall = _mean(m["score"] for m in metrics.values())
    return {
        **metrics,
        "score": {"overall": overall, "throughput": throughput, "instability": instability},
        "deployments": total,
        "weeks": weeks,
        "deploys_per_year": per_week * 52,
        "clusters": CLUSTERS_NOTE,
        "incident_rule": (
            "an incident counts against its deployment_id, else the last successful "
            "deployment before it (Apache DevLake's rule)"
        ),
    }


def _mean(values) -> float | None:
    v = [x for x in values if x is not None]
    return float(np.mean(v)) if v else None


MIN_GROUP = 5  # survey results of a smaller group are never shown


def dx_core_4(
    items: pd.DataFrame,
    weekly: pd.Series,
    engineers: int | None,
    dora: dict | None,
    survey: pd.DataFrame | None,
) -> dict:
    """Speed (from `weekly`, items done in each whole week), effectiveness, quality and
    impact, each with the stand-in it uses."""
    done = items[items["done"].notna()]
    speed = float(weekly.mean() / engineers) if engineers and len(weekly) else None
    effectiveness = None
    teams = {}
    if survey is not None and not survey.empty:
        drivers = [c for c in survey.columns if c != "team"]
        for team, group in survey.groupby("team"):
            if len(group) < MIN_GROUP:
                teams[team] = None
                continue
            answers = group[drivers].to_numpy(dtype=float)
            answers = answers[np.isfinite(answers)]
            teams[team] = float((answers >= 4).mean()) if answers.size else None
        everyone = survey[drivers].to_numpy(dtype=float)
        everyone = everyone[np.isfinite(everyone)]
        if len(survey) >= MIN_GROUP and everyone.size:
            effectiveness = float((everyone >= 4).mean())
    return {
        "speed": {
            "value": speed,
            "unit": "items done per engineer per week (stand-in for diffs per engineer)",
        },
        "effectiveness": {
            "value": effectiveness,
            "unit": "share of favourable answers (4 or 5), all drivers (Developer Experience "
            f"Index stand-in); teams under {MIN_GROUP} respondents are not shown",
            "teams": {k: v for k, v in teams.items()},
        },
        "quality": {
            "value": dora["change_fail_rate"]["value"] if dora else None,
            "unit": "change fail rate",
        },
        "impact": {
            "value": float((done["flow_item"] == "feature").mean()) if len(done) else None,
            "unit": "share of completed items that are features (stand-in for time on new "
            "capabilities)",
        },
    }
