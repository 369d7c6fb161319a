"""Data readiness: what the team's data can support, per platform category, before buying.

Each check is met, partly met or missing, with the figure behind it:
    complete history    share of items whose history starts at creation and is not cut short
    statuses            mapped by the user or by Jira's category, guessed from a common name,
                        or unmapped
    deployments         given, each with an id, each with a first commit
    incidents           linked to deployments by id or only by time; ids naming nothing
    recovery            failed deployments with a recovery time
    pull requests       given (--pulls) or not: PR figures and DX Core 4's speed need them
    survey              teams with enough respondents to be shown
    stages              which stages of work the statuses cover (VSM sees idea to support)
"""

from __future__ import annotations

CATEGORY_NAMES = {
    "dora": "DORA",
    "dx_core_4": "DX Core 4",
    "sei": "SEI",
    "vsm": "VSM",
}
MET, PARTLY, MISSING = "met", "partly met", "missing"


def _share_check(id_, label, part, whole, what, good=0.95, some=0.5) -> dict:
    share = part / whole if whole else None
    status = MISSING if share is None or share < some else PARTLY if share < good else MET
    figure = f"{what}: {part:,} of {whole:,}" if whole else f"{what}: none to count"
    return {
        "id": id_,
        "label": label,
        "status": status,
        "figure": figure,
        "value": share,
        "unit": "share",
    }


def _check(id_, label, status, figure, value=None, unit=None) -> dict:
    return {
        "id": id_,
        "label": label,
        "status": status,
        "figure": figure,
        "value": value,
        "unit": unit,
    }


def _summary(checks: list[dict]) -> dict:
    met = sum(c["status"] == MET for c in checks)
    partly = sum(c["status"] == PARTLY for c in checks)
    status = "ready" if met == len(checks) else "not ready" if met + partly == 0 else "partly ready"
    return {"status": status, "met": met, "of": len(checks), "checks": checks}


