"""Try `pull` with no account and no network: `python -m advisor.connectors.demo [--port N]`
serves a local GitHub (repository acme/app), GitLab (project 42) and Jira Cloud (project PAY)
on 127.0.0.1, each answering in its documented shapes (advisor.connectors.fakes), with four
weeks of a small team's made-up history, and prints the `pull` and `evidence` commands to try
against it. The fakes accept only the demo credentials it prints (not secrets: they open
nothing but this server). Ctrl-C (or SIGTERM) stops it.

The history (seeded, the same on every run; days from Monday 2025-01-06 UTC):
    GitHub   24 pulls by 5 authors, each reviewed by another (3 merged unreviewed, 1 draft,
             2 still open), sizes 10 to 400 lines; a deployment of each merged pull's commit
             the next morning, one in six failing and redeployed an hour later
    GitLab   the same 24 as merge requests, approvals as GitLab's notes
    Jira     30 stories and bugs: To Do, In Progress, In Review, Done (4 still in progress)
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import random
import signal
import sys
import threading
from collections.abc import Sequence

from advisor.connectors.fakes import TOKEN, USER, FakeGitHub, FakeGitLab, FakeJira, issue

REPO = "acme/app"
PROJECT = "42"  # the fake GitLab's project
JIRA_PROJECT = "PAY"
DEFAULT_PORT = 8765
PEOPLE = ("ana", "ben", "cy", "dee", "eve")
START = 5 * 24 * 60  # minutes from 2025-01-01 (a Wednesday) to Monday 2025-01-06
SEED = 17


def _minute(day: int, hour: float) -> int:
    """Minutes after 2025-01-01 00:00 UTC of `hour` o'clock on day `day` of the history."""
    return START + day * 24 * 60 + round(hour * 60)


