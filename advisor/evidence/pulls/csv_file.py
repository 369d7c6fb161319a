"""A pull-request CSV (DESIGN, "Pull requests and connectors"):

    id, repo, opened_at, merged_at, closed_at, first_commit_at, first_review_at, additions,
    deletions      and optionally   team, author, draft, merge_commit, reviewers, title

One row per pull request; times in ISO 8601 (a time without a zone is UTC); `additions` and
`deletions` in lines (empty: the size is not measured); `first_review_at` is the first
review by someone other than the author, as the export says; `reviewers` lists who reviewed,
separated by `;` (or `|`), each counted once for the review load, dated at the first review
(a first review with no reviewers named counts as one review by someone); `title` tells
reverts ("Revert ..."). A row whose `opened_at` is empty or unreadable is set aside and
counted, as is an unreadable optional time (read as empty); a bad number or flag is an error
naming its row and column (the header is row 1).
"""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd

from advisor.errors import EvidenceError, Problem
from advisor.evidence.pulls.table import TIMES, Record
from advisor.evidence.reading import SetAside, _flag, _read_csv
from advisor.evidence.times import parse_times

PULL_COLUMNS = (
    "id",
    "repo",
    "opened_at",
    "merged_at",
    "closed_at",
    "first_commit_at",
    "first_review_at",
    "additions",
    "deletions",
)
SEPARATORS = re.compile(r"[;|]")


def _lines(frame: pd.DataFrame, column: str, file: str) -> np.ndarray:
    text = frame[column].str.strip()
    values = pd.to_numeric(text.replace("", np.nan), errors="coerce")
    bad = (values.isna() & (text != "")) | (values.notna() & ((values < 0) | (values % 1 != 0)))
    if bad.any():
        at = int(np.flatnonzero(bad.to_numpy())[0])
        shown = str(frame[column].iloc[at])[:20]
        raise EvidenceError(
            [Problem(file, f"expected a whole number of lines, not {shown!r}", column, row=at + 2)]
        )
    return values.to_numpy(dtype=float)


def csv_records(data: bytes | str | Path, file: str, aside: SetAside) -> list[Record]:
    """The CSV's rows as Records (rows that cannot be used set aside and counted)."""
    frame = _read_csv(data, file, PULL_COLUMNS)
    text = {
        c: frame[c].str.strip() if c in frame else pd.Series([""] * len(frame))
        for c in ("id", "repo", "team", "author", "merge_commit", "reviewers", "title")
    }
    times = {
        c: parse_times(
            frame[c], file, c, aside, required=c == "opened_at", optional=c != "opened_at"
        )
        for c in TIMES
    }
    draft = (
        _flag(frame["draft"], file, "draft")
        if "draft" in frame
        else pd.Series(False, index=frame.index)
    )
    additions = _lines(frame, "additions", file)
    deletions = _lines(frame, "deletions", file)
    iso = {c: [None if pd.isna(t) else t.isoformat() for t in times[c]] for c in TIMES}
    out = []
    for i in range(len(frame)):
        if iso["opened_at"][i] is None:
            continue  # counted by parse_times
        names = [n.strip() for n in SEPARATORS.split(text["reviewers"].iloc[i]) if n.strip()]
        first = iso["first_review_at"][i]
        reviews = [(n, first) for n in names] if first else []
        if first and not names:
            reviews = [(None, first)]
        out.append(
            Record(
                id=text["id"].iloc[i] or f"row {i + 2}",
                repo=text["repo"].iloc[i],
                author=text["author"].iloc[i] or None,
                title=text["title"].iloc[i],
                team=text["team"].iloc[i],
                draft=bool(draft.iloc[i]),
                opened_at=iso["opened_at"][i],
                merged_at=iso["merged_at"][i],
                closed_at=iso["closed_at"][i],
                first_commit_at=iso["first_commit_at"][i],
                first_review_at=first,
                additions=float(additions[i]),
                deletions=float(deletions[i]),
                merge_commit=text["merge_commit"].iloc[i],
                reviews=reviews,
            )
        )
    if not out:
        raise EvidenceError([Problem(file, "no row has a readable opened_at")])
    return out
