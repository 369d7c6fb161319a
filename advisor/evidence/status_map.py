"""The status-map file: the user's own rules for statuses and issue types, as YAML, read and
validated with pydantic (only when a map is given, so reading exports does not load them)."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from advisor.base import Strict
from advisor.errors import EvidenceError
from advisor.evidence.statuses import FlowItem, Mapping, Stage
from advisor.yamlio import dump_yaml, parse_yaml, read_input, validate


class StatusRule(Strict):
    stage: Stage
    active: bool = False


class ProjectRules(Strict):
    """Rules for one project's statuses, where a name means something else there."""

    statuses: dict[str, StatusRule] = Field(default={}, max_length=5_000)


class StatusMap(Strict):
    """`statuses` hold for every project; `projects: {KEY: {statuses: ...}}` override them
    for one Jira project (the key's prefix, `PAY` in `PAY-12`); `repositories: {owner/name:
    team}` names the team of each repository's pull requests (GitHub and GitLab JSON carry
    no team)."""

    statuses: dict[str, StatusRule] = Field(default={}, max_length=5_000)
    types: dict[str, FlowItem] = Field(default={}, max_length=1_000)
    projects: dict[str, ProjectRules] = Field(default={}, max_length=1_000)
    repositories: dict[str, str] = Field(default={}, max_length=10_000)


def parse_status_map(text: str | bytes, file: str = "statuses.yaml") -> StatusMap:
    return validate(StatusMap, parse_yaml(text, file, EvidenceError), EvidenceError)


def load_status_map(path: str | Path) -> StatusMap:
    return parse_status_map(read_input(path, EvidenceError), str(path))


def status_map_yaml(mapping: Mapping) -> str:
    """The mapping as a status-map file, to save and reuse (its `repositories` too)."""
    data = {
        "statuses": {
            s: {"stage": stage, "active": active}
            for s, (stage, active, _) in mapping.statuses.items()
        },
        "types": {t: item for t, (item, _) in mapping.types.items()},
    }
    projects: dict[str, dict] = {}
    for (project, status), (stage, active, _) in mapping.by_project.items():
        rules = projects.setdefault(project, {"statuses": {}})["statuses"]
        rules[status] = {"stage": stage, "active": active}
    if projects:
        data["projects"] = projects
    if mapping.repositories:
        data["repositories"] = dict(mapping.repositories)
    return dump_yaml(data)
