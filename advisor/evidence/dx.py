"""DX Core 4's four figures from the same exports, each a stated stand-in where the real one
needs data the exports do not hold (getdx.com, DX Core 4):

    speed           with pull requests (--pulls): pull requests merged in the window per week
                    / engineers, DX Core 4's own figure (`source: pull_requests`); without:
                    flow velocity (items finished in the window per week) / engineers, a
                    stated stand-in (`source: items`)
    effectiveness   share of favourable survey answers (4 or 5), all drivers; the real one
                    is DX's Developer Experience Index
    quality         the change fail rate
    impact          the feature share of finished items (one definition with the flow
                    distribution); DX Core 4 asks for the share of time on new capabilities

Small groups: a team with fewer than MIN_GROUP respondents is not shown, and its answers are
left out of the overall figure too, so no shown figure reveals it by subtraction.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

MIN_GROUP = 5  # survey results of a smaller group are never shown
# Pull requests: a team's figures need MIN_PULL_AUTHORS distinct authors of its merged pull
# requests, a reviewer group's review load MIN_PULL_REVIEWERS distinct reviewers. With two,
# either person can work out the other's figure from their own; with three no one can. The
# survey asks for more as its answers are opinions; these are counts and times of work.
MIN_PULL_AUTHORS = 3
MIN_PULL_REVIEWERS = 3
NO_TEAM = "(no team)"


def _favourable(frame: pd.DataFrame, drivers: list[str]) -> tuple[float | None, int]:
    answers = frame[drivers].to_numpy(dtype=float)
    answers = answers[np.isfinite(answers)]
    return (float((answers >= 4).mean()) if answers.size else None), int(answers.size)


def effectiveness(survey: pd.DataFrame | None, where: dict | None) -> dict:
    figure = {
        "metric": "dx_effectiveness",
        "value": None,
        "unit": "share of favourable answers",
        "statistic": "share",
        "n": 0,
        "window": where,
        "note": "no survey was given",
        "teams": {},
        "respondents": {},
        "hidden_teams": 0,
        "respondents_shown": 0,
        "min_group": MIN_GROUP,
        "stand_in": "favourable answers (4 or 5) for the Developer Experience Index",
    }
    if survey is None or survey.empty:
        return figure
    drivers = [c for c in survey.columns if c != "team"]
    teams = survey["team"].fillna("").replace("", NO_TEAM)
    # Counted for every team at once: a survey may name many thousands of teams.
    code, names = pd.factorize(teams, sort=True)
    answers = survey[drivers].to_numpy(dtype=float)
    known = np.isfinite(answers)
    k = len(names)
    respondents = np.bincount(code, minlength=k)
    given = np.bincount(code, weights=known.sum(axis=1), minlength=k)
    good = np.bincount(code, weights=((answers >= 4) & known).sum(axis=1), minlength=k)
    shown = respondents >= MIN_GROUP
    for i, team in enumerate(names):
        figure["teams"][team] = float(good[i] / given[i]) if shown[i] and given[i] else None
        figure["respondents"][team] = int(respondents[i]) if shown[i] else None
    shown_rows = shown[code]
    figure["hidden_teams"] = hidden = int((~shown).sum())
    value, answers = _favourable(survey[shown_rows], drivers)
    figure["value"] = value
    figure["n"] = answers
    figure["respondents_shown"] = int(shown_rows.sum())
    figure["note"] = (
        None
        if value is not None
        else f"not enough data: no team has {MIN_GROUP} or more respondents"
    )
    if hidden and value is not None:
        figure["note"] = (
            f"Teams with fewer than {MIN_GROUP} respondents: {hidden}; they are not shown and are "
            "left out of the overall figure"
        )
    return figure


def dx_core_4(
    velocity: dict,
    engineers: int | None,
    dora: dict | None,
    survey: pd.DataFrame | None,
    feature_share: dict,
    pulls: dict | None = None,
) -> dict:
    """Speed, effectiveness, quality and impact, each with the stand-in it uses. `pulls`: the
    report's `pulls` part (pulls/figures.py), whose merged pull requests per engineer then
    are the speed (`source: pull_requests`); else flow velocity / engineers (`items`)."""
    rate = velocity.get("value")
    speed = rate / engineers if (engineers and rate is not None) else None
    why = (
        "not enough data: give the number of engineers"
        if not engineers
        else velocity.get("note") or "not enough data"
    )
    quality = dora["change_fail_rate"] if dora else None
    speed_figure = {
        "metric": "dx_speed",
        "value": speed,
        "unit": "items per engineer per week",
        "statistic": "rate",
        "n": velocity.get("n", 0),
        "window": velocity.get("window"),
        "note": None if speed is not None else why,
        "source": "items",
        "stand_in": "items finished per engineer for diffs (merged pull requests) per engineer",
        "engineers": engineers,
    }
    if pulls is not None:
        merged = pulls["merged_per_engineer_week"]
        speed_figure = {
            **{k: merged[k] for k in ("value", "statistic", "n", "window", "note")},
            "metric": "dx_speed_pulls",
            "unit": "merged pull requests per engineer per week",
            "source": "pull_requests",
            "stand_in": None,
            "engineers": merged["engineers"],
            "engineers_source": merged["engineers_source"],
        }
    return {
        "speed": speed_figure,
        "effectiveness": effectiveness(survey, feature_share.get("window")),
        "quality": {
            "metric": "dx_quality",
            "value": quality["value"] if quality else None,
            "unit": "share of deployments",
            "statistic": "share",
            "n": quality["n"] if quality else 0,
            "window": quality["window"] if quality else None,
            "note": (quality["note"] if quality else "no deployments were given"),
            "stand_in": None,
        },
        "impact": {
            **feature_share,
            "metric": "dx_impact",
            "unit": "share of finished items",
            "stand_in": "the feature share of finished items for the share of time on new "
            "capabilities",
        },
    }
