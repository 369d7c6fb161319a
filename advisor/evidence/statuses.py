"""Which stage each status belongs to, whether work is active or waiting there, and which
flow item each issue type is. Common Jira names have defaults; every status the data uses
but nobody mapped is listed, never dropped.

Stages: backlog (demand: waiting there before work starts is not a bottleneck), ideation,
development, deployment, operations, support, done.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from advisor.evidence.status_map import StatusMap

Stage = Literal["backlog", "ideation", "development", "deployment", "operations", "support", "done"]
STAGES: tuple[str, ...] = (
    "backlog",
    "ideation",
    "development",
    "deployment",
    "operations",
    "support",
    "done",
)
FlowItem = Literal["feature", "defect", "risk", "debt"]
FLOW_ITEMS: tuple[str, ...] = ("feature", "defect", "risk", "debt")


def _rules(stage: str, active: bool, *names: str) -> dict[str, tuple[str, bool]]:
    return {n.lower(): (stage, active) for n in names}


DEFAULT_STATUSES: dict[str, tuple[str, bool]] = {
    **_rules(
        "backlog", False, "backlog", "to do", "todo", "open", "new", "selected for development"
    ),
    **_rules("ideation", True, "discovery", "analysis", "refinement", "design", "in design"),
    **_rules(
        "ideation", False, "awaiting approval", "pending approval", "approval", "ready for design"
    ),
    **_rules(
        "development",
        True,
        "in progress",
        "in development",
        "development",
        "testing",
        "in test",
        "qa",
        "in qa",
    ),
    **_rules(
        "development",
        False,
        "ready for development",
        "ready for dev",
        "code review",
        "in review",
        "review",
        "peer review",
        "blocked",
        "ready for qa",
        "ready for test",
        "waiting for review",
    ),
    **_rules("deployment", True, "releasing", "deploying", "in release"),
    **_rules(
        "deployment", False, "ready for release", "ready to deploy", "awaiting release", "staging"
    ),
    **_rules("operations", True, "monitoring", "in operation"),
    **_rules("support", True, "support", "in support"),
    **_rules("support", False, "waiting for customer", "waiting for support"),
    **_rules(
        "done",
        False,
        "done",
        "closed",
        "resolved",
        "released",
        "complete",
        "completed",
        "cancelled",
        "canceled",
        "won't do",
    ),
}
DEFAULT_TYPES = {
    "story": "feature",
    "feature": "feature",
    "epic": "feature",
    "new feature": "feature",
    "bug": "defect",
    "defect": "defect",
    "incident": "defect",
    "task": "debt",
    "sub-task": "debt",
    "subtask": "debt",
    "improvement": "debt",
    "tech debt": "debt",
    "technical debt": "debt",
    "chore": "debt",
    "spike": "risk",
    "risk": "risk",
    "security": "risk",
    "vulnerability": "risk",
}
UNMAPPED = ("development", False)  # stands in until the user maps the status


@dataclass(frozen=True)
class Mapping:
    """Every status and type seen in the data, with where its rule came from."""

    statuses: dict[str, tuple[str, bool, str]]  # status -> (stage, active, "mapped" | ...)
    types: dict[str, tuple[str, str]]  # type -> (flow item, source)

    @property
    def unmapped(self) -> list[str]:
        return [s for s, (_, _, how) in self.statuses.items() if how == "unmapped"]

    @property
    def unmapped_types(self) -> list[str]:
        return [t for t, (_, how) in self.types.items() if how == "unmapped"]


def resolve(statuses: list[str], types: list[str], given: StatusMap | None) -> Mapping:
    """The rule for each status and type: the user's map, else a default, else unmapped."""
    by_lower = {k.lower(): v for k, v in given.statuses.items()} if given else {}
    types_lower = {k.lower(): v for k, v in given.types.items()} if given else {}
    out: dict[str, tuple[str, bool, str]] = {}
    for s in statuses:
        if s.lower() in by_lower:
            rule = by_lower[s.lower()]
            out[s] = (rule.stage, rule.active, "mapped")
        elif s.lower() in DEFAULT_STATUSES:
            out[s] = (*DEFAULT_STATUSES[s.lower()], "default")
        else:
            out[s] = (*UNMAPPED, "unmapped")
    kinds: dict[str, tuple[str, str]] = {}
    for t in types:
        if t.lower() in types_lower:
            kinds[t] = (types_lower[t.lower()], "mapped")
        elif t.lower() in DEFAULT_TYPES:
            kinds[t] = (DEFAULT_TYPES[t.lower()], "default")
        else:
            kinds[t] = ("feature", "unmapped")
    return Mapping(out, kinds)
