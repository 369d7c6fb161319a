"""The connectors' shared core against a local HTTP server: the polite client (rate limits,
retries, refusals, HTTPS only, cancel), token lookup, the pull state and the page writer."""

from __future__ import annotations

import json
import logging
import threading
from datetime import UTC, datetime

import httpx
import pytest

from advisor.connectors import (
    Api,
    Cancelled,
    ConnectorError,
    PageWriter,
    PullState,
    load_state,
    merge_csv,
    save_state,
    token,
)
from tests.unit.connectors_support import TOKEN, Sleeps, assert_no_token


def api(server, sleeps, **kw):
    kw.setdefault("token_names", ("GITHUB_TOKEN",))
    return Api(
        server.url_for("/"),
        provider="GitHub",
        headers={"Authorization": f"Bearer {TOKEN}"},
        secrets=(TOKEN,),
        sleep=sleeps,
        clock=lambda: 1_000_000.0,
        **kw,
    )


def test_429_waits_retry_after_then_succeeds(httpserver, caplog):
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "slow down", status=429, headers={"Retry-After": "7"}
    )
    httpserver.expect_request("/x").respond_with_json({"ok": 1})
    sleeps = Sleeps()
    with caplog.at_level(logging.INFO), api(httpserver, sleeps) as a:
        assert a.get_json("/x") == {"ok": 1}
    assert sleeps.waits == [7.0]  # the server's Retry-After, not the backoff
    assert assert_no_token(TOKEN, records=caplog.records) > 0


def test_github_rate_limit_headers_wait_until_reset(httpserver):
    # reset at 1,000,030 while the clock says 1,000,000: 30 s, plus 1 s margin = 31 s
    httpserver.expect_oneshot_request("/x").respond_with_data(
        "rate limited",
        status=403,
        headers={"x-ratelimit-remaining": "0", "x-ratelimit-reset": "1000030"},
    )
    httpserver.expect_request("/x").respond_with_json([1])
    sleeps = Sleeps()
    with api(httpserver, sleeps) as a:
        assert a.get_json("/x") == [1]
    assert sleeps.waits == [31.0]


def test_rate_limit_longer_than_max_wait_stops_with_exit_3(httpserver):
    httpserver.expect_request("/x").respond_with_data(
        "", status=429, headers={"Retry-After": "3600"}
    )
    with api(httpserver, Sleeps(), max_wait=60) as a, pytest.raises(ConnectorError) as err:
        a.get("/x")
    assert err.value.exit_code == 3
    assert "3600 s" in err.value.message


def test_5xx_then_success_backs_off_exponentially(httpserver):
    for _ in range(3):
        httpserver.expect_oneshot_request("/x").respond_with_data("boom", status=502)
    httpserver.expect_request("/x").respond_with_json({"n": 2})
    sleeps = Sleeps()
    with api(httpserver, sleeps, backoff=0.5) as a:
        assert a.get_json("/x") == {"n": 2}
    assert sleeps.waits == [0.5, 1.0, 2.0]  # 0.5 * 2**0, 0.5 * 2**1, 0.5 * 2**2
    assert a.requests == 4


def test_5xx_every_time_fails_with_exit_3_after_retries(httpserver):
    httpserver.expect_request("/x").respond_with_data("down", status=500)
    sleeps = Sleeps()
    with api(httpserver, sleeps, retries=2) as a, pytest.raises(ConnectorError) as err:
        a.get("/x")
    assert err.value.exit_code == 3
    assert "after 3 tries" in err.value.message  # the first try and 2 retries
    assert sleeps.waits == [1.0, 2.0]


def test_transport_error_then_success():
    calls = []

    def handler(request):
        calls.append(request.url.path)
        if len(calls) == 1:
            raise httpx.ConnectError("connection refused", request=request)
        return httpx.Response(200, json={"ok": True})

    sleeps = Sleeps()
    a = Api(
        "https://example.test/api",
        provider="GitLab",
        headers={"PRIVATE-TOKEN": TOKEN},
        secrets=(TOKEN,),
        sleep=sleeps,
        transport=httpx.MockTransport(handler),
    )
    assert a.get_json("projects/1") == {"ok": True}
    assert calls == ["/api/projects/1", "/api/projects/1"]
    assert sleeps.waits == [1.0]
    a.close()


