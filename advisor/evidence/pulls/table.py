"""The one table every pull-request reader produces, whatever the source (GitHub, GitLab, CSV).

`PullsRead.pulls`, one row per pull (merge) request:
    id              `owner/name#12` (GitHub), `group/project!12` (GitLab) or the CSV's id
    repo            `owner/name` (GitHub), the project path or id (GitLab), the CSV's repo
    team            the CSV's team, else "" (a status map's `repositories` can name it later)
    groups          GitHub's requested teams (slugs), "|"-joined; "" when none
    author          an integer key of the author (-1 unknown), never a name
    draft, revert   still a draft; the title starts "Revert "
    opened_at, merged_at, closed_at, first_commit_at, first_review_at   UTC, NaT if none
    additions, deletions    lines; NaN when the source does not give them (not measured)
    merge_commit    the merge (or squash) commit's sha, lower case; "" if none
`PullsRead.reviews`, one row per person who reviewed a pull request (their first review):
    pull (row of `pulls`), reviewer (integer key, -2 unknown person), at (UTC, NaT unknown)

People: logins are read only to tell bots (`bots`, a regular expression on the login) and
self-reviews apart, then replaced by integer keys (pandas.factorize over this one read).
Keys only count engineers and exclude self-review; no name reaches the output, the JSON, a
log or the store.

First review: the earliest review by someone other than the author who is not a bot (a
CSV's `first_review_at` is taken as given). A bot's pull request is set aside and counted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from advisor.errors import EvidenceError, Problem
from advisor.evidence.limits import MAX_BOT_PATTERN, MAX_PULL_EVENTS, MAX_PULLS
from advisor.evidence.reading import SetAside

# GitHub Apps sign as `name[bot]`; Dependabot and Renovate also run under plain accounts.
DEFAULT_BOTS = r"(\[bot\]$|^dependabot|^renovate)"
TIMES = ("opened_at", "merged_at", "closed_at", "first_commit_at", "first_review_at")
UNKNOWN = -1  # author not given
SOMEONE = -2  # a reviewer not named (a CSV's first review with no reviewers column)
BOT_REASON = "pull requests by bots (author matches {pattern}): left out of every figure"


def bot_pattern(pattern: str | None) -> re.Pattern:
    """The bot pattern compiled (case-insensitive, searched anywhere in the login).
    Raises EvidenceError naming --pull-bots when it is too long or not a regular expression."""
    text = DEFAULT_BOTS if pattern is None else pattern
    if len(text) > MAX_BOT_PATTERN:
        raise EvidenceError(
            [Problem("arguments", f"longer than {MAX_BOT_PATTERN} characters", "--pull-bots")]
        )
    try:
        return re.compile(text, re.IGNORECASE)
    except re.error as exc:
        raise EvidenceError(
            [Problem("arguments", f"not a regular expression ({exc})", "--pull-bots")]
        ) from None


@dataclass
class PullsRead:
    """Pull requests as read, in the one table (see the module's docstring)."""

    pulls: pd.DataFrame
    reviews: pd.DataFrame
    source: str
    aside: SetAside = field(default_factory=SetAside)
    files: list[str] = field(default_factory=list)
    bots: str = DEFAULT_BOTS

    def times(self) -> list[np.ndarray]:
        """Every timestamp the pull requests bring to the observation window, as ns."""
        return [self.pulls[c].array.asi8 for c in TIMES] + [self.reviews["at"].array.asi8]


@dataclass
class Record:
    """One pull request as a reader found it, a login still in it (only in memory, only
    until `build`)."""

    id: str
    repo: str
    author: str | None
    title: str = ""
    team: str = ""
    groups: tuple[str, ...] = ()
    draft: bool = False
    opened_at: str | None = None
    merged_at: str | None = None
    closed_at: str | None = None
    first_commit_at: str | None = None
    first_review_at: str | None = None  # given by a CSV; from `reviews` otherwise
    additions: float = np.nan
    deletions: float = np.nan
    merge_commit: str = ""
    reviews: list[tuple[str | None, str | None]] = field(default_factory=list)  # login, time


def check_counts(pulls: int, events: int, file: str) -> None:
    """Refuse more pull requests or events than the caps allow (limits.py)."""
    if pulls > MAX_PULLS:
        raise EvidenceError(
            [Problem(file, f"more than {MAX_PULLS:,} pull requests; at most that many are read")]
        )
    if events > MAX_PULL_EVENTS:
        raise EvidenceError(
            [
                Problem(
                    file,
                    f"more than {MAX_PULL_EVENTS:,} reviews, notes and commits; at most that "
                    "many are read",
                )
            ]
        )


def _utc(values: list[str | None]) -> pd.Series:
    """ISO 8601 texts (already checked by the reader) as UTC nanoseconds; None is NaT."""
    return pd.Series(pd.to_datetime(pd.Series(values, dtype=object), utc=True, format="ISO8601"))


def build(
    records: list[Record], source: str, bots: re.Pattern, aside: SetAside, files: list[str]
) -> PullsRead:
    """The table from the readers' records: bots set aside and counted, logins turned into
    integer keys and dropped, each pull request's first review by another person found."""
    if not records:
        raise EvidenceError([Problem(source, "holds no pull requests")])
    check_counts(len(records), sum(len(r.reviews) for r in records), source)
    is_bot = [bool(r.author and bots.search(r.author)) for r in records]
    aside.add(BOT_REASON.format(pattern=bots.pattern), sum(is_bot))
    kept = [r for r, bot in zip(records, is_bot, strict=True) if not bot]
    if not kept:
        raise EvidenceError([Problem(source, "every pull request is by a bot")])
    review_rows = [
        (i, login, at)
        for i, r in enumerate(kept)
        for login, at in r.reviews
        if not (login and bots.search(login))  # a bot's review is no review
    ]
    logins = [r.author or "" for r in kept] + [login or "" for _, login, _ in review_rows]
    codes, _ = pd.factorize(pd.Series(logins, dtype=object))
    codes = codes.astype(np.int64)
    blank = np.array([not name for name in logins], dtype=bool)
    codes[blank] = UNKNOWN
    del logins  # names go no further than this line
    author = codes[: len(kept)]
    reviewer = codes[len(kept) :]
    reviewer = np.where(reviewer == UNKNOWN, SOMEONE, reviewer)
    reviews = pd.DataFrame(
        {
            "pull": np.array([i for i, _, _ in review_rows], dtype=np.int64),
            "reviewer": reviewer,
            "at": _utc([at for _, _, at in review_rows]).dt.as_unit("ns"),
        }
    )
    # Self-reviews (an author answering in their own review thread) are not reviews.
    reviews = reviews[reviews["reviewer"].to_numpy() != author[reviews["pull"].to_numpy()]]
    # One row per person and pull request: their first review.
    reviews = (
        reviews.sort_values(["pull", "reviewer", "at"], kind="stable")
        .drop_duplicates(["pull", "reviewer"])
        .reset_index(drop=True)
    )
    pulls = pd.DataFrame(
        {
            "id": [r.id for r in kept],
            "repo": [r.repo for r in kept],
            "team": [r.team for r in kept],
            "groups": ["|".join(r.groups) for r in kept],
            "author": author,
            "draft": np.array([r.draft for r in kept], dtype=bool),
            "revert": np.array([r.title.startswith("Revert ") for r in kept], dtype=bool),
            "additions": np.array([r.additions for r in kept], dtype=float),
            "deletions": np.array([r.deletions for r in kept], dtype=float),
            "merge_commit": [r.merge_commit.strip().lower() for r in kept],
        }
    )
    for column in TIMES:
        pulls[column] = _utc([getattr(r, column) for r in kept]).dt.as_unit("ns")
    given = pulls["first_review_at"]
    earliest = reviews.groupby("pull")["at"].min()
    from_reviews = pd.Series(earliest.reindex(pulls.index).array, index=pulls.index)
    pulls["first_review_at"] = given.where(given.notna(), from_reviews)
    pulls = _in_order(pulls, aside, source)
    position = pd.Series(np.arange(len(pulls)), index=pulls.index)
    reviews = reviews[reviews["pull"].isin(pulls.index)]
    reviews = reviews.assign(pull=position.loc[reviews["pull"]].to_numpy()).reset_index(drop=True)
    pulls = pulls.reset_index(drop=True)
    if pulls.empty:
        raise EvidenceError([Problem(source, "no pull request can be used (see set aside)")])
    return PullsRead(pulls, reviews, source, aside, files, bots.pattern)


def _in_order(pulls: pd.DataFrame, aside: SetAside, source: str) -> pd.DataFrame:
    """Pull requests merged or closed before they were opened set aside (counted, the first
    named); a first review given before the opening read as empty (counted)."""
    opened = pulls["opened_at"]
    backwards = (pulls["merged_at"] < opened) | (pulls["closed_at"] < opened)
    if backwards.any():
        first = pulls.loc[backwards, "id"].iloc[0]
        aside.add(
            f"pull requests merged or closed before they were opened (first: {first} in {source})",
            int(backwards.sum()),
        )
    early = pulls["first_review_at"] < opened
    if early.any():
        first = pulls.loc[early, "id"].iloc[0]
        aside.add(
            f"first reviews before the opening, read as empty (first: {first} in {source})",
            int(early.sum()),
        )
        pulls["first_review_at"] = pulls["first_review_at"].where(~early)
    return pulls[~backwards]
