"""A local GitHub for the connector's tests, its benchmark and the demo: GitHub's REST API for
one repository in the documented response shapes (docs.github.com/en/rest/pulls,
.../deployments, .../releases), served by any werkzeug server (pytest-httpserver in the tests,
`advisor.connectors.demo` for a newcomer).
"""

from __future__ import annotations

import zlib

from advisor.connectors.fakes.tokens import TOKEN


def _link(base: str, path: str, query: dict[str, str], page: int) -> str:
    from urllib.parse import urlencode

    return f'<{base}{path}?{urlencode({**query, "page": str(page)})}>; rel="next"'


class FakeGitHub:
    """GitHub's REST API for one repository, in the documented shapes: the pulls list sorted
    by `updated` (desc) and paged by `per_page`/`page` with a `Link` header, each pull, its
    reviews and commits, deployments and their statuses, releases. Checks the bearer token
    (`token`, default TOKEN).
    `serving` is the seconds spent inside the handler (the server's own work)."""

    def __init__(self, repo: str = "acme/app", pulls: int = 0, per_page_max: int = 100):
        self.repo = repo
        self.token = TOKEN
        self._sizes: dict[int, tuple[int, int]] = {}
        self._reviews: dict[int, list[dict]] = {}
        self._commits: dict[int, list[dict]] = {}
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
        """Pull `n`: by dev{n mod 7}, opened at minute 10n, first commit at 10n - 5, reviewed
        (approved by reviewer1) at 10n + 3, merged at 10n + 6, updated at `updated` (default
        10n + 6); additions 10n, deletions n."""
        self.put_pull(
            n,
            author=f"dev{n % 7}",
            opened=10 * n,
            merged=10 * n + 6,
            updated=updated,
            title=title,
            additions=10 * n,
            deletions=n,
            reviews=[("reviewer1", "APPROVED", 10 * n + 3)],
            commits=[10 * n - 5],
        )

    def put_pull(
        self,
        n: int,
        *,
        author: str,
        opened: int,
        merged: int | None = None,
        closed: int | None = None,
        updated: int | None = None,
        title: str | None = None,
        draft: bool = False,
        additions: int = 0,
        deletions: int = 0,
        reviews: list[tuple[str, str, int]] = (),
        commits: list[int] = (),
        teams: tuple[str, ...] = ("core",),
    ) -> None:
        """Pull `n` of `author` (a login), its times in minutes after 2025-01-01 00:00 UTC
        (`at`): opened, merged (None: not merged), closed (default: the merge), updated
        (default: the latest of them); reviews as (login, state, minute) and commits as
        minutes, listed as GitHub lists them; the sizes only on the pull's own endpoint."""
        closed = merged if closed is None else closed
        updated = max(t for t in (opened, merged, closed, updated) if t is not None)
        self.pulls[n] = {
            "url": f"https://api.github.test/repos/{self.repo}/pulls/{n}",
            "number": n,
            "title": title or f"Change {n}",
            "state": "closed" if closed is not None else "open",
            "user": {"login": author, "id": zlib.crc32(author.encode()) % 10_000, "type": "User"},
            "body": "Reviewed with Jane Example <jane@example.com>",
            "created_at": self.at(opened),
            "updated_at": self.at(updated),
            "closed_at": self.at(closed) if closed is not None else None,
            "merged_at": self.at(merged) if merged is not None else None,
            "draft": draft,
            # GitHub gives an unmerged pull a test merge commit too
            "merge_commit_sha": f"{n:040x}",
            "base": {"ref": "main", "repo": {"full_name": self.repo, "id": 1}},
            "head": {"ref": f"topic-{n}", "sha": f"{n + 1:040x}"},
            "requested_teams": [{"slug": t, "name": t.title()} for t in teams],
            "requested_reviewers": [],
            "labels": [],
        }
        self._sizes[n] = (additions, deletions)
        self._reviews[n] = [
            {
                "id": 1000 * n + i,
                "user": {"login": login},
                "body": "Looks good, Jane",
                "state": state,
                "submitted_at": self.at(minute) if state != "PENDING" else None,
                "commit_id": f"{n + 1:040x}",
            }
            for i, (login, state, minute) in enumerate(reviews)
        ]
        self._commits[n] = [
            {
                "sha": f"{n + 1 + i:040x}",
                "commit": {
                    "author": {
                        "name": "Jane Example",
                        "email": "jane@example.com",
                        "date": self.at(minute),
                    },
                    "committer": {
                        "name": "Jane Example",
                        "email": "jane@example.com",
                        "date": self.at(minute),
                    },
                    "message": "Fix it\n\nCo-authored-by: Jane Example <jane@example.com>",
                },
                "author": {"login": author},
                "committer": {"login": author},
                "parents": [{"sha": "0" * 40}],
            }
            for i, minute in enumerate(commits)
        ]
        self._order = None

    def detail(self, n: int) -> dict:
        """The pull as its own endpoint gives it: with additions, deletions, changed_files."""
        additions, deletions = self._sizes[n]
        return {**self.pulls[n], "additions": additions, "deletions": deletions, "changed_files": 1}

    def reviews(self, n: int) -> list[dict]:
        return self._reviews[n]

    def commits(self, n: int) -> list[dict]:
        return self._commits[n]

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
            if request.headers.get("Authorization") != f"Bearer {self.token}":
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