@pytest.mark.parametrize(
    ("status", "words"),
    [
        (401, ["GITHUB_TOKEN", "401", "expired"]),
        (403, ["GITHUB_TOKEN", "403", "scope"]),
        (404, ["404", "/repos/acme/nope", "name"]),
    ],
)
def test_refusals_name_what_to_fix_with_exit_2(httpserver, status, words, caplog):
    httpserver.expect_request("/repos/acme/nope").respond_with_data(
        f"denied {TOKEN}", status=status
    )
    sleeps = Sleeps()
    with api(httpserver, sleeps) as a, pytest.raises(ConnectorError) as err:
        a.get("/repos/acme/nope")
    assert err.value.exit_code == 2
    for word in words:
        assert word in err.value.message
    assert sleeps.waits == []  # a refusal is not retried
    assert_no_token(TOKEN, records=caplog.records, messages=[err.value.message, str(err.value)])


def test_hint_is_added_to_the_message(httpserver):
    httpserver.expect_request("/x").respond_with_data("", status=403)
    with (
        api(httpserver, Sleeps(), hints={403: "A classic token needs the repo scope"}) as a,
        pytest.raises(ConnectorError) as err,
    ):
        a.get("/x")
    assert err.value.message.endswith("A classic token needs the repo scope")


@pytest.mark.parametrize(
    "url",
    ["http://jira.example.com", "ftp://localhost/x", "jira.example.com", "http://10.0.0.1/"],
)
def test_plain_http_refused_except_localhost(url):
    with pytest.raises(ConnectorError) as err:
        Api(url, provider="Jira")
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "url", ["http://localhost:8080", "http://127.0.0.1/x", "http://[::1]:9/", "https://a.test"]
)
def test_https_and_local_http_accepted(url):
    Api(url, provider="Jira").close()


def test_token_is_redacted_from_errors_logs_and_repr(caplog):
    def handler(request):
        raise httpx.ConnectTimeout(f"timed out for {request.url}", request=request)

    a = Api(
        "https://example.test",
        provider="GitLab",
        auth=("me@example.test", TOKEN),
        secrets=(TOKEN,),
        retries=1,
        sleep=Sleeps(),
        transport=httpx.MockTransport(handler),
    )
    with caplog.at_level(logging.DEBUG), pytest.raises(ConnectorError) as err:
        a.get("/p", params={"private_token": TOKEN})  # the worst case: a token in the URL
    logging.getLogger("httpx").info("HTTP Request: GET https://example.test/p?t=%s", TOKEN)
    assert "***" in err.value.message
    looked = assert_no_token(
        TOKEN, records=caplog.records, messages=[err.value.message, str(err.value), repr(a)]
    )
    assert looked >= 4  # the retry warning, the httpx record, the error twice, the repr
    a.close()


def test_cancel_stops_before_the_next_request(httpserver):
    httpserver.expect_request("/x").respond_with_json({})
    cancel = threading.Event()
    with api(httpserver, Sleeps(), cancel=cancel) as a:
        a.get("/x")
        cancel.set()
        with pytest.raises(Cancelled):
            a.get("/x")
    assert len(httpserver.log) == 1


def test_cancel_during_a_wait(httpserver):
    httpserver.expect_request("/x").respond_with_data("", status=503)
    cancel = threading.Event()
    with api(httpserver, lambda _s: cancel.set(), cancel=cancel) as a, pytest.raises(Cancelled):
        a.get("/x")  # the first backoff's "sleep" sets cancel
    assert len(httpserver.log) == 1


def test_pages_by_link_follows_next_and_refuses_other_hosts(httpserver):
    base = httpserver.url_for("")
    httpserver.expect_request("/items", query_string="page=2").respond_with_json(
        [3], headers={"Link": '<https://evil.test/items?page=3>; rel="next"'}
    )
    httpserver.expect_request("/items").respond_with_json(
        [1, 2], headers={"Link": f'<{base}/items?page=2>; rel="next", <{base}/x>; rel="last"'}
    )
    with api(httpserver, Sleeps()) as a:
        pages = a.pages_by_link("/items")
        assert next(pages).json() == [1, 2]
        assert next(pages).json() == [3]
        with pytest.raises(ConnectorError, match="another site"):
            next(pages)


