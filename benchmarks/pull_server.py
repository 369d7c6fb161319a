"""A local GitHub or Jira for the pull benchmark, in a process of its own (so the pull's memory
is measured alone): `python -m benchmarks.pull_server github|jira COUNT` prints its URL, then
serves until stdin closes. `GET /__stats` answers the seconds spent inside the server's
handler (its own serving time) and the requests answered."""

from __future__ import annotations

import datetime as dt
import json
import logging
import sys
import time

from pytest_httpserver import HTTPServer
from werkzeug import Response


def main(kind: str, count: int) -> None:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = HTTPServer(host="127.0.0.1", port=0, threaded=False)
    server.start()
    if kind == "github":
        from advisor.connectors.fakes import FakeGitHub

        fake = FakeGitHub("acme/app", pulls=count)
        handler = fake.handle
    else:
        from advisor.connectors.fakes import jira as fake_jira

        t0 = dt.datetime(2025, 1, 6, 9, tzinfo=dt.UTC)
        hour = dt.timedelta(hours=1)
        issues = [
            fake_jira.issue(
                f"PAY-{n}",
                t0 + n * dt.timedelta(minutes=3),
                [
                    (t0 + n * dt.timedelta(minutes=3) + hour, "To Do", "In Progress"),
                    (t0 + n * dt.timedelta(minutes=3) + 5 * hour, "In Progress", "Done"),
                ],
            )
            for n in range(1, count + 1)
        ]
        fake = fake_jira.FakeJira(issues)
        handler = fake
    stats = {"serving": 0.0, "requests": 0}

    def timed(request):
        started = time.perf_counter()
        try:
            return handler(request)
        finally:
            stats["serving"] += time.perf_counter() - started
            stats["requests"] += 1

    import re

    server.expect_request("/__stats").respond_with_handler(
        lambda _r: Response(json.dumps(stats), content_type="application/json")
    )
    server.expect_request(re.compile(r"^/(repos|rest)/")).respond_with_handler(timed)
    print(server.url_for("").rstrip("/"), flush=True)
    sys.stdin.read()  # until the benchmark closes the pipe
    server.stop()


if __name__ == "__main__":
    main(sys.argv[1], int(sys.argv[2]))
