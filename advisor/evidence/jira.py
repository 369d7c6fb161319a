"""Jira's REST JSON as transitions: search results with the changelog, and Jira's status list.

Accepted, in any file of a folder (or several uploads):
- issues: a search response `{"issues": [...]}`, a list of issues, or one issue;
- the status list: `GET /rest/api/2/status` (a list of statuses with `statusCategory`,
  `scope` for a team-managed project) or Cloud's `GET /rest/api/3/statuses/search`
  (`{"values": [...]}`, categories TODO / IN_PROGRESS / DONE).

Status changes are the `changelog.histories[].items[]` whose `field` is `status`. Their
times are parsed first and ordered by instant (ordering the text would put
`2026-01-26T09:52:58.000-0500` before `2026-01-26T10:00:00.000+0000`); ties keep Jira's
history order (the id, else the list: Jira lists newest first). The first status is the
`fromString` of the earliest change, or `fields.status.name` when nothing changed; it starts
at `fields.created`.

A changelog whose `total` exceeds the histories it holds was cut short (Jira's search
returns at most 100 per issue): the item is partial, nothing is invented for its start
(no creation row), and it is reported by key. Each issue's current status gives its
`statusCategory` in its project, used as the default for a status nobody mapped.
Fields of an unexpected type are read as missing, never as a crash. A folder written by
`pull jira` also holds `pull-state.json`, which is skipped.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePath

import numpy as np
import pandas as pd

from advisor.errors import EvidenceError, Problem
from advisor.evidence.files import read_bytes
from advisor.evidence.limits import MAX_JSON_BYTES
from advisor.evidence.reading import ItemsRead, SetAside, usable
from advisor.evidence.statuses import Categories
from advisor.evidence.times import parse_times

CLOUD_CATEGORIES = {"TODO": "new", "IN_PROGRESS": "indeterminate", "DONE": "done"}
PULL_STATE = "pull-state.json"  # beside a pull's files: what was fetched, read by the next pull
COLUMNS = ["key", "type", "team", "project", "from_status", "to_status", "at", "created"]


def _get(value, *path):
    """value[path[0]][path[1]]..., or None where a step is missing or not a mapping."""
    for step in path:
        if not isinstance(value, dict):
            return None
        value = value.get(step)
    return value


def _text(value) -> str:
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    return ""


def _project(key: str) -> str:
    """Jira's project key of one issue key, as prepare.project_of gives it (`PAY-12` ->
    `PAY`, else ""): plain Python, as this runs once per issue."""
    head, sep, tail = key.rpartition("-")
    return head if sep and tail.isdigit() else ""


def _team(fields: dict) -> str:
    for name in ("team", "customfield_team"):
        value = fields.get(name)
        if isinstance(value, str):
            return value.strip()
        if isinstance(_get(value, "name"), str):
            return value["name"].strip()
    return ""


def _category(status) -> str | None:
    key = _get(status, "statusCategory", "key")
    if isinstance(key, str) and key in ("new", "indeterminate", "done"):
        return key
    cloud = _get(status, "statusCategory")
    return CLOUD_CATEGORIES.get(cloud) if isinstance(cloud, str) else None


def _kind(doc) -> str:
    """issues, statuses, or unknown."""
    if isinstance(doc, dict) and isinstance(doc.get("issues"), list):
        return "issues"
    if isinstance(doc, dict) and "fields" in doc:
        return "issues"
    if isinstance(doc, dict) and isinstance(doc.get("values"), list):
        doc = doc["values"]
    if isinstance(doc, list) and doc and all(isinstance(x, dict) for x in doc[:50]):
        if all("fields" in x for x in doc[:50]):
            return "issues"
        if all("statusCategory" in x and "name" in x for x in doc[:50]):
            return "statuses"
    if isinstance(doc, list) and not doc:
        return "issues"
    return "unknown"


def _issues(doc, file: str) -> list:
    issues = doc["issues"] if isinstance(doc, dict) and "issues" in doc else doc
    issues = [issues] if isinstance(issues, dict) else issues
    bad = [i for i, x in enumerate(issues) if not (isinstance(x, dict) and "fields" in x)]
    if bad:
        raise EvidenceError(
            [Problem(file, f'issue {bad[0] + 1} has no "fields": not a Jira issue', "issues")]
        )
    return issues


class _Reader:
    """Rows of every issue of every file, and what the files say beside them."""

    def __init__(self) -> None:
        self.changes: list[tuple] = []  # issue, history time text, history id, order, from, to
        self.issues: list[tuple] = []  # key, type, team, project, created text, status, partial
        self.categories: dict[tuple[str, str], str] = {}
        self.general: dict[str, str] = {}
        self.scoped: list[tuple[str, str, str]] = []  # project id, status, category
        self.project_ids: dict[str, str] = {}
        self.truncated: dict[str, tuple[int, int]] = {}
        self.nameless: list[str] = []  # keys of status changes whose toString is no text

    def issue(self, issue: dict) -> None:
        fields = issue.get("fields") if isinstance(issue.get("fields"), dict) else {}
        key = _text(issue.get("key")) or _text(issue.get("id"))
        project = _text(_get(fields, "project", "key"))
        if not project and key:
            project = _project(key)
        project_id = _text(_get(fields, "project", "id"))
        if project and project_id:
            self.project_ids[project_id] = project
        status = fields.get("status")
        status_name = _text(_get(status, "name")) or _text(status)
        category = _category(status)
        if category and status_name:
            self.categories.setdefault((project, status_name), category)
        changelog = issue.get("changelog") if isinstance(issue.get("changelog"), dict) else {}
        histories = changelog.get("histories")
        histories = histories if isinstance(histories, list) else []
        total = changelog.get("total")
        partial = isinstance(total, int) and not isinstance(total, bool) and total > len(histories)
        if partial and key:
            self.truncated[key] = (len(histories), int(total))
        index = len(self.issues)
        self.issues.append(
            (
                key,
                _text(_get(fields, "issuetype", "name")) or _text(fields.get("issuetype")),
                _team(fields),
                project,
                _text(fields.get("created")),
                status_name,
                partial,
            )
        )
        for order, h in enumerate(histories):
            if not isinstance(h, dict) or not isinstance(h.get("items"), list):
                continue
            hid = _text(h.get("id"))
            for item in h["items"]:
                if isinstance(item, dict) and item.get("field") == "status":
                    if not _text(item.get("toString")):
                        self.nameless.append(key)  # set aside: a change to no status
                        continue
                    self.changes.append(
                        (
                            index,
                            _text(h.get("created")),
                            int(hid) if hid.isdecimal() and len(hid) < 19 else -1,
                            -order,  # Jira lists newest first: later in the list is older
                            _text(item.get("fromString")),
                            _text(item.get("toString")),
                        )
                    )

    def statuses(self, doc) -> None:
        values = doc["values"] if isinstance(doc, dict) else doc
        for entry in values:
            if not isinstance(entry, dict):
                continue
            name, category = _text(entry.get("name")), _category(entry)
            if not (name and category):
                continue
            scope = entry.get("scope")
            project_id = _text(_get(scope, "project", "id"))
            if _get(scope, "type") == "PROJECT" and project_id:
                self.scoped.append((project_id, name, category))
            else:
                self.general.setdefault(name, category)

    def frame(self, file: str, aside: SetAside) -> pd.DataFrame:
        issues = pd.DataFrame(
            self.issues,
            columns=["key", "type", "team", "project", "created", "status", "partial"],
        )
        changes = pd.DataFrame(
            self.changes, columns=["issue", "at", "hid", "order", "from_status", "to_status"]
        ).astype({"issue": np.int64, "hid": np.int64, "order": np.int64})  # typed when empty
        if self.nameless:
            aside.add(
                "status changes whose toString is not a status name "
                f"(first at {file}, issue {self.nameless[0]})",
                len(self.nameless),
            )
        issues, changes = self._once(issues, changes, file, aside)
        # Naive UTC nanoseconds from here on: no per-value objects.
        named = ("issue " + issues["key"].astype(str)).to_numpy()  # where a time is named
        created = parse_times(
            issues["created"], file, "fields.created", aside, first_row=named, required=True
        )
        created = created.dt.tz_localize(None).to_numpy()
        changes["at"] = parse_times(
            changes["at"],
            file,
            "histories[].created",
            aside,
            first_row=named[changes["issue"].to_numpy()],
            required=True,
        )
        changes["at"] = changes["at"].dt.tz_localize(None)
        # Ordered by instant; NaT last (set aside later), ties by Jira's history order.
        changes = changes.sort_values(["issue", "at", "hid", "order"], kind="stable")
        first = changes.drop_duplicates("issue")[["issue", "from_status"]]
        first_status = issues["status"].copy()
        first_status.iloc[first["issue"].to_numpy()] = first["from_status"].to_numpy()
        whole = ~issues["partial"].to_numpy(dtype=bool)
        creation = pd.DataFrame(
            {
                "issue": np.flatnonzero(whole),
                "from_status": "",
                "to_status": first_status[whole].to_numpy(),
                "at": created[whole],
            }
        )
        rows = pd.concat(
            [creation, changes[["issue", "from_status", "to_status", "at"]]], ignore_index=True
        )
        issue = rows["issue"].to_numpy()
        out = pd.DataFrame(
            {
                "key": issues["key"].to_numpy()[issue],
                "type": issues["type"].to_numpy()[issue],
                "team": issues["team"].to_numpy()[issue],
                "project": issues["project"].to_numpy()[issue],
                "from_status": rows["from_status"].to_numpy(),
                "to_status": rows["to_status"].to_numpy(),
                "at": rows["at"].to_numpy(),
                "created": created[issue],
                "partial": issues["partial"].to_numpy(dtype=bool)[issue],
            }
        )
        out["at"] = pd.to_datetime(out["at"], utc=True)
        out["created"] = pd.to_datetime(out["created"], utc=True)
        return out

    @staticmethod
    def _once(issues: pd.DataFrame, changes: pd.DataFrame, file: str, aside: SetAside):
        """One copy of each issue key: pages of a search can overlap, and files can repeat
        an issue. The copy with the most status changes is kept (the last of equals); the
        others are set aside, counted, the first named. Positions stay as they were."""
        keyed = issues["key"] != ""
        if not issues.loc[keyed, "key"].duplicated().any():
            return issues, changes
        size = np.bincount(changes["issue"].to_numpy(), minlength=len(issues))
        rank = pd.DataFrame({"key": issues["key"], "size": size, "at": np.arange(len(issues))})
        best = rank[keyed].sort_values(["key", "size", "at"]).drop_duplicates("key", keep="last")
        drop = keyed.to_numpy() & ~np.isin(np.arange(len(issues)), best["at"].to_numpy())
        first = issues["key"].to_numpy()[drop][0]
        aside.add(
            "issues given more than once, the copy with the most status changes kept "
            f"(first at {file}, issue {first})",
            int(drop.sum()),
        )
        issues = issues.copy()
        issues.loc[drop, "partial"] = True  # no creation row: with its changes, no row at all
        return issues, changes[~drop[changes["issue"].to_numpy()]]

    def categories_found(self) -> Categories:
        by_project = dict(self.categories)
        for project_id, name, category in self.scoped:
            project = self.project_ids.get(project_id)
            if project:
                by_project.setdefault((project, name), category)
        return Categories(by_project, dict(self.general))


def read_jira(files: list[tuple[str, bytes | Path]], aside: SetAside) -> ItemsRead:
    """Jira JSON files (issues and status lists) as transitions, with the categories and
    the changelogs cut short they reveal. A file given as a Path is read when its turn
    comes (within MAX_JSON_BYTES) and let go once its status changes are taken: a folder
    never holds more than one parsed file."""
    reader = _Reader()
    issue_files = []
    for file, given in files:
        if PurePath(file).name == PULL_STATE:
            continue  # a pull's own record (advisor.connectors), not an export
        doc = data = None  # the previous file's, let go before this one is read
        data = read_bytes(given, MAX_JSON_BYTES) if isinstance(given, Path) else given
        if data[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in data[:4]:
            raise EvidenceError([Problem(file, "is UTF-16 text: save it as UTF-8")])
        try:
            doc = json.loads(data.decode("utf-8-sig"))
        except RecursionError:
            raise EvidenceError([Problem(file, "not a Jira export: nested too deeply")]) from None
        except ValueError as exc:  # also an integer of over 4,300 digits
            raise EvidenceError([Problem(file, f"not JSON ({str(exc)[:120]})")]) from None
        kind = _kind(doc)
        if kind == "statuses":
            reader.statuses(doc)
            continue
        if kind == "unknown":
            raise EvidenceError(
                [
                    Problem(
                        file,
                        'not a Jira response: expected a search result {"issues": [...]}, a '
                        'list of issues, one issue with "fields", or Jira\'s status list',
                    )
                ]
            )
        issue_files.append(file)
        for issue in _issues(doc, file):
            reader.issue(issue)
    name = files[0][0] if len(files) == 1 else f"{len(files)} Jira files"
    if not reader.issues:
        raise EvidenceError([Problem(name, "holds no issues")])
    frame = reader.frame(name, aside)
    return ItemsRead(
        usable(frame, name, aside),
        name,
        reader.categories_found(),
        dict(reader.truncated),
        [f for f, _ in files],
    )