def readiness(
    counts: dict,
    statuses: dict,
    dora: dict | None,
    dx: dict,
    stages: set[str],
    pulls: dict | None = None,
) -> dict:
    """Per category (dora, dx_core_4, sei, vsm): its checks and a summary. `pulls`: the
    report's pull-request part, when pull requests were given."""
    items = counts["items"]
    history = _share_check(
        "complete_history",
        "Items with a complete history",
        counts["complete_history_items"],
        items,
        "items that start at creation, not cut short",
    )
    sources = [r["source"] for r in statuses["rules"].values()]
    known = sum(s in ("mapped", "category") for s in sources)
    guessed = sum(s == "default" for s in sources)
    unmapped = sum(s == "unmapped" for s in sources)
    status_check = _check(
        "statuses",
        "Statuses mapped to stages",
        MISSING if unmapped else PARTLY if guessed else MET,
        f"{known} mapped (by you or Jira's category), {guessed} guessed from a common name, "
        f"{unmapped} unmapped",
        known / len(sources) if sources else None,
        "share",
    )
    finished = counts["finished"]
    cycle = _share_check(
        "cycle_time",
        "Finished items with a development start (cycle time)",
        counts.get("finished_with_cycle_time", 0),
        finished,
        "finished items with one",
    )
    pull_check = (
        _check(
            "pull_requests",
            "Pull-request data",
            MISSING,
            "none given: PR cycle time, size and review load cannot be measured",
        )
        if pulls is None
        else _check(
            "pull_requests",
            "Pull-request data",
            MET if pulls["counts"]["measured"] else PARTLY,
            f"{pulls['counts']['pull_requests']:,} pull requests, "
            f"{pulls['counts']['measured']:,} merged in the window and measured (cycle time "
            "split, size, review load)",
            float(pulls["counts"]["measured"]),
            "pull requests",
        )
    )
    if dora is None:
        deploy_checks = [
            _check("deployments", "Deployments", MISSING, "no deployments file"),
        ]
    else:
        rows, merged = dora["rows"], dora["merged_rows"]
        deploy_checks = [
            _check(
                "deployments",
                "Deployments in the window",
                MET if dora["deployments"] else MISSING,
                f"{dora['deployments']:,} deployments ({rows:,} rows, {merged:,} merged by id)",
                float(dora["deployments"]),
                "deployments",
            ),
            _share_check(
                "deployment_ids",
                "Deployments with an id",
                dora["rows_with_id"],
                rows,
                "rows with an id",
            ),
            _share_check(
                "first_commits",
                "Deployments with a first commit (lead time)",
                dora["with_first_commit"],
                dora["deployments"],
                "deployments in the window with one",
            ),
        ]
        links = dora["incidents"]
        if links["given"] == 0:
            deploy_checks.append(
                _check(
                    "incidents",
                    "Incidents linked to deployments",
                    PARTLY,
                    "no incidents file: a deployment fails only by its own status",
                )
            )
        else:
            by_id = links["linked_by_id"]
            deploy_checks.append(
                _check(
                    "incidents",
                    "Incidents linked to deployments",
                    MET
                    if by_id == links["given"]
                    else PARTLY
                    if by_id + links["linked_by_time"]
                    else MISSING,
                    f"linked by id: {by_id:,} of {links['given']:,} (by time: "
                    f"{links['linked_by_time']:,}; naming no deployment: {links['dangling']:,}; "
                    f"unlinked: {links['unlinked']:,})",
                    by_id / links["given"],  # the share the figure leads with
                    "share",
                )
            )
        deploy_checks.append(
            _share_check(
                "recovery",
                "Failed deployments with a recovery time",
                dora["failed_deployment_recovery_time"]["n"],
                dora["change_fail_rate"]["failed"],
                "failed deployments with one",
            )
        )
    effectiveness = dx["effectiveness"]
    shown = sum(v is not None for v in effectiveness["teams"].values())
    teams = len(effectiveness["teams"])
    survey = (
        _check("survey", "Survey answers", MISSING, "no survey file")
        if not teams
        else _check(
            "survey",
            "Survey teams large enough to show",
            MET if shown == teams else PARTLY if shown else MISSING,
            f"{shown} of {teams} teams have 5 or more respondents",
            shown / teams,
            "share",
        )
    )
    engineers = dx["speed"]["engineers"]
    people = _check(
        "engineers",
        "Number of engineers",
        MET if engineers else MISSING,
        f"{engineers:,} engineers" if engineers else "not given",
        engineers or None,
        "engineers" if engineers else None,
    )
    speed = (
        _check(
            "speed",
            "DX Core 4 speed from pull requests",
            PARTLY,
            "items finished per engineer stand in for merged pull requests per engineer",
        )
        if dx["speed"].get("source") != "pull_requests"
        else _check(
            "speed",
            "DX Core 4 speed from pull requests",
            MET if dx["speed"]["value"] is not None else PARTLY,
            "merged pull requests per engineer"
            + ("" if dx["speed"]["value"] is not None else f" ({dx['speed']['note']})"),
        )
    )
    work = ["ideation", "development", "deployment", "operations", "support"]
    seen = [s for s in work if s in stages]
    coverage = _check(
        "stages",
        "Stages of work the statuses cover",
        MET if len(seen) >= 4 else PARTLY if len(seen) >= 2 else MISSING,
        (", ".join(seen) or "none")
        + " seen"
        + (f"; {', '.join(s for s in work if s not in seen)} not" if len(seen) < len(work) else ""),
        len(seen) / len(work),
        "share",
    )
    types_mapped = sum(v["source"] != "unmapped" for v in statuses["types"].values())
    types = _share_check(
        "flow_items",
        "Issue types mapped to flow items",
        types_mapped,
        len(statuses["types"]),
        "issue types mapped",
        good=1.0,
    )
    quality = {
        **deploy_checks[0],
        "id": "quality",
        "label": "Deployments for quality (the change fail rate)",
    }
    return {
        "dora": {"label": CATEGORY_NAMES["dora"], **_summary(deploy_checks)},
        "dx_core_4": {
            "label": CATEGORY_NAMES["dx_core_4"],
            **_summary([speed, pull_check, survey, people, quality]),
        },
        "sei": {
            "label": CATEGORY_NAMES["sei"],
            **_summary([history, status_check, cycle, pull_check]),
        },
        "vsm": {
            "label": CATEGORY_NAMES["vsm"],
            **_summary([coverage, history, status_check, types]),
        },
    }
