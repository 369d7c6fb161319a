"""Shared helpers for the connector tests: a recorded sleep (no test waits), the token used
against the local servers, and a check that the token is in no file, log record or message."""

from __future__ import annotations

import logging
from pathlib import Path

TOKEN = "tok-SECRET-5f3a9c"  # what the local servers expect; must appear nowhere else


class Sleeps:
    """A stand-in for time.sleep that records each wait, in seconds."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


def assert_no_token(
    token: str,
    folder: Path | None = None,
    records: list[logging.LogRecord] = (),
    messages: list[str] = (),
) -> int:
    """Fail if `token` is in any file under `folder`, any log record's message (formatted
    as a handler would) or any message. Returns how many places were looked at, so a test
    can check it looked at something."""
    looked = 0
    if folder is not None:
        for path in Path(folder).rglob("*"):
            if path.is_file():
                looked += 1
                assert token not in path.read_text(encoding="utf-8", errors="replace"), path
    for record in records:
        looked += 1
        assert token not in record.getMessage(), record.getMessage()
    for message in messages:
        looked += 1
        assert token not in message, message
    return looked


# ---------------------------------------------------------------- a local GitHub


def _link(base: str, path: str, query: dict[str, str], page: int) -> str:
    from urllib.parse import urlencode

    return f'<{base}{path}?{urlencode({**query, "page": str(page)})}>; rel="next"'


class FakeGitHub:
    """GitHub's REST API for one repository, in the documented shapes: the pulls list sorted
    by `updated` (desc) and paged by `per_page`/`page` with a `Link` header, each pull, its
    reviews and commits, deployments and their statuses, releases. Checks the bearer token.
    `serving` is the seconds spent inside the handler (the server's own work)."""

    def __init__(self, repo: str = "acme/app", pulls: int = 0, per_page_max: int = 100):
        self.repo = repo
        self.per_page_max = per_page_max
        self.pulls: dict[int, dict] = {}
        self.deployments: list[dict] = []
        self.statuses: dict[int, list[dict]] = {}
        self.releases: list[dict] = []
        self.requests: list[str] = []
        self.serving = 0.0
        self._order: list[int] | None = None
        for n in range(1, pulls + 1):
            self.add_pull(n)

    @staticmethod
    def at(minutes: int) -> str:
        """2025-01-01T00:00:00Z plus `minutes`, as GitHub writes times."""
        from datetime import UTC, datetime, timedelta

        when = datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")

    def add_pull(self, n: int, updated: int | None = None, title: str | None = None) -> None:
        """Pull `n`: opened at minute 10n, first commit at 10n - 5, reviewed at 10n + 3,
        merged at 10n + 6, updated at `updated` (default 10n + 6)."""
        updated = 10 * n + 6 if updated is None else updated
        self.pulls[n] = {
            "url": f"https://api.github.test/repos/{self.repo}/pulls/{n}",
            "number": n,
            "title": title or f"Change {n}",
            "state": "closed",
            "user": {"login": f"dev{n % 7}", "id": n % 7, "type": "User"},
            "body": "Reviewed with Jane Example <jane@example.com>",
            "created_at": self.at(10 * n),
            "updated_at": self.at(updated),
            "closed_at": self.at(10 * n + 6),
            "merged_at": self.at(10 * n + 6),
            "draft": False,
            "merge_commit_sha": f"{n:040x}",
            "base": {"ref": "main", "repo": {"full_name": self.repo, "id": 1}},
            "head": {"ref": f"topic-{n}", "sha": f"{n + 1:040x}"},
            "requested_teams": [{"slug": "core", "name": "Core"}],
            "requested_reviewers": [],
            "labels": [],
        }
        self._order = None

    def detail(self, n: int) -> dict:
        # the pull's own endpoint adds the sizes: additions 10n, deletions n
        return {**self.pulls[n], "additions": 10 * n, "deletions": n, "changed_files": 1}

    def reviews(self, n: int) -> list[dict]:
        return [
            {
                "id": 1000 + n,
                "user": {"login": "reviewer1"},
                "body": "Looks good, Jane",
                "state": "APPROVED",
                "submitted_at": self.at(10 * n + 3),
                "commit_id": f"{n + 1:040x}",
            }
        ]

    def commits(self, n: int) -> list[dict]:
        return [
            {
                "sha": f"{n + 1:040x}",
                "commit": {
                    "author": {
                        "name": "Jane Example",
                        "email": "jane@example.com",
                        "date": self.at(10 * n - 5),
                    },
                    "committer": {
                        "name": "Jane Example",
                        "email": "jane@example.com",
                        "date": self.at(10 * n - 5),
                    },
                    "message": "Fix it\n\nCo-authored-by: Jane Example <jane@example.com>",
                },
                "author": {"login": f"dev{n % 7}"},
                "committer": {"login": f"dev{n % 7}"},
                "parents": [{"sha": "0" * 40}],
            }
        ]

    def add_deployment(self, d: int, n: int, states: list[str], minute: int) -> None:
        """Deployment `d` of pull n's merge commit at `minute`, statuses oldest first."""
        self.deployments.insert(
            0,
            {
                "id": d,
                "sha": f"{n:040x}",
                "environment": "production",
                "created_at": self.at(minute),
            },
        )
        self.statuses[d] = [
            {"id": d * 10 + i, "state": s, "created_at": self.at(minute + i + 1)}
            for i, s in enumerate(states)
        ][::-1]  # GitHub lists the newest first

    def install(self, server) -> FakeGitHub:
        import re

        server.expect_request(re.compile(r"^/repos/")).respond_with_handler(self.handle)
        return self

    def _page(self, request, items: list) -> tuple[list, dict[str, str]]:
        per_page = min(int(request.args.get("per_page", 30)), self.per_page_max)
        page = int(request.args.get("page", 1))
        chunk = items[(page - 1) * per_page : page * per_page]
        headers = {}
        if page * per_page < len(items):
            query = {k: v for k, v in request.args.items() if k != "page"}
            headers["Link"] = _link(request.host_url.rstrip("/"), request.path, query, page + 1)
        return chunk, headers

    def handle(self, request):
        import json as _json
        import re
        import time as _time

        from werkzeug import Response

        started = _time.perf_counter()
        try:
            self.requests.append(request.full_path)
            if request.headers.get("Authorization") != f"Bearer {TOKEN}":
                return Response('{"message": "Bad credentials"}', status=401)
            path = request.path[len(f"/repos/{self.repo}") :]
            headers: dict[str, str] = {}
            if path == "/pulls":
                if self._order is None:
                    self._order = sorted(
                        self.pulls, key=lambda k: self.pulls[k]["updated_at"], reverse=True
                    )
                numbers, headers = self._page(request, self._order)
                body = [self.pulls[k] for k in numbers]
            elif m := re.fullmatch(r"/pulls/(\d+)", path):
                body = self.detail(int(m.group(1)))
            elif m := re.fullmatch(r"/pulls/(\d+)/reviews", path):
                body, headers = self._page(request, self.reviews(int(m.group(1))))
            elif m := re.fullmatch(r"/pulls/(\d+)/commits", path):
                body, headers = self._page(request, self.commits(int(m.group(1))))
            elif path == "/deployments":
                body, headers = self._page(request, self.deployments)
            elif m := re.fullmatch(r"/deployments/(\d+)/statuses", path):
                body = self.statuses[int(m.group(1))]
            elif path == "/releases":
                body, headers = self._page(request, self.releases)
            else:
                return Response('{"message": "Not Found"}', status=404)
            return Response(_json.dumps(body), headers=headers, content_type="application/json")
        finally:
            self.serving += _time.perf_counter() - started


# ---------------------------------------------------------------- a local GitLab


class FakeGitLab:
    """GitLab's REST API v4 for project 42: merge requests ordered by `updated_at` (asc),
    filtered by `updated_after`, paged by keyset (`Link` next with a `cursor`), each with
    approvals, notes and commits; deployments. Checks the PRIVATE-TOKEN header."""

    def __init__(self, mrs: int = 0, per_page_max: int = 100):
        self.per_page_max = per_page_max
        self.mrs: dict[int, dict] = {}
        self.deployments: list[dict] = []
        self.requests: list[str] = []
        for iid in range(1, mrs + 1):
            self.add_mr(iid)

    at = staticmethod(FakeGitHub.at)

    def add_mr(self, iid: int, updated: int | None = None, title: str | None = None) -> None:
        """MR `iid`: opened at minute 10 iid, first commit at 10 iid - 5, approved at
        10 iid + 3, merged at 10 iid + 6, updated at `updated` (default 10 iid + 6)."""
        updated = 10 * iid + 6 if updated is None else updated
        self.mrs[iid] = {
            "id": 9000 + iid,
            "iid": iid,
            "project_id": 42,
            "title": title or f"Change {iid}",
            "description": "Thanks Jane Example",
            "state": "merged",
            "created_at": self.at(10 * iid),
            "updated_at": self.at(updated),
            "merged_at": self.at(10 * iid + 6),
            "closed_at": None,
            "draft": False,
            "merge_commit_sha": f"{iid:040x}",
            "squash_commit_sha": None,
            "sha": f"{iid + 1:040x}",
            "source_branch": f"topic-{iid}",
            "target_branch": "main",
            "author": {"id": 7, "username": "dev7", "name": "Jane Example", "state": "active"},
            "reviewers": [{"id": 8, "username": "rev8", "name": "John Example"}],
            "labels": [],
        }

    def notes(self, iid: int) -> list[dict]:
        rev = {"id": 8, "username": "rev8", "name": "John Example"}
        return [
            {
                "id": iid * 10,
                "body": "Please rename this, Jane",
                "system": False,
                "author": rev,
                "created_at": self.at(10 * iid + 2),
            },
            {
                "id": iid * 10 + 1,
                "body": "approved this merge request",
                "system": True,
                "author": rev,
                "created_at": self.at(10 * iid + 3),
            },
        ]

    def commits(self, iid: int) -> list[dict]:
        return [
            {
                "id": f"{iid + 1:040x}",
                "short_id": f"{iid + 1:08x}",
                "title": "Fix",
                "message": "Fix\n\nCo-authored-by: Jane Example <jane@example.com>",
                "author_name": "Jane Example",
                "author_email": "jane@example.com",
                "authored_date": self.at(10 * iid - 5),
                "committed_date": self.at(10 * iid - 5),
                "created_at": self.at(10 * iid - 5),
            }
        ]

    def install(self, server) -> FakeGitLab:
        import re

        server.expect_request(re.compile(r"^/api/v4/projects/42/")).respond_with_handler(
            self.handle
        )
        return self

    def handle(self, request):
        import json as _json
        import re
        from urllib.parse import urlencode

        from werkzeug import Response

        self.requests.append(request.full_path)
        if request.headers.get("PRIVATE-TOKEN") != TOKEN:
            return Response('{"message": "401 Unauthorized"}', status=401)
        path = request.path[len("/api/v4/projects/42") :]
        headers: dict[str, str] = {}
        if path == "/merge_requests":
            after = request.args.get("updated_after", "")
            rows = sorted(
                (m for m in self.mrs.values() if m["updated_at"] > after),
                key=lambda m: (m["updated_at"], m["id"]),
            )
            per_page = min(int(request.args.get("per_page", 20)), self.per_page_max)
            start = int(request.args.get("cursor", 0))
            body = rows[start : start + per_page]
            if start + per_page < len(rows):
                query = {k: v for k, v in request.args.items() if k != "cursor"}
                query["cursor"] = str(start + per_page)
                headers["Link"] = (
                    f'<{request.host_url.rstrip("/")}{request.path}?{urlencode(query)}>; rel="next"'
                )
        elif m := re.fullmatch(r"/merge_requests/(\d+)/notes", path):
            body = self.notes(int(m.group(1)))
        elif m := re.fullmatch(r"/merge_requests/(\d+)/approvals", path):
            body = {
                "approved": True,
                "approved_by": [{"user": {"id": 8, "username": "rev8", "name": "John Example"}}],
            }
        elif m := re.fullmatch(r"/merge_requests/(\d+)/commits", path):
            body = self.commits(int(m.group(1)))
        elif path == "/deployments":
            body = self.deployments
        else:
            return Response('{"message": "404 Not Found"}', status=404)
        return Response(_json.dumps(body), headers=headers, content_type="application/json")
