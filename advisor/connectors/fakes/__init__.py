"""Local stand-ins for GitHub, GitLab and Jira, answering in each provider's documented
response shapes, so `pull` can be tried, tested and measured without an account or a
network: the connector tests serve them with pytest-httpserver, the benchmark in a process
of its own, and `python -m advisor.connectors.demo` on 127.0.0.1 for a newcomer.

github  FakeGitHub: one repository's pulls, reviews, commits, deployments and releases
gitlab  FakeGitLab: project 42's merge requests, notes, approvals, commits, diffs, deployments
jira    FakeJira and `issue(...)`: Jira Cloud or Data Center search, changelogs, statuses
tokens  TOKEN and USER: the credentials the fakes accept (not secrets)

Each fake's `handle` (FakeJira: the object itself) takes a werkzeug Request and returns a
werkzeug Response; `install(httpserver)` routes a pytest-httpserver to it.
"""

from advisor.connectors.fakes.github import FakeGitHub
from advisor.connectors.fakes.gitlab import FakeGitLab
from advisor.connectors.fakes.jira import FakeJira, issue, stamp
from advisor.connectors.fakes.tokens import TOKEN, USER

__all__ = ["TOKEN", "USER", "FakeGitHub", "FakeGitLab", "FakeJira", "issue", "stamp"]