def test_token_from_environment_then_secrets_file(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connectors]\nGITHUB_TOKEN = "from-file-123"\n')
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    assert token("GITHUB_TOKEN", secrets) == "from-file-123"
    assert token("GITLAB_TOKEN", secrets) is None
    monkeypatch.setenv("GITHUB_TOKEN", "from-env-456")
    assert token("GITHUB_TOKEN", secrets) == "from-env-456"
    assert token("GITHUB_TOKEN", tmp_path / "absent.toml") == "from-env-456"


def test_broken_secrets_file_is_named_without_its_content(tmp_path, monkeypatch):
    secrets = tmp_path / "secrets.toml"
    secrets.write_text('[connectors]\nGITHUB_TOKEN = "abc-unclosed\n')
    monkeypatch.delenv("GITHUB_TOKEN", raising=False)
    with pytest.raises(ConnectorError) as err:
        token("GITHUB_TOKEN", secrets)
    assert err.value.exit_code == 2
    assert str(secrets) in err.value.message
    assert "abc-unclosed" not in err.value.message


def test_state_round_trip_is_atomic_and_validated(tmp_path):
    assert load_state(tmp_path) is None
    state = PullState(
        provider="github",
        target="acme/app",
        updated_to=datetime(2025, 3, 1, 12, tzinfo=UTC),
        cursor={"next": "https://api.github.com/x?page=3", "page": 3},
        files=["pulls-00001.json"],
    )
    save_state(tmp_path, state)
    assert load_state(tmp_path) == state
    assert [p.name for p in tmp_path.iterdir()] == ["pull-state.json"]  # no temp file left
    (tmp_path / "pull-state.json").write_text(json.dumps({"provider": "svn", "target": "x"}))
    with pytest.raises(ConnectorError, match="provider"):
        load_state(tmp_path)


def test_state_refuses_a_naive_watermark():
    with pytest.raises(ValueError, match="timezone"):
        PullState(provider="jira", target="s", updated_to=datetime(2025, 1, 1))


def test_page_writer_merges_by_key_across_files(tmp_path):
    w = PageWriter(tmp_path, "pulls", key=lambda p: p["number"])
    assert w.write([{"number": 1, "v": "a"}, {"number": 2, "v": "a"}]) == "pulls-00001.json"
    assert w.write([{"number": 3, "v": "a"}]) == "pulls-00002.json"
    # a second pull fetches 2 and 3 again: page 1 keeps only 1, page 2 is emptied and deleted
    again = PageWriter(tmp_path, "pulls", key=lambda p: p["number"])
    assert len(again) == 3
    assert again.write([{"number": 3, "v": "b"}, {"number": 2, "v": "b"}]) == "pulls-00003.json"
    assert again.files == ["pulls-00001.json", "pulls-00003.json"]
    everything = [p for f in again.files for p in json.loads((tmp_path / f).read_text())]
    assert sorted((p["number"], p["v"]) for p in everything) == [(1, "a"), (2, "b"), (3, "b")]


def test_page_writer_envelope_and_bad_file(tmp_path):
    w = PageWriter(tmp_path, "issues", key=lambda i: i["key"], envelope="issues")
    w.write([{"key": "A-1"}])
    assert json.loads((tmp_path / "issues-00001.json").read_text()) == {"issues": [{"key": "A-1"}]}
    (tmp_path / "issues-00002.json").write_text("[1, 2]")
    with pytest.raises(ConnectorError, match=r"issues-00002\.json"):
        PageWriter(tmp_path, "issues", key=lambda i: i["key"], envelope="issues")


def test_merge_csv_replaces_rows_by_key(tmp_path):
    path = tmp_path / "deployments.csv"
    cols = ("id", "deployed_at", "status")
    merge_csv(path, [{"id": "1", "deployed_at": "2025-01-02", "status": "failed"}], "id", cols)
    rows = merge_csv(
        path,
        [
            {"id": "1", "deployed_at": "2025-01-02", "status": "success"},
            {"id": "0", "status": None},
        ],
        "id",
        cols,
        order=lambda r: r["id"],
    )
    assert rows == [
        {"id": "0", "deployed_at": "", "status": ""},
        {"id": "1", "deployed_at": "2025-01-02", "status": "success"},
    ]
    assert path.read_text() == "id,deployed_at,status\n0,,\n1,2025-01-02,success\n"
