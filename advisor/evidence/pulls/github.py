"""GitHub's REST JSON: a list of pulls, each as `GET /repos/{o}/{r}/pulls/{n}` returns it, plus
`reviews` (as `GET .../pulls/{n}/reviews` returns them) and optionally `commits` (as
`GET .../pulls/{n}/commits` returns them). One pull alone, or `{"pulls": [...]}`, is read too.

Fields read (docs.github.com/en/rest/pulls):
    number, title, user.login, created_at, merged_at, closed_at, draft, merge_commit_sha,
    additions, deletions (the single-pull endpoint only: absent, the size is not measured),
    base.repo.full_name (else head.repo.full_name), requested_teams[].slug
    reviews[]: user.login, state, submitted_at (a PENDING review, never submitted, is none)
    commits[]: commit.author.date (else commit.committer.date): the first is the earliest
A merge_commit_sha on a pull that was never merged is GitHub's test merge: it is ignored.
"""

from __future__ import annotations

from advisor.evidence.pulls.fields import Fields
from advisor.evidence.pulls.table import Record


def is_github(obj) -> bool:
    return isinstance(obj, dict) and "number" in obj and ("user" in obj or "head" in obj)


def github_record(pull, file: str, index: int) -> Record:
    """One pull as a Record; EvidenceError naming `pulls[index].field` when a field is wrong."""
    f = Fields(file, index)
    if not isinstance(pull, dict):
        f.fail("", "expected a pull request (an object)")
    number = f.text(pull, "number", required=True)
    repo = f.text(pull, "base.repo.full_name") or f.text(pull, "head.repo.full_name") or ""
    merged_at = f.time(pull, "merged_at")
    reviews = []
    for i, review in enumerate(f.items(pull, "reviews")):
        r = Fields(file, i, f.where("reviews"))
        if not isinstance(review, dict):
            r.fail("", "expected a review (an object)")
        if (r.text(review, "state") or "").upper() == "PENDING":
            continue
        at = r.time(review, "submitted_at")
        if at is not None:
            reviews.append((r.text(review, "user.login"), at))
    commits = []
    for i, commit in enumerate(f.items(pull, "commits")):
        c = Fields(file, i, f.where("commits"))
        at = c.time(commit, "commit.author.date") or c.time(commit, "commit.committer.date")
        if at is not None:
            commits.append(at)
    teams = []
    for i, team in enumerate(f.items(pull, "requested_teams")):
        t = Fields(file, i, f.where("requested_teams"))
        slug = t.text(team, "slug") or t.text(team, "name")
        if slug:
            teams.append(slug)
    return Record(
        id=f"{repo}#{number}" if repo else f"#{number}",
        repo=repo,
        author=f.text(pull, "user.login"),
        title=f.text(pull, "title") or "",
        groups=tuple(teams),
        draft=f.flag(pull, "draft"),
        opened_at=f.time(pull, "created_at", required=True),
        merged_at=merged_at,
        closed_at=f.time(pull, "closed_at"),
        first_commit_at=min(commits, key=_instant) if commits else None,
        additions=f.lines(pull, "additions"),
        deletions=f.lines(pull, "deletions"),
        merge_commit=(f.text(pull, "merge_commit_sha") or "") if merged_at else "",
        reviews=reviews,
    )


def _instant(text: str):
    import datetime as dt

    return dt.datetime.fromisoformat(text)
