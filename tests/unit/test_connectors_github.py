"""`pull github` against a local GitHub (pytest-httpserver serving the REST API's documented
shapes): paging, reviews and commits, deployments, rate limits, refusals, an interrupted pull
resumed and an incremental pull. No test waits: sleeps are recorded."""

from __future__ import annotations

import json
import logging
import threading

import pytest

from advisor.connectors import Cancelled, ConnectorError, load_state
from advisor.connectors.fakes import FakeGitHub
from advisor.connectors.github import pull_github
from advisor.evidence.reading import SetAside, read_deployments
from tests.unit.connectors_support import TOKEN, Sleeps, assert_no_token

REPO = "acme/app"
LIST = "/repos/acme/app/pulls"
PAGE2 = {"state": "all", "sort": "updated", "direction": "desc", "per_page": "100", "page": "2"}


@pytest.fixture
def github(httpserver, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    return FakeGitHub(REPO, pulls=5, per_page_max=2)  # 5 pulls, 2 a page: 3 pages


def pull(server, out, **kw):
    kw.setdefault("sleep", Sleeps())
    return pull_github(REPO, out=out, api_url=server.url_for(""), **kw)


def pulls_in(out):
    found = []
    for name in sorted((out / "pulls").glob("pulls-*.json")):
        found.extend(json.loads(name.read_text()))
    return found


def test_pulls_over_several_pages_with_reviews_commits_and_sizes(httpserver, github, tmp_path):
    github.install(httpserver)
    result = pull(httpserver, tmp_path)
    # 5 pulls in pages of 2, newest update first: [5, 4], [3, 2], [1]
    assert [p.name for p in sorted((tmp_path / "pulls").iterdir())] == [
        "pulls-00001.json",
        "pulls-00002.json",
        "pulls-00003.json",
    ]
    got = {p["number"]: p for p in pulls_in(tmp_path)}
    assert sorted(got) == [1, 2, 3, 4, 5]
    p3 = got[3]
    assert (p3["additions"], p3["deletions"]) == (30, 3)  # 10n and n, from the pull's endpoint
    assert p3["user"] == {"login": "dev3"}
    assert p3["base"]["repo"]["full_name"] == REPO
    assert p3["requested_teams"] == [{"slug": "core", "name": "Core"}]
    assert p3["reviews"][0]["state"] == "APPROVED"
    assert p3["reviews"][0]["submitted_at"] == "2025-01-01T00:33:00Z"  # minute 10*3 + 3
    assert p3["commits"][0]["commit"]["author"] == {"date": "2025-01-01T00:25:00Z"}  # 10*3 - 5
    text = "".join(p.read_text() for p in (tmp_path / "pulls").iterdir())
    assert "Jane" not in text and "example.com" not in text  # no names or e-mail kept
    assert result.fetched["pull requests"] == 5
    state = load_state(tmp_path)
    assert state.complete and state.cursor is None
    assert state.updated_to.isoformat() == "2025-01-01T00:56:00+00:00"  # pull 5: 10*5 + 6
    # 3 list pages + 5 pulls x (detail, reviews, commits) + 1 deployments + 1 releases = 20
    assert result.requests == 20


def test_deployments_csv_with_statuses_recovery_and_first_commit(httpserver, github, tmp_path):
    github.add_deployment(1, n=1, states=["in_progress", "failure"], minute=100)
    github.add_deployment(2, n=2, states=["in_progress", "success", "inactive"], minute=200)
    github.add_deployment(3, n=3, states=["queued"], minute=300)  # not finished: no row
    github.install(httpserver)
    pull(httpserver, tmp_path)
    # dep 1 failed at 100 + 2 min = 01:42, recovered by dep 2's success at 200 + 2 = 03:22;
    # commit_at is the first commit of the pull merged as that sha: pull n at 10n - 5 min
    assert (tmp_path / "deployments.csv").read_text().splitlines() == [
        "id,deployed_at,commit_at,status,recovered_at,unplanned,commit",
        f"1,2025-01-01T01:42:00Z,2025-01-01T00:05:00Z,failed,2025-01-01T03:22:00Z,false,{1:040x}",
        f"2,2025-01-01T03:22:00Z,2025-01-01T00:15:00Z,success,,false,{2:040x}",
    ]
    read = read_deployments(tmp_path / "deployments.csv", "deployments.csv", SetAside())
    assert list(read.frame["failed"]) == [True, False]


def test_releases_stand_in_when_there_are_no_deployments(httpserver, github, tmp_path):
    github.releases = [
        {
            "id": 7,
            "published_at": "2025-02-01T10:00:00Z",
            "draft": False,
            "prerelease": False,
            "target_commitish": "main",
        },
        {
            "id": 8,
            "published_at": "2025-02-02T10:00:00Z",
            "draft": True,
            "prerelease": False,
            "target_commitish": "main",
        },
    ]
    github.install(httpserver)
    pull(httpserver, tmp_path)
    assert (tmp_path / "deployments.csv").read_text().splitlines()[1:] == [
        "release-7,2025-02-01T10:00:00Z,,success,,false,"  # the draft is not a release
    ]


def test_429_then_success(httpserver, github, tmp_path):
    httpserver.expect_oneshot_request(LIST).respond_with_data(
        "", status=429, headers={"Retry-After": "2"}
    )
    github.install(httpserver)
    sleeps = Sleeps()
    result = pull(httpserver, tmp_path, sleep=sleeps)
    assert sleeps.waits == [2.0]
    assert result.fetched["pull requests"] == 5


def test_500_then_success(httpserver, github, tmp_path):
    httpserver.expect_oneshot_request("/repos/acme/app/pulls/3").respond_with_data("", status=500)
    github.install(httpserver)
    sleeps = Sleeps()
    pull(httpserver, tmp_path, sleep=sleeps)
    assert sleeps.waits == [1.0]  # the first backoff
    assert len(pulls_in(tmp_path)) == 5


def test_401_names_the_token_and_exits_2(httpserver, github, tmp_path, monkeypatch, caplog):
    monkeypatch.setenv("GITHUB_TOKEN", "wrong-token-value")
    github.install(httpserver)
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectorError) as err:
        pull(httpserver, tmp_path)
    assert err.value.exit_code == 2
    assert "GITHUB_TOKEN" in err.value.message and "401" in err.value.message
    assert_no_token("wrong-token-value", tmp_path, caplog.records, [err.value.message])


