"""Pull a GitHub repository's pull requests (with their reviews and commits) and deployments
(with their statuses; releases when there are no deployments) into the files `evidence` reads:

- `OUT/pulls/pulls-NNNNN.json`: JSON lists of pulls, each as `GET /repos/{o}/{r}/pulls/{n}`
  returns it, plus `reviews` (as `.../pulls/{n}/reviews` returns them) and `commits` (as
  `.../pulls/{n}/commits` returns them), keeping the fields the measures use and dropping
  people's names and e-mail addresses (a login stays; it is the reviewer's identity);
- `OUT/deployments.csv`: `id, deployed_at, commit_at, status, recovered_at, unplanned, commit`;
- `OUT/pull-state.json`: the watermark and, while unfinished, where to resume.

REST API v3, https://docs.github.com/en/rest/pulls/pulls#list-pull-requests: the list is read
`state=all&sort=updated&direction=desc` and paged by the `Link` header; an incremental pull
stops at the first pull updated before the last pull's watermark.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterator, Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

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

API_URL = "https://api.github.com"
TOKEN_NAME = "GITHUB_TOKEN"
PER_PAGE = 100  # GitHub's largest page
PULLS_DIR = "pulls"
MAX_REVIEW_PAGES = 10  # 1,000 reviews on one pull: more are not read
REPO = re.compile(r"^[A-Za-z0-9-]{1,39}/(?!\.\.?$)[A-Za-z0-9_.-]{1,100}$")  # owner/name
HINTS = {
    401: f"Create a token at https://github.com/settings/tokens and set {TOKEN_NAME}",
    403: (
        "A fine-grained token needs read access to Pull requests, Contents and Deployments; "
        "a classic token needs the repo scope for a private repository"
    ),
    404: "Give --repo as OWNER/NAME, exactly as in the repository's address",
}


def _login(user: Any) -> dict[str, Any] | None:
    return {"login": user.get("login")} if isinstance(user, dict) else None


def trim_pull(p: Mapping[str, Any]) -> dict[str, Any]:
    """The fields of a pull the measures use, in GitHub's shape (no names, no e-mail)."""
    base = p.get("base") or {}
    head = p.get("head") or {}
    keep = (
        "number",
        "title",
        "state",
        "draft",
        "created_at",
        "updated_at",
        "closed_at",
        "merged_at",
        "merge_commit_sha",
        "additions",
        "deletions",
        "changed_files",
        "commits",
        "comments",
        "review_comments",
        "html_url",
    )
    out = {k: p.get(k) for k in keep if k in p}
    out["user"] = _login(p.get("user"))
    out["base"] = {
        "ref": base.get("ref"),
        "repo": {"full_name": (base.get("repo") or {}).get("full_name")},
    }
    out["head"] = {"ref": head.get("ref"), "sha": head.get("sha")}
    out["requested_teams"] = [
        {"slug": t.get("slug"), "name": t.get("name")} for t in p.get("requested_teams") or []
    ]
    out["requested_reviewers"] = [_login(u) for u in p.get("requested_reviewers") or []]
    out["labels"] = [{"name": label.get("name")} for label in p.get("labels") or []]
    return out


def trim_review(r: Mapping[str, Any]) -> dict[str, Any]:
    """A review's id, reviewer login, state and time (its text is not kept)."""
    keep = ("id", "state", "submitted_at", "commit_id", "author_association")
    return {**{k: r.get(k) for k in keep}, "user": _login(r.get("user"))}


def trim_commit(c: Mapping[str, Any]) -> dict[str, Any]:
    """A commit's sha, logins and dates (no names, e-mail addresses or message)."""
    inner = c.get("commit") or {}
    return {
        "sha": c.get("sha"),
        "author": _login(c.get("author")),
        "committer": _login(c.get("committer")),
        "commit": {
            "author": {"date": (inner.get("author") or {}).get("date")},
            "committer": {"date": (inner.get("committer") or {}).get("date")},
        },
        "parents": [{"sha": x.get("sha")} for x in c.get("parents") or []],
    }


def _list(api: Api, response) -> list[dict[str, Any]]:
    data = api.json(response)
    if not isinstance(data, list):
        raise api.error(f"GitHub answered {response.request.url.path} with no list")
    return data


