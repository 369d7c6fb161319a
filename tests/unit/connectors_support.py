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
