"""Pull a GitLab project's merge requests (with approvals, notes and commits) and deployments
into the files `evidence` reads:

- `OUT/merge_requests/merge_requests-NNNNN.json`: JSON lists of merge requests as
  `GET /projects/:id/merge_requests` returns them, plus `approvals` (a list of `{user,
  approved_at}`: the approvers of `.../approvals`, each at the time of its "approved this merge
  request" system note), `notes` (as `.../notes` returns them), `commits` (as `.../commits`
  returns them) and `additions`, `deletions` (the lines added and removed, counted in
  `.../diffs` as GitHub counts a pull's; absent when GitLab leaves a diff out), keeping the
  fields the measures use and no names or e-mail addresses (a username stays; the text of a
  person's comment or of the code is not kept);
- `OUT/deployments.csv`: `id, deployed_at, commit_at, status, recovered_at, unplanned, commit`;
- `OUT/pull-state.json`: the watermark and, while unfinished, where to resume.

REST API v4, https://docs.gitlab.com/api/merge_requests/: the list is read
`order_by=updated_at&sort=asc&updated_after=WATERMARK` with `pagination=keyset`, following the
`Link` header's next page (GitLab sends it for keyset and offset paging alike).
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Mapping
from datetime import date
from pathlib import Path
from typing import Any
from urllib.parse import quote

from advisor.connectors.http import BAD_INPUT, Api, ConnectorError, next_link
from advisor.connectors.output import PageWriter
from advisor.connectors.runs import (
    DEPLOYMENT_LOOKBACK,
    DEPLOYMENTS_FILE,
    Progress,
    PullResult,
    iso,
    lower_bound,
    parse_time,
    starting_state,
    write_deployments,
    written_files,
)
from advisor.connectors.secrets import token as find_token
from advisor.connectors.state import save_state

TOKEN_NAME = "GITLAB_TOKEN"
PER_PAGE = 100  # GitLab's largest page
MRS_DIR = "merge_requests"
MAX_NOTE_PAGES = 10  # 1,000 notes on one merge request: more are not read
MAX_COMMIT_PAGES = 10
MAX_DIFF_PAGES = 10  # 1,000 changed files on one merge request: more, and its size is not known
PART = r"(?!\.\.?(/|$))[A-Za-z0-9_.-]+"
PROJECT = re.compile(rf"^(\d{{1,12}}|{PART}(/{PART})+)$")  # an id or group/name
APPROVED = "approved this merge request"
HINTS = {
    401: f"Create a personal, project or group access token and set {TOKEN_NAME}",
    403: "The token needs the read_api scope and at least the Reporter role on the project",
    404: "Give --project as the numeric project id or its full path (group/name), and --url "
    "as the GitLab address (e.g. https://gitlab.com)",
}


def _user(u: Any) -> dict[str, Any] | None:
    return {"id": u.get("id"), "username": u.get("username")} if isinstance(u, dict) else None


def trim_mr(mr: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a merge request the measures use, in GitLab's shape (no names)."""
    keep = (
        "id",
        "iid",
        "project_id",
        "title",
        "state",
        "draft",
        "work_in_progress",
        "created_at",
        "updated_at",
        "merged_at",
        "closed_at",
        "merge_commit_sha",
        "squash_commit_sha",
        "sha",
        "source_branch",
        "target_branch",
        "labels",
        "web_url",
        "user_notes_count",
    )
    out = {k: mr.get(k) for k in keep if k in mr}
    out["author"] = _user(mr.get("author"))
    out["reviewers"] = [_user(u) for u in mr.get("reviewers") or []]
    return out


def trim_note(n: Mapping[str, Any]) -> dict[str, Any]:
    """A note's id, author, times and kind; the text only of GitLab's own system notes
    ("approved this merge request"), never of a person's comment."""
    keep = ("id", "type", "system", "created_at", "updated_at", "resolvable", "noteable_iid")
    out = {k: n.get(k) for k in keep if k in n}
    out["author"] = _user(n.get("author"))
    if n.get("system"):
        out["body"] = n.get("body")
    return out


def trim_commit(c: Mapping[str, Any]) -> dict[str, Any]:
    """A commit's ids and dates (no names, e-mail addresses or message)."""
    keep = ("id", "short_id", "created_at", "authored_date", "committed_date", "parent_ids")
    return {k: c.get(k) for k in keep if k in c}