def pull_github(
    repo: str,
    *,
    out: Path,
    since: date | None = None,
    api_url: str = API_URL,
    environment: str | None = None,
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    sleep: Callable[[float], Any] = time.sleep,
    api: Api | None = None,
    secrets_file: Path | None = None,
) -> PullResult:
    """Pull `repo` (OWNER/NAME) into folder `out` (see the module's docstring for the files).

    since: on a first pull, only pulls updated on or after this date (UTC); later pulls ask
    only for what changed after the folder's watermark. environment: only deployments to this
    environment (e.g. "production"); all when None. The token is `GITHUB_TOKEN` (environment,
    else `[connectors]` in `.streamlit/secrets.toml`). progress(done, None, what) after each
    pull; cancel: a threading.Event that stops the pull between requests (Cancelled).
    An interrupted pull (error, cancel) keeps the pages written; a rerun resumes at the next
    page. Raises ConnectorError: exit 2 bad input or refused credentials, exit 3 GitHub failed
    after retries.
    """
    if not REPO.match(repo or ""):
        raise ConnectorError(
            f"--repo must be OWNER/NAME (e.g. octocat/hello-world); got {repo!r}", BAD_INPUT
        )
    out = Path(out)
    state, mode = starting_state(out, "github", repo, since)
    own = api is None
    if api is None:
        secret = find_token(TOKEN_NAME, secrets_file)
        if not secret:
            raise ConnectorError(
                f"no GitHub token: set {TOKEN_NAME} in the environment or under [connectors] "
                "in .streamlit/secrets.toml",
                BAD_INPUT,
            )
        api = Api(
            api_url,
            provider="GitHub",
            headers={
                "Authorization": f"Bearer {secret}",
                "Accept": "application/vnd.github+json",
                "X-GitHub-Api-Version": "2022-11-28",
            },
            token_names=(TOKEN_NAME,),
            secrets=(secret,),
            hints=HINTS,
            sleep=sleep,
            cancel=cancel,
        )
    result = PullResult("GitHub", repo, out, mode)
    try:
        _pull(api, repo, out, state, environment, progress, result)
    finally:
        result.requests = api.requests
        if own:
            api.close()
    return result


def _pull(api, repo, out, state, environment, progress, result) -> None:
    writer = PageWriter(out / PULLS_DIR, "pulls", key=lambda p: p["number"])
    bound = lower_bound(state)
    cursor = state.cursor or {"stage": "pulls"}
    state.complete = False
    fetched = 0
    if cursor.get("stage") == "pulls":
        if cursor.get("next"):
            pages = api.pages_by_link(cursor["next"])
        else:
            params = {"state": "all", "sort": "updated", "direction": "desc", "per_page": PER_PAGE}
            pages = api.pages_by_link(f"/repos/{repo}/pulls", params)
        page_no = int(cursor.get("page", 0))
        for response in pages:
            listed = _list(api, response)
            page, stop = [], False
            for item in listed:
                updated = parse_time(item.get("updated_at"))
                if bound is not None and updated is not None and updated < bound:
                    stop = True
                    break
                if state.run_to is None or (updated and updated > state.run_to):
                    state.run_to = updated
                page.append(_complete_pull(api, repo, item))
                fetched += 1
                if progress:
                    progress(fetched, None, "pull requests")
            writer.write(page)
            page_no += 1
            nxt = None if stop else next_link(response)
            state.cursor = (
                {"stage": "pulls", "next": nxt, "page": page_no}
                if nxt
                else {"stage": "deployments"}
            )
            state.files = written_files(out, PULLS_DIR, writer)
            state.fetched["pulls"] = len(writer)
            save_state(out, state)
            if nxt is None:
                break
    result.fetched["pull requests"] = fetched
    deployed = _deployments(api, repo, out, state, environment, writer, bound, progress)
    result.fetched["deployments"] = deployed
    state.updated_to = state.run_to or state.updated_to
    state.run_to = None
    state.cursor = None
    state.complete = True
    state.files = written_files(out, PULLS_DIR, writer)
    save_state(out, state)
    result.in_folder = dict(state.fetched)
    result.files = list(state.files)
    result.updated_to = state.updated_to


