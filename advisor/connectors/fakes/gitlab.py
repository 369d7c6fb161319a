"""A local GitLab for the connector's tests and the demo: GitLab's REST API v4 for project 42
in the documented response shapes (docs.gitlab.com/api/merge_requests, .../deployments),
served by any werkzeug server.
"""

from __future__ import annotations

import re
import zlib

from advisor.connectors.fakes.github import FakeGitHub
from advisor.connectors.fakes.tokens import TOKEN


class FakeGitLab:
    """GitLab's REST API v4 for project 42: merge requests ordered by `updated_at` (asc),
    filtered by `updated_after`, paged by keyset (`Link` next with a `cursor`), each with
    approvals, notes, commits and diffs; deployments. Checks the PRIVATE-TOKEN header
    (`token`, default TOKEN)."""

    def __init__(self, mrs: int = 0, per_page_max: int = 100):
        self.per_page_max = per_page_max
        self.token = TOKEN
        self.mrs: dict[int, dict] = {}
        self.deployments: list[dict] = []
        self.requests: list[str] = []
        self._notes: dict[int, list[dict]] = {}
        self._approvers: dict[int, list[dict]] = {}
        self._commits: dict[int, list[dict]] = {}
        self._diffs: dict[int, list[dict]] = {}
        for iid in range(1, mrs + 1):
            self.add_mr(iid)

    at = staticmethod(FakeGitHub.at)

    @staticmethod
    def user(username: str) -> dict:
        """A user as GitLab gives one (with a name the pull must not keep); the id is the
        username's trailing number (rev8: 8), else a number made from the username."""
        digits = re.search(r"\d+$", username)
        uid = int(digits.group()) if digits else zlib.crc32(username.encode()) % 10_000
        return {"id": uid, "username": username, "name": "John Example"}

    def add_mr(self, iid: int, updated: int | None = None, title: str | None = None) -> None:
        """MR `iid` by dev7: opened at minute 10 iid, first commit at 10 iid - 5, a comment
        by rev8 at 10 iid + 2, approved by rev8 at 10 iid + 3, merged at 10 iid + 6, updated
        at `updated` (default 10 iid + 6); additions 10 iid, deletions iid."""
        self.put_mr(
            iid,
            author="dev7",
            opened=10 * iid,
            merged=10 * iid + 6,
            updated=updated,
            title=title,
            comments=[("rev8", 10 * iid + 2)],
            approvals=[("rev8", 10 * iid + 3)],
            commits=[10 * iid - 5],
            additions=10 * iid,
            deletions=iid,
        )

    def put_mr(
        self,
        iid: int,
        *,
        author: str,
        opened: int,
        merged: int | None = None,
        closed: int | None = None,
        updated: int | None = None,
        title: str | None = None,
        draft: bool = False,
        comments: list[tuple[str, int]] = (),
        approvals: list[tuple[str, int]] = (),
        commits: list[int] = (),
        additions: int = 0,
        deletions: int = 0,
    ) -> None:
        """Merge request `iid` of `author` (a username), its times in minutes after
        2025-01-01 00:00 UTC: opened, merged (None: not merged), closed (only for one closed
        unmerged, as GitLab sets it), updated (default: the latest); comments (notes by
        people) and approvals (each an "approved this merge request" system note) as
        (username, minute); commits as minutes; a diff of `additions` added and `deletions`
        removed lines."""
        updated = max(t for t in (opened, merged, closed, updated) if t is not None)
        state = "merged" if merged is not None else "closed" if closed is not None else "opened"
        self.mrs[iid] = {
            "id": 9000 + iid,
            "iid": iid,
            "project_id": 42,
            "title": title or f"Change {iid}",
            "description": "Thanks Jane Example",
            "state": state,
            "created_at": self.at(opened),
            "updated_at": self.at(updated),
            "merged_at": self.at(merged) if merged is not None else None,
            "closed_at": self.at(closed) if closed is not None else None,
            "draft": draft,
            "merge_commit_sha": f"{iid:040x}" if merged is not None else None,
            "squash_commit_sha": None,
            "sha": f"{iid + 1:040x}",
            "source_branch": f"topic-{iid}",
            "target_branch": "main",
            "author": {**self.user(author), "name": "Jane Example", "state": "active"},
            "reviewers": [self.user(u) for u, _ in approvals],
            "labels": [],
        }
        notes = [
            {
                "body": "Please rename this, Jane",
                "system": False,
                "author": self.user(u),
                "created_at": self.at(minute),
            }
            for u, minute in comments
        ] + [
            {
                "body": "approved this merge request",
                "system": True,
                "author": self.user(u),
                "created_at": self.at(minute),
            }
            for u, minute in approvals
        ]
        notes.sort(key=lambda n: n["created_at"])
        self._notes[iid] = [{"id": iid * 100 + i, **n} for i, n in enumerate(notes)]
        self._approvers[iid] = [{"user": self.user(u)} for u, _ in approvals]
        self._commits[iid] = [
            {
                "id": f"{iid + 1 + i:040x}",
                "short_id": f"{iid + 1 + i:08x}",
                "title": "Fix",
                "message": "Fix\n\nCo-authored-by: Jane Example <jane@example.com>",
                "author_name": "Jane Example",
                "author_email": "jane@example.com",
                "authored_date": self.at(minute),
                "committed_date": self.at(minute),
                "created_at": self.at(minute),
            }
            for i, minute in enumerate(commits)
        ]
        # two files: the first adds and removes, the second only adds (a new file)
        first = max(additions - 1, 0)
        self._diffs[iid] = [
            {
                "old_path": "app.py",
                "new_path": "app.py",
                "new_file": False,
                "deleted_file": False,
                "renamed_file": False,
                "diff": f"@@ -1,{deletions} +1,{first} @@\n"
                + "".join(f"-old {k}\n" for k in range(deletions))
                + "".join(f"+new {k}\n" for k in range(first)),
            },
            {
                "old_path": "new.py",
                "new_path": "new.py",
                "new_file": True,
                "deleted_file": False,
                "renamed_file": False,
                "diff": "@@ -0,0 +1 @@\n+print('--- not a header')\n" if additions else "",
            },
        ]

    def notes(self, iid: int) -> list[dict]:
        return self._notes[iid]

    def commits(self, iid: int) -> list[dict]:
        return self._commits[iid]

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
        if request.headers.get("PRIVATE-TOKEN") != self.token:
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
            approvers = self._approvers[int(m.group(1))]
            body = {"approved": bool(approvers), "approved_by": approvers}
        elif m := re.fullmatch(r"/merge_requests/(\d+)/diffs", path):
            body = self._diffs[int(m.group(1))]
        elif m := re.fullmatch(r"/merge_requests/(\d+)/commits", path):
            body = self.commits(int(m.group(1)))
        elif path == "/deployments":
            body = self.deployments
        else:
            return Response('{"message": "404 Not Found"}', status=404)
        return Response(_json.dumps(body), headers=headers, content_type="application/json")