def build_fakes(seed: int = SEED) -> tuple[FakeGitHub, FakeGitLab, FakeJira]:
    """The three fakes holding the module's made-up history (the same for the same seed)."""
    rng = random.Random(seed)
    github, gitlab = FakeGitHub(REPO), FakeGitLab()
    deployment = 0
    for n in range(1, 25):
        author = PEOPLE[n % len(PEOPLE)]
        reviewer = PEOPLE[(n + 1 + rng.randrange(len(PEOPLE) - 1)) % len(PEOPLE)]
        day = (n - 1) * 26 // 24  # about one a working day over 4 weeks
        opened = _minute(day, 9 + rng.random() * 6)
        first_commit = opened - round(rng.uniform(0.5, 30) * 60)
        pickup = round(rng.uniform(0.2, 48) * 60)
        review = round(rng.uniform(0.5, 24) * 60)
        unreviewed, draft, still_open = n in (5, 13, 21), n == 23, n in (22, 24)
        merged = None if (draft or still_open) else opened + (90 if unreviewed else pickup + review)
        reviews = (
            [] if (unreviewed or merged is None) else [(reviewer, "APPROVED", opened + pickup)]
        )
        added, removed = rng.randrange(10, 300), rng.randrange(0, 100)
        github.put_pull(
            n,
            author=author,
            opened=opened,
            merged=merged,
            draft=draft,
            commits=[first_commit],
            reviews=reviews,
            additions=added,
            deletions=removed,
            teams=(),
        )
        gitlab.put_mr(
            n,
            author=author,
            opened=opened,
            merged=merged,
            draft=draft,
            commits=[first_commit],
            approvals=[(u, at) for u, _, at in reviews],
            additions=added,
            deletions=removed,
        )
        if merged is None:
            continue
        next_morning = (merged // (24 * 60) + 1) * 24 * 60 + 10 * 60
        shipped = [(["success"], next_morning)]
        if n % 6 == 0:  # one in six fails, and is redeployed an hour later
            shipped = [(["failure"], next_morning), (["success"], next_morning + 60)]
        for states, at in shipped:
            deployment += 1
            github.add_deployment(deployment, n=n, states=states, minute=at - 1)
            gitlab.deployments.append(
                {
                    "id": deployment,
                    "sha": f"{n:040x}",
                    "status": "failed" if states == ["failure"] else "success",
                    "created_at": FakeGitLab.at(at - 20),
                    "updated_at": FakeGitLab.at(at),
                    "deployable": {"finished_at": FakeGitLab.at(at)},
                }
            )
    base = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    issues = []
    for k in range(1, 31):
        created = base + dt.timedelta(minutes=_minute((k - 1) * 26 // 30, 9))
        hours = [rng.uniform(4, 60) for _ in range(3)]
        at = created + dt.timedelta(hours=rng.uniform(1, 48))
        changes = []
        for (old, new), wait in zip(
            (("To Do", "In Progress"), ("In Progress", "In Review"), ("In Review", "Done")),
            [0, *hours],
            strict=False,
        ):
            at += dt.timedelta(hours=wait)
            changes.append((at, old, new))
        if k > 26:
            changes = changes[:1]  # still in progress
        issues.append(
            issue(f"{JIRA_PROJECT}-{k}", created, changes, "Bug" if k % 4 == 0 else "Story")
        )
    return github, gitlab, FakeJira(issues)


class DemoServer:
    """The three fakes behind one local HTTP server (werkzeug), in a thread of its own.

    `url` is `http://127.0.0.1:PORT`; `close()` stops it. port 0 takes any free port."""

    def __init__(self, port: int = DEFAULT_PORT, seed: int = SEED):
        from werkzeug import Request, Response
        from werkzeug.serving import make_server

        github, gitlab, jira = build_fakes(seed)

        @Request.application
        def app(request: Request) -> Response:
            if request.path.startswith("/repos/"):
                return github.handle(request)
            if request.path.startswith(f"/api/v4/projects/{PROJECT}/"):
                return gitlab.handle(request)
            if request.path.startswith("/rest/"):
                return jira(request)
            return Response('{"message": "Not Found"}', status=404)

        self.server = make_server("127.0.0.1", port, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


def commands(url: str, folder: str = "demo-pulls") -> str:
    """What to type against the demo server at `url`, pulling into `folder`."""
    return f"""\
Then, in another terminal (the credentials open only this demo server):

  export GITHUB_TOKEN={TOKEN} GITLAB_TOKEN={TOKEN}
  export JIRA_USER={USER} JIRA_TOKEN={TOKEN}
  python -m advisor pull github --repo {REPO} --api-url {url} --out {folder}/github
  python -m advisor pull gitlab --project {PROJECT} --url {url} --out {folder}/gitlab
  python -m advisor pull jira --site {url} --project {JIRA_PROJECT} --out {folder}/jira
  python -m advisor evidence {folder}/jira --pulls {folder}/github \\
      --deployments {folder}/github/deployments.csv

A second pull into the same folder asks only for what changed since the first.
"""


def main(argv: Sequence[str] | None = None) -> int:
    """Serve the demo until Ctrl-C. Exit 0; 2 when the port cannot be had."""
    parser = argparse.ArgumentParser(
        prog="python -m advisor.connectors.demo",
        description="A local GitHub, GitLab and Jira with made-up data, to try pull on.",
    )
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help="0: any free port")
    args = parser.parse_args(argv)
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # no line per request
    try:
        server = DemoServer(args.port)
    except OSError as exc:
        print(f"port {args.port} cannot be used ({exc.strerror}); try --port 0", file=sys.stderr)
        return 2
    print(f"A local GitHub ({REPO}), GitLab (project {PROJECT}) and Jira ({JIRA_PROJECT}) with")
    print(f"made-up data are answering at {server.url}. Ctrl-C stops them.\n")
    print(commands(server.url), flush=True)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())  # `kill` stops it as Ctrl-C does
    try:
        while not stop.wait(0.5):
            pass
    except KeyboardInterrupt:
        pass
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
