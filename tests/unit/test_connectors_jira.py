"""The Jira pull against a local Jira (advisor/connectors/fakes): Cloud and Data Center paging,
cut changelogs completed, rate limits and failures, resume, incremental merge by key, no
token anywhere, and the folder read by `evidence` as the same history in a CSV is."""

from __future__ import annotations

import datetime as dt
import json
import logging
import threading

import pytest

from advisor.cli import main
from advisor.connectors import Cancelled, ConnectorError, load_state
from advisor.connectors.fakes.jira import USER, FakeJira, issue, stamp
from advisor.connectors.jira import (
    FILE_ISSUES,
    base_query,
    jql_time,
    pull_jira,
    slim_issue,
)
from tests.unit.connectors_support import TOKEN, Sleeps, assert_no_token

T0 = dt.datetime(2026, 1, 5, 9, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def _issues(n: int, project: str = "PAY") -> list[dict]:
    """n issues: created a day apart from T0, each To Do -> In Progress one day later and
    -> Done two days after that."""
    out = []
    for i in range(1, n + 1):
        made = T0 + (i % 20) * DAY
        changes = [(made + DAY, "To Do", "In Progress"), (made + 3 * DAY, "In Progress", "Done")]
        out.append(issue(f"{project}-{i}", made, changes))
    return out


@pytest.fixture
def env(monkeypatch, tmp_path):
    """Basic-auth credentials (Jira Cloud) in the environment; no secrets file."""
    monkeypatch.setenv("JIRA_USER", USER)
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    return tmp_path / "no-secrets.toml"


def _pull(site, out, secrets, **kw):
    kw.setdefault("project", "PAY")
    kw.setdefault("sleep", Sleeps())
    return pull_jira(site, out=out, secrets_file=secrets, **kw)


def _written(out) -> dict[str, list[dict]]:
    """Issue files -> their issues."""
    return {
        p.name: json.loads(p.read_text())["issues"] for p in sorted(out.glob("jira-issues-*.json"))
    }


def _keys(out) -> list[str]:
    return [i["key"] for issues in _written(out).values() for i in issues]


def _searches(fake) -> list[dict]:
    return [args for path, args in fake.calls if "/search" in path]


def test_cloud_pages_by_next_page_token_into_files_without_names(httpserver, env, tmp_path):
    fake = FakeJira(_issues(250))
    site = fake.install(httpserver)
    out = tmp_path / "out"
    result = _pull(site, out, env)
    # 250 issues at 100 a page: pages of 100, 100, 50, each its own file.
    assert (result.flavour, result.mode, result.pages) == ("cloud", "full", 3)
    assert result.fetched == {"issues": 250} and result.in_folder == {"issues": 250}
    assert [len(v) for v in _written(out).values()] == [100, 100, 50]
    tokens = [s.get("nextPageToken") for s in _searches(fake)]
    assert tokens[0] is None and all(tokens[1:]) and len(set(tokens)) == 3
    first = _searches(fake)[0]
    assert first["jql"] == '(project = "PAY") ORDER BY key ASC'
    assert first["expand"] == "changelog" and "status" in first["fields"].split(",")
    assert sorted(_keys(out)) == sorted(f"PAY-{i}" for i in range(1, 251))
    text = "".join(p.read_text() for p in out.iterdir())
    assert "Alice" not in text and "alice@" not in text and "A title" not in text
    one = _written(out)["jira-issues-00001.json"][0]
    assert [h["items"][0]["toString"] for h in one["changelog"]["histories"]] == [
        "Done",
        "In Progress",
    ]
    statuses = json.loads((out / "jira-statuses.json").read_text())
    assert {s["name"]: s["statusCategory"]["key"] for s in statuses}["In Review"] == (
        "indeterminate"
    )
    state = load_state(out)
    assert state.complete and state.cursor is None and state.query == 'project = "PAY"'
    # The watermark is the server's time when the pull began (serverInfo.serverTime).
    assert state.updated_to == dt.datetime(2026, 3, 1, 12, 0, tzinfo=dt.UTC)


def test_data_center_pages_by_start_at_with_a_bearer_token(httpserver, env, monkeypatch, tmp_path):
    monkeypatch.delenv("JIRA_USER")
    fake = FakeJira(_issues(230), cloud=False, auth="bearer")
    site = fake.install(httpserver)
    out = tmp_path / "out"
    result = _pull(site, out, env)
    assert result.flavour == "datacenter"
    # total 230 at 100 a page: startAt 0, 100, 200.
    assert [int(s["startAt"]) for s in _searches(fake)] == [0, 100, 200]
    assert len(_keys(out)) == len(set(_keys(out))) == 230


def test_short_pages_are_gathered_into_files_of_a_hundred(httpserver, env, tmp_path):
    fake = FakeJira(_issues(130), page=40)
    site = fake.install(httpserver)
    out = tmp_path / "out"
    result = _pull(site, out, env)
    # pages of 40: 40, 80, 120 -> a file of 120; then 10 on the last page -> a file of 10.
    assert result.pages == 4 and FILE_ISSUES == 100
    assert [len(v) for v in _written(out).values()] == [120, 10]


@pytest.mark.parametrize("cloud", [True, False])
def test_a_cut_changelog_is_completed(httpserver, env, monkeypatch, tmp_path, cloud):
    if not cloud:
        monkeypatch.delenv("JIRA_USER")
    # 230 status changes alternating In Progress / In Review, an hour apart.
    states = ["In Progress", "In Review"]
    changes = [
        (T0 + dt.timedelta(hours=h + 1), states[(h + 1) % 2], states[h % 2]) for h in range(230)
    ]
    changes[0] = (changes[0][0], "To Do", "In Progress")
    fake = FakeJira(
        [issue("PAY-1", T0, changes), *_issues(3)[1:]],
        cloud=cloud,
        auth="basic" if cloud else "bearer",
    )
    site = fake.install(httpserver)
    out = tmp_path / "out"
    result = _pull(site, out, env)
    assert result.changelogs_completed == 1
    log = next(i for i in _written(out)["jira-issues-00001.json"] if i["key"] == "PAY-1")[
        "changelog"
    ]
    assert log["total"] == len(log["histories"]) == 230
    if cloud:  # its own changelog, 100 at a time: startAt 0, 100, 200
        starts = [a["startAt"] for p, a in fake.calls if p.endswith("/PAY-1/changelog")]
        assert starts == ["0", "100", "200"]
    else:
        assert [a["expand"] for p, a in fake.calls if p == "/rest/api/2/issue/PAY-1"] == [
            "changelog"
        ]


def test_429_then_success_waits_as_asked(httpserver, env, tmp_path):
    httpserver.expect_oneshot_request("/rest/api/3/search/jql").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "12"}
    )
    fake = FakeJira(_issues(5))
    site = fake.install(httpserver)
    sleeps = Sleeps()
    result = _pull(site, tmp_path / "out", env, sleep=sleeps)
    assert sleeps.waits == [12.0] and result.in_folder == {"issues": 5}


