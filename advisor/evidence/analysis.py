"""The whole evidence answer: every figure each category would show, from the team's files,
over one observation window, as a typed report (models.py) whose JSON Schema ships with the
package."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from advisor.evidence.allocator import give_back
from advisor.evidence.bottleneck import bottleneck, by_team, team_flow, with_review_wait
from advisor.evidence.dora import compare_rule_sets, dora_metrics
from advisor.evidence.dx import dx_core_4
from advisor.evidence.figures import count
from advisor.evidence.flow import flow_metrics, sei_metrics, weekly_done, whole_weeks
from advisor.evidence.forecast import forecast
from advisor.evidence.limits import MAX_TEAMS
from advisor.evidence.prepare import (
    NAT,
    Prepared,
    Rows,
    clean,
    item_times,
    layout,
    project_of,
    to_ns,
)
from advisor.evidence.readiness import readiness
from advisor.evidence.reading import Deployments, ItemsRead, SetAside
from advisor.evidence.rules import (
    DEFAULT_INCIDENT_WINDOW_HOURS,
    PRODUCT,
    RuleSet,
    with_incident_window,
)
from advisor.evidence.statuses import Categories, Mapping, resolve
from advisor.evidence.window import Window, observation_window

if TYPE_CHECKING:
    from advisor.evidence.status_map import StatusMap

MAX_KEYS_NAMED = 10  # keys named in one warning; the rest are counted


@dataclass
class Evidence:
    """What `evidence --json` prints (`report`, validated against models.EvidenceReport),
    plus the prepared arrays the app draws from."""

    document: dict
    prepared: Prepared | None = field(default=None, repr=False)
    mapping: Mapping | None = field(default=None, repr=False)
    source: str = ""

    @property
    def counts(self) -> dict:
        return self.document["counts"]

    @property
    def statuses(self) -> dict:
        return self.document["statuses"]

    @property
    def flow(self) -> dict:
        return self.document["flow"]

    @property
    def sei(self) -> dict:
        return self.document["sei"]

    @property
    def dora(self) -> dict | None:
        return self.document["dora"]

    @property
    def dx_core_4(self) -> dict:
        return self.document["dx_core_4"]

    @property
    def bottlenecks(self) -> dict:
        return self.document["bottlenecks"]

    @property
    def bottleneck_detail(self) -> dict:
        return self.document["bottleneck_detail"]

    @property
    def teams(self) -> dict:
        return self.document["teams"]

    @property
    def forecast(self) -> dict:
        return self.document["forecast"]

    @property
    def readiness(self) -> dict:
        return self.document["readiness"]

    @property
    def warnings(self) -> list[str]:
        return self.document["warnings"]

    def to_json(self) -> dict:
        return self.document

    @property
    def window(self) -> Window:
        return self.prepared.window


def _names(column: pd.Series) -> set[str]:
    """The distinct non-empty texts of a column (for categories: those in use)."""
    if isinstance(column.dtype, pd.CategoricalDtype):
        used = np.bincount(
            column.cat.codes.to_numpy().astype(np.intp) + 1,
            minlength=len(column.cat.categories) + 1,
        )
        values = column.cat.categories[used[1:] > 0]
    else:
        values = column.unique()
    return {v for v in values if isinstance(v, str) and v}


def _pairs(rows: Rows) -> set[tuple[str, str]]:
    """(project, status) pairs in the data, for rules that differ by project."""
    if rows.project is not None:
        projects, project = rows.projects, rows.project
    else:
        projects, of_key = np.unique(project_of(rows.key_names), return_inverse=True)
        project = of_key[rows.key]
    pairs = np.unique(np.stack([np.asarray(project, np.int64), rows.to.astype(np.int64)]), axis=1)
    return {(str(projects[p]), str(rows.status_names[s])) for p, s in pairs.T}


def _mapping(rows: Rows, status_map, categories: Categories) -> Mapping:
    n = len(rows.status_names)
    used = np.flatnonzero(
        np.bincount(rows.to, minlength=n)[:n] + np.bincount(rows.frm, minlength=n)[:n]
    )
    statuses = sorted({str(rows.status_names[c]) for c in used} - {""})
    kinds_used = np.flatnonzero(np.bincount(rows.kind, minlength=len(rows.kind_names)))
    kinds = sorted({str(rows.kind_names[c]) for c in kinds_used} - {""})
    per_project = bool(categories.by_project) or bool(status_map and status_map.projects)
    pairs = _pairs(rows) if per_project else None
    return resolve(statuses, kinds, status_map, categories, pairs)


def _deploy_times(deploys: Deployments | None, incidents: pd.DataFrame | None) -> list:
    return [times for _, times in _dated(deploys, incidents)]


def _dated(deploys: Deployments | None, incidents: pd.DataFrame | None) -> list:
    """(column, ns) of every timestamp the deployments and incidents bring to the window."""
    out = []
    if deploys is not None:
        f = deploys.frame
        for column in ("deployed_at", "commit_at", "recovered_at"):
            out.append((f"deployments' {column}", to_ns(f[column])))
    if incidents is not None and len(incidents):
        for column in ("created_at", "resolved_at"):
            out.append((f"incidents' {column}", to_ns(incidents[column])))
    return out


def _known_span(times: np.ndarray) -> tuple[int, int] | None:
    """The earliest and latest known time (ns; NAT is unknown), or None: no copy of the
    times (the work items' are 8 bytes a row)."""
    if not times.size:
        return None
    lo = int(times.min())
    if lo == NAT:  # NAT is the smallest int64: there are unknown times to leave out
        known = times[times != NAT]
        return (int(known.min()), int(known.max())) if known.size else None
    return lo, int(times.max())


STRETCH_DAYS = 30  # a window stretched further than this by one column is warned about


def _stretched(window: Window, rows: Rows, deploys, incidents) -> str | None:
    """A warning when one column alone stretches the window a month or more beyond every
    status change and deployment (a mistyped year in a recovery, say): every rate is then
    divided by that span."""
    if window.given:
        return None
    events = [rows.at] + [t for name, t in _dated(deploys, incidents) if "deployed" in name]
    spans = [_known_span(e) for e in events]
    spans = [s for s in spans if s is not None]
    if not spans:
        return None
    lo, hi = min(s[0] for s in spans), max(s[1] for s in spans)
    columns = [("work items' created_at", rows.created), *_dated(deploys, incidents)]
    for side, edge, gap in (
        ("starts", window.start, lo - window.start),
        ("ends", window.end, window.end - hi),
    ):
        if gap > STRETCH_DAYS * 86_400_000_000_000:
            culprit = next((name for name, t in columns if (t == edge).any()), "a timestamp")
            day = pd.Timestamp(edge, tz="UTC").date().isoformat()
            return (
                f"The window {side} on {day}, {gap / 86_400_000_000_000:,.0f} days beyond every "
                f"status change and deployment, because of {culprit}: every rate is divided by "
                "that span. Check that date, or set the window (--from / --to)."
            )
    return None


def _as_deployments(deployments) -> Deployments | None:
    if deployments is None or isinstance(deployments, Deployments):
        return deployments
    from advisor.evidence.dora import _changes_of

    frame = deployments.reset_index(drop=True)
    if "changes" not in frame:
        frame = frame.assign(changes=1)
    return Deployments(frame, _changes_of(frame), len(frame))


def _keys(keys: list[str]) -> str:
    shown = ", ".join(keys[:MAX_KEYS_NAMED])
    more = len(keys) - MAX_KEYS_NAMED
    return shown + (f" and {more:,} more" if more > 0 else "")


def analyse_evidence(
    items: ItemsRead | pd.DataFrame,
    aside: SetAside,
    status_map: StatusMap | None = None,
    deployments: Deployments | pd.DataFrame | None = None,
    incidents: pd.DataFrame | None = None,
    survey: pd.DataFrame | None = None,
    engineers: int | None = None,
    business_days: bool = False,
    forecast_items: int = 20,
    forecast_weeks: int = 8,
    source: str = "",
    start: int | None = None,
    end: int | None = None,
    incident_window_hours: float | None = DEFAULT_INCIDENT_WINDOW_HOURS,
    rule_sets: list[RuleSet] | None = None,
    pulls=None,
) -> Evidence:
    """Every figure over the observation window (`start` / `end`, ns UTC, else the span of
    the files, pull requests' times included). `pulls`: pulls.PullsRead, which adds `pulls`
    (pulls/figures.py), makes DX Core 4's speed merged pull requests per engineer and puts
    the review wait beside development in the bottleneck. Raises EvidenceError when no row
    can be used or the window holds none."""
    from advisor.errors import EvidenceError, Problem

    read = items if isinstance(items, ItemsRead) else ItemsRead(items, source or "work items")
    source = source or read.source
    deploys = _as_deployments(deployments)
    rows = read.rows if read.rows is not None else clean(read.frame, aside, source or "work items")
    try:
        window = observation_window(
            item_times(rows)
            + _deploy_times(deploys, incidents)
            + (pulls.times() if pulls is not None else []),
            start,
            end,
        )
    except ValueError as exc:
        raise EvidenceError([Problem("the window", str(exc), "--from / --to")]) from None
    mapping = _mapping(rows, status_map, read.categories)
    rules = with_incident_window(PRODUCT, incident_window_hours)
    # A second thread takes DORA and the SEI figures: numpy lets go of the interpreter while
    # it sorts and partitions, so both cores work. Every part is a pure function.
    with ThreadPoolExecutor(max_workers=1) as helper:
        models_job = helper.submit(_models)
        dora_job = (
            helper.submit(dora_metrics, deploys.frame, incidents, window, deploys.changes, rules)
            if deploys is not None
            else None
        )
        prepared = layout(rows, mapping, window, business_days)
        give_back()  # the layout's temporaries, kept by the C allocator, go back
        weekly = weekly_done(prepared)
        sei_job = helper.submit(sei_metrics, prepared, weekly)
        found = bottleneck(prepared)
        teams_named = _teams_named(prepared)
        per_team = teams_named <= MAX_TEAMS  # more: a column of something else; none shown
        flow_by_team = team_flow(prepared) if per_team else {}
        flow = flow_metrics(prepared, weekly)
        weights = by_team(prepared) if per_team else {}
        teams = {
            team: {"bottlenecks": weights.get(team, {}), **f} for team, f in flow_by_team.items()
        }
        dora = dora_job.result() if dora_job else None
        sei = sei_job.result()
    give_back()  # the figures' temporaries, on both threads
    if dora is not None:
        ok = ~deploys.frame["failed"].to_numpy()
        inside = window.contains(to_ns(deploys.frame["deployed_at"]))
        dora.update(
            source=deploys.file,
            rows=deploys.rows,
            read=len(deploys.frame),
            merged_rows=deploys.merged_rows,
            merged_ids=deploys.merged_ids,
            rows_with_id=int(deploys.changes.shape[0] and _rows_with_id(deploys)),
            successful=int((ok & inside).sum()),
            with_first_commit=int((inside & (to_ns(deploys.frame["commit_at"]) != NAT)).sum()),
        )
    counts = {
        **prepared.counts,
        "rows": rows.rows_read,
        "set_aside": aside.as_dict(),
        "as_of": prepared.as_of.isoformat(),
        "finished_with_cycle_time": int(np.isfinite(prepared.items["cycle_days"]).sum()),
        "partial_keys": [str(k) for k in prepared.items.index[prepared.items["partial"]][:20]],
        "truncated": {
            k: {"held": h, "total": t} for k, (h, t) in list(read.truncated.items())[:20]
        },
    }
    statuses = {
        "rules": {
            s: {"stage": stage, "active": active, "source": how}
            for s, (stage, active, how) in mapping.statuses.items()
        },
        "types": {t: {"item": item, "source": how} for t, (item, how) in mapping.types.items()},
        "unmapped": mapping.unmapped,
        "by_project": [
            {"project": p, "status": s, "stage": stage, "active": active, "source": how}
            for (p, s), (stage, active, how) in sorted(mapping.by_project.items())
        ],
    }
    pull_doc = None
    if pulls is not None:
        from advisor.evidence.pulls import pull_figures

        repositories = dict(status_map.repositories) if status_map is not None else {}
        pull_doc = pull_figures(
            pulls, window, deploys, engineers, repositories, business_days=business_days
        )
        found = with_review_wait(found, pull_doc, mapping)
    dx = dx_core_4(
        flow["velocity_per_week"], engineers, dora, survey, flow["feature_share"], pull_doc
    )
    stages = {stage for status, (stage, _, _) in mapping.statuses.items()} | {
        stage for stage, _, _ in mapping.by_project.values()
    }
    document = {
        "source": source,
        "window": window.to_json(business_days),
        "counts": counts,
        "statuses": statuses,
        "flow": flow,
        "sei": sei,
        "dora": dora,
        "dx_core_4": dx,
        "bottlenecks": found["weights"],
        "bottleneck_detail": found,
        "teams": teams,
        "forecast": forecast(
            whole_weeks(prepared, weekly).to_numpy(), forecast_items, forecast_weeks
        ),
        "readiness": readiness(counts, statuses, dora, dx, stages, pull_doc),
        "warnings": _warnings(prepared, mapping, read, dora, dx, window)
        + (
            []
            if per_team
            else [
                f"The data names {teams_named:,} teams, more than {MAX_TEAMS:,}: no figures "
                "are given per team. Does the team column hold teams?"
            ]
        ),
    }
    if pull_doc is not None:
        document["pulls"] = pull_doc
        if found["review_wait"]["added"]:
            document["warnings"].append(found["review_wait"]["note"])
    stretched = _stretched(window, rows, deploys, incidents)
    if stretched:
        document["warnings"].append(stretched)
    if rule_sets is not None and deploys is None:
        document["warnings"].append(
            "Each tool's DORA rules need a deployments file: none was given, so there is no "
            "rule-set table."
        )
    if rule_sets is not None and deploys is not None:
        document["rules"], document["rules_spread"] = compare_rule_sets(
            deploys.frame, deploys.changes, incidents, window, rule_sets
        )
        document["rule_sets"] = {
            rs.id: {
                "name": rs.name,
                "vendor": rs.vendor,
                "checked": rs.checked.isoformat(),
                "summary": rs.summary,
            }
            for rs in rule_sets
        }
    return Evidence(models_job.result().validated(document), prepared, mapping, source)


def _teams_named(p: Prepared) -> int:
    """Teams with a name that some item belongs to."""
    codes = p.items["team"].cat.codes.to_numpy()
    names = np.asarray(p.items["team"].cat.categories, dtype=object)
    used = np.bincount(codes[codes >= 0], minlength=len(names)) > 0
    return int((used & (names != "")).sum())


def _models():
    """The typed report's module, its models built (pydantic loads here, on the second
    thread, while the first lays out the rows)."""
    from advisor.evidence import models

    models.warm()
    return models


def _rows_with_id(deploys: Deployments) -> int:
    if deploys.rows_with_id is not None:
        return deploys.rows_with_id
    frame = deploys.frame
    named = (frame["id"] != "").to_numpy()
    return int(frame["changes"].to_numpy()[named].sum())


def _warnings(p: Prepared, mapping: Mapping, read: ItemsRead, dora, dx, window: Window) -> list:
    c = p.counts
    out = []
    if mapping.unmapped:
        out.append(
            f"Statuses nobody mapped, counted as development, waiting: {len(mapping.unmapped):,} "
            f"({_keys(mapping.unmapped)}). Map them for a true picture."
        )
    if mapping.unmapped_types:
        out.append(
            f"Issue types counted as features until mapped: {_keys(mapping.unmapped_types)}."
        )
    if mapping.by_project:
        pairs = [f"{s} in {p}" for (p, s) in sorted(mapping.by_project)]
        out.append(f"Statuses with a rule of their own in one project: {_keys(pairs)}.")
    if read.truncated:
        keys = list(read.truncated)
        held, total = read.truncated[keys[0]]
        out.append(
            f"Changelogs cut short: {count(len(keys), 'item')} ({_keys(keys)}; {keys[0]} holds "
            f"{held} of {total} histories, the {total - held} oldest missing). Jira's search "
            "returns at most 100 histories per issue; the rest come from "
            "GET /rest/api/3/issue/{key}/changelog. Their start is unknown: they count as "
            "finished, with no flow or cycle time."
        )
    midway = c["partial_items"] - c["truncated_items"]
    if midway > 0:
        keys = [k for k in p.items.index[p.items["partial"]] if k not in read.truncated]
        out.append(
            f"Items that begin part-way through their work: {midway:,} ({_keys(keys)}); their "
            "first row leaves a status of work or done, so their start is unknown; they get no "
            "flow or cycle time."
        )
    if c["finished"] == 0:
        out.append(
            "No item finished in the observation window: flow time, efficiency and the "
            "bottleneck need some."
        )
    if c["out_of_sequence"]:
        out.append(
            "Transitions that do not start from the status the item was in: "
            f"{c['out_of_sequence']:,}; each stay runs from its own change to the next."
        )
    if c["transitions_after_window"]:
        out.append(
            f"Status changes after the window's end: {c['transitions_after_window']:,}; they "
            "are not used (the data as of that end)."
        )
    if window.whole_week_days().size == 0:
        out.append(
            "No whole week (Monday to Sunday, UTC) lies inside the observation window: weekly "
            "figures and the forecast need one."
        )
    if dora is not None:
        if dora["merged_rows"]:
            out.append(
                f"{dora['rows']:,} deployment rows were read as {dora['read']:,} deployments: "
                f"rows sharing an id are one deployment ({_keys(dora['merged_ids'])}); its "
                "earliest first commit is kept."
            )
        links = dora["incidents"]
        if links["dangling"]:
            out.append(
                "Incidents naming a deployment that is not in the deployments file: "
                f"{links['dangling']:,} ({_keys(links['dangling_ids'])}); they are not linked "
                "to any."
            )
        if links["unlinked"]:
            bound = dora["incident_window_hours"]
            within = f" within {bound:g} hours" if bound is not None else ""
            out.append(
                "Incidents with no deployment id and no successful deployment before them"
                f"{within}: {links['unlinked']:,}; they are not counted against any deployment."
            )
    note = dx["effectiveness"].get("note")
    if dx["effectiveness"]["hidden_teams"] and note:
        out.append(note[0].upper() + note[1:] + ".")
    return out


def json_safe(value):
    """Numbers as plain floats, NaN as null: the document is always valid JSON."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


__all__ = ["NAT", "Evidence", "analyse_evidence", "json_safe"]
