"""A local Jira for the connector's tests, its benchmark and the demo, served by any werkzeug
server (pytest-httpserver in the tests, `advisor.connectors.demo`) in the
documented response shapes of Jira Cloud (`/rest/api/3/search/jql` with `nextPageToken`,
`/rest/api/3/issue/{key}/changelog`) and Data Center (`/rest/api/2/search` with `startAt` /
`total`, `/rest/api/2/issue/{key}?expand=changelog`), with the status list, serverInfo and
myself. The search cuts a changelog to its newest `cap` histories, as Jira does (100).

Issues are built with `issue(key, created, changes)`: the changelog newest first, each
history with an author (a name the pull must not keep) and a non-status item beside the
status one. Faults: `fail_search_from` (HTTP 500 for every search page starting at or after
that issue offset) and `calls` (every request's path and query, in order).
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import re
import zlib
from collections.abc import Iterable

from werkzeug import Request, Response

from advisor.connectors.fakes.tokens import TOKEN, USER

CATEGORIES = {
    "To Do": "new",
    "In Progress": "indeterminate",
    "In Review": "indeterminate",
    "Done": "done",
}
SERVER_TIME = "2026-03-01T12:00:00.000+0000"


def stamp(when: dt.datetime) -> str:
    """Jira's time format: 2026-01-05T09:00:00.000+0000 (UTC)."""
    return when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "+0000"


def parse(text: str) -> dt.datetime:
    return dt.datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def issue(
    key: str,
    created: dt.datetime,
    changes: Iterable[tuple[dt.datetime, str, str]],
    kind: str = "Story",
    team: str | None = None,
) -> dict:
    """One issue as Jira returns it with the whole changelog: `changes` are (time, from,
    to) status changes, oldest first; `updated` is the last change (else the creation)."""
    changes = list(changes)
    histories = [
        {
            "id": str(10_000 + n),
            "author": {"displayName": "Alice Example", "emailAddress": "alice@example.com"},
            "created": stamp(at),
            "items": [
                {"field": "assignee", "fromString": None, "toString": "Alice Example"},
                {
                    "field": "status",
                    "fieldtype": "jira",
                    "from": "1",
                    "fromString": old,
                    "to": "2",
                    "toString": new,
                },
            ],
        }
        for n, (at, old, new) in enumerate(changes)
    ]
    status = changes[-1][2] if changes else "To Do"
    fields = {
        "summary": "A title nobody needs",
        "assignee": {"displayName": "Alice Example"},
        "issuetype": {"id": "1", "name": kind, "iconUrl": "https://x/icon.png"},
        "status": {
            "id": "3",
            "name": status,
            "iconUrl": "https://x/s.png",
            "statusCategory": {
                "id": 4,
                "key": CATEGORIES.get(status, "indeterminate"),
                "name": "x",
                "colorName": "blue",
            },
        },
        "project": {"id": "100", "key": key.split("-")[0], "name": "Payments"},
        "created": stamp(created),
        "updated": stamp(changes[-1][0] if changes else created),
    }
    if team:
        fields["team"] = team
    return {
        "id": str(zlib.crc32(key.encode())),
        "key": key,
        "self": f"https://jira.example/rest/api/2/issue/{key}",
        "fields": fields,
        "changelog": {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories[::-1],  # newest first, as the search gives them
        },
    }


def _order(key: str) -> tuple[str, int]:
    project, _, number = key.rpartition("-")
    return project, int(number)