def test_500_then_success_backs_off_and_goes_on(httpserver, env, tmp_path):
    httpserver.expect_oneshot_request("/rest/api/3/search/jql").respond_with_data(
        "oops", status=500
    )
    fake = FakeJira(_issues(5))
    site = fake.install(httpserver)
    sleeps = Sleeps()
    result = _pull(site, tmp_path / "out", env, sleep=sleeps)
    assert sleeps.waits == [1.0]  # the first backoff: 1 s
    assert result.in_folder == {"issues": 5}


def test_401_names_the_variables_to_fix(httpserver, env, monkeypatch, tmp_path):
    monkeypatch.setenv("JIRA_TOKEN", "not-the-right-token")
    site = FakeJira(_issues(2)).install(httpserver)
    with pytest.raises(ConnectorError) as caught:
        _pull(site, tmp_path / "out", env)
    assert caught.value.exit_code == 2
    assert "401" in caught.value.message
    assert "JIRA_USER" in caught.value.message and "JIRA_TOKEN" in caught.value.message
    assert "not-the-right-token" not in caught.value.message


def test_no_token_is_bad_input_naming_jira_token(env, monkeypatch, tmp_path):
    monkeypatch.delenv("JIRA_TOKEN")
    with pytest.raises(ConnectorError) as caught:
        _pull("https://acme.atlassian.net", tmp_path / "out", env)
    assert caught.value.exit_code == 2 and "JIRA_TOKEN is not set" in caught.value.message


