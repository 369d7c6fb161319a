"""Pulling at scale (`make bench`): 50,000 GitHub pull requests and 100,000 Jira issues from
a local server running in a process of its own. Measured: the pull's wall time, the server's
own serving time (inside its handler), their ratio, and the growth of the pulling process's
peak memory (`ru_maxrss`), which must stay bounded because pages go to disk one by one.

Targets (asserted): peak memory grows by less than 150 MB for either pull, and the pull's
wall time is under 30 ms per GitHub pull request (each is 3 requests: the pull, its reviews,
its commits) and under 1 ms per Jira issue (a hundred issues a request). Counts can be lowered
for a quick look: PULL_BENCH_PULLS, PULL_BENCH_ISSUES."""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from tests.unit.connectors_support import TOKEN

ROOT = Path(__file__).resolve().parent.parent
PULLS = int(os.environ.get("PULL_BENCH_PULLS", "50000"))
ISSUES = int(os.environ.get("PULL_BENCH_ISSUES", "100000"))
MAX_GROWTH_MB = 150
MAX_MS_PER_PULL = 30.0
MAX_MS_PER_ISSUE = 1.0


def _rss_mb() -> float:
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) / 1024 for line in f if line.startswith("VmRSS"))


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KB on Linux


class Server:
    def __init__(self, kind: str, count: int):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "benchmarks.pull_server", kind, str(count)],
            cwd=ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.url = self.proc.stdout.readline().strip()

    def stats(self) -> dict:
        with urllib.request.urlopen(f"{self.url}/__stats") as r:
            return json.load(r)

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def _measure(pull, kind, count, what):
    server = Server(kind, count)
    try:
        before = _rss_mb()
        started = time.perf_counter()
        result = pull(server.url)
        wall = time.perf_counter() - started
        growth = _peak_mb() - before
        stats = server.stats()
    finally:
        server.close()
    print(
        f"\n{what}: {count:,} in {wall:.1f} s ({1000 * wall / count:.2f} ms each), "
        f"{stats['requests']:,} requests; server's own serving time {stats['serving']:.1f} s "
        f"(wall / serving = {wall / stats['serving']:.1f}); peak memory grew {growth:.0f} MB"
    )
    return result, wall, growth


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_bench_pull_github(tmp_path, monkeypatch):
    from advisor.connectors.github import pull_github

    monkeypatch.setenv("GITHUB_TOKEN", TOKEN)
    result, wall, growth = _measure(
        lambda url: pull_github("acme/app", out=tmp_path, api_url=url),
        "github",
        PULLS,
        "GitHub pull requests",
    )
    assert result.in_folder["pulls"] == PULLS
    assert len(list((tmp_path / "pulls").iterdir())) == -(-PULLS // 100)  # 100 a file
    assert growth < MAX_GROWTH_MB
    assert 1000 * wall / PULLS < MAX_MS_PER_PULL


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="needs Linux's /proc")
def test_bench_pull_jira(tmp_path, monkeypatch):
    from advisor.connectors.fakes import jira as fake_jira
    from advisor.connectors.jira import pull_jira

    monkeypatch.setenv("JIRA_USER", fake_jira.USER)
    monkeypatch.setenv("JIRA_TOKEN", TOKEN)
    result, wall, growth = _measure(
        lambda url: pull_jira(url, project="PAY", out=tmp_path),
        "jira",
        ISSUES,
        "Jira issues",
    )
    assert result.fetched["issues"] == ISSUES
    assert growth < MAX_GROWTH_MB
    assert 1000 * wall / ISSUES < MAX_MS_PER_ISSUE
