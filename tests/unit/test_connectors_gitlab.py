"""`pull gitlab` against a local GitLab (pytest-httpserver serving API v4's documented shapes):
keyset paging, approvals with their times, notes and commits, deployments, rate limits,
refusals, an interrupted pull resumed and an incremental pull."""

from __future__ import annotations

import json
import logging

import pytest

from advisor.connectors import ConnectorError, load_state
from advisor.connectors.fakes import FakeGitLab
from advisor.connectors.gitlab import pull_gitlab
from tests.unit.connectors_support import TOKEN, Sleeps, assert_no_token

LIST = "/api/v4/projects/42/merge_requests"


@pytest.fixture
def gitlab(monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    return FakeGitLab(mrs=5, per_page_max=2)  # 5 merge requests, 2 a page: 3 pages


def pull(server, out, **kw):
    kw.setdefault("sleep", Sleeps())
    return pull_gitlab("42", url=server.url_for("").rstrip("/"), out=out, **kw)


def mrs_in(out):
    found = []
    for name in sorted((out / "merge_requests").glob("merge_requests-*.json")):
        found.extend(json.loads(name.read_text()))
    return found


def test_merge_requests_over_keyset_pages_with_approvals_notes_commits(
    httpserver, gitlab, tmp_path, caplog
):
    gitlab.deployments = [
        {
            "id": 1,
            "status": "failed",
            "sha": f"{1:040x}",
            "created_at": gitlab.at(100),
            "updated_at": gitlab.at(101),
            "deployable": {"finished_at": gitlab.at(101)},
        },
        {
            "id": 2,
            "status": "success",
            "sha": f"{2:040x}",
            "created_at": gitlab.at(200),
            "updated_at": gitlab.at(202),
            "deployable": {"finished_at": gitlab.at(201)},
        },
        {
            "id": 3,
            "status": "running",
            "sha": f"{3:040x}",
            "created_at": gitlab.at(300),
            "updated_at": gitlab.at(300),
            "deployable": None,
        },
    ]
    gitlab.install(httpserver)
    with caplog.at_level(logging.DEBUG):
        result = pull(httpserver, tmp_path)
    assert len(list((tmp_path / "merge_requests").iterdir())) == 3  # pages [1, 2], [3, 4], [5]
    got = {m["iid"]: m for m in mrs_in(tmp_path)}
    assert sorted(got) == [1, 2, 3, 4, 5]
    m2 = got[2]
    # approved by rev8 at the system note's time: minute 10*2 + 3 = 00:23
    assert m2["approvals"] == [
        {"user": {"id": 8, "username": "rev8"}, "approved_at": "2025-01-01T00:23:00Z"}
    ]
    assert [n["system"] for n in m2["notes"]] == [False, True]
    assert "body" not in m2["notes"][0]  # a person's comment text is not kept
    assert m2["commits"] == [
        {
            "id": f"{3:040x}",
            "short_id": f"{3:08x}",
            "created_at": "2025-01-01T00:15:00Z",
            "authored_date": "2025-01-01T00:15:00Z",
            "committed_date": "2025-01-01T00:15:00Z",
        }
    ]
    text = "".join(p.read_text() for p in tmp_path.rglob("*.json"))
    assert "Jane" not in text and "John" not in text and "example.com" not in text
    # deployment 1 failed at 01:41 (minute 101), recovered by 2 at 03:21 (its job's end);
    # commit_at: MR n's first commit, minute 10n - 5; the running one has no row
    assert (tmp_path / "deployments.csv").read_text().splitlines()[1:] == [
        f"1,2025-01-01T01:41:00Z,2025-01-01T00:05:00Z,failed,2025-01-01T03:21:00Z,false,{1:040x}",
        f"2,2025-01-01T03:21:00Z,2025-01-01T00:15:00Z,success,,false,{2:040x}",
    ]
    assert result.fetched == {"merge requests": 5, "deployments": 2}
    assert "pagination=keyset" in gitlab.requests[0]
    assert_no_token(TOKEN, tmp_path, caplog.records, [result.summary()])


def test_429_then_success(httpserver, gitlab, tmp_path):
    httpserver.expect_oneshot_request(LIST).respond_with_data(
        "", status=429, headers={"Retry-After": "5"}
    )
    gitlab.install(httpserver)
    sleeps = Sleeps()
    pull(httpserver, tmp_path, sleep=sleeps)
    assert sleeps.waits == [5.0]
    assert len(mrs_in(tmp_path)) == 5


def test_500_then_success(httpserver, gitlab, tmp_path):
    httpserver.expect_oneshot_request(f"{LIST}/4/approvals").respond_with_data("", status=500)
    gitlab.install(httpserver)
    sleeps = Sleeps()
    pull(httpserver, tmp_path, sleep=sleeps)
    assert sleeps.waits == [1.0]
    assert len(mrs_in(tmp_path)) == 5


def test_401_names_the_token(httpserver, gitlab, tmp_path, monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", "not-the-right-one")
    gitlab.install(httpserver)
    with pytest.raises(ConnectorError) as err:
        pull(httpserver, tmp_path)
    assert err.value.exit_code == 2
    assert "GITLAB_TOKEN" in err.value.message
    assert "not-the-right-one" not in err.value.message


def test_interrupted_pull_resumes_at_the_next_page(httpserver, gitlab, tmp_path):
    for _ in range(6):  # every try on MR 3's notes fails: page 2 is never written
        httpserver.expect_oneshot_request(f"{LIST}/3/notes").respond_with_data("", status=502)
    gitlab.install(httpserver)
    with pytest.raises(ConnectorError) as err:
        pull(httpserver, tmp_path)
    assert err.value.exit_code == 3
    assert [m["iid"] for m in mrs_in(tmp_path)] == [1, 2]
    assert load_state(tmp_path).cursor["page"] == 1
    before = len(gitlab.requests)
    result = pull(httpserver, tmp_path)
    assert result.mode == "resumed"
    asked = gitlab.requests[before:]
    assert asked[0].startswith(LIST) and "cursor=2" in asked[0]  # page 2, not page 1
    assert result.fetched["merge requests"] == 3
    assert sorted(m["iid"] for m in mrs_in(tmp_path)) == [1, 2, 3, 4, 5]


def test_incremental_pull_fetches_only_changed_merge_requests(httpserver, gitlab, tmp_path):
    gitlab.install(httpserver)
    pull(httpserver, tmp_path)
    gitlab.add_mr(1, updated=500, title="Change 1, renamed")
    gitlab.add_mr(6)
    before = len(gitlab.requests)
    result = pull(httpserver, tmp_path)
    assert result.mode == "incremental"
    # watermark: MR 5 updated at minute 56 = 00:56; asked updated_after it: MRs 6 (66), 1 (500)
    assert "updated_after=2025-01-01T00%3A56%3A00Z" in gitlab.requests[before]
    assert result.fetched["merge requests"] == 2
    got = mrs_in(tmp_path)
    assert sorted(m["iid"] for m in got) == [1, 2, 3, 4, 5, 6]
    assert {m["iid"]: m["title"] for m in got}[1] == "Change 1, renamed"


@pytest.mark.parametrize("project", ["", "a b", "../x", "group/"])
def test_bad_project_exits_2(project, tmp_path, monkeypatch):
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    with pytest.raises(ConnectorError, match="--project") as err:
        pull_gitlab(project, url="https://gitlab.com", out=tmp_path)
    assert err.value.exit_code == 2


def test_sizes_are_counted_in_the_diffs_and_left_out_when_gitlab_will_not_say(
    httpserver, gitlab, tmp_path
):
    # merge request 3's diffs: GitLab 15.6 and older have no such endpoint (404)
    httpserver.expect_oneshot_request(f"{LIST}/3/diffs").respond_with_data("", status=404)
    gitlab._diffs[4][0]["too_large"] = True  # GitLab cut a file's diff out
    gitlab._diffs[4][0]["diff"] = ""
    gitlab.install(httpserver)
    pull(httpserver, tmp_path)
    got = {m["iid"]: m for m in mrs_in(tmp_path)}
    # the fake's merge request n adds 10n lines and removes n: 2 -> +20 -2, 5 -> +50 -5
    assert (got[2]["additions"], got[2]["deletions"]) == (20, 2)
    assert (got[5]["additions"], got[5]["deletions"]) == (50, 5)
    assert "additions" not in got[3] and "additions" not in got[4]  # not measured, not 0
    assert "+new" not in json.dumps(got)  # the code itself is not kept