class FakeJira:
    """Serves `issues` (whole changelogs) as Jira Cloud (`cloud=True`) or Data Center.

    page: issues per search page at most (Jira may give fewer than maxResults); cap:
    histories per issue in a search answer; auth: "basic" (JIRA_USER:JIRA_TOKEN) or
    "bearer" (JIRA_TOKEN); a request without them gets 401.
    """

    def __init__(
        self,
        issues: list[dict],
        *,
        cloud: bool = True,
        page: int = 100,
        cap: int = 100,
        auth: str = "basic",
        zone: str = "UTC",
    ):
        self.issues = sorted(issues, key=lambda i: _order(i["key"]))
        self.cloud, self.page, self.cap, self.zone = cloud, page, cap, zone
        self.auth = auth
        self.token = TOKEN
        self.fail_search_from: int | None = None
        self.calls: list[tuple[str, dict]] = []

    def install(self, httpserver) -> str:
        """Serve every /rest/ request from this fake; returns the site's URL."""
        httpserver.expect_request(re.compile(r"^/rest/")).respond_with_handler(self)
        return httpserver.url_for("/").rstrip("/")

    def replace(self, issue_: dict) -> None:
        """Put a changed issue in place of the one with its key (or add it)."""
        self.issues = sorted(
            [i for i in self.issues if i["key"] != issue_["key"]] + [issue_],
            key=lambda i: _order(i["key"]),
        )

    # -- answers

    def _authorised(self, request: Request) -> bool:
        header = request.headers.get("Authorization", "")
        if self.auth == "bearer":
            return header == f"Bearer {self.token}"
        pair = base64.b64encode(f"{USER}:{self.token}".encode()).decode()
        return header == f"Basic {pair}"

    def __call__(self, request: Request) -> Response:
        args = request.args.to_dict()
        self.calls.append((request.path, args))
        if not self._authorised(request):
            return _json({"errorMessages": ["You are not authenticated."]}, 401)
        path = request.path
        if path == "/rest/api/3/serverInfo":
            if not self.cloud:
                return _json({"errorMessages": ["not found"]}, 404)
            return _json({"deploymentType": "Cloud", "serverTime": SERVER_TIME})
        if path == "/rest/api/2/serverInfo":
            kind = "Cloud" if self.cloud else "DataCenter"
            return _json({"deploymentType": kind, "serverTime": SERVER_TIME})
        if path == "/rest/api/2/myself":
            return _json({"accountId": "x", "displayName": "Ana", "timeZone": self.zone})
        if path in ("/rest/api/2/status", "/rest/api/3/status"):
            return _json(
                [
                    {
                        "id": str(n),
                        "name": name,
                        "description": "",
                        "statusCategory": {"id": n, "key": key, "name": key},
                    }
                    for n, (name, key) in enumerate(CATEGORIES.items())
                ]
            )
        if path == "/rest/api/3/search/jql" and self.cloud:
            return self._search(args, cloud=True)
        if path == "/rest/api/2/search" and not self.cloud:
            return self._search(args, cloud=False)
        found = re.match(r"^/rest/api/3/issue/([^/]+)/changelog$", path)
        if found and self.cloud:
            return self._changelog(found.group(1), args)
        found = re.match(r"^/rest/api/2/issue/([^/]+)$", path)
        if found and not self.cloud:
            one = self._one(found.group(1))
            return _json(one) if one else _json({"errorMessages": ["no issue"]}, 404)
        return _json({"errorMessages": [f"no route {path}"]}, 404)

    def _matching(self, jql: str) -> list[dict]:
        issues = self.issues
        bound = re.search(r'updated >= "(\d{4}/\d\d/\d\d \d\d:\d\d)"', jql)
        if not bound:
            return issues
        after = dt.datetime.strptime(bound.group(1), "%Y/%m/%d %H:%M").replace(tzinfo=dt.UTC)
        return [i for i in issues if parse(i["fields"]["updated"]) >= after]

    def _search(self, args: dict, cloud: bool) -> Response:
        issues = self._matching(args.get("jql", ""))
        if cloud:
            token = args.get("nextPageToken")
            try:
                start = int(base64.b64decode(token).decode()) if token else 0
            except ValueError:  # an expired or foreign token
                return _json({"errorMessages": ["The page token is invalid."]}, 400)
        else:
            start = int(args.get("startAt", 0))
        if self.fail_search_from is not None and start >= self.fail_search_from:
            return _json({"errorMessages": ["Internal server error"]}, 500)
        size = min(int(args.get("maxResults", 50)), self.page)
        chunk = [self._cut(i) for i in issues[start : start + size]]
        end = start + len(chunk)
        if cloud:
            doc = {"issues": chunk, "isLast": end >= len(issues)}
            if end < len(issues):
                doc["nextPageToken"] = base64.b64encode(str(end).encode()).decode()
            return _json(doc)
        return _json({"startAt": start, "maxResults": size, "total": len(issues), "issues": chunk})

    def _cut(self, one: dict) -> dict:
        log = one["changelog"]
        if len(log["histories"]) <= self.cap:
            return one
        kept = log["histories"][: self.cap]  # the newest
        return {**one, "changelog": {**log, "maxResults": self.cap, "histories": kept}}

    def _one(self, key: str) -> dict | None:
        return next((i for i in self.issues if i["key"] == key), None)

    def _changelog(self, key: str, args: dict) -> Response:
        one = self._one(key)
        if one is None:
            return _json({"errorMessages": ["no issue"]}, 404)
        values = one["changelog"]["histories"][::-1]  # this endpoint gives oldest first
        start, size = int(args.get("startAt", 0)), min(int(args.get("maxResults", 100)), 100)
        chunk = values[start : start + size]
        return _json(
            {
                "startAt": start,
                "maxResults": size,
                "total": len(values),
                "isLast": start + len(chunk) >= len(values),
                "values": chunk,
            }
        )


def _json(doc, status: int = 200) -> Response:
    return Response(json.dumps(doc), status=status, content_type="application/json")
