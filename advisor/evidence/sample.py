"""A seeded organisation to try the Evidence page on: teams, a workflow, and one planted
bottleneck (`review`: long code-review waits; `release`: a slow release train; `approval`: an
approval queue upstream). The same seed gives the same files.

Its pull requests follow the items: an item's pull request is opened as it enters Code
Review and merged as it leaves, so the review wait planted in the items is the pull
requests' pickup time too. Each team has ENGINEERS authors (logins such as `a-dev1`, no
person's name); a teammate reviews. Drawn after everything else, so adding them changed
none of the other files.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

PLANTS = ("review", "release", "approval")
TYPES = np.array(["Story", "Bug", "Task", "Spike"])
TYPE_SHARE = [0.6, 0.25, 0.1, 0.05]
# The workflow: (status, typical days there, the plant that makes it long, days when planted)
PATH = [
    ("To Do", (1.0, 10.0), None, None),
    ("Discovery", (0.5, 2.0), None, None),
    ("Awaiting Approval", (0.2, 1.0), "approval", (6.0, 14.0)),
    ("Ready for Development", (0.3, 1.5), None, None),
    ("In Progress", (1.0, 4.0), None, None),
    ("Code Review", (0.3, 1.5), "review", (5.0, 12.0)),
    ("Ready for Release", (0.2, 1.0), "release", (5.0, 12.0)),
    ("Releasing", (0.05, 0.3), None, None),
    ("Done", (0.0, 0.0), None, None),
]
START = pd.Timestamp("2026-03-02T09:00:00Z")
SURVEY_DRIVERS = ("focus_time", "code_review", "release_process", "tooling")
ENGINEERS = 5  # authors a team (at least 3, so each team's pull-request figures are shown)
BOT = "renovate[bot]"
BOT_PULLS = 10  # a team's dependency updates over the five months, set aside as a bot's


@dataclass
class Sample:
    transitions: pd.DataFrame
    deployments: pd.DataFrame
    incidents: pd.DataFrame
    survey: pd.DataFrame
    pulls: pd.DataFrame | None = None


def generate(
    plant: str = "review", seed: int = 7, teams: int = 3, items_per_team: int = 120
) -> Sample:
    """Transitions, deployments, incidents, a survey and pull requests with `plant` as the
    bottleneck."""
    if plant not in PLANTS:
        raise ValueError(f"plant is one of {', '.join(PLANTS)}")
    rng = np.random.default_rng(seed)
    n = teams * items_per_team
    team = np.repeat([f"Team {chr(65 + i)}" for i in range(teams)], items_per_team)
    kind = rng.choice(TYPES, size=n, p=TYPE_SHARE)
    start = np.datetime64(START.tz_localize(None).to_datetime64(), "ns")
    created = start + (rng.uniform(0, 140, n) * 86400e9).astype("timedelta64[ns]")
    days = np.column_stack(
        [
            rng.uniform(*(planted if plant == p and planted else typical), n)
            for _, typical, p, planted in PATH
        ]
    )
    times = created[:, None] + (np.cumsum(days, axis=1) * 86400e9).astype("timedelta64[ns]")
    statuses = [s for s, *_ in PATH]
    rows = []
    keys = np.array([f"{t.split()[-1]}-{i + 1}" for i, t in enumerate(team)])
    # First row: creation into To Do; then one row per later step.
    for step in range(len(PATH)):
        rows.append(
            pd.DataFrame(
                {
                    "key": keys,
                    "type": kind,
                    "team": team,
                    "from_status": "" if step == 0 else statuses[step - 1],
                    "to_status": statuses[step],
                    "changed_at": created if step == 0 else times[:, step - 1],
                    "created_at": created,
                }
            )
        )
    # Some items are reopened: back to In Progress, through review and release again.
    again = rng.random(n) < 0.06
    done_at = times[:, len(PATH) - 2]
    t = done_at[again]
    for frm, to in (
        ("Done", "In Progress"),
        ("In Progress", "Code Review"),
        ("Code Review", "Ready for Release"),
        ("Ready for Release", "Releasing"),
        ("Releasing", "Done"),
    ):
        t = t + (rng.uniform(0.2, 1.5, int(again.sum())) * 86400e9).astype("timedelta64[ns]")
        rows.append(
            pd.DataFrame(
                {
                    "key": keys[again],
                    "type": kind[again],
                    "team": team[again],
                    "from_status": frm,
                    "to_status": to,
                    "changed_at": t,
                    "created_at": created[again],
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame["changed_at"] = pd.to_datetime(frame["changed_at"]).dt.tz_localize("UTC")
    frame["created_at"] = pd.to_datetime(frame["created_at"]).dt.tz_localize("UTC")
    as_of = START + pd.Timedelta(days=150)
    frame = frame[frame["changed_at"] <= as_of]
    frame = frame.sort_values(["key", "changed_at"], kind="stable").reset_index(drop=True)
    deployments, incidents = _deployments(rng, plant, as_of)
    survey = _survey(rng, teams)
    steps = {s: i for i, s in enumerate(statuses)}
    entered = {
        s: pd.to_datetime(times[:, steps[s] - 1]).tz_localize("UTC")
        for s in ("In Progress", "Code Review", "Ready for Release")
    }
    return Sample(frame, deployments, incidents, survey, _pulls(rng, keys, team, entered, as_of))


def _pulls(rng, keys, team, entered: dict, as_of: pd.Timestamp) -> pd.DataFrame:
    """One pull request per item that reached Code Review by `as_of` (a draft for one still
    in progress), teammates as reviewers, a few unreviewed, closed unmerged or reverted,
    and a bot's dependency updates; the pull-request CSV's columns."""
    n = len(keys)
    day = pd.Timedelta(days=1)
    start, opened, merged = (
        entered["In Progress"],
        entered["Code Review"],
        entered["Ready for Release"],
    )
    commit = start + (opened - start) * rng.uniform(0.05, 0.5, n)
    review = opened + (merged - opened) * rng.uniform(0.6, 0.9, n)
    author = rng.integers(0, ENGINEERS, n)
    other = (author + rng.integers(1, ENGINEERS, n)) % ENGINEERS
    second = (author + rng.integers(1, ENGINEERS, n)) % ENGINEERS
    two = (rng.random(n) < 0.3) & (second != other)
    unreviewed = rng.random(n) < 0.05
    closed_unmerged = rng.random(n) < 0.03
    reverted = rng.random(n) < 0.02
    additions = np.round(rng.lognormal(4.0, 1.0, n)).astype(int)
    deletions = np.round(additions * rng.uniform(0.0, 0.5, n)).astype(int)
    letter = np.array([t.split()[-1].lower() for t in team])
    login = np.char.add(np.char.add(letter, "-dev"), (author + 1).astype(str))
    reviewer = np.char.add(np.char.add(letter, "-dev"), (other + 1).astype(str))
    reviewers = np.where(
        two,
        np.char.add(
            np.char.add(reviewer, ";"),
            np.char.add(np.char.add(letter, "-dev"), (second + 1).astype(str)),
        ),
        reviewer,
    )
    nat = pd.Series(pd.NaT, index=range(n), dtype="datetime64[ns, UTC]")
    frame = pd.DataFrame(
        {
            "id": [f"{t.lower().replace(' ', '-')}#{i + 1}" for i, t in enumerate(team)],
            "repo": [f"acme/{t.lower().replace(' ', '-')}" for t in team],
            "team": team,
            "author": login,
            "title": [f"{k}: the change" for k in keys],
            "draft": False,
            "opened_at": opened,
            "merged_at": pd.Series(merged).where(~closed_unmerged, nat),
            "closed_at": pd.Series(merged).where(~closed_unmerged, opened + 2 * day),
            "first_commit_at": commit,
            "first_review_at": pd.Series(review).where(~unreviewed, nat),
            "additions": additions,
            "deletions": deletions,
            "reviewers": np.where(unreviewed, "", reviewers),
        }
    )
    # as of the sample's end: not opened yet (a draft while in progress), open, or reviewed
    in_progress = (frame["first_commit_at"] <= as_of) & (frame["opened_at"] > as_of)
    frame.loc[in_progress, "draft"] = True
    frame.loc[in_progress, "opened_at"] = frame.loc[in_progress, "first_commit_at"] + day / 4
    frame = frame[frame["opened_at"] <= as_of].copy()
    for column in ("merged_at", "closed_at", "first_review_at"):
        frame[column] = frame[column].where(frame[column] <= as_of, nat)
    frame.loc[frame["first_review_at"].isna(), "reviewers"] = ""
    frame.loc[frame["draft"], ["merged_at", "closed_at", "first_review_at"]] = pd.NaT
    frame.loc[frame["draft"], "reviewers"] = ""
    reverts = frame[reverted[frame.index] & frame["merged_at"].notna()].copy()
    reverts["id"] = reverts["id"] + "-revert"
    reverts["title"] = 'Revert "' + reverts["title"] + '"'
    reverts["opened_at"] = reverts["merged_at"] + day / 2
    reverts["merged_at"] = reverts["closed_at"] = reverts["opened_at"] + day / 12
    reverts["first_commit_at"] = reverts["first_review_at"] = pd.NaT
    reverts["additions"], reverts["deletions"] = reverts["deletions"], reverts["additions"]
    reverts["reviewers"] = ""
    bots = []
    for name in sorted(set(team)):
        slug = name.lower().replace(" ", "-")
        at = START + pd.to_timedelta(np.sort(rng.uniform(0, 149, BOT_PULLS)), unit="D")
        bots.append(
            pd.DataFrame(
                {
                    "id": [f"{slug}#bot{i + 1}" for i in range(BOT_PULLS)],
                    "repo": f"acme/{slug}",
                    "team": name,
                    "author": BOT,
                    "title": "Update dependencies",
                    "draft": False,
                    "opened_at": at,
                    "merged_at": at + day / 8,
                    "closed_at": at + day / 8,
                    "first_commit_at": at,
                    "first_review_at": pd.NaT,
                    "additions": 4,
                    "deletions": 4,
                    "reviewers": "",
                }
            )
        )
    out = pd.concat([frame, reverts[reverts["opened_at"] <= as_of], *bots], ignore_index=True)
    return out.sort_values(["opened_at", "id"], kind="stable").reset_index(drop=True)


def _deployments(rng, plant: str, as_of: pd.Timestamp) -> tuple[pd.DataFrame, pd.DataFrame]:
    per_week = 1.0 if plant == "release" else 6.0
    count = int(per_week * 150 / 7)
    deployed = START + pd.to_timedelta(np.sort(rng.uniform(0, 150, count)), unit="D")
    lead = rng.uniform(3, 10, count) if plant == "release" else rng.uniform(0.1, 2, count)
    failed = rng.random(count) < (0.2 if plant == "release" else 0.1)
    recover_hours = rng.uniform(1, 30, count)
    recovered = deployed + pd.to_timedelta(recover_hours, unit="h")
    frame = pd.DataFrame(
        {
            "id": [f"d{i + 1}" for i in range(count)],
            "deployed_at": deployed,
            "commit_at": deployed - pd.to_timedelta(lead, unit="D"),
            "status": np.where(failed, "failed", "success"),
            "recovered_at": pd.Series(recovered).where(failed, pd.NaT),
            "unplanned": rng.random(count) < 0.08,
        }
    )
    ok = frame[~failed]
    picks = ok.sample(n=max(1, len(ok) // 25), random_state=int(rng.integers(1 << 30)))
    incidents = pd.DataFrame(
        {
            "id": [f"inc{i + 1}" for i in range(len(picks))],
            "created_at": picks["deployed_at"] + pd.Timedelta(hours=2),
            "resolved_at": picks["deployed_at"] + pd.Timedelta(hours=9),
        }
    )
    return frame, incidents


def _survey(rng, teams: int) -> pd.DataFrame:
    rows = []
    for i in range(teams):
        size = 4 if i == teams - 1 else 8  # the last team is too small to be shown
        mood = rng.uniform(2.8, 4.2)
        for _ in range(size):
            rows.append(
                {
                    "team": f"Team {chr(65 + i)}",
                    **{d: int(np.clip(round(rng.normal(mood, 0.9)), 1, 5)) for d in SURVEY_DRIVERS},
                }
            )
    return pd.DataFrame(rows)


def _iso(series: pd.Series) -> pd.Series:
    return pd.to_datetime(series, utc=True).dt.strftime("%Y-%m-%dT%H:%M:%SZ").fillna("")


def write(sample: Sample, folder: Path) -> None:
    """The sample as the files the Evidence page and the `evidence` command read."""
    folder.mkdir(parents=True, exist_ok=True)
    t = sample.transitions.copy()
    t["changed_at"], t["created_at"] = _iso(t["changed_at"]), _iso(t["created_at"])
    t.to_csv(folder / "transitions.csv", index=False)
    d = sample.deployments.copy()
    for column in ("deployed_at", "commit_at", "recovered_at"):
        d[column] = _iso(d[column])
    d["unplanned"] = d["unplanned"].map({True: "true", False: "false"})
    d.to_csv(folder / "deployments.csv", index=False)
    i = sample.incidents.copy()
    i["created_at"], i["resolved_at"] = _iso(i["created_at"]), _iso(i["resolved_at"])
    i.to_csv(folder / "incidents.csv", index=False)
    sample.survey.to_csv(folder / "survey.csv", index=False)
    if sample.pulls is not None:
        pulls = sample.pulls.copy()
        for column in ("opened_at", "merged_at", "closed_at", "first_commit_at", "first_review_at"):
            pulls[column] = _iso(pulls[column])
        pulls["draft"] = pulls["draft"].map({True: "true", False: "false"})
        pulls.to_csv(folder / "pulls.csv", index=False)


def _stamp(value) -> str:
    """Jira's format: 2021-06-18T18:41:29.398+0000."""
    return pd.Timestamp(value).tz_convert("UTC").strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def jira_json(transitions: pd.DataFrame) -> dict:
    """The same history as a Jira search response with the changelog (newest first)."""
    issues = []
    for key, rows in transitions.groupby("key", sort=False):
        rows = rows.sort_values("changed_at", kind="stable")
        first = rows.iloc[0]
        histories = [
            {
                "id": str(n),
                "created": _stamp(r.changed_at),
                "items": [
                    {"field": "status", "fromString": r.from_status, "toString": r.to_status}
                ],
            }
            for n, r in enumerate(rows.iloc[1:].itertuples())
        ]
        issues.append(
            {
                "key": key,
                "fields": {
                    "issuetype": {"name": first.type},
                    "created": _stamp(first.created_at),
                    "status": {"name": rows.iloc[-1].to_status},
                    "team": first.team,
                },
                "changelog": {"histories": histories[::-1]},
            }
        )
    return {"issues": issues, "total": len(issues)}