def _complete_pull(api: Api, repo: str, listed: Mapping[str, Any]) -> dict[str, Any]:
    """The pull as its own endpoint returns it (additions and deletions are not in the list),
    with its reviews and commits."""
    n = listed["number"]
    detail = api.get_json(f"/repos/{repo}/pulls/{n}")
    pull = trim_pull(detail if isinstance(detail, dict) else listed)
    reviews = api.all_pages(
        f"/repos/{repo}/pulls/{n}/reviews", {"per_page": PER_PAGE}, MAX_REVIEW_PAGES
    )
    commits = api.all_pages(f"/repos/{repo}/pulls/{n}/commits", {"per_page": PER_PAGE}, 3)
    pull["reviews"] = [trim_review(r) for r in reviews if isinstance(r, dict)]
    pull["commits"] = [
        trim_commit(c) for c in commits if isinstance(c, dict)
    ]  # GitHub lists at most 250
    return pull


def first_commit_times(writer: PageWriter) -> dict[str, str]:
    """merge_commit_sha -> the time of the pull's first commit, over every pull in the folder
    (read one file at a time), to give a deployment of that sha its `commit_at`."""
    times: dict[str, str] = {}
    for name in writer.files:
        for pull in writer.read(name):
            sha = pull.get("merge_commit_sha")
            dates = [
                (c.get("commit") or {}).get("author", {}).get("date")
                for c in pull.get("commits") or []
            ]
            dates = [d for d in dates if d]
            if sha and dates:
                times[sha] = iso(min(parse_time(d) for d in dates))
    return times


def deployment_row(
    deployment: Mapping[str, Any], statuses: list[Mapping[str, Any]]
) -> dict[str, str] | None:
    """One deployments-CSV row from a deployment and its statuses (newest first, as GitHub
    lists them): success if any status is success (deployed at the earliest success), failed
    if any is failure or error (at the earliest of those), None while it is still pending."""

    def earliest(states: set[str]) -> datetime | None:
        times = [parse_time(s.get("created_at")) for s in statuses if s.get("state") in states]
        times = [t for t in times if t]
        return min(times) if times else None

    ok = earliest({"success"})
    bad = earliest({"failure", "error"})
    if ok is None and bad is None:
        return None
    return {
        "id": str(deployment.get("id")),
        "deployed_at": iso(ok or bad),
        "status": "success" if ok else "failed",
        "commit": deployment.get("sha") or "",
        "unplanned": "false",
    }


def _deployment_pages(api: Api, repo: str, environment: str | None) -> Iterator[list[dict]]:
    params: dict[str, Any] = {"per_page": PER_PAGE}
    if environment:
        params["environment"] = environment
    for response in api.pages_by_link(f"/repos/{repo}/deployments", params):
        yield _list(api, response)


def _deployments(api, repo, out, state, environment, writer, bound, progress) -> int:
    """Deployments created since the bound (less the lookback), newest first, each with its
    statuses; releases stand in when the repository has no deployments at all."""
    start = bound - DEPLOYMENT_LOOKBACK if bound is not None else None
    rows: list[dict[str, str]] = []
    seen = 0
    for page in _deployment_pages(api, repo, environment):
        stop = False
        for d in page:
            created = parse_time(d.get("created_at"))
            if start is not None and created is not None and created < start:
                stop = True
                break
            seen += 1
            statuses = api.get_json(
                f"/repos/{repo}/deployments/{d['id']}/statuses", {"per_page": PER_PAGE}
            )
            row = deployment_row(d, statuses if isinstance(statuses, list) else [])
            if row:
                rows.append(row)
            if progress:
                progress(seen, None, "deployments")
        if stop:
            break
    if seen == 0 and not (out / DEPLOYMENTS_FILE).is_file() and environment is None:
        rows = _releases(api, repo, start)
    if not rows and not (out / DEPLOYMENTS_FILE).is_file():
        return 0
    state.fetched["deployments"] = write_deployments(out, rows, first_commit_times(writer))
    return len(rows)


def _releases(api: Api, repo: str, start: datetime | None) -> list[dict[str, str]]:
    """Published releases (not drafts or pre-releases) as successful deployments."""
    rows = []
    for response in api.pages_by_link(f"/repos/{repo}/releases", {"per_page": PER_PAGE}):
        for r in _list(api, response):
            published = parse_time(r.get("published_at"))
            if r.get("draft") or r.get("prerelease") or published is None:
                continue
            if start is not None and published < start:
                return rows
            sha = r.get("target_commitish") or ""
            rows.append(
                {
                    "id": f"release-{r.get('id')}",
                    "deployed_at": iso(published),
                    "status": "success",
                    "commit": sha if re.fullmatch(r"[0-9a-f]{40}", sha) else "",
                    "unplanned": "false",
                }
            )
    return rows
