"""Pull-request figures over the observation window (`pulls` in `evidence --json`).

Which pull requests count (a bot's were set aside as they were read):
    merged          merged_at inside the window
    set aside       still a draft and not merged or closed; closed without merging; reverts
                    (the title starts "Revert "): left out of the cycle time, size and review
                    figures, as a revert is usually merged at once and would flatter them, but
                    still counted as merged for merged_per_engineer_week (a revert is a diff
                    merged like any other)
Cycle time and its split, in days (weekday time with --business-days), over the merged pull
    requests (reverts left out), each {count, median, p85, mean, unit} where its two ends are known:
    coding      first commit -> opened (a first commit after the opening: not measured)
    pickup      opened -> first review by someone other than the author
    review      first review -> merged (a first review after the merge: no review)
    deploy      merged -> the deployment that shipped it: the successful deployment naming
                its merge commit (the deployments CSV's optional `commit` column), else the
                first successful deployment at or after the merge, within the window
    total       first commit (else the opening) -> merged
size = additions + deletions (lines changed); a pull request without them is not measured.
merged_per_engineer_week = merged in the window / (window days / 7) / engineers; engineers =
    `--engineers` when given, else the distinct authors of the pull requests merged in the
    window (counted by key, never named).
merged_without_review = merged pull requests with no review by another person before the
    merge, as a count and a share of the merged.
review_load, per reviewer group (the pull request's team; else each of the teams GitHub
    says were requested; else "(no team)"), never per person: reviews given in the window
    (one per person and pull request, dated at their first review; a CSV's reviewers at its
    first review) / (window days / 7); and the pull requests waiting for a first review at
    the window's end (open, not a draft, no review by another person yet).
A pull request's team is the CSV's `team`, else the status map's `repositories: {repo: team}`.
Small groups (dx.MIN_PULL_AUTHORS, dx.MIN_PULL_REVIEWERS): a team's figures are shown only when
    its measured pull requests have at least 3 distinct known authors, a reviewer group's load
    only when its reviews in the window come from at least 3 distinct known reviewers; others
    are null and counted in `privacy`. What subtraction would give (the overall less the teams
    shown: the hidden teams and the pull requests of no team together) is left out of the
    overall figures too, and of the counts, when it holds fewer than 3 distinct known people
    (and any); else it is a group of 3 or more and the overall is safe to show. Pull requests
    without an author (a CSV without the column) are of unknown group size: their teams are
    not shown; as no person is named in them, the overall keeps them.
Percentiles as every evidence figure: numpy's linear interpolation, P50 = median.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from advisor.evidence.dx import MIN_PULL_AUTHORS, MIN_PULL_REVIEWERS
from advisor.evidence.flow import distribution
from advisor.evidence.prepare import span_days
from advisor.evidence.pulls.table import PullsRead
from advisor.evidence.registry import BUSINESS_DAYS
from advisor.evidence.window import NAT, Window, span

NO_TEAM = "(no team)"
DAYS = "days"
RULES = {
    "coding": "first commit to opening",
    "pickup": "opening to the first review by someone other than the author",
    "review": "first review to merge",
    "deploy": "merge to the successful deployment naming its merge commit (the deployments' "
    "commit column), else to the first successful deployment at or after the merge",
    "total": "first commit (else the opening) to merge",
}
DRAFTS = "drafts still open: not measured until they are opened for review"
CLOSED = "closed without merging: not measured"
REVERTS = (
    "reverts (the title starts 'Revert '): left out of cycle time, size and review figures; "
    "counted as merged in merged pull requests per engineer"
)


def _people(keys: np.ndarray) -> int:
    """Distinct known people among integer keys (negative: not known)."""
    return int(np.unique(keys[keys >= 0]).size)


def _left_out(keys: np.ndarray, minimum: int) -> bool:
    """Whether a remainder of these people's keys must stay out of the overall: it holds
    someone known, yet fewer than `minimum` distinct people."""
    return 0 < _people(keys) < minimum


def _ns(frame: pd.DataFrame, column: str) -> np.ndarray:
    return frame[column].array.asi8


def _days(later: np.ndarray, earlier: np.ndarray, ok: np.ndarray, business: bool) -> np.ndarray:
    """(later - earlier) in days where `ok` and both are known, else NaN; with `business`,
    weekday time only (prepare.span_days, as the items' times under --business-days)."""
    known = ok & (later != NAT) & (earlier != NAT)
    out = np.full(len(later), np.nan)
    out[known] = span_days(earlier[known], later[known], business)
    return out


def deploy_times(pulls: pd.DataFrame, deployments, window: Window) -> tuple[np.ndarray, int]:
    """Each pull request's shipping deployment time (ns, NaT where none), and how many were
    found by their merge commit. Only successful deployments inside the window count."""
    out = np.full(len(pulls), NAT, dtype=np.int64)
    if deployments is None:
        return out, 0
    frame = deployments.frame
    ok = ~frame["failed"].to_numpy(dtype=bool)
    at = frame["deployed_at"].array.asi8
    ok &= window.contains(at)
    merged = _ns(pulls, "merged_at")
    good = np.sort(at[ok])
    place = np.searchsorted(good, merged, side="left")
    found = (merged != NAT) & (place < len(good))
    out[found] = good[np.minimum(place, len(good) - 1)][found]
    changes = deployments.changes
    if "commit" not in changes:
        return out, 0
    shipped = pd.DataFrame(
        {
            "commit": changes["commit"].to_numpy(dtype=object),
            "at": at[changes["deployment"].to_numpy()],
            "ok": ok[changes["deployment"].to_numpy()],
        }
    )
    shipped = shipped[shipped["ok"] & (shipped["commit"] != "")]
    if shipped.empty:
        return out, 0
    first = pd.merge(
        pd.DataFrame({"pull": np.arange(len(pulls)), "commit": pulls["merge_commit"], "m": merged}),
        shipped,
        on="commit",
    )
    first = first[(first["m"] != NAT) & (first["at"] >= first["m"])]
    first = first.groupby("pull")["at"].min()
    out[first.index.to_numpy()] = first.to_numpy()
    return out, len(first)


def _split(
    p: pd.DataFrame, shipped: np.ndarray, merged: np.ndarray, window: Window, business: bool
) -> dict:
    """The cycle time's parts for the pull requests where `merged` holds."""
    opened, merged_at = _ns(p, "opened_at"), _ns(p, "merged_at")
    commit, review = _ns(p, "first_commit_at"), _ns(p, "first_review_at")
    reviewed = merged & (review != NAT) & (review <= merged_at)
    coded = merged & (commit != NAT) & (commit <= opened)
    start = np.where(coded, commit, opened)
    parts = {
        "total": _days(merged_at, start, merged, business),
        "coding": _days(opened, commit, coded, business),
        "pickup": _days(review, opened, reviewed, business),
        "review": _days(merged_at, review, reviewed, business),
        "deploy": _days(shipped, merged_at, merged, business),
    }
    whats = {
        "total": "no pull request was merged in the window",
        "coding": "no merged pull request gives a first commit before its opening",
        "pickup": "no merged pull request was reviewed by another person before its merge",
        "review": "no merged pull request was reviewed by another person before its merge",
        "deploy": "no merged pull request was matched to a successful deployment",
    }
    out = {}
    for name, values in parts.items():
        unit = BUSINESS_DAYS if business else DAYS
        figure = distribution(f"pr_{name}_time", values, unit, window, whats[name])
        out[name] = {**figure, "rule": RULES[name], "days_total": float(np.nansum(values))}
    return out


def _core(
    p: pd.DataFrame,
    merged: np.ndarray,
    counted: np.ndarray,
    shipped: np.ndarray,
    window: Window,
    engineers: int | None,
    business: bool = False,
) -> dict:
    """Cycle time, size, merged per engineer and merged without review for one set of pull
    requests (`merged`: measured; `counted`: merged ones counted per engineer, reverts too)."""
    where = span(window.start, window.end)
    lines = np.where(merged, p["additions"].to_numpy() + p["deletions"].to_numpy(), np.nan)
    size = distribution(
        "pr_size", lines, "lines changed", window, "no merged pull request gives its size"
    )
    size["not_measured"] = int((merged & np.isnan(lines)).sum())
    authors = p["author"].to_numpy()[counted]
    known = authors[authors >= 0]
    if engineers:
        people, how = engineers, "given"
    elif known.size and known.size == authors.size:
        people, how = int(np.unique(known).size), "authors"
    else:
        people, how = None, "authors"
    rate = window.rate(int(counted.sum()))
    value = rate / people if rate is not None and people else None
    why = (
        "not enough data: the window is shorter than a day"
        if rate is None
        else "not enough data: give the number of engineers, or pull requests with authors"
    )
    review = _ns(p, "first_review_at")
    unreviewed = merged & ~((review != NAT) & (review <= _ns(p, "merged_at")))
    n = int(merged.sum())
    return {
        "cycle_time": _split(p, shipped, merged, window, business),
        "size": size,
        "merged_per_engineer_week": {
            "metric": "pr_merged_per_engineer",
            "value": value,
            "unit": "merged pull requests per engineer per week",
            "statistic": "rate",
            "n": int(counted.sum()),
            "window": where,
            "note": None if value is not None else why,
            "engineers": people,
            "engineers_source": how,
        },
        "merged_without_review": {
            "metric": "pr_merged_without_review",
            "value": float(unreviewed.sum() / n) if n else None,
            "unit": "share of merged pull requests",
            "statistic": "share",
            "n": n,
            "window": where,
            "note": None if n else "not enough data: no pull request was merged in the window",
            "count": int(unreviewed.sum()),
        },
    }


def _groups(p: pd.DataFrame, team: pd.Series) -> list[list[str]]:
    out = []
    for t, g in zip(team, p["groups"], strict=True):
        out.append([t] if t else ([x for x in g.split("|") if x] or [NO_TEAM]))
    return out


def _review_load(read: PullsRead, team: pd.Series, waiting: np.ndarray, window: Window) -> dict:
    p, r = read.pulls, read.reviews
    groups = _groups(p, team)
    at = r["at"].array.asi8
    first = _ns(p, "first_review_at")[r["pull"].to_numpy()]
    at = np.where(at == NAT, first, at)
    inside = window.contains(at)
    given: dict[str, int] = {}
    people: dict[str, set] = {}
    for pull, who in zip(
        r["pull"].to_numpy()[inside], r["reviewer"].to_numpy()[inside], strict=True
    ):
        for g in groups[pull]:
            given[g] = given.get(g, 0) + 1
            if who >= 0:
                people.setdefault(g, set()).add(int(who))
    queued: dict[str, int] = {}
    for pull in np.flatnonzero(waiting):
        for g in groups[pull]:
            queued[g] = queued.get(g, 0) + 1
    names = sorted(set(given) | set(queued))
    shown = {g for g in names if len(people.get(g, ())) >= MIN_PULL_REVIEWERS}
    # the remainder: reviews and waiting pull requests in no group shown
    outside = np.array([not (set(g) & shown) for g in groups], dtype=bool)
    rest = outside[r["pull"].to_numpy()]
    left_out = _left_out(r["reviewer"].to_numpy()[inside & rest], MIN_PULL_REVIEWERS)
    keep = ~rest if left_out else np.ones(len(r), dtype=bool)
    kept_waiting = waiting & ~outside if left_out else waiting
    reviews = int((inside & keep).sum())
    return {
        "metric": "pr_review_load",
        "unit": "reviews per week",
        "window": span(window.start, window.end),
        "rule": "one review per person and pull request, dated at their first review; a "
        "group is the pull request's team, else each team GitHub says was requested",
        "reviews": reviews,
        "reviews_per_week": window.rate(reviews),
        "waiting_for_review": int(kept_waiting.sum()),
        "groups": {
            g: (
                {
                    "reviews": given.get(g, 0),
                    "reviews_per_week": window.rate(given.get(g, 0)),
                    "waiting_for_review": queued.get(g, 0),
                }
                if g in shown
                else None
            )
            for g in names
        },
        "hidden_groups": len(names) - len(shown),
        "left_out_of_overall": left_out,
        "min_reviewers": MIN_PULL_REVIEWERS,
        "privacy_note": privacy_note(len(names) - len(shown), left_out, "reviewers"),
    }


def pull_figures(
    read: PullsRead,
    window: Window,
    deployments=None,
    engineers: int | None = None,
    repositories: dict[str, str] | None = None,
    business_days: bool = False,
) -> dict:
    """The `pulls` part of the report: `counts`, `cycle_time` (total, coding, pickup, review,
    deploy: each a distribution in days with its `rule`; with `business_days`, weekday time
    as the items' times under --business-days, unit `business days`), `size` (lines changed),
    `merged_per_engineer_week`, `merged_without_review`, `review_load` (per group),
    `set_aside` (reason -> count), `teams` (the same per team, where teams are known).
    `deployments`: reading.Deployments or None; `engineers`: --engineers or None."""
    p = read.pulls
    repositories = repositories or {}
    mapped = pd.Series([repositories.get(r, "") for r in p["repo"]], index=p.index, dtype=object)
    team = p["team"].where(p["team"] != "", mapped)
    end = window.end
    opened, merged_at, closed = _ns(p, "opened_at"), _ns(p, "merged_at"), _ns(p, "closed_at")
    review = _ns(p, "first_review_at")
    draft, revert = p["draft"].to_numpy(), p["revert"].to_numpy()
    is_merged = merged_at != NAT
    in_window = window.contains(merged_at)
    closed_unmerged = ~is_merged & (closed != NAT)
    draft_open = draft & ~is_merged & ~closed_unmerged
    open_at_end = (
        (opened <= end)
        & ~((merged_at != NAT) & (merged_at <= end))
        & ~((closed != NAT) & (closed <= end))
    )
    waiting = open_at_end & ~draft & ~((review != NAT) & (review <= end))
    merged = in_window & ~revert
    shipped, by_commit = deploy_times(p, deployments, window)
    aside = dict(read.aside.as_dict())
    for reason, mask in ((DRAFTS, draft_open), (CLOSED, closed_unmerged), (REVERTS, revert)):
        if mask.any():
            aside[reason] = int(mask.sum())
    authors = p["author"].to_numpy()
    names = team.to_numpy(dtype=object)
    teams: dict[str, dict | None] = {}
    for name in sorted({t for t in names if t}):
        mine = names == name
        shown = _people(authors[merged & mine]) >= MIN_PULL_AUTHORS
        teams[name] = (
            _core(p, merged & mine, in_window & mine, shipped, window, None, business_days)
            if shown
            else None
        )
    in_shown = np.isin(names, [t for t, f in teams.items() if f is not None])
    # what the overall less the teams shown would give: left out when it is one or two people
    left_out = _left_out(authors[in_window & ~in_shown], MIN_PULL_AUTHORS)
    keep = in_shown if left_out else np.ones(len(p), dtype=bool)
    # engineers given are the whole organisation's: with a part left out, the authors count
    core = _core(
        p,
        merged & keep,
        in_window & keep,
        shipped,
        window,
        None if left_out else engineers,
        business_days,
    )
    deploy = core["cycle_time"]["deploy"]
    if deployments is None:
        deploy["note"] = "not measured: no deployments file was given"
    deploy["by_commit"] = by_commit
    hidden = sum(f is None for f in teams.values())
    return {
        "source": read.source,
        "counts": {
            "pull_requests": len(p),
            "merged_in_window": int((in_window & keep).sum()),
            "reverts_merged_in_window": int((in_window & revert & keep).sum()),
            "measured": int((merged & keep).sum()),
            "open_at_end": int(open_at_end.sum()),
            "reviews": len(read.reviews),
        },
        **core,
        "review_load": _review_load(read, team, waiting, window),
        "set_aside": aside,
        "bots": read.bots,
        "teams": teams,
        "privacy": {
            "min_authors": MIN_PULL_AUTHORS,
            "min_reviewers": MIN_PULL_REVIEWERS,
            "hidden_teams": hidden,
            "left_out_of_overall": left_out,
            "note": privacy_note(hidden, left_out),
        },
    }


def privacy_note(hidden: int, left_out: bool, people: str = "authors") -> str | None:
    """The small-group rule in words (`people`: authors or reviewers): how many teams or
    groups were hidden and whether the rest was left out of the overall; None when the rule
    hid nothing."""
    if not hidden and not left_out:
        return None
    least = MIN_PULL_AUTHORS if people == "authors" else MIN_PULL_REVIEWERS
    what = "teams" if people == "authors" else "reviewer groups"
    text = (
        f"{what.capitalize()} with fewer than {least} {people}, not shown: {hidden}"
        if hidden
        else f"Fewer than {least} {people} outside the {what} shown"
    )
    if left_out:
        return (
            f"{text}. They are left out of the overall figures too, so no figure shown reveals "
            "them by subtraction."
        )
    return (
        f"{text}. The overall figures keep them: together with the pull requests of no team "
        f"they come from {least} or more people."
    )