def test_no_token_exits_2(httpserver, tmp_path, monkeypatch):
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml here
    with pytest.raises(ConnectorError, match="GITHUB_TOKEN") as err:
        pull(httpserver, tmp_path / "out")
    assert err.value.exit_code == 2


@pytest.mark.parametrize("repo", ["acme", "acme/app/x", "../etc", ""])
def test_bad_repo_exits_2(repo, tmp_path):
    with pytest.raises(ConnectorError, match="OWNER/NAME"):
        pull_github(repo, out=tmp_path)


def test_interrupted_pull_resumes_at_the_next_page(httpserver, github, tmp_path, caplog):
    for _ in range(6):  # the first try and 5 retries all fail on page 2
        httpserver.expect_oneshot_request(LIST, query_string=PAGE2).respond_with_data(
            "", status=503
        )
    github.install(httpserver)
    with caplog.at_level(logging.INFO), pytest.raises(ConnectorError) as err:
        pull(httpserver, tmp_path)
    assert err.value.exit_code == 3
    state = load_state(tmp_path)
    assert not state.complete and state.cursor["page"] == 1
    assert {p["number"] for p in pulls_in(tmp_path)} == {4, 5}  # page 1 kept
    before = len(github.requests)
    result = pull(httpserver, tmp_path)
    assert result.mode == "resumed"
    asked = github.requests[before:]
    assert not any(r.startswith(f"{LIST}?") and "page=" not in r for r in asked)  # no page 1
    assert sorted(p["number"] for p in pulls_in(tmp_path)) == [1, 2, 3, 4, 5]
    assert result.fetched["pull requests"] == 3  # pages 2 and 3
    assert load_state(tmp_path).updated_to.isoformat() == "2025-01-01T00:56:00+00:00"
    assert_no_token(TOKEN, tmp_path, caplog.records, [err.value.message, result.summary()])


def test_incremental_pull_fetches_only_changed_pulls_and_merges(httpserver, github, tmp_path):
    github.install(httpserver)
    pull(httpserver, tmp_path)
    github.add_pull(2, updated=1000, title="Change 2, renamed")
    github.add_pull(6)  # updated at 10*6 + 6 = minute 66
    before = len(github.requests)
    result = pull(httpserver, tmp_path)
    assert result.mode == "incremental"
    # newest first: 2 (1000), 6 (66), 5 (56 = the watermark, read again), 4 (46 < 56: stop)
    details = [
        r for r in github.requests[before:] if r.rstrip("?").count("/") == 5 and "/pulls/" in r
    ]
    assert sorted(details) == [
        "/repos/acme/app/pulls/2?",
        "/repos/acme/app/pulls/5?",
        "/repos/acme/app/pulls/6?",
    ]
    assert result.fetched["pull requests"] == 3
    got = pulls_in(tmp_path)
    assert sorted(p["number"] for p in got) == [1, 2, 3, 4, 5, 6]  # no duplicates
    assert {p["number"]: p["title"] for p in got}[2] == "Change 2, renamed"
    assert load_state(tmp_path).updated_to.isoformat() == "2025-01-01T16:40:00+00:00"  # minute 1000


def test_since_limits_a_first_pull(httpserver, github, tmp_path):
    from datetime import date

    github.install(httpserver)
    result = pull(httpserver, tmp_path, since=date(2025, 1, 2))
    assert result.fetched["pull requests"] == 0  # every pull was updated on 2025-01-01


def test_cancel_keeps_what_was_written_and_a_rerun_finishes(httpserver, github, tmp_path):
    github.install(httpserver)
    cancel = threading.Event()

    def progress(done, total, what):
        if done == 3:  # after the first pull of page 2
            cancel.set()

    with pytest.raises(Cancelled):
        pull(httpserver, tmp_path, cancel=cancel, progress=progress)
    assert {p["number"] for p in pulls_in(tmp_path)} == {4, 5}
    result = pull(httpserver, tmp_path)
    assert result.mode == "resumed"
    assert sorted(p["number"] for p in pulls_in(tmp_path)) == [1, 2, 3, 4, 5]


def test_folder_of_another_repository_is_refused(httpserver, github, tmp_path):
    github.install(httpserver)
    pull(httpserver, tmp_path)
    with pytest.raises(ConnectorError, match="acme/app") as err:
        pull_github("acme/other", out=tmp_path, api_url=httpserver.url_for(""))
    assert err.value.exit_code == 2
