"""Pull requests from a file, a folder of JSON files, or uploaded files, in any of the three
forms (GitHub JSON, GitLab JSON, CSV), as the one table (table.py). A JSON file's form is
told by its first object: `iid` is GitLab's, `number` GitHub's. Files are size-checked
before they are read (limits.py), as every evidence file is.

A folder `pull github|gitlab --out OUT` wrote is read whichever of its folders is named: OUT
itself (its `pulls/` or `merge_requests/` folder is read) or that folder. Files a pull writes
that are not pull requests (`pull-state.json`, Jira's `jira-*.json`, hidden temporary files)
are skipped, in a folder and among uploads alike.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath

from advisor.errors import EvidenceError, Problem
from advisor.evidence.budget import Budget
from advisor.evidence.files import checked_file, read_bytes
from advisor.evidence.limits import MAX_FILES, MAX_JSON_BYTES
from advisor.evidence.pulls.csv_file import csv_records
from advisor.evidence.pulls.fields import load_json
from advisor.evidence.pulls.github import github_record, is_github
from advisor.evidence.pulls.gitlab import gitlab_record, is_gitlab
from advisor.evidence.pulls.table import DEFAULT_BOTS, PullsRead, Record, bot_pattern, build
from advisor.evidence.reading import SetAside, _size_checked

# Where `pull github` and `pull gitlab` put the pull requests inside their --out folder.
PULL_SUBFOLDERS = ("pulls", "merge_requests")
# Files a pull writes beside the pull requests that are not pull requests: its own record of
# what it fetched, Jira's issues and statuses, and the temporary files of an atomic write.
NOT_PULLS = re.compile(r"^(pull-state\.json|jira-.*\.json|\..*)$", re.IGNORECASE)


def is_pull_file(name: str) -> bool:
    """Whether a file of this name can hold pull requests: not one of NOT_PULLS.

    >>> [is_pull_file(n) for n in ("pulls-00001.json", "pull-state.json", "jira-statuses.json")]
    [True, False, False]
    """
    return not NOT_PULLS.match(PurePath(name).name)


def pull_files(folder: Path) -> list[Path]:
    """The pull-request JSON files of `folder` and of its `pulls/` and `merge_requests/`
    folders (what `pull github|gitlab --out folder` wrote), sorted, NOT_PULLS skipped.
    Raises EvidenceError naming the folder when there are none, or more than MAX_FILES."""
    folders = [folder] + [folder / s for s in PULL_SUBFOLDERS if (folder / s).is_dir()]
    files = sorted(
        f for d in folders for f in d.glob("*.json") if f.is_file() and is_pull_file(f.name)
    )
    if not files:
        jira = any(folder.glob("jira-issues-*.json"))
        raise EvidenceError(
            [
                Problem(
                    str(folder),
                    "holds Jira's work items, not pull requests: give this folder as the items "
                    "and a GitHub or GitLab pull's folder to --pulls"
                    if jira
                    else "holds no pull requests: no .json file in it or in its pulls/ or "
                    "merge_requests/ folder (give a folder pull github or pull gitlab wrote, a "
                    "folder of GitHub or GitLab JSON files, or a pull-request CSV)",
                )
            ]
        )
    if len(files) > MAX_FILES:
        raise EvidenceError([Problem(str(folder), f"more than {MAX_FILES} files")])
    return files


def _listed(doc, file: str) -> list:
    if isinstance(doc, dict) and isinstance(doc.get("pulls"), list):
        return doc["pulls"]
    if isinstance(doc, dict) and isinstance(doc.get("merge_requests"), list):
        return doc["merge_requests"]
    if isinstance(doc, list):
        return doc
    if is_github(doc) or is_gitlab(doc):
        return [doc]
    raise EvidenceError(
        [
            Problem(
                file,
                "not a pull-request export: expected a list of GitHub pulls (with number) or "
                "GitLab merge requests (with iid)",
            )
        ]
    )


def json_records(data: bytes, file: str) -> list[Record]:
    """GitHub pulls or GitLab merge requests in one JSON file, as Records."""
    listed = _listed(load_json(data, file), file)
    first = next((p for p in listed if isinstance(p, dict)), None)
    if first is None:
        return []
    if is_gitlab(first):
        return [gitlab_record(mr, file, i) for i, mr in enumerate(listed)]
    if is_github(first):
        return [github_record(pull, file, i) for i, pull in enumerate(listed)]
    raise EvidenceError(
        [
            Problem(
                file,
                "not a GitHub pull (number, user) nor a GitLab merge request (iid)",
                "pulls[0]",
            )
        ]
    )


def _records(name: str, data: bytes | str | Path, aside: SetAside) -> list[Record]:
    if name.lower().endswith(".json"):
        _size_checked(data, name, MAX_JSON_BYTES)
        raw = read_bytes(data, MAX_JSON_BYTES) if isinstance(data, Path) else data
        return json_records(raw.encode() if isinstance(raw, str) else raw, name)
    return csv_records(data, name, aside)


def read_pulls(
    path: str | Path, bots: str | None = DEFAULT_BOTS, aside: SetAside | None = None
) -> PullsRead:
    """Pull requests from a CSV, a JSON file, or a folder of JSON files (GitHub or GitLab),
    a pull's --out folder included (see `pull_files`). `bots`: the pattern of bot logins
    (None: DEFAULT_BOTS). Raises EvidenceError naming the file, the row or pull request, and
    the field."""
    pattern = bot_pattern(bots)
    aside = aside if aside is not None else SetAside()
    path = Path(path)
    if path.is_dir():
        files = pull_files(path)  # at most MAX_FILES, each within MAX_JSON_BYTES; what they
        for f in files:  # hold is bounded by MAX_PULLS and MAX_PULL_EVENTS as it is read
            checked_file(f, MAX_JSON_BYTES)
        records = [r for f in files for r in _records(str(f), f, aside)]
        return build(records, str(path), pattern, aside, [str(f) for f in files])
    if path.suffix.lower() == ".json":
        checked_file(path, MAX_JSON_BYTES)
    else:  # a CSV is read whole: it must fit the memory budget
        Budget.of().check_whole(checked_file(path), str(path))
    return build(_records(str(path), path, aside), str(path), pattern, aside, [str(path)])


def pulls_from_upload(
    files: list[tuple[str, bytes]], bots: str | None = DEFAULT_BOTS, aside: SetAside | None = None
) -> PullsRead:
    """Uploaded pull requests: one CSV, or JSON files (GitHub or GitLab), read as the
    command line reads a file or a folder (a pull's `pull-state.json` among them skipped).
    `files`: (name, content) pairs. Raises EvidenceError naming the file, row and field."""
    pattern = bot_pattern(bots)
    aside = aside if aside is not None else SetAside()
    given = files
    files = [(name, data) for name, data in files if is_pull_file(name)]
    if not files:
        what = "no file was given" if not given else "none of the files holds pull requests"
        raise EvidenceError([Problem("pull requests", what)])
    if len(files) > 1 and not all(name.lower().endswith(".json") for name, _ in files):
        raise EvidenceError(
            [Problem(files[0][0], "several files are read only as JSON; give one CSV")]
        )
    records = [r for name, data in files for r in _records(name, data, aside)]
    source = files[0][0] if len(files) == 1 else f"{len(files)} pull-request files"
    return build(records, source, pattern, aside, [name for name, _ in files])
