"""GitLab's merge requests JSON: a list of merge requests as `GET /projects/:id/merge_requests`
(or `.../merge_requests/:iid`) returns them, each with optional lists `approvals`, `notes`
and `commits` added.

Fields read (docs.gitlab.com/api/merge_requests):
    iid, project_id, references.full (`group/project!12`, the id when given), title,
    author.username, created_at, merged_at, closed_at, draft (else work_in_progress),
    merge_commit_sha (else squash_commit_sha)
    additions, deletions: a merge request in GitLab's API has no line counts
        (`changes_count` is the number of files changed, as text); `pull gitlab` adds these
        two, counted in its diffs, as may another export; without them the size is not
        measured (counted)
    approvals[]: `{user: {username}, approved_at}`, or the approvals endpoint's object with
        `approved_by: [{user: {username}, approved_at}]`
    notes[]: author.username, created_at, system (a system note, "added 1 commit", is none)
    commits[]: authored_date (else created_at): the first is the earliest
A review is an approval or a note by someone other than the author (a bot's is none).
"""

from __future__ import annotations

from advisor.evidence.pulls.fields import Fields
from advisor.evidence.pulls.github import _instant
from advisor.evidence.pulls.table import Record


def is_gitlab(obj) -> bool:
    return isinstance(obj, dict) and "iid" in obj


def _approvals(f: Fields, mr: dict) -> list[tuple[str | None, str | None]]:
    raw = mr.get("approvals")
    if isinstance(raw, dict):  # the approvals endpoint's object
        listed, where = raw.get("approved_by") or [], f.where("approvals.approved_by")
        if not isinstance(listed, list):
            f.fail("approvals.approved_by", "expected a list")
    else:
        listed, where = f.items(mr, "approvals"), f.where("approvals")
    out = []
    for i, approval in enumerate(listed):
        a = Fields(f.file, i, where)
        if not isinstance(approval, dict):
            a.fail("", "expected an approval (an object)")
        out.append((a.text(approval, "user.username"), a.time(approval, "approved_at")))
    return out


def gitlab_record(mr, file: str, index: int) -> Record:
    """One merge request as a Record; EvidenceError naming `pulls[index].field` when wrong."""
    f = Fields(file, index)
    if not isinstance(mr, dict):
        f.fail("", "expected a merge request (an object)")
    iid = f.text(mr, "iid", required=True)
    full = f.text(mr, "references.full")
    project = full.rsplit("!", 1)[0] if full and "!" in full else f.text(mr, "project_id") or ""
    reviews = _approvals(f, mr)
    for i, note in enumerate(f.items(mr, "notes")):
        n = Fields(file, i, f.where("notes"))
        if not isinstance(note, dict):
            n.fail("", "expected a note (an object)")
        if n.flag(note, "system"):
            continue
        reviews.append((n.text(note, "author.username"), n.time(note, "created_at")))
    commits = []
    for i, commit in enumerate(f.items(mr, "commits")):
        c = Fields(file, i, f.where("commits"))
        at = c.time(commit, "authored_date") or c.time(commit, "created_at")
        if at is not None:
            commits.append(at)
    draft = f.flag(mr, "draft") if "draft" in mr else f.flag(mr, "work_in_progress")
    merged_at = f.time(mr, "merged_at")
    return Record(
        id=f"{project}!{iid}",
        repo=project,
        author=f.text(mr, "author.username"),
        title=f.text(mr, "title") or "",
        draft=draft,
        opened_at=f.time(mr, "created_at", required=True),
        merged_at=merged_at,
        closed_at=f.time(mr, "closed_at"),
        first_commit_at=min(commits, key=_instant) if commits else None,
        additions=f.lines(mr, "additions"),
        deletions=f.lines(mr, "deletions"),
        merge_commit=(f.text(mr, "merge_commit_sha") or f.text(mr, "squash_commit_sha") or "")
        if merged_at
        else "",
        reviews=[(login, at) for login, at in reviews if at is not None],
    )