def test_an_interrupted_pull_keeps_its_pages_and_a_rerun_continues(httpserver, env, tmp_path):
    fake = FakeJira(_issues(300))
    fake.fail_search_from = 200  # page 3 fails every time
    site = fake.install(httpserver)
    out = tmp_path / "out"
    with pytest.raises(ConnectorError) as caught:
        _pull(site, out, env)
    assert caught.value.exit_code == 3
    assert len(_keys(out)) == 200  # pages 1 and 2 kept
    state = load_state(out)
    assert not state.complete and state.cursor["next"]
    fake.fail_search_from = None
    fake.calls.clear()
    result = _pull(site, out, env)
    assert result.mode == "resumed" and result.pages == 1 and result.fetched == {"issues": 100}
    assert _searches(fake)[0]["nextPageToken"] == state.cursor["next"]  # page 3, not page 1
    assert sorted(_keys(out)) == sorted(f"PAY-{i}" for i in range(1, 301))
    assert load_state(out).complete


def test_a_resumed_pull_whose_page_token_expired_starts_its_search_again(httpserver, env, tmp_path):
    from advisor.connectors import save_state

    fake = FakeJira(_issues(250))
    fake.fail_search_from = 200
    site = fake.install(httpserver)
    out = tmp_path / "out"
    with pytest.raises(ConnectorError):
        _pull(site, out, env)
    state = load_state(out)
    state.cursor = {**state.cursor, "next": "expired!"}  # Jira no longer knows it
    save_state(out, state)
    fake.fail_search_from = None
    fake.calls.clear()
    result = _pull(site, out, env)
    # refused (400), then pages 1-3 again: 250 issues read, each once in the folder
    assert [s.get("nextPageToken") for s in _searches(fake)][:2] == ["expired!", None]
    assert result.mode == "resumed" and result.fetched == {"issues": 250}
    assert len(_keys(out)) == len(set(_keys(out))) == 250


def test_a_cancel_stops_after_the_page_and_a_rerun_resumes(httpserver, env, tmp_path):
    fake = FakeJira(_issues(250))
    site = fake.install(httpserver)
    out = tmp_path / "out"
    stop = threading.Event()
    seen = []

    def progress(done, total, what):
        seen.append((done, total, what))
        stop.set()  # the user clicks Cancel while page 1 is written

    with pytest.raises(Cancelled):
        _pull(site, out, env, cancel=stop, progress=progress)
    assert seen == [(100, None, "100 Jira issues read")]
    assert len(_keys(out)) == 100 and not load_state(out).complete
    result = _pull(site, out, env)
    assert result.mode == "resumed" and result.fetched == {"issues": 150}
    assert len(set(_keys(out))) == 250


