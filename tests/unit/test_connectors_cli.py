"""`python -m advisor pull jira|github|gitlab` against local servers: exit 0 with a summary,
2 for bad input or refused credentials, 3 when the provider fails; the token is printed
nowhere."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from advisor.cli import main
from advisor.connectors.fakes import FakeGitHub, FakeGitLab
from advisor.connectors.fakes import jira as fake_jira
from tests.unit.connectors_support import TOKEN, assert_no_token


@pytest.fixture
def tokens(monkeypatch, tmp_path):
    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    monkeypatch.setenv("GITLAB_TOKEN", TOKEN)
    monkeypatch.setenv("JIRA_USER", fake_jira.USER)
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    monkeypatch.chdir(tmp_path)  # no .streamlit/secrets.toml


def run(capsys, *argv):
    code = main(["pull", *argv])
    captured = capsys.readouterr()
    assert_no_token(TOKEN, messages=[captured.out, captured.err])
    return code, captured.out, captured.err


def test_pull_github_exit_0_and_files(httpserver, tokens, tmp_path, capsys):
    FakeGitHub("acme/app", pulls=3).install(httpserver)
    out = tmp_path / "gh"
    code, text, _ = run(
        capsys,
        "github",
        "--repo",
        "acme/app",
        "--out",
        str(out),
        "--api-url",
        httpserver.url_for(""),
    )
    assert code == 0
    assert "3 pull requests" in text
    assert len(json.loads((out / "pulls" / "pulls-00001.json").read_text())) == 3
    assert json.loads((out / "pull-state.json").read_text())["complete"] is True
    assert_no_token(TOKEN, folder=out)


def test_pull_gitlab_exit_0(httpserver, tokens, tmp_path, capsys):
    FakeGitLab(mrs=2).install(httpserver)
    out = tmp_path / "gl"
    url = httpserver.url_for("").rstrip("/")
    code, text, _ = run(capsys, "gitlab", "--project", "42", "--url", url, "--out", str(out))
    assert code == 0
    assert "2 merge requests" in text


def test_pull_jira_exit_0(httpserver, tokens, tmp_path, capsys):
    t0 = dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC)
    issues = [
        fake_jira.issue(f"PAY-{n}", t0, [(t0 + dt.timedelta(hours=n), "To Do", "Done")])
        for n in (1, 2)
    ]
    site = fake_jira.FakeJira(issues).install(httpserver)
    out = tmp_path / "jira"
    code, text, err = run(capsys, "jira", "--site", site, "--project", "PAY", "--out", str(out))
    assert code == 0, err
    assert "2 issues" in text
    assert (out / "pull-state.json").is_file()
    assert_no_token(TOKEN, folder=out)


def test_refused_token_exits_2_naming_it(httpserver, tokens, tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("GITHUB_TOKEN", "a-wrong-token")
    FakeGitHub("acme/app", pulls=1).install(httpserver)
    code, _, err = run(
        capsys,
        "github",
        "--repo",
        "acme/app",
        "--out",
        str(tmp_path),
        "--api-url",
        httpserver.url_for(""),
    )
    assert code == 2
    assert "GITHUB_TOKEN" in err and "a-wrong-token" not in err


def test_plain_http_to_another_host_exits_2(tokens, tmp_path, capsys):
    code, _, err = run(
        capsys,
        "gitlab",
        "--project",
        "42",
        "--url",
        "http://gitlab.example.com",
        "--out",
        str(tmp_path),
    )
    assert code == 2
    assert "https://" in err


def test_provider_failing_exits_3_and_keeps_the_state(httpserver, tokens, tmp_path, capsys):
    # a rate limit asking for an hour (more than the 900 s allowed) ends the pull at once
    httpserver.expect_request("/api/v4/projects/42/merge_requests").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    url = httpserver.url_for("").rstrip("/")
    code, _, err = run(capsys, "gitlab", "--project", "42", "--url", url, "--out", str(tmp_path))
    assert code == 3
    assert "rate limit" in err


def test_bad_since_exits_2(capsys, tmp_path):
    with pytest.raises(SystemExit) as exit_:
        main(["pull", "github", "--repo", "a/b", "--out", str(tmp_path), "--since", "yesterday"])
    assert exit_.value.code == 2
