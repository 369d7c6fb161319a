"""Pull requests as evidence: GitHub's and GitLab's JSON and a CSV read into one table, and
the figures SEI platforms and DX Core 4's speed are built on.

table       the one normalised table (people as integer keys only), bots set aside
fields      one JSON field read and checked, its pull request and field named
github      GitHub's pulls with their reviews and commits
gitlab      GitLab's merge requests with their approvals, notes and commits
csv_file    the pull-request CSV
reading     a file, a folder of JSON files, or uploads, in any of the three forms
figures     cycle time and its split, size, review load, merged per engineer, unreviewed
"""

from advisor.evidence.pulls.figures import pull_figures
from advisor.evidence.pulls.reading import is_pull_file, pulls_from_upload, read_pulls
from advisor.evidence.pulls.table import DEFAULT_BOTS, PullsRead, bot_pattern

__all__ = [
    "DEFAULT_BOTS",
    "PullsRead",
    "bot_pattern",
    "is_pull_file",
    "pull_figures",
    "pulls_from_upload",
    "read_pulls",
]