def approvals(approval_state: Any, notes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """`[{user, approved_at}]`: each approver in the approvals endpoint's `approved_by`, at
    the time of that user's latest "approved this merge request" system note (None when the
    notes do not say)."""
    users = [a.get("user") for a in (approval_state or {}).get("approved_by") or []]
    when: dict[Any, str] = {}
    for n in notes:
        if n.get("system") and str(n.get("body", "")).startswith(APPROVED):
            uid = (n.get("author") or {}).get("id")
            if uid is not None and n.get("created_at", "") >= when.get(uid, ""):
                when[uid] = n["created_at"]
    return [
        {"user": _user(u), "approved_at": when.get((u or {}).get("id"))}
        for u in users
        if isinstance(u, dict)
    ]


def pull_gitlab(
    project: str,
    *,
    url: str,
    out: Path,
    since: date | None = None,
    environment: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    api: Api | None = None,
    secrets_file: Path | None = None,
) -> PullResult:
    """Pull GitLab project `project` (numeric id or full path) from the GitLab at `url` (e.g.
    https://gitlab.com) into folder `out` (see the module's docstring for the files).

    since: on a first pull, only merge requests updated on or after this date (UTC); later
    pulls ask only for what changed after the folder's watermark. environment: only
    deployments to this environment; all when None. The token is `GITLAB_TOKEN` (environment,
    else `[connectors]` in `.streamlit/secrets.toml`), sent as `PRIVATE-TOKEN`.
    progress(done, total, what) after each merge request (total from `x-total` when GitLab
    sends it); cancel stops between requests (Cancelled). An interrupted pull keeps the pages
    written and a rerun resumes at the next page. Raises ConnectorError: exit 2 bad input or
    refused credentials, exit 3 GitLab failed after retries.
    """
    project = (project or "").strip().strip("/")
    if not PROJECT.match(project):
        raise ConnectorError(
            f"--project must be a numeric id or a path such as group/name; got {project!r}",
            BAD_INPUT,
        )
    out = Path(out)
    state, mode = starting_state(out, "gitlab", project, since, query=None)
    own = api is None
    if api is None:
        secret = find_token(TOKEN_NAME, secrets_file)
        if not secret:
            raise ConnectorError(
                f"no GitLab token: set {TOKEN_NAME} in the environment or under [connectors] "
                "in .streamlit/secrets.toml",
                BAD_INPUT,
            )
        api = Api(
            url.rstrip("/") + "/api/v4",
            provider="GitLab",
            headers={"PRIVATE-TOKEN": secret},
            token_names=(TOKEN_NAME,),
            secrets=(secret,),
            hints=HINTS,
            sleep=sleep,
            cancel=cancel,
        )
    result = PullResult("GitLab", project, out, mode)
    try:
        _pull(
            api, f"/projects/{quote(project, safe='')}", out, state, environment, progress, result
        )
    finally:
        result.requests = api.requests
        if own:
            api.close()
    return result


def _pull(api, base, out, state, environment, progress, result) -> None:
    writer = PageWriter(out / MRS_DIR, "merge_requests", key=lambda m: m["iid"])
    bound = lower_bound(state)
    cursor = state.cursor or {"stage": "merge_requests"}
    state.complete = False
    fetched = 0
    if cursor.get("stage") == "merge_requests":
        if cursor.get("next"):
            pages = api.pages_by_link(cursor["next"])
        else:
            params = {
                "state": "all",
                "scope": "all",
                "order_by": "updated_at",
                "sort": "asc",
                "pagination": "keyset",
                "per_page": PER_PAGE,
            }
            if bound is not None:
                params["updated_after"] = iso(bound)
            pages = api.pages_by_link(f"{base}/merge_requests", params)
        page_no = int(cursor.get("page", 0))
        total = None
        for response in pages:
            if response.headers.get("x-total", "").isdigit():
                total = int(response.headers["x-total"])
            listed = api.json(response)
            if not isinstance(listed, list):
                raise api.error("GitLab answered the merge requests list with no list")
            page = []
            for item in listed:
                updated = parse_time(item.get("updated_at"))
                if updated and (state.run_to is None or updated > state.run_to):
                    state.run_to = updated
                page.append(_complete_mr(api, base, item))
                fetched += 1
                if progress:
                    progress(fetched, total, "merge requests")
            writer.write(page)
            page_no += 1
            nxt = next_link(response)
            state.cursor = (
                {"stage": "merge_requests", "next": nxt, "page": page_no}
                if nxt
                else {"stage": "deployments"}
            )
            state.files = written_files(out, MRS_DIR, writer)
            state.fetched["merge_requests"] = len(writer)
            save_state(out, state)
    result.fetched["merge requests"] = fetched
    result.fetched["deployments"] = _deployments(
        api, base, out, state, environment, writer, bound, progress
    )
    state.updated_to = state.run_to or state.updated_to
    state.run_to = None
    state.cursor = None
    state.complete = True
    state.files = written_files(out, MRS_DIR, writer)
    save_state(out, state)
    result.in_folder = dict(state.fetched)
    result.files = list(state.files)
    result.updated_to = state.updated_to


def _complete_mr(api: Api, base: str, listed: Mapping[str, Any]) -> dict[str, Any]:
    iid = listed["iid"]
    mr = trim_mr(listed)
    notes = api.all_pages(
        f"{base}/merge_requests/{iid}/notes",
        {"per_page": PER_PAGE, "sort": "asc"},
        MAX_NOTE_PAGES,
    )
    state = api.get_json(f"{base}/merge_requests/{iid}/approvals")
    commits = api.all_pages(
        f"{base}/merge_requests/{iid}/commits", {"per_page": PER_PAGE}, MAX_COMMIT_PAGES
    )
    mr["approvals"] = approvals(state if isinstance(state, dict) else {}, notes)
    mr["notes"] = [trim_note(n) for n in notes]
    mr["commits"] = [trim_commit(c) for c in commits]
    size = _size(api, f"{base}/merge_requests/{iid}/diffs")
    if size is not None:
        mr["additions"], mr["deletions"] = size
    return mr


def diff_lines(diffs: list[dict[str, Any]], complete: bool = True) -> tuple[int, int] | None:
    """(additions, deletions): the lines a merge request's diffs add and remove, as GitHub
    counts a pull's; None when GitLab left a file's diff out (`too_large`, or `collapsed`
    with no text) or `complete` is false (more files than were read), so the size is not
    measured rather than measured short. Each diff is GitLab's hunks without file headers:
    a line starting "+" is added, "-" removed (a removed line "--- x" included).

    >>> diff_lines([{"diff": "@@ -1,2 +1,2 @@\\n-a\\n-b\\n+c\\n d\\n"}, {"diff": "+new\\n"}])
    (2, 2)
    >>> diff_lines([{"diff": "", "too_large": True}]) is None
    True
    """
    if not complete:
        return None
    added = removed = 0
    for d in diffs:
        text = d.get("diff")
        if d.get("too_large") or not isinstance(text, str) or (d.get("collapsed") and not text):
            return None
        for line in text.splitlines():
            if line.startswith("+"):
                added += 1
            elif line.startswith("-"):
                removed += 1
    return added, removed


def _size(api: Api, path: str) -> tuple[int, int] | None:
    """The merge request's size from `GET .../merge_requests/:iid/diffs` (GitLab 15.7 and
    later, paged); None when GitLab does not answer it (an older GitLab, or a token that
    cannot read the code) or the diffs are incomplete."""
    diffs: list[dict[str, Any]] = []
    pages = 0
    try:
        for pages, response in enumerate(api.pages_by_link(path, {"per_page": PER_PAGE}), 1):
            data = api.json(response)
            diffs.extend(d for d in data or [] if isinstance(d, dict))
            if pages >= MAX_DIFF_PAGES and next_link(response):
                return None
    except ConnectorError as exc:
        if exc.exit_code != BAD_INPUT:  # a refusal (403, 404): no size; a failure: stop
            raise
        return None
    return diff_lines(diffs, complete=pages > 0)


def first_commit_times(writer: PageWriter) -> dict[str, str]:
    """Merge (or squash) commit sha -> the time of the merge request's first commit, over
    every merge request in the folder (read one file at a time)."""
    times: dict[str, str] = {}
    for name in writer.files:
        for mr in writer.read(name):
            dates = [parse_time(c.get("authored_date")) for c in mr.get("commits") or []]
            dates = [d for d in dates if d]
            if not dates:
                continue
            for sha in (mr.get("merge_commit_sha"), mr.get("squash_commit_sha"), mr.get("sha")):
                if sha:
                    times[sha] = iso(min(dates))
    return times


def deployment_row(d: Mapping[str, Any]) -> dict[str, str] | None:
    """One deployments-CSV row: success or failed (the other statuses are not finished
    deployments: None), deployed when its job finished (else when the deployment was last
    updated)."""
    status = d.get("status")
    if status not in ("success", "failed"):
        return None
    finished = parse_time((d.get("deployable") or {}).get("finished_at")) or parse_time(
        d.get("updated_at") or d.get("created_at")
    )
    if finished is None:
        return None
    return {
        "id": str(d.get("id")),
        "deployed_at": iso(finished),
        "status": status,
        "commit": d.get("sha") or "",
        "unplanned": "false",
    }


def _deployments(api, base, out, state, environment, writer, bound, progress) -> int:
    params: dict[str, Any] = {"order_by": "updated_at", "sort": "asc", "per_page": PER_PAGE}
    if bound is not None:
        params["updated_after"] = iso(bound - DEPLOYMENT_LOOKBACK)
    if environment:
        params["environment"] = environment
    rows, seen = [], 0
    for response in api.pages_by_link(f"{base}/deployments", params):
        for d in api.json(response) or []:
            seen += 1
            row = deployment_row(d) if isinstance(d, dict) else None
            if row:
                rows.append(row)
            if progress:
                progress(seen, None, "deployments")
    if not rows and not (out / DEPLOYMENTS_FILE).is_file():
        return 0
    state.fetched["deployments"] = write_deployments(out, rows, first_commit_times(writer))
    return len(rows)
