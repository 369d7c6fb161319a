"""Connectors: pull work items (Jira), pull requests and deployments (GitHub, GitLab) into the
files `evidence` reads, politely (rate limits, retries), incrementally and resumably.

The CLI (`python -m advisor pull ...`) calls `pull_github`, `pull_gitlab` and
`advisor.connectors.jira.pull_jira(site, *, jql, project, out, since, progress, cancel)`.

A progress callback, where a function takes one, is `progress(done: int, total: int | None,
what: str)`: items done so far, the total when the provider says it (else None), and what is
being fetched, in plain words.
"""

from advisor.connectors.github import pull_github
from advisor.connectors.gitlab import pull_gitlab
from advisor.connectors.http import Api, Cancelled, ConnectorError, check_url, redact
from advisor.connectors.jira import pull_jira
from advisor.connectors.output import PageWriter, merge_csv
from advisor.connectors.runs import PullResult
from advisor.connectors.secrets import token, token_source
from advisor.connectors.state import STATE_FILE, PullState, load_state, save_state

__all__ = [
    "STATE_FILE",
    "Api",
    "Cancelled",
    "ConnectorError",
    "PageWriter",
    "PullResult",
    "PullState",
    "check_url",
    "load_state",
    "merge_csv",
    "pull_github",
    "pull_gitlab",
    "pull_jira",
    "redact",
    "save_state",
    "token",
    "token_source",
]