def test_an_incremental_pull_fetches_only_changed_issues_and_merges_by_key(
    httpserver, env, tmp_path
):
    fake = FakeJira(_issues(150))
    site = fake.install(httpserver)
    out = tmp_path / "out"
    _pull(site, out, env)
    # After the first pull (the server's time 2026-03-01 12:00 UTC): PAY-3 and PAY-120 move
    # on, PAY-151 is new.
    later = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.UTC)
    for key in ("PAY-3", "PAY-120"):
        old = next(i for i in fake.issues if i["key"] == key)
        made = dt.datetime.strptime(old["fields"]["created"], "%Y-%m-%dT%H:%M:%S.%f%z")
        fake.replace(
            issue(
                key,
                made,
                [
                    (made + DAY, "To Do", "In Progress"),
                    (made + 3 * DAY, "In Progress", "Done"),
                    (later, "Done", "In Progress"),
                ],
            )
        )
    fake.replace(issue("PAY-151", later, []))
    fake.calls.clear()
    result = _pull(site, out, env)
    # the user's zone is UTC: 2026-03-01 12:00 to the minute.
    assert _searches(fake)[0]["jql"] == (
        '(project = "PAY") AND updated >= "2026/03/01 12:00" ORDER BY key ASC'
    )
    assert result.mode == "incremental" and result.fetched == {"issues": 3}
    keys = _keys(out)
    assert len(keys) == len(set(keys)) == 151
    files = _written(out)
    reopened = next(i for v in files.values() for i in v if i["key"] == "PAY-3")
    assert reopened["fields"]["status"]["name"] == "In Progress"
    assert len(reopened["changelog"]["histories"]) == 3
    # PAY-3 left page 1 (100 - 1 = 99), PAY-120 left page 2 (50 - 1 = 49); page 3 holds 3.
    assert [len(v) for v in files.values()] == [99, 49, 3]


def test_no_token_in_any_file_log_record_or_message(httpserver, env, caplog, tmp_path):
    httpserver.expect_oneshot_request("/rest/api/3/search/jql").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "1"}
    )
    httpserver.expect_oneshot_request("/rest/api/3/search/jql").respond_with_data(
        "oops", status=502
    )
    fake = FakeJira(_issues(120))
    fake.issues[0] = issue(
        "PAY-1", T0, [(T0 + dt.timedelta(hours=h), "A", "B") for h in range(150)]
    )
    site = fake.install(httpserver)
    out = tmp_path / "out"
    messages = []
    with caplog.at_level(logging.DEBUG):
        result = _pull(site, out, env, progress=lambda d, t, w: messages.append(w))
        messages.append(result.summary())
        messages.append(repr(result))
        fake.auth = "bearer"  # now refuses these credentials: the 401's message
        with pytest.raises(ConnectorError) as caught:
            _pull(site, out, env)
        messages.append(caught.value.message)
        messages.append(str(caught.value))
    assert any("rate limit" in r.getMessage() for r in caplog.records)
    assert any("HTTP Request" in r.getMessage() for r in caplog.records)  # httpx's own log
    looked = assert_no_token(TOKEN, out, caplog.records, messages)
    assert looked > 10
    assert_no_token(USER, out, caplog.records, messages)  # the account's email neither


def test_the_folder_gives_the_figures_the_same_history_as_a_csv_gives(
    httpserver, env, tmp_path, capsys
):
    # Three issues by hand, and the same history as a transitions CSV.
    a0, b0, c0 = T0, T0 + DAY, T0 + 2 * DAY
    history = {
        ("PAY-1", "Story", a0): [
            (a0 + DAY, "To Do", "In Progress"),
            (a0 + 3 * DAY, "In Progress", "In Review"),
            (a0 + 4 * DAY, "In Review", "Done"),
        ],
        ("PAY-2", "Bug", b0): [
            (b0 + 2 * DAY, "To Do", "In Progress"),
            (b0 + 5 * DAY, "In Progress", "Done"),
        ],
        ("PAY-3", "Story", c0): [(c0 + DAY, "To Do", "In Progress")],
    }
    fake = FakeJira(
        [issue(k, made, ch, kind=t, team="Payments") for (k, t, made), ch in history.items()]
    )
    site = fake.install(httpserver)
    out = tmp_path / "out"
    _pull(site, out, env)
    rows = ["key,type,team,from_status,to_status,changed_at,created_at"]
    for (key, kind, made), changes in history.items():
        rows.append(f"{key},{kind},Payments,,To Do,{stamp(made)},{stamp(made)}")
        rows += [f"{key},{kind},Payments,{a},{b},{stamp(at)},{stamp(made)}" for at, a, b in changes]
    csv = tmp_path / "items.csv"
    csv.write_text("\n".join(rows) + "\n")
    status_map = tmp_path / "statuses.yaml"
    status_map.write_text(
        "statuses:\n"
        "  To Do: {stage: ideation, active: false}\n"
        "  In Progress: {stage: development, active: true}\n"
        "  In Review: {stage: development, active: false}\n"
        "  Done: {stage: done, active: false}\n"
        "types: {Story: feature, Bug: defect}\n"
    )
    figures = []
    for items in (out, csv):
        assert main(["evidence", str(items), "--statuses", str(status_map), "--json"]) == 0
        doc = json.loads(capsys.readouterr().out)
        doc.pop("source", None)
        figures.append(doc)
    from_pull, from_csv = figures
    assert from_pull["counts"]["items"] == 3 and from_pull["counts"]["transitions"] == 9
    # PAY-1 flows In Progress 01-06 -> Done 01-09: 3 days; PAY-2 01-08 -> 01-11: 3 days.
    assert from_pull["flow"]["flow_time_days"]["median"] == pytest.approx(3.0)
    assert from_pull == from_csv


