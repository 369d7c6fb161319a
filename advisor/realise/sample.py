"""A seeded organisation whose delivery changed on a date: the bundled example of value
realised (examples/realised/), and synthetic data for its tests.

Three teams (Northwind's Payments, Search and Onboarding) work items through the workflow of
evidence/sample.py. Before `change`, code reviews wait 4-10 days and deployments come about
once a week, three in ten failing and taking 12-48 hours to recover; from `change`, reviews
wait 0.3-2 days and deployments come four times a week, 8% failing, recovered in 1-6 hours.
The same seed gives the same files.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from advisor.evidence.sample import PATH, TYPE_SHARE, TYPES, _iso

TEAMS = ("Payments", "Search", "Onboarding")
START = pd.Timestamp("2026-01-05T08:00:00Z")
END = pd.Timestamp("2026-11-27T18:00:00Z")
CHANGE = pd.Timestamp("2026-06-01T00:00:00Z")
REVIEW = {"before": (4.0, 10.0), "after": (0.3, 2.0)}
DEPLOYS = {  # per week, failing share, recovery hours, unplanned share
    "before": (1.0, 0.30, (12.0, 48.0), 0.15),
    "after": (4.0, 0.08, (1.0, 6.0), 0.05),
}


def _days(values) -> np.ndarray:
    return (np.asarray(values) * 86_400e9).astype("timedelta64[ns]")


def transitions(rng: np.random.Generator, per_team: int = 180) -> pd.DataFrame:
    """Items of the three teams; a review that starts on or after CHANGE waits less."""
    n = per_team * len(TEAMS)
    team = np.repeat(TEAMS, per_team)
    kind = rng.choice(TYPES, size=n, p=TYPE_SHARE)
    start = START.tz_localize(None).to_datetime64()
    span = (END - START).days - 20
    created = start + _days(rng.uniform(0, span, n))
    change = CHANGE.tz_localize(None).to_datetime64()
    enter = created  # entering To Do
    times = []  # times[k]: entering PATH[k + 1]
    for status, typical, _, _ in PATH[:-1]:
        stay = rng.uniform(*typical, n)
        if status == "Code Review":
            stay = np.where(
                enter >= change, rng.uniform(*REVIEW["after"], n), rng.uniform(*REVIEW["before"], n)
            )
        enter = enter + _days(stay)
        times.append(enter)
    statuses = [s for s, *_ in PATH]
    keys = np.array([f"{t[:3].upper()}-{i + 1}" for i, t in enumerate(team)])
    rows = [
        pd.DataFrame(
            {
                "key": keys,
                "type": kind,
                "team": team,
                "from_status": "",
                "to_status": statuses[0],
                "changed_at": created,
                "created_at": created,
            }
        )
    ]
    for step, when in enumerate(times, start=1):
        rows.append(
            pd.DataFrame(
                {
                    "key": keys,
                    "type": kind,
                    "team": team,
                    "from_status": statuses[step - 1],
                    "to_status": statuses[step],
                    "changed_at": when,
                    "created_at": created,
                }
            )
        )
    frame = pd.concat(rows, ignore_index=True)
    frame["changed_at"] = pd.to_datetime(frame["changed_at"]).dt.tz_localize("UTC")
    frame["created_at"] = pd.to_datetime(frame["created_at"]).dt.tz_localize("UTC")
    frame = frame[frame["changed_at"] <= END]
    return frame.sort_values(["key", "changed_at"], kind="stable").reset_index(drop=True)


def deployments(rng: np.random.Generator) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Deployments at each side's pace, and incidents for one in ten failed ones."""
    frames = []
    for side, (begin, end) in (("before", (START, CHANGE)), ("after", (CHANGE, END))):
        per_week, fail, hours, unplanned = DEPLOYS[side]
        days = (end - begin).total_seconds() / 86_400
        count = round(per_week * days / 7)
        at = begin + pd.to_timedelta(np.sort(rng.uniform(0, days, count)), unit="D")
        failed = rng.random(count) < fail
        frames.append(
            pd.DataFrame(
                {
                    "deployed_at": at,
                    "commit_at": at - pd.to_timedelta(rng.uniform(0.5, 4, count), unit="D"),
                    "status": np.where(failed, "failed", "success"),
                    "recovered_at": pd.Series(
                        at + pd.to_timedelta(rng.uniform(*hours, count), unit="h")
                    ).where(failed, pd.NaT),
                    "unplanned": rng.random(count) < unplanned,
                }
            )
        )
    frame = pd.concat(frames, ignore_index=True)
    frame.insert(0, "id", [f"d{i + 1}" for i in range(len(frame))])
    hit = frame[frame["status"] == "failed"].iloc[::10]
    incidents = pd.DataFrame(
        {
            "id": [f"inc{i + 1}" for i in range(len(hit))],
            "created_at": hit["deployed_at"] + pd.Timedelta(minutes=30),
            "resolved_at": hit["recovered_at"],
            "deployment_id": hit["id"],
        }
    )
    return frame, incidents


def write(folder: Path, seed: int = 21) -> None:
    """The example's exports: transitions.csv, deployments.csv, incidents.csv."""
    rng = np.random.default_rng(seed)
    t = transitions(rng)
    d, i = deployments(rng)
    folder.mkdir(parents=True, exist_ok=True)
    t["changed_at"], t["created_at"] = _iso(t["changed_at"]), _iso(t["created_at"])
    t.to_csv(folder / "transitions.csv", index=False)
    for column in ("deployed_at", "commit_at", "recovered_at"):
        d[column] = _iso(d[column])
    d["unplanned"] = d["unplanned"].map({True: "true", False: "false"})
    d.to_csv(folder / "deployments.csv", index=False)
    i["created_at"], i["resolved_at"] = _iso(i["created_at"]), _iso(i["resolved_at"])
    i.to_csv(folder / "incidents.csv", index=False)


EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
SCENARIO = EXAMPLES / "scenarios" / "northwind-platform.yaml"


def example_summary() -> dict:
    """What value realised measures of the Northwind example on its exports: the `realised`
    part the example file carries (so a report, Compare and the sidebar show it as is)."""
    from advisor.evidence import (
        SetAside,
        analyse_evidence,
        load_status_map,
        read_deployments,
        read_incidents,
        read_items,
    )
    from advisor.realise.analysis import realise
    from advisor.scenario import load_scenario_file

    folder = EXAMPLES / "realised"
    aside = SetAside()
    items = read_items(str(folder / "transitions.csv"), aside)
    deploys = read_deployments(folder / "deployments.csv", "deployments.csv", aside)
    incidents = read_incidents(folder / "incidents.csv", "incidents.csv", aside)
    status_map = load_status_map(folder / "statuses.yaml")
    ev = analyse_evidence(items, aside, status_map, deploys, incidents)
    plan = load_scenario_file(SCENARIO).model_copy(update={"realised": None})
    return realise(plan, ev, deploys, incidents).summary()


def refresh_example() -> None:
    """Write `example_summary()` as the example file's last part, `realised:`."""
    from advisor.yamlio import dump_yaml

    text = SCENARIO.read_text()
    text = text[: text.index("\nrealised:") + 1] if "\nrealised:" in text else text
    SCENARIO.write_text(text + dump_yaml({"realised": example_summary()}))


if __name__ == "__main__":
    # python -m advisor.realise.sample examples/realised: the exports; with --scenario, the
    # example scenario's `realised` part as measured on them
    import sys

    if sys.argv[1:] == ["--scenario"]:
        refresh_example()
    else:
        write(Path(sys.argv[1]))
