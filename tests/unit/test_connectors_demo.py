"""The README's walkthrough for a newcomer: `python -m advisor.connectors.demo` starts a local
GitHub, GitLab and Jira on 127.0.0.1 and prints the commands to try; each `pull` it prints
exits 0 against it, and `evidence` reads what was pulled."""

from __future__ import annotations

import json
import os
import re
import shlex
import signal
import subprocess
import sys

import pytest

from advisor.cli import main
from advisor.connectors.demo import DemoServer, build_fakes, commands
from tests.conftest import ROOT


@pytest.fixture
def demo_env(monkeypatch):
    for name in ("GITHUB_TOKEN", "GITLAB_TOKEN", "JIRA_USER", "JIRA_TOKEN"):
        monkeypatch.delenv(name, raising=False)


def _typed(text: str) -> list[tuple[dict[str, str], list[str]]]:
    """The exports and the commands a newcomer would type, as printed: (exports, argv)."""
    exports: dict[str, str] = {}
    typed = []
    for line in text.replace("\\\n", " ").splitlines():
        words = shlex.split(line.strip())
        if words[:1] == ["export"]:
            exports.update(w.split("=", 1) for w in words[1:])
        elif words[:3] == ["python", "-m", "advisor"]:
            typed.append(words[3:])
    return [(exports, argv) for argv in typed]


def test_the_demo_starts_prints_its_commands_and_stops(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen(
        [sys.executable, "-m", "advisor.connectors.demo", "--port", "0"],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        lines = [process.stdout.readline() for _ in range(2)]  # waits until it serves
        url = re.search(r"http://127\.0\.0\.1:\d+", "".join(lines))
        assert url, lines
    finally:
        process.send_signal(signal.SIGTERM)  # stops it as Ctrl-C does
        process.wait(timeout=20)
    out = "".join(lines) + process.stdout.read()
    assert process.returncode == 0, process.stderr.read()
    assert f"--api-url {url.group()}" in out and "pull jira --site" in out


def test_every_printed_command_works_against_the_demo(tmp_path, monkeypatch, demo_env, capsys):
    server = DemoServer(port=0)
    monkeypatch.chdir(tmp_path)
    try:
        typed = _typed(commands(server.url))
        assert [argv[:2] for _, argv in typed] == [
            ["pull", "github"],
            ["pull", "gitlab"],
            ["pull", "jira"],
            ["evidence", "demo-pulls/jira"],
        ]
        for exports, argv in typed:
            for name, value in exports.items():
                monkeypatch.setenv(name, value)
            assert main(argv) == 0, capsys.readouterr().err
    finally:
        server.close()
    said = capsys.readouterr().out
    # 24 pulls and merge requests, 30 issues (advisor/connectors/demo.py)
    assert "fetched 24 pull requests" in said and "fetched 24 merge requests" in said
    assert "fetched 30 issues" in said
    # 24 pulls less the draft and the two still open: 21 merged (the window is the files' span)
    assert "21 merged in the window" in said
    # evidence takes either pull's folder itself, and the two give the same figures
    pulls = []
    for folder in ("github", "gitlab"):
        args = ["evidence", "demo-pulls/jira", "--pulls", f"demo-pulls/{folder}", "--json"]
        args += ["--deployments", f"demo-pulls/{folder}/deployments.csv"]
        assert main(args) == 0
        doc = json.loads(capsys.readouterr().out)
        assert doc["counts"]["items"] == 30
        assert doc["pulls"]["counts"]["merged_in_window"] == 21
        assert doc["dx_core_4"]["speed"]["source"] == "pull_requests"
        pulls.append({k: v for k, v in doc["pulls"].items() if k != "source"})
    assert pulls[0] == pulls[1]


def test_the_history_is_the_same_on_every_run():
    first, second = build_fakes(), build_fakes()
    assert first[0].pulls == second[0].pulls and first[1].mrs == second[1].mrs
    assert first[2].issues == second[2].issues
    merged = [p for p in first[0].pulls.values() if p["merged_at"]]
    assert len(first[0].pulls) == 24 and len(merged) == 21