def test_the_query_asked_for():
    assert base_query(None, "PAY") == 'project = "PAY"'
    assert base_query("project = X AND type = Bug order by created DESC", None) == (
        "project = X AND type = Bug"
    )
    for jql, project in ((None, None), ("a = b", "PAY"), (None, "pay"), (None, 'P" OR x')):
        with pytest.raises(ConnectorError) as caught:
            base_query(jql, project)
        assert caught.value.exit_code == 2


def test_jql_times_are_in_the_users_zone_to_the_minute():
    moment = dt.datetime(2026, 3, 1, 12, 0, 59, tzinfo=dt.UTC)
    assert jql_time(moment, "UTC") == "2026/03/01 12:00"
    assert jql_time(moment, "Europe/Berlin") == "2026/03/01 13:00"  # UTC+1 in winter
    assert jql_time(moment, "America/New_York") == "2026/03/01 07:00"  # UTC-5
    # unknown zone: 14 h earlier in UTC, so no change is missed
    assert jql_time(moment, None) == "2026/02/28 22:00"
    assert jql_time(moment, "Mars/Olympus") == "2026/02/28 22:00"


def test_an_issue_keeps_only_what_a_measurement_reads():
    full = issue("PAY-7", T0, [(T0 + DAY, "To Do", "Done")], team="Payments")
    slim = slim_issue(full)
    assert set(slim) == {"id", "key", "fields", "changelog"}
    assert set(slim["fields"]) == {"issuetype", "status", "project", "created", "updated", "team"}
    history = slim["changelog"]["histories"][0]
    assert set(history) == {"id", "created", "items"} and len(history["items"]) == 1
    assert slim["changelog"]["total"] == 1


def test_a_folder_of_another_pull_is_refused(httpserver, env, tmp_path):
    site = FakeJira(_issues(3)).install(httpserver)
    out = tmp_path / "out"
    _pull(site, out, env)
    with pytest.raises(ConnectorError) as caught:
        _pull(site, out, env, project="OPS")
    assert caught.value.exit_code == 2 and "another --out folder" in caught.value.message


def test_the_command_line_pulls_then_refuses_a_wrong_token(
    httpserver, env, monkeypatch, tmp_path, capsys
):
    site = FakeJira(_issues(12)).install(httpserver)
    out = tmp_path / "out"
    args = ["pull", "jira", "--site", site, "--project", "PAY", "--out", str(out)]
    assert main(args) == 0
    said = capsys.readouterr()
    assert "12 issues" in said.out and TOKEN not in said.out + said.err
    assert main(["evidence", str(out), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["counts"]["items"] == 12
    args[-1] = str(tmp_path / "other")
    monkeypatch.setenv("JIRA_TOKEN", "wrong-token-value")
    assert main(args) == 2
    said = capsys.readouterr()
    assert "JIRA_TOKEN" in said.err and "wrong-token-value" not in said.err + said.out
