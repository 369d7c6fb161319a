"""Which stage each status belongs to, whether work is active or waiting there, and which
flow item each issue type is. Common Jira names have defaults; every status the data uses
but nobody mapped is listed, never dropped.

Stages: backlog (demand: waiting there before work starts is not a bottleneck), ideation,
development, deployment, operations, support, done.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from functools import cached_property
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
        "backlog",
        False,
        "backlog",
        "to do",
        "todo",
        "open",
        "new",
        "selected for development",
        "triage",
        "needs triage",
        "icebox",
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
        "in testing",
        "qa",
        "in qa",
        "uat",
        "in uat",
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
        "reopened",
        "on hold",
        "ready for review",
    ),
    **_rules("deployment", True, "releasing", "deploying", "in release", "in deployment"),
    **_rules(
        "deployment",
        False,
        "ready for release",
        "ready to deploy",
        "awaiting release",
        "awaiting deployment",
        "staging",
        "merged",
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
        "won't fix",
        "wont fix",
        "wontfix",
        "duplicate",
        "rejected",
        "declined",
        "cannot reproduce",
        "abandoned",
        "invalid",
        "deployed",
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
CATEGORIES = ("new", "indeterminate", "done")  # Jira's statusCategory keys


@dataclass(frozen=True)
class Categories:
    """Jira's statusCategory of each status, where the data gives it: per project (an
    issue's current status, or a status list entry scoped to a project) and across projects
    (a status list entry with no scope)."""

    by_project: dict[tuple[str, str], str] = field(default_factory=dict)
    general: dict[str, str] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.by_project or self.general)

    def of(self, status: str, project: str | None = None) -> str | None:
        """The category of `status` in `project` (None: any project), if known. Across
        projects, a status whose projects disagree has no single category."""
        if project is not None and (project, status) in self.by_project:
            return self.by_project[(project, status)]
        if status in self.general:
            return self.general[status]
        seen = self._across.get(status, ())
        return next(iter(seen)) if len(seen) == 1 else None

    @cached_property
    def _across(self) -> dict[str, set[str]]:
        """Each status's categories over every project, found once (not per status)."""
        out: dict[str, set[str]] = {}
        for (_, status), category in self.by_project.items():
            out.setdefault(status, set()).add(category)
        return out


@dataclass(frozen=True)
class Mapping:
    """Every status and type seen in the data, with where its rule came from: "mapped" (the
    user's map), "category" (Jira's statusCategory), "default" (a common name) or
    "unmapped". `by_project` holds the rules that differ in one project from `statuses`."""

    statuses: dict[str, tuple[str, bool, str]]  # status -> (stage, active, source)
    types: dict[str, tuple[str, str]]  # type -> (flow item, source)
    by_project: dict[tuple[str, str], tuple[str, bool, str]] = field(default_factory=dict)
    # the status map's `repositories: {owner/name: team}`, kept so a map rebuilt from this
    # one (edited on the page, downloaded) still names the pull requests' teams
    repositories: dict[str, str] = field(default_factory=dict)

    @property
    def unmapped(self) -> list[str]:
        return [s for s, (_, _, how) in self.statuses.items() if how == "unmapped"]

    @property
    def unmapped_types(self) -> list[str]:
        return [t for t, (_, how) in self.types.items() if how == "unmapped"]


WAITING_WORDS = ("ready for", "waiting", "awaiting", "pending", "blocked", "on hold", "queue")


def _from_category(status: str, category: str) -> tuple[str, bool]:
    """Jira's category decides not started / under way / done; a common name refines the
    stage of a status under way, and a name that says it waits ("Waiting on QA", "Ready
    for deploy", "Pending review") is a queue; otherwise it is worked on in development."""
    if category == "new":
        return ("backlog", False)
    if category == "done":
        return ("done", False)
    low = status.lower()
    named = DEFAULT_STATUSES.get(low)
    if named and named[0] not in ("backlog", "done"):
        return named
    stage = "deployment" if any(w in low for w in ("release", "deploy")) else "development"
    waits = any(w in low for w in WAITING_WORDS) or "review" in low
    return (stage, not waits)


def _rule(status, project, user, user_projects, categories) -> tuple[str, bool, str]:
    """The rule for `status` in `project` (None: the rule across projects)."""
    low = status.lower()
    if project is not None and low in user_projects.get(project, {}):
        r = user_projects[project][low]
        return (r.stage, r.active, "mapped")
    if low in user:
        return (user[low].stage, user[low].active, "mapped")
    category = categories.of(status, project) if categories else None
    if category in CATEGORIES:
        return (*_from_category(status, category), "category")
    if low in DEFAULT_STATUSES:
        return (*DEFAULT_STATUSES[low], "default")
    return (*UNMAPPED, "unmapped")


def resolve(
    statuses: list[str],
    types: list[str],
    given: StatusMap | None,
    categories: Categories | None = None,
    pairs: set[tuple[str, str]] | None = None,
) -> Mapping:
    """The rule for each status and type: the user's map (per project first), else Jira's
    statusCategory where the data gives it, else a common name's default, else unmapped.
    `pairs`: the (project, status) pairs in the data, needed when rules can differ by
    project."""
    user = {k.lower(): v for k, v in given.statuses.items()} if given else {}
    user_projects = (
        {
            p: {k.lower(): v for k, v in rules.statuses.items()}
            for p, rules in given.projects.items()
        }
        if given
        else {}
    )
    types_lower = {k.lower(): v for k, v in given.types.items()} if given else {}
    out = {s: _rule(s, None, user, user_projects, categories) for s in statuses}
    by_project = {}
    if pairs:
        # Where the data says which projects use a status, its rule across projects is the
        # one most of them follow; the others are kept per project.
        per_status: dict[str, list] = {}
        for project, status in sorted(pairs):
            if status in out:
                rule = _rule(status, project, user, user_projects, categories)
                per_status.setdefault(status, []).append((project, rule))
        for status, found in per_status.items():
            counts = Counter(rule for _, rule in found)  # once: a status may be in every project
            out[status] = max(counts, key=lambda r: (counts[r], r[2] != "unmapped"))
            for project, rule in found:
                if rule != out[status]:
                    by_project[(project, status)] = rule
    kinds: dict[str, tuple[str, str]] = {}
    for t in types:
        if t.lower() in types_lower:
            kinds[t] = (types_lower[t.lower()], "mapped")
        elif t.lower() in DEFAULT_TYPES:
            kinds[t] = (DEFAULT_TYPES[t.lower()], "default")
        else:
            kinds[t] = ("feature", "unmapped")
    repositories = dict(given.repositories) if given is not None else {}
    return Mapping(out, kinds, by_project, repositories)
